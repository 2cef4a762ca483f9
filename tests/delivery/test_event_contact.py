"""Which contact an answer's event goes to, and which contact ID the record shows, when
SALESmanago's answer names no contact, or something that is not a contact ID. Against
``responses``, for answers the sandbox never gives."""

import json

import pytest

from tests.helpers import OK, OWNER, URL, answer, answers, make_form_page, run_retry
from wagtail_salesmanago.models import ExportRecord

LINKED = "0f8fad5b-d9cb-469f-a165-70867728950e"  # the ?smclientid= of a mailing's link
EVENT_OK = {"success": True, "message": [], "eventId": "5d7c3f70-54a0-4a2e-9b0e-2f4c1a6b9c11"}


def answered(client, on_commit, smclientid):
    page = make_form_page(salesmanago_event_type="SURVEY")
    with on_commit():
        assert answer(client, page, {"Twój e-mail": "jan@example.com"},
                      smclientid=smclientid).status_code == 200
    run_retry()
    run_retry()
    return ExportRecord.objects.get()


def event_contact(api):
    [event] = [json.loads(call.request.body) for call in api.calls
               if call.request.url.endswith("/addContactExtEvent")]
    return {key: event.get(key) for key in ("owner", "contactId", "email")}


@pytest.mark.django_db
@pytest.mark.parametrize("contact_id", [{}, {"contactId": None}, {"contactId": ""}])
def test_an_update_answered_without_a_contact_id_keeps_the_linked_one(
        api, client, on_commit, contact_id):
    answers(api, "contact/update", {"success": True, "message": [], **contact_id})
    answers(api, "v2/contact/addContactExtEvent", EVENT_OK)
    record = answered(client, on_commit, LINKED)

    assert (record.status, record.event_status) == ("sent", "sent")
    assert (record.salesmanago_contact_id, record.notes) == (LINKED, "")  # nothing to note
    assert event_contact(api) == {"owner": OWNER, "contactId": LINKED, "email": None}


@pytest.mark.django_db
def test_an_update_answered_with_a_contact_id_that_is_none_sends_its_event_to_the_linked_one(
        api, client, on_commit):
    answers(api, "contact/update", {"success": True, "message": [], "contactId": "nr 7"})
    answers(api, "v2/contact/addContactExtEvent", EVENT_OK)
    record = answered(client, on_commit, LINKED)

    assert record.salesmanago_contact_id == ""
    assert record.notes == "SALESmanago answered a contact ID that is not a UUID, not kept: 'nr 7'."
    assert event_contact(api) == {"owner": OWNER, "contactId": LINKED, "email": None}


@pytest.mark.django_db
def test_after_an_unknown_linked_contact_the_event_goes_by_e_mail(api, client, on_commit):
    answers(api, "contact/update", {"success": False, "message": ["Contact not found"]})
    answers(api, "contact/upsert", {**OK, "contactId": "nr 7"})
    answers(api, "v2/contact/addContactExtEvent", EVENT_OK)
    record = answered(client, on_commit, LINKED)

    assert record.mode == "upsert"
    assert [call.request.url.removeprefix(URL) for call in api.calls] == [
        "contact/update", "contact/upsert", "v2/contact/addContactExtEvent"]
    # Not the linked ID SALESmanago just said it does not know.
    assert event_contact(api) == {"owner": OWNER, "contactId": None, "email": "jan@example.com"}


@pytest.mark.django_db
def test_after_an_unknown_linked_contact_an_upsert_answered_without_an_id_keeps_none(
        api, client, on_commit):
    answers(api, "contact/update", {"success": False, "message": ["Contact not found"]})
    answers(api, "contact/upsert", {"success": True, "message": []})
    answers(api, "v2/contact/addContactExtEvent", EVENT_OK)
    record = answered(client, on_commit, LINKED)

    assert (record.mode, record.status, record.salesmanago_contact_id) == ("upsert", "sent", "")
    assert event_contact(api) == {"owner": OWNER, "contactId": None, "email": "jan@example.com"}
