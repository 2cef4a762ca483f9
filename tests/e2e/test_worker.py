"""Delivery through a real django-tasks-db worker process, against the sandbox over HTTP."""

import time

import pytest

from tests.worker_site import migrated_database, sites, upserts

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    with migrated_database(tmp_path_factory.mktemp("db"), TASKS_BACKEND="db") as migrated:
        yield migrated


@pytest.fixture
def new_site(tmp_path, database):
    with sites(tmp_path, database) as make:
        yield make


def test_a_worker_process_delivers_what_visitors_submit(new_site):
    s = new_site()
    s.scenario("submit", "20")
    assert s.statuses() == {"pending": 20, "claimed": 0}  # visitors never waited for SALESmanago

    s.start_worker()
    s.wait_for(lambda st: st.get("sent") == 20)

    contacts = s.sandbox.contacts()
    assert sorted(c["email"] for c in contacts) == sorted(f"visitor{i}@example.com" for i in range(20))
    assert all(c["tags"] == ["BADANIE_SATYSFAKCJI"] for c in contacts)
    assert len(upserts(s.sandbox)) == 20


def test_two_workers_racing_over_one_queue_send_each_answer_once(new_site):
    s = new_site()
    s.sandbox.misbehave(latency=0.05)
    s.start_worker()
    s.start_worker()
    s.scenario("submit", "40")
    s.wait_for(lambda st: st.get("sent") == 40)

    emails = [r["body"]["contact"]["email"] for r in upserts(s.sandbox)]
    assert sorted(emails) == sorted(f"visitor{i}@example.com" for i in range(40))  # no double sends


def test_deferred_retries_run_in_the_worker_after_an_outage(new_site):
    s = new_site(RETRY_BASE="1")
    s.sandbox.misbehave(status=503)
    s.start_worker()
    s.scenario("submit", "5")
    s.wait_for(lambda st: st.get("retrying") == 5)
    s.sandbox.misbehave(status=0)

    s.wait_for(lambda st: st.get("sent") == 5, seconds=60)
    assert len(s.sandbox.contacts()) == 5


def test_a_worker_killed_mid_send_leaves_its_claim_to_expire(new_site):
    s = new_site(CLAIM_SECONDS="10")
    s.sandbox.misbehave(latency=6)  # the send is still in flight when the worker dies
    worker = s.start_worker()
    s.scenario("submit", "1")
    s.wait_for(lambda st: st["claimed"] == 1)
    s.kill(worker)
    assert s.statuses() == {"pending": 1, "claimed": 1}

    assert s.manage("salesmanago_retry") == "0 due; nothing to send.\n"  # still claimed
    time.sleep(10.5)
    s.sandbox.misbehave(latency=0)
    assert s.manage("salesmanago_retry") == "1 due; sent: 1.\n"
    assert [c["email"] for c in s.sandbox.contacts()] == ["visitor0@example.com"]


def test_two_workers_hold_a_rejected_site_and_resume_when_the_secret_is_saved(new_site):
    s = new_site()
    s.scenario("set-secret", "wrong")
    s.start_worker()
    s.start_worker()
    s.scenario("submit", "10")
    s.wait_for(lambda st: st.get("held") == 10)
    calls = [r for r in s.sandbox.requests()]
    assert 1 <= len(calls) <= 2  # at most the calls already in flight when the hold began
    assert {r["path"] for r in calls} <= {"/api/contact/upsert", "/api/contact/batchupsert"}

    s.scenario("set-secret", s.sandbox.api_secret)
    s.wait_for(lambda st: st.get("sent") == 10)
    sent = [r["body"]["contact"]["email"] for r in upserts(s.sandbox) if r["accepted"]]
    assert sorted(sent) == sorted(f"visitor{i}@example.com" for i in range(10))  # each once
