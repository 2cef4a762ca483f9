"""No answer loses its record, no successful call is repeated, and one record's trouble never stops
the others. The column-size cases only bite on PostgreSQL: run this file there too."""

from datetime import timedelta

import pytest
import responses
from django.utils import timezone
from wagtail.models import Site

from tests.helpers import (
    CONTACT_ID, OK, URL, answer, database_refuses, errors, make_form_page, run_retry,
    submit_emails)
from wagtail_salesmanago.delivery import holds, outbox
from wagtail_salesmanago.delivery.account import account_for_site
from wagtail_salesmanago.models import (
    DeliveryAttempt,
    DeliveryHold,
    ExportRecord,
    SalesmanagoSettings,
)


# 310 characters, valid for Django's e-mail validation (at most 320), too long for 254.
LONG_EMAIL = "a" * 64 + "@" + ".".join(["b" * 63, "c" * 63, "d" * 63, "e" * 50]) + ".pl"


@pytest.mark.django_db
def test_the_longest_valid_email_keeps_its_record(client, sm, on_commit):
    assert len(LONG_EMAIL) == 310
    page = make_form_page()
    with on_commit():
        assert answer(client, page, {"Twój e-mail": LONG_EMAIL}).status_code == 200

    record = ExportRecord.objects.get()
    assert record.email == LONG_EMAIL
    assert sm.requests()[0]["body"]["contact"]["email"] == LONG_EMAIL  # SALESmanago decides


@pytest.mark.django_db
def test_a_contact_id_that_is_not_one_is_noted_and_the_queue_goes_on(client, on_commit, queued):
    SalesmanagoSettings.objects.update_or_create(
        site=Site.objects.get(is_default_site=True),
        defaults={"endpoint": "app3.salesmanago.pl", "client_id": "c", "api_secret": "s",
                  "owner_email": "crm@firma.pl"},
    )
    with responses.RequestsMock() as api:
        api.add(responses.POST, URL + "contact/upsert", json={**OK, "contactId": "x" * 100})
        api.add(responses.POST, URL + "contact/upsert", json=OK)
        submit_emails(client, make_form_page(), on_commit, "a@example.com", "b@example.com")

        assert run_retry("--batch-size", "1") == "2 due; sent: 2.\n"  # one call each
        ExportRecord.objects.update(claimed_until=None)
        assert run_retry() == "0 due; nothing to send.\n"
        assert len(api.calls) == 2  # each sent once

    first, second = ExportRecord.objects.order_by("pk")
    assert (first.status, first.salesmanago_contact_id) == ("sent", "")
    assert f"not a UUID, not kept: '{'x' * 64}'" in first.notes
    assert (second.status, second.salesmanago_contact_id) == ("sent", CONTACT_ID)


@pytest.mark.django_db
def test_a_sent_answer_stays_sent_when_its_history_cannot_be_stored(
    client, sm, on_commit, queued, caplog
):
    submit_emails(client, make_form_page(), on_commit, "a@example.com")

    with database_refuses(DeliveryAttempt, "INSERT", "disk full", lost=True):
        assert run_retry() == "1 due; sent: 1.\n"
    record = ExportRecord.objects.get()
    assert errors(caplog) == [("wagtail_salesmanago.delivery.outbox", f"Could not store the details of "
                               f"SALESmanago export {record.pk} (its status is stored).")]

    ExportRecord.objects.update(claimed_until=None)  # as if any claim had lapsed
    assert run_retry() == "0 due; nothing to send.\n"
    assert len(sm.requests()) == 1
    assert ExportRecord.objects.get().status == "sent"


@pytest.mark.django_db
def test_salesmanago_retry_goes_on_after_a_record_that_breaks(
    client, sm, on_commit, queued, monkeypatch, caplog
):
    submit_emails(client, make_form_page(), on_commit, "a@example.com", "b@example.com")
    first = ExportRecord.objects.order_by("pk").first()
    send = outbox.send_claimed

    def send_or_break(record_id, *args, **kwargs):
        if record_id == first.pk:
            raise RuntimeError("this one is broken")
        return send(record_id, *args, **kwargs)

    # internal seam: a bug of one record's send (an error past every guard in it); no answer,
    # setting or row makes the package's own code raise there.
    monkeypatch.setattr(outbox, "send_claimed", send_or_break)
    assert run_retry("--batch-size", "1") == "2 due; error: 1, sent: 1.\n"
    assert [c["email"] for c in sm.contacts()] == ["b@example.com"]
    assert errors(caplog) == [
        ("wagtail_salesmanago.delivery.batches", f"SALESmanago export {first.pk} could not be sent.")]


@pytest.mark.django_db
def test_a_record_deleted_with_its_submission_while_claimed_is_told_apart(
    client, sm, on_commit, queued, monkeypatch
):
    submit_emails(client, make_form_page(), on_commit, "a@example.com", "b@example.com")
    first = ExportRecord.objects.order_by("pk").first()
    send = outbox.send_claimed

    def deleted_first(record_id, *args, **kwargs):
        ExportRecord.objects.filter(pk=first.pk).delete()
        return send(record_id, *args, **kwargs)

    # internal seam: the deletion lands between the batch's read of the record and its send,
    # two statements with no public step between them.
    monkeypatch.setattr(outbox, "send_claimed", deleted_first)
    assert run_retry("--batch-size", "1") == "2 due; deleted meanwhile: 1, sent: 1.\n"
    assert [c["email"] for c in sm.contacts()] == ["b@example.com"]


REJECTED = {"success": False, "message": ["Not authenticated\u0000"]}


@pytest.fixture
def nul_site(django_db_serialized_rollback, transactional_db):
    site = Site.objects.get(is_default_site=True)
    SalesmanagoSettings.objects.update_or_create(
        site=site, defaults={"endpoint": "app3.salesmanago.pl", "client_id": "c",
                             "api_secret": "s", "owner_email": "crm@firma.pl"},
    )
    return site


def claims_lapse():
    ExportRecord.objects.update(claimed_until=timezone.now() - timedelta(seconds=1))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_rejection_with_a_nul_in_its_message_holds_instead_of_being_repeated(
    client, on_commit, queued, nul_site
):
    submit_emails(client, make_form_page(), on_commit, "a@example.com")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
        api.add(responses.POST, URL + "contact/upsert", json=REJECTED)
        run_retry()
        claims_lapse()  # two minutes later (CLAIM_SECONDS)
        run_retry()
        calls = [call.request.url for call in api.calls]

    # PostgreSQL's text cannot hold NUL: the message is cleaned, so the hold is stored, and the
    # refused call is not repeated after the claim lapses.
    assert calls == [URL + "contact/upsert"]
    assert ExportRecord.objects.get().status == ExportRecord.Status.HELD


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_hold_check_answer_with_a_nul_does_not_fail_new_submissions(client, on_commit, nul_site):
    now = timezone.now()
    DeliveryHold.objects.create(
        site=nul_site, reason=DeliveryHold.Reason.REJECTED, message="Not authenticated",
        since=now - timedelta(hours=1), next_check_at=now - timedelta(seconds=1),
        fingerprint=holds.fingerprint(account_for_site(nul_site)),
    )
    with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
        api.add(responses.POST, URL + "user/listByClient", json=REJECTED)
        submit_emails(client, make_form_page(), on_commit, "a@example.com")  # immediate backend

    record = ExportRecord.objects.get()
    # A rejection holds the site's deliveries, never fails them: the check's answer is stored
    # on the hold, and the visitor's answer waits with the others.
    assert record.status == ExportRecord.Status.HELD, record.last_error


@pytest.mark.django_db
def test_a_batch_sent_stays_sent_when_its_history_cannot_be_stored(
    client, sm, on_commit, queued, caplog
):
    submit_emails(client, make_form_page(), on_commit, "a@example.com", "b@example.com")

    with database_refuses(DeliveryAttempt, "INSERT", "disk full", lost=True):
        assert run_retry() == "2 due; sent: 2.\n"

    assert errors(caplog) == [
        ("wagtail_salesmanago.delivery.batches", "Could not store the details of a SALESmanago batch of 2 "
                                        "records (their status is stored).")]
    assert not DeliveryAttempt.objects.exists()
    assert ExportRecord.objects.filter(status="sent").exclude(salesmanago_contact_id="").count() == 2

    ExportRecord.objects.update(claimed_until=None)  # as if any claim had lapsed
    assert run_retry() == "0 due; nothing to send.\n"
    assert len(sm.requests()) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # PostgreSQL: each write its own
def test_a_batch_whose_outcome_cannot_be_stored_at_all_is_left_to_its_claims(
    client, sm, on_commit, queued, caplog
):
    submit_emails(client, make_form_page(), on_commit, "a@example.com", "b@example.com")

    # The claim is written; no change of a status is.
    with database_refuses(ExportRecord, "UPDATE", "database is gone", lost=True,
                          when="NEW.status <> OLD.status"):
        run_retry()

    assert [message for _, message in errors(caplog)] == [
        "Could not store the details of a SALESmanago batch of 2 records (their status is "
        "stored).",
        "Could not record the outcome of a SALESmanago batch of 2 records; their claims lapse.",
        "A SALESmanago batch of 2 records failed; their claims lapse.",
    ]
    assert set(ExportRecord.objects.values_list("status", "attempts")) == {("pending", 1)}
    assert ExportRecord.objects.filter(claimed_until__gt=timezone.now()).count() == 2
