"""The sandbox behaves like SALESmanago where it matters to us, over real HTTP."""

import hashlib
import json
import subprocess
import sys
import threading
import time

import pytest
import requests

from tests.demo_process import free_port
from wagtail_salesmanago.sandbox import Sandbox
from wagtail_salesmanago.sandbox.__main__ import parse_args


@pytest.fixture
def box(sandbox):
    sandbox.reset()
    return sandbox


def signed(box, api_key="key-1", client_id=None, secret=None, **body):
    client_id = client_id or box.client_id
    return {
        "clientId": client_id,
        "apiKey": api_key,
        "requestTime": int(time.time() * 1000),
        "sha": hashlib.sha1(f"{api_key}{client_id}{secret or box.api_secret}".encode()).hexdigest(),
        **body,
    }


def call(box, path, body):
    response = requests.post(f"{box.url}/api/{path}", json=body, timeout=5)
    return response.status_code, response.json()


def upsert(box, email, **extra):
    return call(box, "contact/upsert", signed(
        box, owner=box.owner, contact={"email": email}, **extra))


def test_upsert_creates_then_updates_one_contact(box):
    status, first = upsert(box, "jan@example.com", tags=["ankieta 1"], properties={"a": "1"})
    assert status == 200
    assert first["success"] is True and first["message"] == []
    _, second = upsert(box, "JAN@example.com", tags=["Żółw"], properties={"b": "2"})
    assert second["contactId"] == first["contactId"]

    [contact] = requests.get(f"{box.url}/sandbox/contacts.json", timeout=5).json()
    assert contact["email"] == "jan@example.com"
    assert contact["tags"] == ["ANKIETA_1", "ZOLW"]
    assert contact["properties"] == {"a": "1", "b": "2"}
    assert contact["created"] <= contact["modified"]


def test_update_by_contact_id_and_by_email(box):
    _, created = upsert(box, "ola@example.com")
    status, updated = call(box, "contact/update", signed(
        box, owner=box.owner, contactId=created["contactId"], properties={"x": "1"}, tags=["T"]))
    assert updated == {"success": True, "message": [], "contactId": created["contactId"],
                       "externalId": None}
    call(box, "contact/update", signed(box, owner=box.owner, email="ola@example.com",
                                       properties={"y": "2"}, removeTags=["t"]))
    [contact] = box.contacts()
    assert contact["properties"] == {"x": "1", "y": "2"}
    assert contact["tags"] == []


@pytest.mark.parametrize(
    "body_changes, message",
    [
        ({"secret": "wrong"}, "Not authenticated"),
        ({"client_id": "other"}, "Authorization failed. Wrong clientId"),
        ({"api_key": ""}, "Api key not specified"),
        ({"owner": "stranger@example.com"}, "Not authenticated, invalid owner"),
        ({"owner": ""}, "Not authenticated, not owner specified"),
    ],
)
def test_rejects_what_salesmanago_rejects(box, body_changes, message):
    owner = body_changes.pop("owner", box.owner)
    body = signed(box, owner=owner, contact={"email": "a@example.com"}, **body_changes)
    assert call(box, "contact/upsert", body) == (200, {"success": False, "message": [message]})
    assert box.contacts() == []


def test_request_time_is_required(box):
    body = signed(box, owner=box.owner, contact={"email": "a@example.com"})
    del body["requestTime"]
    assert call(box, "contact/upsert", body)[1]["success"] is False


def test_unknown_contact_on_update(box):
    body = signed(box, owner=box.owner, contactId="f6c5487b-369d-4107-958c-2912c1bc3f80")
    assert call(box, "contact/update", body) == (
        200, {"success": False, "message": ["Contact not found"]})


def test_list_users(box):
    status, answer = call(box, "user/listByClient", signed(box))
    assert answer["users"] == [{"email": "owner@example.com"}]


def test_requests_view_blanks_the_key_and_signature(box):
    upsert(box, "jan@example.com")
    [logged] = requests.get(f"{box.url}/sandbox/requests.json", timeout=5).json()
    assert logged["path"] == "/api/contact/upsert"
    assert logged["body"]["apiKey"] == "" and logged["body"]["sha"] == ""
    assert logged["body"]["contact"] == {"email": "jan@example.com"}
    assert logged["answer"]["success"] is True


def test_html_page_lists_contacts_and_their_custom_details(box):
    upsert(box, "jan@example.com", properties={"ankieta.Ocena": "<b>5</b>"}, tags=["VIP"])
    html = requests.get(f"{box.url}/sandbox/", timeout=5).text
    assert "jan@example.com" in html
    assert "Custom details" in html
    assert "ankieta.Ocena" in html and "&lt;b&gt;5&lt;/b&gt;" in html
    assert '<span class="tag">VIP</span>' in html


@pytest.mark.parametrize(
    "faults, status, body_check",
    [
        ({"status": 503}, 503, lambda text: text == "HTTP 503"),
        ({"non_json": True}, 200, lambda text: text.startswith("<html>")),
        ({"auth_fail": True}, 200, lambda text: json.loads(text)["message"] == ["Not authenticated"]),
        ({"fail_next": 1}, 500, lambda text: text == "Internal Server Error"),
        ({"failure_rate": 1.0}, 500, lambda text: text == "Internal Server Error"),
    ],
)
def test_misbehaviour_through_the_control_endpoint(box, faults, status, body_check):
    control = requests.post(f"{box.url}/sandbox/control", json=faults, timeout=5)
    assert control.status_code == 200
    assert {k: control.json()[k] for k in faults} == faults
    response = requests.post(f"{box.url}/api/contact/upsert", json=signed(
        box, owner=box.owner, contact={"email": "a@example.com"}), timeout=5)
    assert response.status_code == status
    assert body_check(response.text)


def test_fail_next_counts_down_and_failure_rate_is_a_fraction(box):
    box.misbehave(fail_next=2)
    body = signed(box, owner=box.owner, contact={"email": "a@example.com"})
    statuses = [requests.post(f"{box.url}/api/contact/upsert", json=body, timeout=5).status_code
                for _ in range(4)]
    assert statuses == [500, 500, 200, 200]

    with Sandbox(seed=1) as seeded:
        seeded.misbehave(failure_rate=0.3)
        results = [requests.post(f"{seeded.url}/api/contact/upsert", json={}, timeout=5).status_code
                   for _ in range(100)]
    assert 15 <= results.count(500) <= 45


def test_latency_and_hang(box):
    box.misbehave(latency=0.3)
    started = time.monotonic()
    upsert(box, "slow@example.com")
    assert time.monotonic() - started >= 0.3
    box.misbehave(latency=0, hang=1)
    with pytest.raises(requests.ConnectionError):
        requests.post(f"{box.url}/api/contact/upsert", json={}, timeout=5)
    with pytest.raises(requests.ReadTimeout):
        box.misbehave(hang=3)
        requests.post(f"{box.url}/api/contact/upsert", json={}, timeout=0.5)


def test_a_reset_forgets_requests_still_in_flight(box):
    box.misbehave(latency=0.5)
    slow = threading.Thread(target=upsert_quietly, args=(box,))
    slow.start()
    time.sleep(0.2)
    box.reset()
    slow.join()
    assert box.requests() == [] and box.contacts() == []


def upsert_quietly(box):
    try:
        upsert(box, "late@example.com")
    except requests.RequestException:
        pass


def test_control_rejects_unknown_faults_and_reset_clears_everything(box):
    response = requests.post(f"{box.url}/sandbox/control", json={"explode": True}, timeout=5)
    assert response.status_code == 400
    assert response.json() == {"error": "Unknown fault(s): explode"}
    box.misbehave(auth_fail="true")
    assert requests.get(f"{box.url}/sandbox/control", timeout=5).json()["auth_fail"] is True
    requests.post(f"{box.url}/sandbox/reset", timeout=5)
    assert box.requests() == [] and box.contacts() == []
    assert box.state.describe_faults()["auth_fail"] is False


def test_unknown_paths(box):
    assert requests.get(f"{box.url}/nope", timeout=5).status_code == 404
    assert requests.post(f"{box.url}/nope", timeout=5).status_code == 404
    response = requests.post(f"{box.url}/api/contact/delete", json={}, timeout=5)
    assert response.status_code == 404
    assert requests.post(f"{box.url}/api/contact/upsert", data=b"{oops", timeout=5).json() == {
        "success": False, "message": ["Invalid JSON request"]}


def test_contacts_persist_in_a_state_file(tmp_path):
    state_file = tmp_path / "contacts.json"
    with Sandbox(state_file=str(state_file)) as first:
        _, created = upsert(first, "keep@example.com", properties={"k": "v"})
    with Sandbox(state_file=str(state_file)) as second:
        [contact] = second.contacts()
    assert contact["contactId"] == created["contactId"]
    assert contact["properties"] == {"k": "v"}


def test_command_line_flags():
    args = parse_args(["--port", "9000", "--client-id", "c", "--api-secret", "s", "--owner", "a@x.pl",
                       "--owner", "b@x.pl", "--latency", "0.2", "--failure-rate", "0.3",
                       "--auth-fail"])
    assert (args.port, args.client_id, args.api_secret, args.owner) == (9000, "c", "s",
                                                                        ["a@x.pl", "b@x.pl"])
    assert (args.latency, args.failure_rate, args.auth_fail) == (0.2, 0.3, True)


def test_runs_from_the_command_line(tmp_path):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "wagtail_salesmanago.sandbox", "--port", str(port),
         "--client-id", "cli", "--api-secret", "sec", "--owner", "me@example.com",
         "--state-file", str(tmp_path / "state.json")],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        banner = process.stdout.readline()
        assert banner.startswith(f"SALESmanago sandbox on http://127.0.0.1:{port}/sandbox/")
        body = {"clientId": "cli", "apiKey": "k", "requestTime": 1, "owner": "me@example.com",
                "sha": hashlib.sha1(b"kclisec").hexdigest(), "contact": {"email": "a@b.pl"}}
        answer = requests.post(f"http://127.0.0.1:{port}/api/contact/upsert", json=body, timeout=5)
        assert answer.json()["success"] is True
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert json.loads((tmp_path / "state.json").read_text())[0]["email"] == "a@b.pl"


def test_pytest_fixture_for_users(pytester):
    pytester.makepyfile("""
        import requests
        def test_it(salesmanago_sandbox):
            assert salesmanago_sandbox.contacts() == []
            assert requests.get(salesmanago_sandbox.url + "/sandbox/", timeout=5).status_code == 200
    """)
    pytester.runpytest("-p", "no:django").assert_outcomes(passed=1)
