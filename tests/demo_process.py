"""Run `make demo`'s script as a subprocess on free ports, with its own database and sandbox state."""

import atexit
import contextlib
import functools
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_answers(port):
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class Demo:
    output: str
    site_url: str
    sandbox_url: str
    lines: list  # everything the demo printed so far, read on while it runs
    database: Path = None  # its SQLite file

    def find(self, pattern):
        return re.search(pattern, self.output).group(1)

    def printed(self):
        return "".join(self.lines)


@functools.cache
def migrated_database():
    """The example site's database, migrated once per test run (Wagtail's migrations take most of
    a demo's start): each demo but a fresh one starts from a copy, and migrates what is left."""
    directory = Path(tempfile.mkdtemp(prefix="demo-template-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    env = {**os.environ, "DEMO_DATABASE": str(directory / "db.sqlite3")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
                   cwd=ROOT / "example_project", env=env, check=True)
    return directory / "db.sqlite3"


@contextlib.contextmanager
def running_demo(tmp_path, fresh=False, **extra_env):
    """`make demo` as a process; ``fresh``: on a new database, as on a fresh machine (else on a
    copy of ``migrated_database``)."""
    if not fresh:
        shutil.copy(migrated_database(), tmp_path / "db.sqlite3")
    sandbox_port, demo_port = free_port(), free_port()
    env = {**os.environ, "SANDBOX_PORT": str(sandbox_port), "DEMO_PORT": str(demo_port),
           "DEMO_DATABASE": str(tmp_path / "db.sqlite3"), "DEMO_STATE_DIR": str(tmp_path),
           "PYTHONUNBUFFERED": "1", **extra_env}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "example_project" / "demo.py")],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    output = []
    # Read everything the demo prints, so that a full pipe never blocks it.
    reader = threading.Thread(target=read_lines, args=(process.stdout, output), daemon=True)
    reader.start()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if "The demo is running" in "".join(output):
            break
        time.sleep(0.2)
    text = "".join(output)
    try:
        assert "The demo is running" in text, text
        yield Demo(text, f"http://127.0.0.1:{demo_port}", f"http://127.0.0.1:{sandbox_port}", output,
                   tmp_path / "db.sqlite3")
    finally:
        process.terminate()
        process.wait(timeout=20)
        reader.join(timeout=5)
    # Stopping the demo stops both of its servers.
    assert not port_answers(sandbox_port) and not port_answers(demo_port)


def read_lines(stream, lines):
    for line in stream:
        lines.append(line)
