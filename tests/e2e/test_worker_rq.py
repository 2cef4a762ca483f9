"""Delivery through real RQ workers (django-tasks-rq) and Redis, against the sandbox over HTTP.

Each test starts its own redis-server on a free port, so tests share no queue.
"""

import os
import shutil
import subprocess
import time

import pytest
from redis import Redis
from rq import Queue, Worker
from rq.job import Job

from tests.demo_process import free_port, port_answers
from tests.worker_site import migrated_database, sites, upserts

REDIS_SERVER = shutil.which("redis-server")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not REDIS_SERVER and not os.environ.get("REQUIRE_REDIS"),
        reason="redis-server is not installed (`make redis` installs it; CI sets REQUIRE_REDIS=1)",
    ),
]
TASK = "wagtail_salesmanago.delivery.tasks.deliver_export"


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    with migrated_database(tmp_path_factory.mktemp("db"), TASKS_BACKEND="rq") as migrated:
        yield migrated


@pytest.fixture
def redis(tmp_path):
    """A Redis server of the test's own on a free port, keeping nothing on disk; its URL."""
    if not REDIS_SERVER:
        pytest.fail("REQUIRE_REDIS is set but redis-server is not installed: run `make redis`.")
    port = free_port()
    server = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(tmp_path),
         "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: port_answers(port) or server.poll() is not None, seconds=30)
        assert server.poll() is None, "redis-server did not start"
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def new_site(tmp_path, redis, database):
    with sites(tmp_path, database, REDIS_URL=redis) as make:
        yield make


@pytest.fixture
def queue(redis):
    """The RQ queue the site's tasks go to, seen from outside like `rq info` sees it."""
    return Queue("default", connection=Redis.from_url(redis))


def deliveries(queue, registry=None):
    """Our delivery jobs in the queue, or in one of its registries (Wagtail enqueues its own).

    An empty RQ registry is falsy (it has a length), hence ``is None``, not ``or``.
    """
    ids = (queue if registry is None else registry).get_job_ids()
    return [job for job in Job.fetch_many(ids, queue.connection) if job and job.func_name == TASK]


def wait_until(condition, seconds=120):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.2)


def retry_until_it_sends(site, seconds=60):
    """Run `salesmanago_retry` as cron would until it finds something to send; its last output."""
    deadline = time.monotonic() + seconds
    while (output := site.manage("salesmanago_retry")) == "0 due; nothing to send.\n":
        assert time.monotonic() < deadline, "the record never fell due"
    return output


def emails(requests):
    return [r["body"]["contact"]["email"] for r in requests]


def visitors(count):
    return [f"visitor{i}@example.com" for i in range(count)]


def test_an_rq_worker_delivers_what_visitors_submit(new_site, queue):
    s = new_site()
    s.scenario("submit", "20")
    assert s.statuses() == {"pending": 20, "claimed": 0}  # visitors never waited for SALESmanago
    assert len(deliveries(queue)) == 20  # each answer's delivery waits in Redis

    s.start_worker()
    s.wait_for(lambda st: st.get("sent") == 20)

    contacts = s.sandbox.contacts()
    assert sorted(c["email"] for c in contacts) == sorted(visitors(20))
    assert all(c["tags"] == ["BADANIE_SATYSFAKCJI"] for c in contacts)
    assert len(upserts(s.sandbox)) == 20
    wait_until(lambda: len(deliveries(queue, queue.finished_job_registry)) == 20)
    assert deliveries(queue) == deliveries(queue, queue.failed_job_registry) == []


def test_two_rq_workers_racing_for_the_same_records_send_each_once(new_site, queue):
    s = new_site()
    s.sandbox.misbehave(latency=0.05)
    s.scenario("submit", "30")
    queue.empty()  # the visitors' jobs out: below, each record gets two jobs side by side
    s.start_worker()
    s.start_worker()
    wait_until(lambda: Worker.count(queue=queue) == 2)
    s.scenario("enqueue", "2")  # both workers take the same record at the same moment

    s.wait_for(lambda st: st.get("sent") == 30)
    finished = queue.finished_job_registry
    wait_until(lambda: len(deliveries(queue, finished)) == 60)  # every job ran, the losers too
    assert sorted(emails(upserts(s.sandbox))) == sorted(visitors(30))
    jobs = deliveries(queue, finished)
    assert len({job.latest_result().worker_name for job in jobs}) == 2  # both workers took part


def test_an_rq_worker_killed_mid_send_leaves_the_record_to_salesmanago_retry(new_site):
    s = new_site(CLAIM_SECONDS="10")
    s.sandbox.misbehave(latency=60)  # the send is in flight when the worker dies
    worker = s.start_worker()
    s.scenario("submit", "1")
    s.wait_for(lambda st: st["claimed"] == 1)
    s.kill(worker)  # the worker and its work horse, in the middle of the HTTP call
    s.sandbox.reset()  # SALESmanago drops the dead worker's call unanswered, unprocessed
    assert s.statuses() == {"pending": 1, "claimed": 1}
    assert s.manage("salesmanago_retry") == "0 due; nothing to send.\n"  # still claimed

    assert retry_until_it_sends(s) == "1 due; sent: 1.\n"  # once the claim lapsed
    assert s.statuses() == {"sent": 1, "claimed": 0}
    assert emails(upserts(s.sandbox)) == ["visitor0@example.com"]


def test_rq_runs_deferred_retries_with_its_scheduler(new_site, queue):
    s = new_site(RETRY_BASE="1")
    s.sandbox.misbehave(status=503)  # an outage: every first try fails
    s.scenario("submit", "5")
    s.start_worker()
    s.wait_for(lambda st: st.get("retrying") == 5, seconds=30)
    s.sandbox.misbehave(status=None)

    s.wait_for(lambda st: st.get("sent") == 5, seconds=30)
    sends = upserts(s.sandbox)
    sent = [r for r in sends if r["accepted"]]
    assert sorted(emails(sent)) == visitors(5)  # each once
    # Each retry waited in RQ's scheduler for its run_after: RETRY_BASE, less at most 20 % jitter.
    failed_at = {}
    for r in sends:
        if not r["accepted"]:
            failed_at[r["body"]["contact"]["email"]] = r["time"]
    assert set(failed_at) == set(visitors(5))
    assert all(r["time"] - failed_at[email] >= 0.8 for email, r in zip(emails(sent), sent))
    failed_jobs = deliveries(queue, queue.failed_job_registry)
    assert failed_jobs == [], [(job.exc_info or "")[-1500:] for job in failed_jobs]
