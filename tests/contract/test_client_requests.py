"""What our client sends has the documented field names, types and shapes (tests/contract/examples.py)."""

import hashlib
import json
import time

import pytest
import requests
import responses

from tests.contract import examples
from tests.contract.shapes import differences, missing
from tests.helpers import answer, make_form_page
from wagtail_salesmanago.api.client import SalesmanagoClient
from wagtail_salesmanago.api.exceptions import AuthenticationError
from wagtail_salesmanago.payload import mapping

SECRET = "s3cr3t-Value"
CLIENT_ID = "client-1"
URL = "https://app3.salesmanago.pl/api/"
AUTH_FIELDS = list(examples.AUTH)
NO_CONSENT_FLAGS = ("forceOptIn", "forceOptOut", "forcePhoneOptIn", "forcePhoneOptOut",
                    "useApiDoubleOptIn")


@pytest.fixture
def api():
    with responses.RequestsMock() as mock:
        yield mock


@pytest.fixture
def api_client():
    return SalesmanagoClient("app3.salesmanago.pl", CLIENT_ID, SECRET, session=requests.Session())


def sent(api, path, answer, call):
    """The JSON body the client POSTed to ``/api/<path>`` while running ``call``."""
    api.add(responses.POST, URL + path, json=answer)
    before = int(time.time() * 1000)
    call()
    body = json.loads(api.calls[-1].request.body)
    assert_signed(body, before, int(time.time() * 1000))
    return body


def assert_signed(body, before_ms, after_ms):
    assert body["clientId"] == CLIENT_ID
    assert isinstance(body["apiKey"], str) and body["apiKey"]
    assert body["sha"] == hashlib.sha1(f"{body['apiKey']}{CLIENT_ID}{SECRET}".encode()).hexdigest()
    assert isinstance(body["requestTime"], int)
    assert before_ms <= body["requestTime"] <= after_ms  # milliseconds, as the docs say


def test_upsert_request_has_the_documented_shape(api, api_client):
    body = sent(api, "contact/upsert", examples.CONTACT_ANSWER, lambda: api_client.upsert(
        mapping.upsert_body(owner="owner@firma.pl", email="jan@example.com",
                            properties={"ankieta.Ocena": "5"}, tags=["ANKIETA"])))
    assert differences(body, examples.UPSERT_REQUEST) == []
    assert missing(body, [*AUTH_FIELDS, "owner", "contact.email", "properties", "tags",
                          *NO_CONSENT_FLAGS, "async"]) == []
    # Consent not in play: the SDK's "leave the subscription status alone".
    assert {flag: body[flag] for flag in NO_CONSENT_FLAGS} == dict.fromkeys(NO_CONSENT_FLAGS, False)
    assert body["async"] is False  # a synchronous answer carries the contactId


def test_update_request_has_the_documented_shape(api, api_client):
    body = sent(api, "contact/update", examples.CONTACT_ANSWER, lambda: api_client.update(
        mapping.update_body(owner="owner@firma.pl", contact_id=examples.CONTACT_ANSWER["contactId"],
                            properties={"ankieta.Ocena": "5"}, tags=["ANKIETA"])))
    assert differences(body, examples.UPDATE_REQUEST) == []
    assert missing(body, [*AUTH_FIELDS, "owner", "contactId"]) == []
    assert "email" not in body.get("contact", {})  # the contact keeps its own e-mail


def test_list_users_request_is_the_documented_one(api, api_client):
    body = sent(api, "user/listByClient", examples.LIST_USERS_ANSWER,
                lambda: api_client.list_users("owner@firma.pl"))
    assert differences(body, examples.LIST_USERS_REQUEST) == []
    assert sorted(body) == sorted(examples.LIST_USERS_REQUEST)


def test_list_tags_request_and_answer_are_the_public_clients(api, api_client):
    body = sent(api, "contact/tags", examples.LIST_TAGS_ANSWER,
                lambda: api_client.list_tags("owner@firma.pl"))
    assert differences(body, examples.LIST_TAGS_REQUEST) == []
    assert sorted(body) == sorted(examples.LIST_TAGS_REQUEST)
    api.add(responses.POST, URL + "contact/tags", json=examples.LIST_TAGS_ANSWER)
    assert api_client.list_tags("owner@firma.pl") == ["VIP"]


def test_the_client_reads_the_documented_answers(api, api_client):
    api.add(responses.POST, URL + "user/listByClient", json=examples.LIST_USERS_ANSWER)
    api.add(responses.POST, URL + "contact/upsert", json=examples.CONTACT_ANSWER)
    api.add(responses.POST, URL + "contact/update", json=examples.FAILURE_ANSWER)
    assert api_client.list_users("owner@firma.pl") == examples.LIST_USERS_ANSWER["users"]
    assert api_client.upsert({})["contactId"] == examples.CONTACT_ANSWER["contactId"]
    with pytest.raises(AuthenticationError):  # "Not authenticated": a confirmed text
        api_client.update({})


@pytest.mark.django_db
def test_what_a_form_submission_sends_has_the_documented_shape(client, sm, on_commit):
    """End to end: the bodies the package really sends (through delivery), as the sandbox got them."""
    known = sm.add_contact("known@example.com")
    page = make_form_page()
    with on_commit():
        answer(client, page, {"Twój e-mail": "jan@example.com", "Co było ważne?": ["Cena"]})
        answer(client, page, {"Komentarz": "Hej"}, smclientid=known)
    upsert, update = sm.requests()
    assert (upsert["path"], update["path"]) == ("/api/contact/upsert", "/api/contact/update")
    assert differences(upsert["body"], examples.UPSERT_REQUEST) == []
    assert differences(update["body"], examples.UPDATE_REQUEST) == []
    assert update["body"]["contactId"] == known
    assert differences(upsert["answer"], examples.CONTACT_ANSWER) == []
    assert differences(update["answer"], examples.CONTACT_ANSWER) == []
