"""The sandbox answers the documented requests (tests/contract/examples.py) in the documented shapes."""

import copy
import hashlib
import uuid

import pytest
import requests

from tests.contract import examples
from tests.contract.shapes import differences
from wagtail_salesmanago.sandbox import Sandbox

OWNER = "owner@firma.pl"


@pytest.fixture(scope="module")
def box():
    with Sandbox(owners=[OWNER, "crm@firma.pl"]) as running:
        yield running


@pytest.fixture(autouse=True)
def fresh(box):
    box.reset()


def post(box, path, example, *, secret=None, **changes):
    """A documented example, signed for the sandbox's account, POSTed to ``/api/<path>``."""
    body = {**copy.deepcopy(example), **changes}
    body["clientId"] = box.client_id
    body["sha"] = hashlib.sha1(
        f"{body['apiKey']}{box.client_id}{secret or box.api_secret}".encode()).hexdigest()
    response = requests.post(f"{box.url}/api/{path}", json=body, timeout=5)
    assert response.status_code == 200  # v2 reports failures in the body, not the status
    return response.json()


def assert_contact_answer(answer):
    assert differences(answer, examples.CONTACT_ANSWER) == []
    assert answer["success"] is True and answer["message"] == []
    uuid.UUID(answer["contactId"])


def assert_failure(answer):
    assert differences(answer, examples.FAILURE_ANSWER) == []
    assert answer["success"] is False and answer["message"]


def test_upsert_then_update_answer_the_documented_shape(box):
    created = post(box, "contact/upsert", examples.UPSERT_REQUEST)
    assert_contact_answer(created)
    updated = post(box, "contact/update", examples.UPDATE_REQUEST, contactId=created["contactId"])
    assert_contact_answer(updated)
    assert updated["contactId"] == created["contactId"]
    [contact] = box.contacts()
    assert contact["properties"] == examples.UPSERT_REQUEST["properties"]


def test_list_users_answers_plain_email_strings(box):
    answer = post(box, "user/listByClient", examples.LIST_USERS_REQUEST)
    assert differences(answer, examples.LIST_USERS_ANSWER) == []
    assert answer["users"] == [OWNER, "crm@firma.pl"]


def test_list_tags_answers_each_tag_with_its_count(box):
    post(box, "contact/upsert", {**examples.UPSERT_REQUEST, "tags": ["vip", "Klient stały"]})
    answer = post(box, "contact/tags", examples.LIST_TAGS_REQUEST)
    assert differences(answer, examples.LIST_TAGS_ANSWER) == []
    assert answer["tags"] == [{"tag": "KLIENT_STALY", "numberOfTagged": 1},
                              {"tag": "VIP", "numberOfTagged": 1}]


def test_batch_upsert_answers_contact_ids_by_email(box):
    answer = post(box, "contact/batchupsert", examples.BATCH_UPSERT_REQUEST)
    assert differences(answer, examples.BATCH_UPSERT_ANSWER) == []
    assert sorted(answer["contactIds"]) == ["jan@example.com", "ola@example.com"]


@pytest.mark.parametrize("path, example, changes", [
    ("contact/upsert", examples.UPSERT_REQUEST, {"secret": "wrong"}),
    ("user/listByClient", examples.LIST_USERS_REQUEST, {"secret": "wrong"}),
    ("contact/upsert", examples.UPSERT_REQUEST, {"owner": "stranger@firma.pl"}),
    ("contact/upsert", examples.UPSERT_REQUEST, {"owner": None}),
    ("user/listByClient", examples.LIST_USERS_REQUEST, {"owner": None}),
    ("contact/update", examples.UPDATE_REQUEST, {"contactId": str(uuid.uuid4())}),
    ("contact/upsert", examples.UPSERT_REQUEST,
     {"properties": {"too.long": "x" * (examples.MAX_DETAIL_VALUE + 1)}}),
])
def test_refusals_have_the_documented_failure_shape(box, path, example, changes):
    answer = post(box, path, example, **changes)
    assert_failure(answer)
    if "secret" in changes:
        assert answer["message"] == ["Not authenticated"]  # the one confirmed text we check
    assert box.contacts() == []


@pytest.mark.parametrize("tags, stored", examples.TAG_EXAMPLES)
def test_tags_follow_the_published_rules(box, tags, stored):
    assert_contact_answer(post(box, "contact/upsert", examples.UPSERT_REQUEST, tags=tags))
    assert box.contacts()[0]["tags"] == stored


def test_a_detail_value_of_255_characters_is_kept_whole(box):
    value = "ż" * examples.MAX_DETAIL_VALUE
    assert_contact_answer(post(box, "contact/upsert", examples.UPSERT_REQUEST,
                               properties={"ankieta.Uwagi": value}))
    assert box.contacts()[0]["properties"] == {"ankieta.Uwagi": value}


def test_a_lead_upsert_stores_the_documented_fields(box):
    """The SDK's lead body: standard fields, a consent, double opt-in (tests/contract/examples.py)."""
    created = post(box, "contact/upsert", examples.LEAD_UPSERT_REQUEST)
    assert_contact_answer(created)
    [contact] = box.contacts()
    sent = examples.LEAD_UPSERT_REQUEST
    assert contact["email"] == sent["newEmail"]
    assert {name: contact[name] for name in ("name", "phone", "fax", "company", "externalId",
                                             "state", "address")} == {
        name: value for name, value in sent["contact"].items() if name != "email"}
    assert (contact["birthday"], contact["province"], contact["lang"]) == ("19801017", "mazowieckie",
                                                                          "PL")
    consent = {k: v for k, v in examples.CONSENT_DETAIL.items() if k != "consentName"}
    assert contact["consents"] == {"NEWSLETTER": consent}
    assert contact["email_opt_in"] == "pending confirmation"  # not public: the sandbox's model
    assert contact["double_opt_in_emails_sent"] == 1
    assert (contact["double_opt_in_email_id"], contact["double_opt_in_language"]) == (
        sent["doubleOptInEmailId"], "PL")


def test_documented_consent_and_birthday_refusals_have_the_failure_shape(box):
    unknown = {**examples.CONSENT_DETAIL, "consentName": "NOT_IN_THE_ACCOUNT"}
    assert_failure(post(box, "contact/upsert", examples.UPSERT_REQUEST, consentDetails=[unknown]))
    assert_failure(post(box, "contact/upsert", examples.UPSERT_REQUEST, birthday="1980-10-17"))
    assert box.contacts() == []


@pytest.mark.parametrize("path", ["v2/contact/addContactExtEvent", "contact/addContactExtEvent"])
def test_an_event_answers_the_documented_shape(box, path):
    contact_id = post(box, "contact/upsert", examples.UPSERT_REQUEST)["contactId"]
    answer = post(box, path, examples.EVENT_REQUEST, contactId=contact_id)
    assert differences(answer, examples.EVENT_ANSWER) == []
    assert answer["success"] is True and answer["message"] == []
    [event] = box.contacts()[0]["events"]
    assert event["eventId"] == answer["eventId"]
    uuid.UUID(answer["eventId"])
    assert {k: v for k, v in examples.CONTACT_EVENT.items() if v is not None} == {
        k: v for k, v in event.items() if k not in ("eventId", "received")}


def test_an_event_for_an_unknown_contact_fails(box):
    assert_failure(post(box, "v2/contact/addContactExtEvent", examples.EVENT_REQUEST,
                        contactId=str(uuid.uuid4())))


@pytest.mark.parametrize("path", ["v2/contact/addBatchContactExtEvent",
                                  "contact/batchAddContactExtEvent"])
def test_a_batch_of_events_answers_the_documented_shape(box, path):
    contact_id = post(box, "contact/upsert", examples.UPSERT_REQUEST)["contactId"]
    events = [{"email": "jan.nowy@example.com", "contactEvent": examples.CONTACT_EVENT},
              {"contactId": contact_id, "contactEvent": examples.CONTACT_EVENT},
              {"email": "ghost@example.com", "contactEvent": examples.CONTACT_EVENT}]
    answer = post(box, path, examples.BATCH_EVENTS_REQUEST, events=events)
    assert differences(answer, examples.BATCH_EVENTS_ANSWER) == []
    assert (answer["createdAmount"], answer["failedAmount"]) == (2, 1)
    assert answer["failedContacts"] == ["ghost@example.com"]
    assert len(box.contacts()[0]["events"]) == 2
