"""The sandbox keeps what a lead form sends: standard fields, consents, opt-in, double opt-in, events."""

import json

import pytest
import requests

from tests.sandbox_api import call, failed, signed, upsert
from wagtail_salesmanago.sandbox import Sandbox
from wagtail_salesmanago.sandbox.__main__ import parse_args

CONSENT = {"consentName": "NEWSLETTER", "consentAccept": True, "agreementDate": 1732700000000,
           "ip": "203.0.113.7", "optOut": False, "consentDescriptionId": 3}
EVENT = {"date": 1732700000000, "contactExtEventType": "SURVEY", "description": "Ankieta"}


def contact_json(box):
    [contact] = requests.get(f"{box.url}/sandbox/contacts.json", timeout=5).json()
    return contact


def update(box, **body):
    return call(box, "contact/update", signed(box, owner=box.owner, **body))


def event(box, path="v2/contact/addContactExtEvent", **body):
    return call(box, path, signed(box, owner=box.owner, **body))


def test_standard_fields_are_stored_and_an_empty_one_keeps_the_old_value(box):
    upsert(box, "jan@example.com", contact={
        "name": "Jan Kowalski", "phone": "+48123123123", "fax": "+48 1",
        "company": "ACME", "externalId": "42", "state": "PROSPECT",
        "address": {"streetAddress": "Długa 1", "zipCode": "00-001", "city": "Warszawa",
                    "country": "PL"}}, birthday="19801017", province="mazowieckie", lang="PL")
    contact_id = contact_json(box)["contactId"]
    update(box, contactId=contact_id, contact={"phone": "", "company": "ACME 2",
                                               "address": {"city": "Kraków"}}, lang="EN")
    contact = contact_json(box)
    assert {k: contact[k] for k in ("name", "phone", "fax", "company", "externalId", "state",
                                    "birthday", "province", "lang")} == {
        "name": "Jan Kowalski", "phone": "+48123123123", "fax": "+48 1", "company": "ACME 2",
        "externalId": "42", "state": "PROSPECT", "birthday": "19801017", "province": "mazowieckie",
        "lang": "EN"}
    assert contact["address"] == {"streetAddress": "Długa 1", "zipCode": "00-001",
                                  "city": "Kraków", "country": "PL"}


def test_new_email_changes_the_address_but_not_to_another_contacts(box):
    _, first = upsert(box, "old@example.com", newEmail="new@example.com")
    upsert(box, "other@example.com")
    assert [c["email"] for c in box.contacts()] == ["new@example.com", "other@example.com"]
    _, answer = upsert(box, "new@example.com", newEmail="OTHER@example.com")
    assert failed(answer)
    assert failed(upsert(box, "new@example.com", newEmail="not-an-address")[1])
    _, again = upsert(box, "NEW@example.com", newEmail="new@example.com", tags=["T"])
    assert again["contactId"] == first["contactId"]


@pytest.mark.parametrize("birthday, accepted", [
    ("19801017", True), ("1017", True), ("0229", True), ("20000229", True),
    ("19810229", False), ("1980-10-17", False), ("17.10.1980", False), ("1332", False),
    ("198010", False), (19801017, False), ("１９８０１０１７", False),
])
def test_birthday_must_be_yyyymmdd_or_mmdd(box, birthday, accepted):
    _, answer = upsert(box, "jan@example.com", birthday=birthday, tags=["T"])
    if accepted:
        assert answer["success"] is True and contact_json(box)["birthday"] == birthday
    else:
        assert failed(answer) and box.contacts() == []


def test_consents_are_kept_with_ip_and_date_and_must_exist_in_the_account(box):
    upsert(box, "jan@example.com", consentDetails=[CONSENT])
    contact = contact_json(box)
    assert contact["consents"] == {"NEWSLETTER": {
        "consentAccept": True, "agreementDate": 1732700000000, "ip": "203.0.113.7",
        "optOut": False, "consentDescriptionId": 3}}
    assert contact["email_opt_in"] == "not opted in"  # a consent alone changes no status

    _, answer = upsert(box, "jan@example.com", consentDetails=[{**CONSENT, "consentName": "SMS"}],
                       tags=["T"])
    assert failed(answer) and "SMS" in answer["message"][0]
    assert contact_json(box)["tags"] == []  # refused whole
    assert failed(upsert(box, "jan@example.com", consentDetails=[{"consentAccept": True}])[1])
    assert failed(upsert(box, "jan@example.com", consentDetails={"consentName": "NEWSLETTER"})[1])


def test_the_account_consents_are_configurable_and_a_missing_date_is_now():
    with Sandbox(consents=["Zgoda marketingowa", "SMS"]) as box:
        assert failed(upsert(box, "a@example.com", consentDetails=[CONSENT])[1])
        _, answer = upsert(box, "a@example.com", consentDetails=[
            {"consentName": "zgoda MARKETINGOWA", "consentAccept": True, "ip": "198.51.100.1"}])
        assert answer["success"] is True
        [contact] = box.contacts()
        consent = contact["consents"]["Zgoda marketingowa"]
        assert consent["ip"] == "198.51.100.1" and consent["agreementDate"] > 1_700_000_000_000


@pytest.mark.parametrize("flags, email, phone", [
    ({}, "not opted in", "not opted in"),
    ({"forceOptIn": False, "forceOptOut": False, "forcePhoneOptIn": False,
      "forcePhoneOptOut": False, "useApiDoubleOptIn": False}, "not opted in", "not opted in"),
    ({"forceOptIn": True}, "opted in", "not opted in"),
    ({"forceOptOut": True}, "opted out", "not opted in"),
    ({"forcePhoneOptIn": True}, "not opted in", "opted in"),
    ({"forcePhoneOptOut": True}, "not opted in", "opted out"),
    ({"forceOptIn": True, "forceOptOut": True}, "opted out", "not opted in"),
])
def test_force_flags_set_the_opt_in_statuses(box, flags, email, phone):
    upsert(box, "jan@example.com", **flags)
    contact = contact_json(box)
    assert (contact["email_opt_in"], contact["phone_opt_in"]) == (email, phone)


def test_all_flags_false_leave_a_status_alone(box):
    _, created = upsert(box, "jan@example.com", forceOptIn=True, forcePhoneOptOut=True)
    update(box, contactId=created["contactId"], forceOptIn=False, forceOptOut=False,
           forcePhoneOptIn=False, forcePhoneOptOut=False, useApiDoubleOptIn=False)
    contact = contact_json(box)
    assert (contact["email_opt_in"], contact["phone_opt_in"]) == ("opted in", "opted out")


def test_double_opt_in_sends_an_email_each_time_and_waits_for_confirmation(box):
    upsert(box, "jan@example.com", forceOptIn=True, useApiDoubleOptIn=True,
           doubleOptInEmailId="e-1", doubleOptInLanguage="PL", lang="PL")
    contact = contact_json(box)
    assert contact["email_opt_in"] == "pending confirmation"
    assert (contact["double_opt_in_emails_sent"], contact["double_opt_in_email_id"],
            contact["double_opt_in_language"]) == (1, "e-1", "PL")
    upsert(box, "jan@example.com", useApiDoubleOptIn=True, doubleOptInEmailId="e-2", lang="EN")
    contact = contact_json(box)
    assert (contact["double_opt_in_emails_sent"], contact["double_opt_in_email_id"],
            contact["double_opt_in_language"]) == (2, "e-2", "EN")

    confirm = requests.post(f"{box.url}/sandbox/confirm", json={"email": "JAN@example.com"},
                            timeout=5)
    assert confirm.status_code == 200 and confirm.json() == {"confirmed": True}
    assert contact_json(box)["email_opt_in"] == "opted in"
    again = requests.post(f"{box.url}/sandbox/confirm", json={"contactId": contact["contactId"]},
                          timeout=5)
    assert again.status_code == 409  # nothing was waiting
    upsert(box, "jan@example.com", useApiDoubleOptIn=True)
    assert contact_json(box)["email_opt_in"] == "opted in"  # confirmed once is enough


@pytest.mark.parametrize("body, status", [
    ({"email": "ghost@example.com"}, 404), ({}, 400), (["jan@example.com"], 400)])
def test_confirm_needs_a_known_contact(box, body, status):
    assert requests.post(f"{box.url}/sandbox/confirm", json=body, timeout=5).status_code == status
    assert requests.post(f"{box.url}/sandbox/confirm", data=b"{oops", timeout=5).status_code == 400


def test_confirm_from_python(box):
    _, created = upsert(box, "jan@example.com", useApiDoubleOptIn=True)
    assert box.confirm(contact_id=created["contactId"]) is True
    assert box.confirm(email="jan@example.com") is False
    with pytest.raises(ValueError, match="No such contact"):
        box.confirm(email="ghost@example.com")


def test_remove_tags_then_tags(box):
    upsert(box, "jan@example.com", tags=["A", "B", "Lead form"])
    upsert(box, "jan@example.com", removeTags=["lead form", "a"], tags=["C"])
    assert contact_json(box)["tags"] == ["B", "C"]


def test_an_event_is_kept_on_its_contact(box):
    _, created = upsert(box, "jan@example.com")
    status, answer = event(box, email="JAN@example.com", contactEvent={
        **EVENT, "location": "strona-1/a_b.c", "externalId": "x" * 255, "detail1": "https://a.pl/",
        "detail20": "y" * 255, "description": "d" * 2048, "value": "12.50"})
    assert status == 200 and answer["success"] is True and answer["message"] == []
    event(box, path="contact/addContactExtEvent", contactId=created["contactId"],
          contactEvent={**EVENT, "contactExtEventType": "OTHER"})
    events = contact_json(box)["events"]
    assert [e["contactExtEventType"] for e in events] == ["SURVEY", "OTHER"]
    assert events[0]["eventId"] == answer["eventId"] and events[0]["detail1"] == "https://a.pl/"
    assert events[0]["date"] == 1732700000000 and events[0]["location"] == "strona-1/a_b.c"
    assert [r["path"] for r in box.requests()][-2:] == [
        "/api/v2/contact/addContactExtEvent", "/api/contact/addContactExtEvent"]


@pytest.mark.parametrize("change", [
    {"description": "d" * 2049}, {"location": "l" * 37}, {"location": "https://a.pl"},
    {"location": "Sklep"}, {"externalId": "x" * 256}, {"detail1": "y" * 256},
    {"detail20": "y" * 256}, {"products": "p" * 513}, {"contactExtEventType": "FORM"},
    {"contactExtEventType": None}, {"date": None}, {"date": "1732700000000"}, {"date": True},
    {"value": "dużo"},
])
def test_an_event_salesmanago_would_refuse_is_refused(box, change):
    upsert(box, "jan@example.com")
    status, answer = event(box, email="jan@example.com", contactEvent={**EVENT, **change})
    assert status == 200 and failed(answer)
    assert contact_json(box)["events"] == []


def test_an_event_needs_a_known_contact(box):
    upsert(box, "jan@example.com")
    assert failed(event(box, email="ghost@example.com", contactEvent=EVENT)[1])
    assert failed(event(box, contactId="f6c5487b-369d-4107-958c-2912c1bc3f80",
                        contactEvent=EVENT)[1])
    assert failed(event(box, contactEvent=EVENT)[1])
    assert failed(event(box, email="jan@example.com")[1])
    assert failed(call(box, "v2/contact/addContactExtEvent", signed(
        box, owner="stranger@example.com", email="jan@example.com", contactEvent=EVENT))[1])
    assert contact_json(box)["events"] == []


def test_faults_apply_to_events(box):
    upsert(box, "jan@example.com")
    box.misbehave(fail_next=1)
    response = requests.post(f"{box.url}/api/v2/contact/addContactExtEvent", timeout=5, json=signed(
        box, owner=box.owner, email="jan@example.com", contactEvent=EVENT))
    assert response.status_code == 500
    assert contact_json(box)["events"] == []
    assert event(box, email="jan@example.com", contactEvent=EVENT)[1]["success"] is True


def test_a_batch_of_events_holds_1_to_1000(box):
    upsert(box, "jan@example.com")
    item = {"email": "jan@example.com", "contactEvent": EVENT}
    path = "v2/contact/addBatchContactExtEvent"
    assert failed(event(box, path, events=[item] * 1001)[1])
    assert failed(event(box, path, events=[])[1])
    _, answer = event(box, path, events=[item] * 1000 + [])
    assert (answer["createdAmount"], answer["failedAmount"]) == (1000, 0)
    _, answer = event(box, path, events=[item, {**item, "contactEvent": {**EVENT, "date": None}}])
    assert (answer["createdAmount"], answer["failedAmount"], answer["failedContacts"]) == (
        1, 1, ["jan@example.com"])
    assert len(contact_json(box)["events"]) == 1001


def test_batch_upsert_applies_the_same_rules_per_contact(box):
    status, answer = call(box, "contact/batchupsert", signed(box, owner=box.owner, upsertDetails=[
        {"contact": {"email": "a@example.com", "name": "Ala"}, "consentDetails": [CONSENT],
         "forceOptIn": True, "removeTags": ["X"]},
        {"contact": {"email": "b@example.com"}, "useApiDoubleOptIn": True},
        {"contact": {"email": "c@example.com"}, "birthday": "1980-01-01"},
        {"contact": {"email": "d@example.com"}, "consentDetails": [{"consentName": "SMS"}]},
    ]))
    assert sorted(answer["contactIds"]) == ["a@example.com", "b@example.com"]
    assert len(answer["message"]) == 2
    a, b = box.contacts()
    assert (a["name"], a["email_opt_in"], list(a["consents"])) == ("Ala", "opted in", ["NEWSLETTER"])
    assert (b["email_opt_in"], b["double_opt_in_emails_sent"]) == ("pending confirmation", 1)


def test_the_html_page_shows_the_lead_escaped(box):
    upsert(box, "jan@example.com", contact={"name": "<b>Jan</b>", "phone": "+48 600"},
           consentDetails=[CONSENT], useApiDoubleOptIn=True, doubleOptInEmailId="e-1",
           forcePhoneOptIn=True)
    event(box, email="jan@example.com", contactEvent={**EVENT, "description": "<i>Ankieta</i>",
                                                      "detail1": "https://a.pl/?x=1&y=2"})
    html = requests.get(f"{box.url}/sandbox/", timeout=5).text
    assert "&lt;b&gt;Jan&lt;/b&gt;" in html and "<b>Jan" not in html
    assert "+48 600" in html and "NEWSLETTER" in html and "203.0.113.7" in html
    assert "E-mail: pending confirmation" in html and "phone: opted in" in html
    assert "confirmation e-mails sent: 1" in html and "e-1" in html
    assert "SURVEY" in html and "&lt;i&gt;Ankieta&lt;/i&gt;" in html
    assert "https://a.pl/?x=1&amp;y=2" in html


def test_an_older_state_file_loads_with_the_new_fields(tmp_path):
    state_file = tmp_path / "contacts.json"
    state_file.write_text(json.dumps([{"contactId": "c-1", "email": "old@example.com",
                                       "tags": ["T"], "properties": {"k": "v"},
                                       "created": 1.0, "modified": 1.0}]))
    with Sandbox(state_file=str(state_file)) as box:
        _, answer = upsert(box, "old@example.com", forceOptIn=True, consentDetails=[CONSENT])
        assert answer["contactId"] == "c-1"
        [contact] = box.contacts()
        assert requests.get(f"{box.url}/sandbox/", timeout=5).status_code == 200
    assert contact["email_opt_in"] == "opted in" and contact["tags"] == ["T"]
    assert contact["events"] == [] and contact["address"]["city"] is None


def test_consents_on_the_command_line():
    assert parse_args(["--consent", "NEWSLETTER", "--consent", "SMS"]).consent == ["NEWSLETTER",
                                                                                   "SMS"]
    assert parse_args([]).consent is None  # the default account has NEWSLETTER
