"""The sandbox misbehaves on demand, and every fault can be cleared again (``null``)."""

import json
import threading
import time

import pytest
import requests

from tests.sandbox_api import signed, upsert
from wagtail_salesmanago.sandbox import Sandbox


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


@pytest.mark.parametrize("retry_after", ["120", 120, "Wed, 21 Oct 2026 07:28:00 GMT"])
def test_a_status_with_retry_after_asks_to_wait(box, retry_after):
    box.misbehave(status=429, retry_after=retry_after)
    response = requests.post(f"{box.url}/api/contact/upsert", json={}, timeout=5)
    assert (response.status_code, response.headers["Retry-After"]) == (429, str(retry_after))
    box.misbehave(retry_after=None)
    response = requests.post(f"{box.url}/api/contact/upsert", json={}, timeout=5)
    assert response.status_code == 429 and "Retry-After" not in response.headers


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
    assert response.json()["error"].startswith("Unknown fault(s): explode. Known faults: latency, ")
    box.misbehave(auth_fail="true")
    assert requests.get(f"{box.url}/sandbox/control", timeout=5).json()["auth_fail"] is True
    requests.post(f"{box.url}/sandbox/reset", timeout=5)
    assert box.requests() == [] and box.contacts() == []
    assert box.state.describe_faults()["auth_fail"] is False


FAULTS_ON = {"latency": 0.01, "hang": 5, "status": 503, "retry_after": "30", "fail_next": 2,
             "failure_rate": 0.5,
             "auth_fail": True, "non_json": True, "batch_drop": 3, "batch_drop_rate": 0.5}
DEFAULTS = {"latency": 0.0, "hang": 0.0, "status": 0, "retry_after": "", "fail_next": 0,
            "failure_rate": 0.0,
            "auth_fail": False, "non_json": False, "batch_drop": 0, "batch_drop_rate": 0.0}


@pytest.mark.parametrize("name", sorted(FAULTS_ON))
def test_null_clears_each_fault(box, name):
    control = f"{box.url}/sandbox/control"
    assert requests.post(control, json={name: FAULTS_ON[name]}, timeout=5).json()[name] == FAULTS_ON[name]
    response = requests.post(control, json={name: None}, timeout=5)
    assert (response.status_code, response.json()) == (200, DEFAULTS)


def test_null_clears_every_fault_at_once_and_the_api_behaves_again(box):
    box.misbehave(status=503, auth_fail=True, fail_next=3)
    response = requests.post(f"{box.url}/sandbox/control", json=dict.fromkeys(DEFAULTS), timeout=5)
    assert response.json() == DEFAULTS
    assert upsert(box, "back@example.com")[1]["success"] is True


@pytest.mark.parametrize("body, error", [
    ({"status": "abc"}, "status must be an HTTP status (100-599), or 0, or null to clear it; got 'abc'."),
    ({"status": 42}, "status must be an HTTP status (100-599), or 0"),
    ({"latency": -1}, "latency must be a number of seconds, 0 or more"),
    ({"latency": True}, "latency must be a number of seconds"),
    ({"failure_rate": 2}, "failure_rate must be a fraction from 0 to 1"),
    ({"fail_next": 1.5}, "fail_next must be a whole number"),
    ({"auth_fail": "maybe"}, "auth_fail must be true or false"),
    ({"retry_after": "30\r\nSet-Cookie: x=1"}, "retry_after must be a Retry-After value"),
    ({"retry_after": [30]}, "retry_after must be a Retry-After value"),
    ([1, 2], 'Send a JSON object, like {"status": 500} or {"status": null}.'),
])
def test_control_explains_a_bad_value_and_changes_nothing(box, body, error):
    box.misbehave(latency=0.01)
    response = requests.post(f"{box.url}/sandbox/control", json=body, timeout=5)
    assert response.status_code == 400
    assert error in response.json()["error"]
    assert box.state.describe_faults() == {**DEFAULTS, "latency": 0.01}
    bad_json = requests.post(f"{box.url}/sandbox/control", data=b"{oops", timeout=5)
    assert bad_json.status_code == 400 and "error" in bad_json.json()



def test_the_sandbox_serves_a_monitoring_code_of_its_own(box):
    """SALESmanago's sm.js and pop-ups stand-ins: they set what a page can see, nothing else."""
    script = requests.get(f"{box.url}/static/sm.js", timeout=5)
    assert script.status_code == 200 and script.headers["Content-Type"].startswith("text/javascript")
    assert "smuuid" in script.text and "window.SalesmanagoSandbox" in script.text
    popups = requests.get(f"{box.url}/dynamic/sandbox-client/popups.js", timeout=5)
    assert popups.text == 'window.SalesmanagoSandboxPopups = "sandbox-client";\n'
    assert requests.get(f"{box.url}/dynamic/a'b/popups.js", timeout=5).status_code == 404
