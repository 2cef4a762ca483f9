"""A test site in its own database with real worker processes, for the worker tests.

Every process (migrate, the scenario steps in ``tests.scenario``, the workers) is a separate Python
process sharing the site's database and the sandbox, as on a real server. Each test module migrates
one database; each site starts from a copy of it, because migrating costs seconds of CPU.
"""

import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

from wagtail_salesmanago.models import ExportRecord
from wagtail_salesmanago.sandbox import Sandbox

ROOT = Path(__file__).resolve().parent.parent
POSTGRES = os.environ.get("DB_ENGINE") == "postgresql"

# The worker command of each tasks backend in tests/settings.py: docs/workers.md's (the database
# worker polls more often here).
WORKERS = {
    "db": ["db_worker", "--interval", "0.1", "--no-startup-delay"],
    "rq": ["rqworker", "--job-class", "django_tasks_rq.Job", "--with-scheduler"],
}


def run(env, *args):
    result = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@contextlib.contextmanager
def migrated_database(directory, **env):
    """The environment of a freshly migrated database, for ``sites()`` to copy."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONPATH": str(ROOT), **env}
    if POSTGRES:
        env["DB_NAME"] = fresh_postgres_database()
    else:
        env["DB_FILE"] = str(directory / "migrated.sqlite3")
    try:
        run(env, sys.executable, "-m", "django", "migrate", "--noinput", "-v0")
        yield env
    finally:
        if POSTGRES:
            drop_postgres_database(env["DB_NAME"])


class Site:
    """A test site in a copy of the migrated database, with helpers to run its processes."""

    def __init__(self, tmp_path, sandbox, database, **env):
        self.tmp_path, self.sandbox = tmp_path, sandbox
        self.env = {**database, **env}
        if POSTGRES:
            self.env["DB_NAME"] = fresh_postgres_database(template=database["DB_NAME"])
        else:
            self.env["DB_FILE"] = str(tmp_path / "site.sqlite3")
            shutil.copyfile(database["DB_FILE"], self.env["DB_FILE"])
        self.workers = []
        self.scenario("setup", json.dumps(sandbox.credentials()))

    def manage(self, *args):
        return run(self.env, sys.executable, "-m", "django", *args)

    def scenario(self, *args):
        return run(self.env, sys.executable, "-m", "tests.scenario", *args)

    def statuses(self):
        """Records per status, and how many are claimed; read here, so polling starts no process."""
        table = ExportRecord._meta.db_table
        with self.connect() as connection:
            rows = connection.execute(f"SELECT status, COUNT(*) FROM {table} GROUP BY status")
            rows = rows.fetchall()
            claimed = connection.execute(
                f"SELECT COUNT(*) FROM {table} WHERE claimed_until IS NOT NULL"
            ).fetchone()[0]
        return {**dict(rows), "claimed": claimed}

    def connect(self):
        if POSTGRES:
            return postgres(self.env["DB_NAME"])
        return contextlib.closing(sqlite3.connect(self.env["DB_FILE"], timeout=30))

    def start_worker(self):
        """A worker process of the site's tasks backend, logging to a file in the test directory."""
        log = self.tmp_path / f"worker{len(self.workers)}.log"
        with open(log, "w") as output:
            worker = subprocess.Popen(
                [sys.executable, "-m", "django", *WORKERS[self.env["TASKS_BACKEND"]]],
                env=self.env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT,
            )
        worker.log = log
        self.workers.append(worker)
        return worker

    def kill(self, worker):
        """SIGKILL the worker and what it forked, as when its machine dies.

        RQ runs each job in a forked work horse in a session of its own, so killing the worker's
        process group would leave the horse sending.
        """
        for pid in [worker.pid, *descendants(worker.pid)]:
            os.kill(pid, signal.SIGKILL)
        worker.wait()

    def wait_for(self, condition, seconds=120):
        """The statuses once ``condition(statuses)`` holds; else fail, quoting the workers' logs."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            statuses = self.statuses()
            if condition(statuses):
                return statuses
            time.sleep(0.2)
        logs = "\n".join(worker.log.read_text()[-2000:] for worker in self.workers)
        raise AssertionError(f"gave up waiting; statuses: {self.statuses()}\n{logs}")

    def stop(self):
        for worker in self.workers:
            if worker.poll() is None:
                worker.terminate()
        for worker in self.workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill(worker)
        if POSTGRES:
            drop_postgres_database(self.env["DB_NAME"])


@contextlib.contextmanager
def sites(tmp_path, database, **env):
    """``make(**env)`` builds a Site with its own sandbox; all are stopped on the way out."""
    made = []

    def make(**more):
        sandbox = Sandbox().start()
        made.append(Site(tmp_path, sandbox, database, **env, **more))
        return made[-1]

    try:
        yield make
    finally:
        for site in made:
            site.stop()
            site.sandbox.stop()


def descendants(pid):
    """The processes that ``pid`` forked, and theirs, from /proc (Linux)."""
    children = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # a process that just ended
        children.setdefault(ppid, []).append(int(stat.parent.name))
    found, parents = [], [pid]
    while parents:
        forked = children.get(parents.pop(), [])
        found += forked
        parents += forked
    return found


def upserts(sandbox):
    """Each contact sent, alone or in a batch (see ``tests.helpers.contact_sends``)."""
    from tests.helpers import contact_sends

    return contact_sends(sandbox)


def postgres(dbname="postgres"):
    import psycopg

    return psycopg.connect(
        host=os.environ.get("DB_HOST", "127.0.0.1"), port=os.environ.get("DB_PORT", "5432"),
        user=os.environ.get("DB_USER", "postgres"), password=os.environ.get("DB_PASSWORD", ""),
        dbname=dbname, autocommit=True,
    )


def fresh_postgres_database(template="template1"):
    """A new database on the test PostgreSQL server (a copy of ``template``); its name."""
    name = f"sm_worker_{uuid.uuid4().hex[:12]}"
    with postgres() as connection:
        connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return name


def drop_postgres_database(name):
    with postgres() as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
