"""An event per answer: sent after the contact, retried alone, never twice.

The contact goes to the sandbox over real HTTP; for precise failures ``addContactExtEvent`` is
answered by ``responses``, everything else passes through (the last test uses the sandbox alone).
"""

import json
import uuid
from datetime import timedelta

import pytest
import responses
from django.urls import reverse
from django.utils import timezone
from django_tasks import task_backends
from wagtail.models import Page

from tests.helpers import (
    answer, database_refuses, errors, make_form_page, run_retry, submissions_of,
    submitted_record)
from tests.testapp.models import SurveyPage
from wagtail_salesmanago.delivery import answers, outbox
from wagtail_salesmanago import stored_messages
from wagtail_salesmanago.models import DeliveryHold, ExportRecord
from wagtail_salesmanago.payload import events

AUTH = ("clientId", "apiKey", "requestTime", "sha")
EVENT_ID = "5d7c3f70-54a0-4a2e-9b0e-2f4c1a6b9c11"
EVENT_OK = {"success": True, "message": [], "eventId": EVENT_ID}


@pytest.fixture
def event_api(sm):
    """``responses`` for the event; the sandbox answers everything else over real HTTP."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_passthru(sm.url)
        mock.event_url = sm.url + "/api/v2/contact/addContactExtEvent"
        yield mock


def event_calls(event_api):
    return [json.loads(call.request.body) for call in event_api.calls
            if call.request.url == event_api.event_url]


def without_auth(body):
    return {k: v for k, v in body.items() if k not in AUTH}


def contact_calls(sm):
    return [r["path"] for r in sm.requests() if r["path"] != "/api/user/listByClient"]


def survey(**kwargs):
    return make_form_page(salesmanago_event_type="SURVEY", **kwargs)


def logged_attempts(record):
    return list(record.attempt_log.values_list("mode", "outcome", "resend"))


@pytest.mark.django_db
def test_the_event_follows_the_contact_with_the_exact_json(client, sm, on_commit, event_api):
    event_api.add(responses.POST, event_api.event_url, json=EVENT_OK)
    page = survey()
    record = submitted_record(client, page, on_commit)

    [submission] = submissions_of(page)
    [contact] = sm.contacts()
    [event] = event_calls(event_api)
    assert set(AUTH) <= set(event)  # signed like every call
    assert without_auth(event) == {
        "owner": sm.owner,
        "contactId": contact["contactId"],  # the ID SALESmanago answered for the upsert
        "contactEvent": {
            "date": int(submission.submit_time.timestamp() * 1000),
            "contactExtEventType": "SURVEY",
            "description": "Badanie satysfakcji",
            "location": "localhost",
            "externalId": str(submission.pk),
            "detail1": page.full_url,
        },
    }
    assert contact_calls(sm) == ["/api/contact/upsert"]
    record.refresh_from_db()
    assert (record.status, record.event_status, record.event_id) == ("sent", "sent", EVENT_ID)
    assert (record.attempts, record.event_attempts, record.next_attempt_at) == (1, 1, None)
    assert record.event_payload == without_auth(event)
    assert logged_attempts(record) == [("upsert", "sent", False), ("event", "sent", False)]


@pytest.mark.django_db
def test_a_form_without_an_event_type_sends_none(client, sm, on_commit, event_api):
    record = submitted_record(client, make_form_page(), on_commit)

    assert event_calls(event_api) == []
    assert (record.status, record.event_status, record.event_payload) == ("sent", "", {})


@pytest.mark.django_db
def test_an_event_type_salesmanago_has_not_is_noted_and_not_sent(client, sm, on_commit, event_api):
    # A type a newer or older version offered, or one set by code: never sent unchecked.
    page = survey()
    SurveyPage.objects.filter(pk=page.pk).update(salesmanago_event_type="WEBINAR_" * 4)  # its 32
    record = submitted_record(client, SurveyPage.objects.get(pk=page.pk), on_commit)

    assert event_calls(event_api) == []
    assert (record.status, record.event_status, record.event_payload) == ("sent", "", {})
    assert record.notes == f"No event: {'WEBINAR_' * 4!r} is not a SALESmanago event type."


@pytest.mark.django_db
def test_a_long_event_type_salesmanago_has_not_is_quoted_to_its_first_64_characters():
    # Set by a site's own code (no column holds it): the note stays short whatever it is.
    page = survey()
    page.salesmanago_event_type = "CUSTOM_EVENT_" * 6  # 78 characters
    submission = page.get_submission_class().objects.create(page=page, form_data={})

    linked = "0f8fad5b-d9cb-469f-a165-70867728950e"
    record = answers.build_record(page, submission, {}, linked, "", account=None)

    assert (record.event_status, record.event_payload) == ("", {})
    assert record.notes == (
        f"No event: {('CUSTOM_EVENT_' * 6)[:64]!r} is not a SALESmanago event type.")


@pytest.mark.django_db
def test_a_form_in_no_site_plans_its_event_without_a_location(client, sm, on_commit):
    outside = SurveyPage(title="Poza witryną", salesmanago_event_type="SURVEY")
    Page.objects.get(depth=1).add_child(instance=outside)
    submission = outside.get_submission_class().objects.create(page=outside, form_data={})

    linked = "0f8fad5b-d9cb-469f-a165-70867728950e"
    record = answers.build_record(outside, submission, {}, linked, "", account=None)

    assert record.event_payload == {"contactEvent": {
        "date": int(submission.submit_time.timestamp() * 1000), "contactExtEventType": "SURVEY",
        "description": "Poza witryną", "externalId": str(submission.pk)}}
    # No account, so no owner yet: sending asks for the site's settings (tests/delivery/test_failures.py).
    assert record.payload == {"owner": "", "contactId": linked, "properties": {}, "tags": []}


@pytest.mark.django_db
def test_a_failed_event_is_retried_alone_and_sent_once(client, sm, on_commit, event_api, retry_now):
    event_api.add(responses.POST, event_api.event_url, status=503, body="Service Unavailable")
    event_api.add(responses.POST, event_api.event_url, json=EVENT_OK)
    record = submitted_record(client, survey(), on_commit)

    record.refresh_from_db()
    assert (record.status, record.event_status) == ("sent", "retrying")
    assert "server error" in record.event_error and record.last_error == ""
    assert f"#{record.pk} sent, event retrying page=" in run_retry("--dry-run")
    assert run_retry() == "1 due; sent: 1.\n"
    assert run_retry() == "0 due; nothing to send.\n"

    assert contact_calls(sm) == ["/api/contact/upsert"]  # the contact was not sent again
    assert len(event_calls(event_api)) == 2
    record.refresh_from_db()
    assert (record.status, record.event_status, record.event_error) == ("sent", "sent", "")
    assert (record.event_error.data, record.next_attempt_at) == ("", None)
    assert (record.attempts, record.event_attempts) == (1, 2)
    assert logged_attempts(record) == [
        ("upsert", "sent", False), ("event", "transient", False), ("event", "sent", False),
    ]


@pytest.mark.django_db
def test_failed_events_of_many_contacts_are_retried_without_sending_the_contacts_again(
        client, sm, on_commit, event_api, retry_now):
    for body in ({"status": 503, "body": "Service Unavailable"},) * 2 + ({"json": EVENT_OK},) * 2:
        event_api.add(responses.POST, event_api.event_url, **body)
    page = survey()
    with on_commit():
        for email in ("jan@example.com", "ewa@example.com"):
            assert answer(client, page, {"Twój e-mail": email}).status_code == 200
    assert set(ExportRecord.objects.values_list("status", "event_status")) == {("sent", "retrying")}

    assert run_retry() == "2 due; sent: 2.\n"

    assert contact_calls(sm) == ["/api/contact/upsert"] * 2  # not again, in a batch or alone
    ids = [c["contactId"] for c in sm.contacts()]
    assert sorted(e["contactId"] for e in event_calls(event_api)) == sorted(ids * 2)
    assert set(ExportRecord.objects.values_list("status", "event_status", "attempts")) == {
        ("sent", "sent", 1)}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # PostgreSQL: each write its own
def test_a_contact_whose_outcome_cannot_be_stored_is_left_to_its_claim(
        client, sm, on_commit, event_api, caplog, settings):
    """Neither its event nor another task follows: when the claim lapses, the retry finds it."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    event_api.add(responses.POST, event_api.event_url, json=EVENT_OK)
    record = submitted_record(client, survey(), on_commit)
    queue = task_backends["default"]
    queue.clear()
    # The outcome's write is tried again until the claim is about to lapse: a short claim.
    settings.WAGTAIL_SALESMANAGO_CLAIM_SECONDS = 3

    # The claim is written; no change of a status is.
    with database_refuses(ExportRecord, "UPDATE", "database is gone", lost=True,
                          when="NEW.status <> OLD.status"):
        run_retry()

    assert errors(caplog) == [("wagtail_salesmanago.delivery.outbox",
                               f"Could not record the outcome of SALESmanago export {record.pk}.")]
    assert (contact_calls(sm), event_calls(event_api), queue.results) == (
        ["/api/contact/upsert"], [], [])
    record.refresh_from_db()
    assert (record.status, record.event_status, record.attempts) == ("pending", "pending", 1)
    assert record.claimed_until > timezone.now()
    assert not record.attempt_log.exists()  # no history of a state that was not stored


@pytest.mark.django_db
def test_an_answer_another_sender_sent_before_its_own_request_did_is_not_sent_again(
        client, sm, event_api, retry_now, django_capture_on_commit_callbacks):
    """``salesmanago_retry`` took the answer between its commit and its request's own send: the
    request sends what is still due (the event), not the contact again."""
    for body in ({"status": 503, "body": "Service Unavailable"},) * 2 + ({"json": EVENT_OK},):
        event_api.add(responses.POST, event_api.event_url, **body)
    with django_capture_on_commit_callbacks() as callbacks:
        assert answer(client, survey(), {"Twój e-mail": "jan@example.com"}).status_code == 200
    assert run_retry() == "1 due; sent: 1.\n"  # the contact; its event failed twice, due again

    for callback in callbacks:
        callback()

    assert contact_calls(sm) == ["/api/contact/upsert"]
    assert len(event_calls(event_api)) == 3
    assert set(ExportRecord.objects.values_list("status", "event_status", "attempts")) == {
        ("sent", "sent", 1)}


@pytest.mark.django_db
def test_an_event_that_keeps_failing_gives_up_and_the_contact_stays_sent(
    client, sm, on_commit, event_api, retry_now, settings
):
    event_api.add(responses.POST, event_api.event_url, status=502, body="Bad Gateway")
    record = submitted_record(client, survey(), on_commit)
    long_ago = timezone.now() - timedelta(hours=49)
    ExportRecord.objects.update(created_at=long_ago, sent_at=long_ago)

    assert run_retry() == "1 due; sent: 1.\n"  # the record's (contact's) status
    record.refresh_from_db()
    assert (record.status, record.event_status) == ("sent", "failed")
    assert record.event_error.startswith("Gave up after 2 attempts: SALESmanago had a server error.")
    assert run_retry() == "0 due; nothing to send.\n"


@pytest.mark.django_db
def test_a_sent_event_is_never_sent_again(client, sm, on_commit, event_api):
    event_api.add(responses.POST, event_api.event_url, json=EVENT_OK)
    record = submitted_record(client, survey(), on_commit)

    assert outbox.send(record.pk) is None  # a second task for the same record
    ExportRecord.objects.update(claimed_until=None)
    assert run_retry() == "0 due; nothing to send.\n"
    with on_commit():
        assert outbox.resend(ExportRecord.objects.all()) == 1

    # Resend sends the contact again (staff asked), but the event only ever once.
    assert contact_calls(sm) == ["/api/contact/upsert", "/api/contact/upsert"]
    assert len(event_calls(event_api)) == 1
    record.refresh_from_db()
    assert (record.status, record.event_status, record.event_id) == ("sent", "sent", EVENT_ID)
    assert logged_attempts(record) == [
        ("upsert", "sent", False), ("event", "sent", False), ("upsert", "sent", True),
    ]


@pytest.mark.django_db
def test_one_sender_wins_a_due_event(client, sm, on_commit, event_api, retry_now):
    event_api.add(responses.POST, event_api.event_url, status=500)
    event_api.add(responses.POST, event_api.event_url, json=EVENT_OK)
    record = submitted_record(client, survey(), on_commit)

    now = timezone.now()
    assert outbox.claim(record.pk, now) is True
    assert outbox.claim(record.pk, now) is False
    record.refresh_from_db()
    assert record.attempts == 1  # claiming an event does not count as a contact attempt
    ExportRecord.objects.update(claimed_until=None)
    assert outbox.send(record.pk).event_status == "sent"
    assert outbox.send(record.pk) is None
    assert len(event_calls(event_api)) == 2


@pytest.mark.django_db
def test_a_refused_event_fails_and_resend_sends_it_after_the_contact(
    client, sm, on_commit, event_api
):
    event_api.add(responses.POST, event_api.event_url,
                  json={"success": False, "message": ["Wrong event"]})
    event_api.add(responses.POST, event_api.event_url, json=EVENT_OK)
    record = submitted_record(client, survey(), on_commit)

    record.refresh_from_db()
    assert (record.status, record.event_status, record.event_attempts) == ("sent", "failed", 1)
    assert record.next_attempt_at is None
    assert "Wrong event" in record.event_error
    with on_commit():
        outbox.resend(ExportRecord.objects.all())

    record.refresh_from_db()
    assert (record.status, record.event_status, record.event_error) == ("sent", "sent", "")
    assert [m for m, *_ in logged_attempts(record)] == ["upsert", "event", "upsert", "event"]


@pytest.mark.django_db
def test_rejected_credentials_hold_the_event_and_the_contact_stays_sent(
    client, sm, on_commit, event_api
):
    event_api.add(responses.POST, event_api.event_url,
                  json={"success": False, "message": ["Not authenticated"]})
    event_api.add(responses.POST, event_api.event_url, json=EVENT_OK)
    record = submitted_record(client, survey(), on_commit)

    record.refresh_from_db()
    hold = DeliveryHold.objects.get()
    assert (record.status, record.event_status, record.hold) == ("sent", "held", hold)
    assert (record.next_attempt_at, record.event_attempts) == (None, 1)
    # The editor reads why it waits: the hold's own message, in their language too.
    assert "Not authenticated" in hold.message
    assert (record.event_error, record.event_error.data) == (hold.message, hold.message.data)
    DeliveryHold.objects.update(next_check_at=timezone.now())
    outbox.check_holds()  # the credentials check passes: the hold lifts
    before = timezone.now()
    assert run_retry() == "1 due; sent: 1.\n"

    record.refresh_from_db()
    assert (record.status, record.event_status, record.hold) == ("sent", "sent", None)
    assert (record.event_error, record.event_error.data, record.event_id) == ("", "", EVENT_ID)
    assert before <= record.event_sent_at <= timezone.now()
    assert contact_calls(sm) == ["/api/contact/upsert"]


@pytest.mark.django_db
def test_a_refused_event_whose_hold_is_lifted_at_once_is_due_again_with_the_refusal(
    client, sm, on_commit, event_api, lifted_at_once, mailoutbox
):
    event_api.add(responses.POST, event_api.event_url,
                  json={"success": False, "message": ["Not authenticated"]})
    event_api.add(responses.POST, event_api.event_url, json=EVENT_OK)
    before = timezone.now()
    record = submitted_record(client, survey(), on_commit)

    record.refresh_from_db()
    assert (record.status, record.event_status, record.hold) == ("sent", "pending", None)
    assert (record.attempts, record.event_attempts) == (1, 1)
    assert before <= record.next_attempt_at <= timezone.now()
    assert "Not authenticated" in record.event_error
    assert stored_messages.shown(record, "event_error") == record.event_error
    assert (DeliveryHold.objects.exists(), mailoutbox) == (False, [])
    assert run_retry() == "1 due; sent: 1.\n"
    record.refresh_from_db()
    assert (record.event_status, record.event_error, record.event_attempts) == ("sent", "", 2)


@pytest.mark.django_db
def test_a_retried_event_refused_whose_hold_is_lifted_at_once_is_pending_and_due_at_once(
    client, sm, on_commit, event_api, lifted_at_once, mailoutbox
):
    event_api.add(responses.POST, event_api.event_url, status=503)
    event_api.add(responses.POST, event_api.event_url,
                  json={"success": False, "message": ["Not authenticated"]})
    event_api.add(responses.POST, event_api.event_url, json=EVENT_OK)
    record = submitted_record(client, survey(), on_commit)
    record.refresh_from_db()
    assert (record.event_status, record.event_attempts) == ("retrying", 1)
    ExportRecord.objects.update(next_attempt_at=timezone.now() - timedelta(minutes=5))

    before = timezone.now()
    outbox.send(record.pk)  # the worker's retry, refused: its hold is lifted at once
    record.refresh_from_db()
    # Not left "retrying" at its old time: pending, due from the moment of the refusal.
    assert (record.status, record.event_status, record.hold) == ("sent", "pending", None)
    assert (record.event_attempts, record.attempts) == (2, 1)
    assert before <= record.next_attempt_at <= timezone.now()
    assert "Not authenticated" in record.event_error
    assert (DeliveryHold.objects.exists(), mailoutbox) == (False, [])
    assert run_retry() == "1 due; sent: 1.\n"


@pytest.mark.django_db
def test_an_event_id_that_is_not_one_is_noted_and_not_kept(client, sm, on_commit, event_api):
    event_api.add(responses.POST, event_api.event_url, json={**EVENT_OK, "eventId": "x" * 100})
    record = submitted_record(client, survey(), on_commit)

    record.refresh_from_db()
    assert (record.event_status, record.event_id) == ("sent", "")
    assert record.notes.endswith(
        f"SALESmanago answered an event ID that is not a UUID, not kept: '{'x' * 64}'.")


@pytest.mark.django_db
def test_an_update_by_link_sends_the_event_by_that_contact(client, sm, on_commit, event_api):
    event_api.add(responses.POST, event_api.event_url, json=EVENT_OK)
    contact_id = sm.add_contact("known@example.com")
    with on_commit():
        answer(client, survey(), {"Komentarz": "Hej"}, smclientid=contact_id)

    [event] = event_calls(event_api)
    assert event["contactId"] == contact_id and "email" not in event


@pytest.mark.django_db
def test_the_deliveries_admin_shows_the_event(client, django_user_model, sm, on_commit, event_api):
    event_api.add(responses.POST, event_api.event_url, status=503)
    record = submitted_record(client, survey(), on_commit)
    record.refresh_from_db()
    assert record.event_status == "retrying" and record.next_attempt_at > timezone.now()
    assert run_retry() == "0 due; nothing to send.\n"  # the event waits for its retry time
    ExportRecord.objects.update(event_status="failed", event_error="SALESmanago had a server error.")
    client.force_login(django_user_model.objects.create_superuser("admin", "a@example.com", "pw"))

    listing = client.get(reverse("wagtail_salesmanago_deliveries:index")).content.decode()
    assert "Event failed" in listing
    detail = client.get(reverse("wagtail_salesmanago_deliveries:inspect", args=[record.pk]))
    html = detail.content.decode()
    assert "Event status" in html and "SALESmanago had a server error." in html
    assert "&quot;contactExtEventType&quot;: &quot;SURVEY&quot;" in html


@pytest.mark.django_db
def test_no_event_rows_for_a_form_without_one(client, django_user_model, sm, on_commit):
    record = submitted_record(client, make_form_page(), on_commit)
    client.force_login(django_user_model.objects.create_superuser("admin", "a@example.com", "pw"))
    html = client.get(reverse("wagtail_salesmanago_deliveries:inspect", args=[record.pk])).content
    assert b"Event status" not in html and b"Event failed" not in html


@pytest.mark.parametrize("hostname, location", [
    ("www.Sklep-Łódź.pl", "www.sklep-lodz.pl"),
    ("127.0.0.1:8000", "127.0.0.1-8000"),
    ("a" * 50 + ".example.com", "a" * 36),
])
def test_location_is_the_host_as_salesmanago_allows(hostname, location):
    assert events.location(hostname) == location


def test_long_values_are_cut_to_salesmanagos_limits():
    event = events.contact_event(
        "OTHER", date_ms=1.5, title="T" * 3000, url="https://x.pl/" + "p" * 300,
        submission_id=uuid.UUID(int=1), hostname="",
    )
    assert len(event["description"]) == 2048 and len(event["detail1"]) == 255
    assert event["date"] == 1 and "location" not in event
    assert event["externalId"] == "00000000-0000-0000-0000-000000000001"


@pytest.mark.django_db
def test_a_sender_dying_between_contact_and_event_leaves_the_event_due(
    client, sm, on_commit, event_api
):
    def killed(request):
        raise SystemExit("the worker was killed")  # while its event call was in flight

    event_api.add_callback(responses.POST, event_api.event_url, callback=killed)
    with on_commit():  # the task backend reports the dead task; the visitor sees nothing
        assert answer(client, survey(), {"Twój e-mail": "jan@example.com"}).status_code == 200
    event_api.replace(responses.POST, event_api.event_url, json=EVENT_OK)

    record = ExportRecord.objects.get()
    assert (record.status, record.event_status) == ("sent", "pending")
    assert run_retry() == "0 due; nothing to send.\n"  # its claim still holds
    ExportRecord.objects.update(claimed_until=None)  # as when the claim lapses
    assert run_retry() == "1 due; sent: 1.\n"

    assert contact_calls(sm) == ["/api/contact/upsert"]
    answered = [isinstance(call.response, SystemExit) for call in event_api.calls
                if call.request.url == event_api.event_url]
    assert answered == [True, False]  # the killed call, then the event once
    assert ExportRecord.objects.get().event_status == "sent"


@pytest.mark.django_db
def test_the_event_reaches_the_contacts_timeline_in_the_sandbox(client, sm, on_commit):
    """Over real HTTP only: the shipped sandbox models addContactExtEvent too."""
    page = survey()
    with on_commit():
        answer(client, page, {"Twój e-mail": "jan@example.com"})

    [submission] = submissions_of(page)
    [contact] = sm.contacts()
    [event] = contact["events"]
    assert (event["contactExtEventType"], event["description"], event["externalId"]) == (
        "SURVEY", "Badanie satysfakcji", str(submission.pk)
    )
    assert [r["path"] for r in sm.requests()] == [
        "/api/contact/upsert", "/api/v2/contact/addContactExtEvent"
    ]
    record = ExportRecord.objects.get()
    assert (record.status, record.event_status) == ("sent", "sent")


@pytest.mark.django_db
def test_contacts_sent_in_a_batch_have_their_events_sent_in_the_same_run(
        client, sm, on_commit, event_api, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    event_api.add(responses.POST, event_api.event_url, json=EVENT_OK)
    page = survey()
    with on_commit():
        for email in ("jan@example.com", "ewa@example.com"):
            assert answer(client, page, {"Twój e-mail": email}).status_code == 200

    assert run_retry() == "2 due; sent: 2.\n"
    assert contact_calls(sm) == ["/api/contact/batchupsert"]
    ids = {c["email"]: c["contactId"] for c in sm.contacts()}
    assert sorted(e["contactId"] for e in event_calls(event_api)) == sorted(ids.values())
    for record in ExportRecord.objects.all():
        assert (record.status, record.event_status, record.next_attempt_at) == (
            "sent", "sent", None)
        assert logged_attempts(record) == [("upsert", "sent", False), ("event", "sent", False)]


def test_empty_values_are_left_out_of_the_event():
    assert events.contact_event(
        "OTHER", date_ms=0, title=None, url=None, submission_id=None, hostname=None,
    ) == {"date": 0, "contactExtEventType": "OTHER"}


@pytest.mark.django_db
def test_a_contact_whose_id_salesmanago_did_not_answer_gets_its_event_by_email(
        client, sm, on_commit, event_api):
    event_api.add(responses.POST, sm.url + "/api/contact/upsert",
                  json={"success": True, "message": [], "contactId": "not-a-uuid"})
    event_api.add(responses.POST, event_api.event_url, json=EVENT_OK)
    record = submitted_record(client, survey(), on_commit, email="Jan@Example.com")

    [event] = event_calls(event_api)
    assert without_auth(event)["email"] == "Jan@Example.com"
    assert "contactId" not in event
    record.refresh_from_db()
    assert (record.status, record.event_status, record.salesmanago_contact_id) == ("sent", "sent", "")


@pytest.mark.django_db
@pytest.mark.parametrize("status, event_status", [("sent", "failed"), ("sent", "sent"),
                                                  ("failed", "pending")])
def test_nothing_is_sent_for_a_record_without_an_open_step_whatever_its_due_time(
    client, sm, on_commit, event_api, status, event_status
):
    """A due time left on a finished record (by an older version, or by hand) sends nothing:
    not an event already sent or given up, not the event of a contact given up."""
    event_api.add(responses.POST, event_api.event_url, json=EVENT_OK)
    record = submitted_record(client, survey(), on_commit)
    ExportRecord.objects.filter(pk=record.pk).update(
        status=status, event_status=event_status, next_attempt_at=timezone.now())
    calls = len(event_api.calls)

    assert run_retry() == "0 due; nothing to send.\n"
    assert len(event_api.calls) == calls
