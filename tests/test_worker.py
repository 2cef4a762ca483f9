"""Delivery through a real django-tasks-db worker process, against the sandbox over HTTP."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from wagtail_salesmanago.sandbox import Sandbox

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


class Site:
    """A test site in a database file, with helpers to run its processes."""

    def __init__(self, tmp_path, sandbox, **env):
        self.sandbox = sandbox
        self.env = {
            **os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONPATH": str(ROOT),
            "DB_FILE": str(tmp_path / "site.sqlite3"), "TASKS_BACKEND": "db", **env,
        }
        if os.environ.get("DB_ENGINE") == "postgresql":
            self.env["DB_NAME"] = fresh_postgres_database()
        self.workers = []
        self.manage("migrate", "--noinput", "-v0")
        self.scenario("setup", json.dumps(sandbox.credentials()))

    def run(self, *args):
        result = subprocess.run(args, env=self.env, cwd=ROOT, capture_output=True, text=True,
                                timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def manage(self, *args):
        return self.run(sys.executable, "-m", "django", *args)

    def scenario(self, *args):
        return self.run(sys.executable, "-m", "tests.scenario", *args)

    def statuses(self):
        return json.loads(self.scenario("statuses"))

    def start_worker(self):
        worker = subprocess.Popen(
            [sys.executable, "-m", "django", "db_worker", "--interval", "0.1",
             "--no-startup-delay"],
            env=self.env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        self.workers.append(worker)
        return worker

    def wait_for(self, condition, seconds=120):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            statuses = self.statuses()
            if condition(statuses):
                return statuses
            time.sleep(0.3)
        raise AssertionError(f"gave up waiting; statuses: {self.statuses()}")

    def stop(self):
        for worker in self.workers:
            worker.terminate()
        for worker in self.workers:
            worker.wait(timeout=30)


def fresh_postgres_database():
    """A new, empty database on the test PostgreSQL server, for one scenario's processes."""
    import uuid

    import psycopg

    name = f"sm_worker_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(
        host=os.environ.get("DB_HOST", "127.0.0.1"), port=os.environ.get("DB_PORT", "5432"),
        user=os.environ.get("DB_USER", "postgres"), password=os.environ.get("DB_PASSWORD", ""),
        dbname="postgres", autocommit=True,
    ) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return name


@pytest.fixture
def site(tmp_path):
    sites = []

    def make(**env):
        sandbox = Sandbox().start()
        sites.append(Site(tmp_path, sandbox, **env))
        return sites[-1]

    yield make
    for each in sites:
        each.stop()
        each.sandbox.stop()


def upserts(sandbox):
    return [r for r in sandbox.requests() if r["path"] == "/api/contact/upsert"]


def test_a_worker_process_delivers_what_visitors_submit(site):
    s = site()
    s.scenario("submit", "20")
    assert s.statuses() == {"pending": 20, "claimed": 0}  # visitors never waited for SALESmanago

    s.start_worker()
    s.wait_for(lambda st: st.get("sent") == 20)

    contacts = s.sandbox.contacts()
    assert sorted(c["email"] for c in contacts) == sorted(f"visitor{i}@example.com" for i in range(20))
    assert all(c["tags"] == ["BADANIE_SATYSFAKCJI"] for c in contacts)
    assert len(upserts(s.sandbox)) == 20


def test_two_workers_racing_over_one_queue_send_each_answer_once(site):
    s = site()
    s.sandbox.misbehave(latency=0.05)
    s.start_worker()
    s.start_worker()
    s.scenario("submit", "40")
    s.wait_for(lambda st: st.get("sent") == 40)

    emails = [r["body"]["contact"]["email"] for r in upserts(s.sandbox)]
    assert sorted(emails) == sorted(f"visitor{i}@example.com" for i in range(40))  # no double sends


def test_deferred_retries_run_in_the_worker_after_an_outage(site):
    s = site(RETRY_BASE="1")
    s.sandbox.misbehave(status=503)
    s.start_worker()
    s.scenario("submit", "5")
    s.wait_for(lambda st: st.get("retrying") == 5)
    s.sandbox.misbehave(status=0)

    s.wait_for(lambda st: st.get("sent") == 5, seconds=60)
    assert len(s.sandbox.contacts()) == 5


def test_a_worker_killed_mid_send_leaves_its_claim_to_expire(site):
    s = site(CLAIM_SECONDS="10")
    s.sandbox.misbehave(latency=6)  # the send is still in flight when the worker dies
    worker = s.start_worker()
    s.scenario("submit", "1")
    s.wait_for(lambda st: st["claimed"] == 1)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    assert s.statuses() == {"pending": 1, "claimed": 1}

    assert s.manage("salesmanago_retry") == "0 due; nothing to send.\n"  # still claimed
    time.sleep(10.5)
    s.sandbox.misbehave(latency=0)
    assert s.manage("salesmanago_retry") == "1 due; sent: 1.\n"
    assert [c["email"] for c in s.sandbox.contacts()] == ["visitor0@example.com"]


def test_two_workers_hold_a_rejected_site_and_resume_when_the_secret_is_saved(site):
    s = site()
    s.scenario("set-secret", "wrong")
    s.start_worker()
    s.start_worker()
    s.scenario("submit", "10")
    s.wait_for(lambda st: st.get("held") == 10)
    refused = len(upserts(s.sandbox))
    assert 1 <= refused <= 2  # at most the calls already in flight when the hold began
    assert {r["path"] for r in s.sandbox.requests()} == {"/api/contact/upsert"}

    s.scenario("set-secret", s.sandbox.api_secret)
    s.wait_for(lambda st: st.get("sent") == 10)
    sent = [r["body"]["contact"]["email"] for r in upserts(s.sandbox)[refused:]]
    assert sorted(sent) == sorted(f"visitor{i}@example.com" for i in range(10))  # each once
