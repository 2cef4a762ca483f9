"""The sandbox behaves like SALESmanago where it matters to us, over real HTTP."""

import hashlib
import json
import subprocess
import sys

import pytest
import requests

from tests.demo_process import free_port
from tests.sandbox_api import call, failed, signed, upsert
from wagtail_salesmanago.sandbox import Sandbox
from wagtail_salesmanago.sandbox.__main__ import main, parse_args


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
    "body_changes",
    [
        {"secret": "wrong"},
        {"client_id": "other"},
        {"api_key": ""},
        {"owner": "stranger@example.com"},
        {"owner": ""},
    ],
)
def test_rejects_what_salesmanago_rejects(box, body_changes):
    # A copy: the parametrize dict is shared by every run of this test in the process.
    changes = dict(body_changes)
    owner = changes.pop("owner", box.owner)
    body = signed(box, owner=owner, contact={"email": "a@example.com"}, **changes)
    status, answer = call(box, "contact/upsert", body)
    # Only "Not authenticated" is a confirmed text; the others are checked as failures only.
    assert status == 200 and failed(answer)
    if "secret" in body_changes:
        assert answer["message"] == ["Not authenticated"]
    assert box.contacts() == []


def test_request_time_is_required(box):
    body = signed(box, owner=box.owner, contact={"email": "a@example.com"})
    del body["requestTime"]
    assert call(box, "contact/upsert", body)[1]["success"] is False


def test_unknown_contact_on_update(box):
    body = signed(box, owner=box.owner, contactId="f6c5487b-369d-4107-958c-2912c1bc3f80")
    status, answer = call(box, "contact/update", body)
    assert status == 200 and failed(answer)


def test_list_users_answers_plain_email_strings_and_needs_an_owner():
    with Sandbox(owners=["Anna@firma.pl", "crm@firma.pl"]) as box:
        assert call(box, "user/listByClient", signed(box, owner="Anna@firma.pl")) == (200, {
            "success": True, "message": [], "users": ["Anna@firma.pl", "crm@firma.pl"]})
        # Any owner may ask (that is how a wrong owner learns the right ones), but one must be named.
        assert call(box, "user/listByClient", signed(box, owner="ghost@firma.pl"))[1]["success"]
        assert failed(call(box, "user/listByClient", signed(box))[1])


@pytest.mark.parametrize("endpoint, extra", [
    ("contact/upsert", {"contact": {"email": "jan@example.com"}}),
    ("contact/update", {"email": "jan@example.com"}),
])
def test_a_detail_value_over_255_characters_is_refused_and_nothing_is_stored(box, endpoint, extra):
    _, created = upsert(box, "jan@example.com", properties={"old": "1"})
    body = signed(box, owner=box.owner, properties={"ok": "x" * 255, "long": "ż" * 256},
                  tags=["NEW"], **extra)
    status, answer = call(box, endpoint, body)
    assert status == 200 and failed(answer)
    assert "long" in answer["message"][0] and "ok" not in answer["message"][0].split(": ")[-1]
    [contact] = box.contacts()
    assert contact["properties"] == {"old": "1"} and contact["tags"] == []
    assert failed(upsert(box, "new@example.com", properties={"long": "x" * 256})[1])
    assert [c["email"] for c in box.contacts()] == ["jan@example.com"]
    assert upsert(box, "jan@example.com", properties={"ok": "ż" * 255})[1]["success"] is True


def test_batch_upsert_answers_contact_ids_by_email(box):
    _, known = upsert(box, "known@example.com")
    status, answer = call(box, "contact/batchupsert", signed(box, owner=box.owner, upsertDetails=[
        {"contact": {"email": "known@example.com"}, "tags": ["A"]},
        {"contact": {"email": "new@example.com"}, "properties": {"k": "v"}},
        {"contact": {"email": "long@example.com"}, "properties": {"k": "v" * 256}},
        {"contact": {}},
    ]))
    assert status == 200 and answer["success"] is True
    assert answer["contactIds"]["known@example.com"] == known["contactId"]
    assert set(answer["contactIds"]) == {"known@example.com", "new@example.com"}
    assert len(answer["message"]) == 2  # the two items that were not stored
    assert sorted(c["email"] for c in box.contacts()) == ["known@example.com", "new@example.com"]


def test_contacts_given_at_start_and_added_later(tmp_path):
    with Sandbox(contacts=["known@example.com", "Known@example.com "]) as box:
        [contact] = box.contacts()
        assert contact["email"] == "known@example.com"
        assert box.add_contact("KNOWN@example.com") == contact["contactId"]
        other = box.add_contact("other@example.com")
        status, answer = call(box, "contact/update", signed(
            box, owner=box.owner, contactId=other, properties={"a": "1"}))
        assert answer["contactId"] == other
        with pytest.raises(ValueError, match="Not an e-mail address: 'nobody'"):
            box.add_contact("nobody")


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


def test_unknown_paths(box):
    assert requests.get(f"{box.url}/nope", timeout=5).status_code == 404
    assert requests.post(f"{box.url}/nope", timeout=5).status_code == 404
    response = requests.post(f"{box.url}/api/contact/teleport", json={}, timeout=5)
    assert response.status_code == 404
    assert failed(requests.post(f"{box.url}/api/contact/upsert", data=b"{oops", timeout=5).json())


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
                       "--auth-fail", "--contact", "k@x.pl", "--contact", "l@x.pl"])
    assert (args.port, args.client_id, args.api_secret, args.owner) == (9000, "c", "s",
                                                                        ["a@x.pl", "b@x.pl"])
    assert (args.latency, args.failure_rate, args.auth_fail) == (0.2, 0.3, True)
    assert args.contact == ["k@x.pl", "l@x.pl"]


def test_runs_from_the_command_line(tmp_path):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "wagtail_salesmanago.sandbox", "--port", str(port),
         "--client-id", "cli", "--api-secret", "sec", "--owner", "me@example.com",
         "--state-file", str(tmp_path / "state.json"), "--contact", "k@b.pl", "--contact", "l@b.pl"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        banner = process.stdout.readline()
        assert banner.startswith(f"SALESmanago sandbox on http://127.0.0.1:{port}/sandbox/")
        printed = [process.stdout.readline().split() for _ in range(2)]
        body = {"clientId": "cli", "apiKey": "k", "requestTime": 1, "owner": "me@example.com",
                "sha": hashlib.sha1(b"kclisec").hexdigest(), "contact": {"email": "a@b.pl"}}
        answer = requests.post(f"http://127.0.0.1:{port}/api/contact/upsert", json=body, timeout=5)
        assert answer.json()["success"] is True
        contacts = requests.get(f"http://127.0.0.1:{port}/sandbox/contacts.json", timeout=5).json()
    finally:
        process.terminate()
        process.wait(timeout=10)
    ids = {c["email"]: c["contactId"] for c in contacts}
    assert [words[:3] for words in printed] == [["Contact", "k@b.pl:", ids["k@b.pl"]],
                                                ["Contact", "l@b.pl:", ids["l@b.pl"]]]
    assert f"?smclientid={ids['k@b.pl']}" in " ".join(printed[0])
    stored = json.loads((tmp_path / "state.json").read_text())
    assert sorted(c["email"] for c in stored) == ["a@b.pl", "k@b.pl", "l@b.pl"]


def test_command_line_refuses_a_bad_contact_or_fault():
    with pytest.raises(SystemExit, match="sandbox: Not an e-mail address: 'nobody'"):
        main(["--port", "0", "--contact", "nobody"])
    with pytest.raises(SystemExit, match="sandbox: status must be an HTTP status"):
        main(["--port", "0", "--status", "42"])


def test_pytest_fixture_for_users(pytester):
    pytester.makepyfile("""
        import requests
        def test_it(salesmanago_sandbox):
            assert salesmanago_sandbox.contacts() == []
            assert requests.get(salesmanago_sandbox.url + "/sandbox/", timeout=5).status_code == 200
    """)
    pytester.runpytest("-p", "no:django").assert_outcomes(passed=1)
