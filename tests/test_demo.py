"""`make demo`'s script, end to end: a newcomer answers the seeded survey and sees the contact."""

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.helpers import read_form

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def demo(tmp_path):
    sandbox_port, demo_port = free_port(), free_port()
    env = {**os.environ, "SANDBOX_PORT": str(sandbox_port), "DEMO_PORT": str(demo_port),
           "DEMO_DATABASE": str(tmp_path / "db.sqlite3"), "DEMO_STATE_DIR": str(tmp_path),
           "PYTHONUNBUFFERED": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "example_project" / "demo.py")],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    output = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        output.append(line)
        if "The demo is running" in line or process.poll() is not None:
            break
    text = "".join(output)
    try:
        assert "The demo is running" in text, text
        yield text, f"http://127.0.0.1:{sandbox_port}"
    finally:
        process.terminate()
        process.wait(timeout=20)
    # Stopping the demo stops both of its servers.
    assert not port_answers(sandbox_port) and not port_answers(demo_port)


def port_answers(port):
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.slow
def test_demo_serves_the_survey_and_the_sandbox_shows_the_contact(demo):
    output, sandbox_url = demo
    survey_url = re.search(r"Survey:\s+(\S+)", output).group(1)
    link = re.search(r"(\S+\?smclientid=\S+)", output).group(1)
    assert re.search(r"Admin:\s+\S+/admin/\s+\(user: admin, password: \S+\)", output)
    assert survey_url.endswith("/badanie-satysfakcji/")

    for url, email in ((survey_url, "nowa@example.com"), (link, "")):
        session = requests.Session()
        page = session.get(url, timeout=10)
        form = read_form(page.text)
        radio = next(n for n in form_names(page.text) if n.startswith("jak_oceniasz"))
        email_field = next(n for n in form_names(page.text) if n.startswith("twoj_adres"))
        data = {**form.values, radio: "Dobrze", email_field: email}
        site = url.split("/badanie", 1)[0]
        answer = session.post(site + form.action, data=data, timeout=10)
        assert answer.status_code == 200
        assert "Twoje odpowiedzi trafiły do nas" in answer.text

    contacts = {c["email"]: c for c in requests.get(f"{sandbox_url}/sandbox/contacts.json",
                                                    timeout=10).json()}
    assert contacts["nowa@example.com"]["tags"] == ["BADANIE_SATYSFAKCJI"]
    assert contacts["nowa@example.com"]["properties"]["ankieta.Jak-oceniasz-nasza-obsluge?"] == "Dobrze"
    demo_contact = contacts["demo.kontakt@example.com"]
    assert demo_contact["tags"] == ["DEMO", "BADANIE_SATYSFAKCJI"]
    assert demo_contact["properties"] == {"ankieta.Jak-oceniasz-nasza-obsluge?": "Dobrze"}


def form_names(html):
    return set(re.findall(r'name="([^"]+)"', html))
