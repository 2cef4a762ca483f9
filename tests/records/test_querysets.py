"""The record's queries and transitions of many records at once (records/querysets.py), on the
rows a user's delivery log would show."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from wagtail.contrib.forms.models import FormSubmission
from wagtail.models import Site

from tests.helpers import make_form_page
from wagtail_salesmanago.models import DeliveryHold, ExportRecord

NOW = timezone.now().replace(microsecond=0)


def record(page, submission_id, **fields):
    fields = {"status": "pending", "next_attempt_at": NOW - timedelta(seconds=1), "mode": "upsert",
              "email": f"{submission_id}@example.com", "payload": {"useApiDoubleOptIn": False},
              "submission_type": ContentType.objects.get_for_model(FormSubmission), **fields}
    return ExportRecord.objects.create(page=page, submission_id=str(submission_id), **fields)


@pytest.mark.django_db
def test_a_batch_carries_only_e_mail_contacts_not_updates_by_contact_id():
    page = make_form_page()
    by_email = record(page, 1)
    record(page, 2, mode="update", contact_id="c-2", email="")

    assert list(ExportRecord.objects.batchable(NOW)) == [by_email]


@pytest.mark.django_db
def test_a_claim_counts_an_attempt_and_shows_when_it_was_taken():
    page = make_form_page()
    taken = record(page, 1, updated_at=NOW - timedelta(days=1))
    ExportRecord.objects.filter(pk=taken.pk).update(updated_at=NOW - timedelta(days=1))

    assert ExportRecord.objects.claim(taken.pk, NOW, NOW + timedelta(minutes=1))
    taken.refresh_from_db()
    assert (taken.attempts, taken.updated_at, taken.claimed_until) == (
        1, NOW, NOW + timedelta(minutes=1))
    assert not ExportRecord.objects.claim(taken.pk, NOW, NOW + timedelta(minutes=1))  # taken


@pytest.mark.django_db
def test_an_answers_record_in_play_is_its_own_not_failed_one():
    page = make_form_page()
    failed = record(page, 7, status="failed")
    in_play = record(page, 7, status="retrying")
    record(page, 8)
    other_kind = record(page, 7, submission_type=ContentType.objects.get_for_model(Site))
    answer = FormSubmission(pk=7)

    assert list(ExportRecord.objects.for_answer(answer)) == [in_play]
    assert failed not in ExportRecord.objects.for_answer(answer)
    assert other_kind.submission_id == in_play.submission_id


@pytest.mark.django_db
def test_held_records_woken_are_due_now_out_of_the_hold_with_a_fresh_window():
    page = make_form_page()
    hold = DeliveryHold.objects.create(site=Site.objects.get(is_default_site=True), since=NOW,
                                       next_check_at=NOW)
    contact = record(page, 1, status="held", hold=hold, next_attempt_at=None)
    event = record(page, 2, status="sent", event_status="held", hold=hold, next_attempt_at=None)
    sent = record(page, 3, status="sent", next_attempt_at=None)

    assert sorted(ExportRecord.objects.wake(NOW)) == [contact.pk, event.pk]
    woken = {r.pk: r for r in ExportRecord.objects.all()}
    assert [(woken[r.pk].status, woken[r.pk].event_status, woken[r.pk].hold,
             woken[r.pk].next_attempt_at, woken[r.pk].retry_window_from)
            for r in (contact, event, sent)] == [
        ("pending", contact.event_status, None, NOW, NOW),
        ("sent", "pending", None, NOW, NOW),
        ("sent", sent.event_status, None, None, None)]


@pytest.mark.django_db
def test_resend_takes_one_record_per_answer_and_never_one_whose_answer_is_in_play():
    page = make_form_page()
    sent = record(page, 1, status="sent")  # staff may resend a sent record: it is its own
    older, newer = record(page, 2, status="failed"), record(page, 2, status="failed")
    failed_again = record(page, 3, status="failed")
    record(page, 3, status="retrying")  # exported again: in play
    kept = record(page, 4, status="failed")
    record(page, 4, status="retrying", submission_type=ContentType.objects.get_for_model(Site))
    record(page, 5, status="retrying")  # another answer in play changes nothing for 4
    # Two answers of one number, of two kinds: neither is the other's newer record.
    form_answer = record(page, 6, status="failed")
    site_answer = record(page, 6, status="failed",
                         submission_type=ContentType.objects.get_for_model(Site))
    records = ExportRecord.objects

    assert set(records.filter(status__in=["sent", "failed"]).resendable()) == {
        sent, newer, kept, form_answer, site_answer}
    # The newest of the chosen ones: if staff chose only the older one, it is the one resent.
    assert list(records.filter(pk=older.pk).resendable()) == [older]
    assert list(records.filter(pk=failed_again.pk).resendable()) == []


@pytest.mark.django_db
def test_a_record_reads_as_its_status_and_contact():
    page = make_form_page()
    assert str(record(page, 1, status="sent")) == "sent: 1@example.com"
    nobody = record(page, 2, status="failed", email="")
    assert str(nobody) == f"failed: {nobody.pk}"


@pytest.mark.django_db
def test_an_answer_exported_again_counts_once_as_its_newest_record():
    page = make_form_page()
    record(page, 7, status="failed", last_error="SALESmanago had a server error.")
    resent = record(page, 7, status="sent")  # "Export past answers" made it a new record
    still_failed = record(page, 8, status="failed", last_error="SALESmanago does not know it.")
    # The same ID of another kind of submission is another answer.
    other_kind = record(page, 7, status="skipped", submission_type=ContentType.objects.get_for_model(Site))

    assert set(ExportRecord.objects.current()) == {resent, still_failed, other_kind}
    counts = ExportRecord.objects.counts_for(page)
    assert (counts["sent"], counts["failed"], counts["skipped"]) == (1, 1, 1)
    assert ExportRecord.objects.last_failure_for(page) == still_failed
    still_failed.delete()
    assert ExportRecord.objects.last_failure_for(page) is None


@pytest.mark.django_db
def test_a_pause_makes_only_the_open_unheld_records_wait_until_it_ends():
    page = make_form_page()
    due = record(page, 1, status="retrying", retry_window_from=NOW - timedelta(hours=3))
    lapsed = record(page, 2, claimed_until=NOW - timedelta(seconds=1))
    held_by_a_sender = record(page, 3, claimed_until=NOW + timedelta(minutes=1))
    sent = record(page, 4, status="sent", next_attempt_at=None)
    before = {r.pk: ExportRecord.objects.filter(pk=r.pk).values().get()
              for r in (held_by_a_sender, sent)}
    until = NOW + timedelta(minutes=5)

    assert ExportRecord.objects.wait_for_pause(until, NOW, "Wstrzymane") == [due.pk, lapsed.pk]

    for waiting in (due, lapsed):
        waiting.refresh_from_db()
        assert (waiting.status, waiting.next_attempt_at, waiting.retry_window_from,
                waiting.last_error, waiting.updated_at) == ("throttled", until, until,
                                                            "Wstrzymane", NOW)
    assert {r.pk: ExportRecord.objects.filter(pk=r.pk).values().get()
            for r in (held_by_a_sender, sent)} == before


@pytest.mark.parametrize("data, code", [
    ("Plain text, as stored before codes", "text"),
    ({"code": "server_error"}, "server_error"),
    ({"code": 404}, "404"),
    ({"parts": ["words", {"code": "paused"}, {"code": "later"}]}, "paused"),
    ([{"parts": ["words"]}, {"parts": [{"code": "inner"}]}], "inner"),
    ({"parts": ["only words"]}, "text"),
    ({"other": "x"}, "text"),
    ([], "text"),
    (None, "text"),
])
def test_the_code_a_redacted_message_keeps_is_its_first_one(data, code):
    from wagtail_salesmanago.records.querysets import first_code
    assert first_code(data) == code


def attempt(of, message=""):
    from wagtail_salesmanago.models import DeliveryAttempt
    return DeliveryAttempt.objects.create(record=of, started_at=NOW, finished_at=NOW,
                                          mode="upsert", outcome="sent", message=message)


def redacted_now(records):
    return ExportRecord.objects.filter(pk__in=[r.pk for r in records], redacted_at=NOW).count()


@pytest.mark.django_db
def test_a_redaction_gives_up_what_waited_and_leaves_an_empty_message_empty():
    from wagtail_salesmanago import stored_messages
    page = make_form_page()
    hold = DeliveryHold.objects.create(site=Site.objects.get(is_default_site=True), since=NOW,
                                       next_check_at=NOW)
    held = record(page, 1, status="held", event_status="held", hold=hold, next_attempt_at=None)
    sent = record(page, 2, status="sent", next_attempt_at=None)
    quiet, refused = attempt(sent), attempt(sent, stored_messages.message("paused"))

    assert ExportRecord.objects.all().redact(NOW, 30) == (2, 2)

    held.refresh_from_db()
    # Nothing is left to send: given up, and no longer waiting in the site's hold.
    assert (held.status, held.event_status, held.next_attempt_at) == ("failed", "failed", None)
    assert list(hold.records.all()) == [] and held.hold is None
    # A message there was keeps its code; where there was none, there is still none.
    sent.refresh_from_db()
    assert (sent.last_error, sent.event_error) == ("", "")
    quiet.refresh_from_db(), refused.refresh_from_db()
    assert quiet.message == ""
    assert stored_messages.render(refused.message) == (
        "(Its details were removed with the answers: paused.)")


@pytest.mark.django_db
def test_a_redaction_counts_every_chunks_attempts(monkeypatch):
    from wagtail_salesmanago.records import querysets
    # internal seam: a small chunk, so that a few records make several chunks.
    monkeypatch.setattr(querysets, "REDACT_CHUNK", 2)
    page = make_form_page()
    for number in range(5):
        attempt(record(page, number))

    assert ExportRecord.objects.all().redact(NOW, 30) == (5, 5)


@pytest.mark.django_db
def test_a_redaction_reads_nothing_again_that_is_redacted_or_held_by_a_sender(
        monkeypatch, django_assert_num_queries):
    from wagtail_salesmanago.records import querysets
    # internal seam: a small chunk, so that reading records again would show in the statements.
    monkeypatch.setattr(querysets, "REDACT_CHUNK", 2)
    page = make_form_page()
    done = [record(page, number) for number in range(4)]
    ExportRecord.objects.all().redact(NOW - timedelta(days=1), 30)
    for number in range(4, 8):
        record(page, number, claimed_until=NOW + timedelta(minutes=1))

    with django_assert_num_queries(1):  # one read, finding nothing to redact
        assert ExportRecord.objects.all().redact(NOW, 30) == (0, 0)
    assert redacted_now(done) == 0


@pytest.mark.django_db
def test_a_redaction_leaves_what_a_sender_or_another_run_took_since_its_read():
    from django.db import connection
    page = make_form_page()
    taken, redacted, left = (record(page, number) for number in range(1, 4))
    raced = []

    def race(execute, sql, params, many, context):
        # After the redaction has read its chunk's ids, before it marks them, a sender claims
        # one record and another run redacts another: what a busy site does between two
        # statements.
        if not raced and sql.lstrip().upper().startswith("UPDATE"):
            raced.append(sql)
            ExportRecord.objects.filter(pk=taken.pk).update(claimed_until=NOW + timedelta(minutes=1))
            ExportRecord.objects.filter(pk=redacted.pk).update(redacted_at=NOW - timedelta(days=1))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(race):
        assert ExportRecord.objects.all().redact(NOW, 30) == (1, 0)

    assert raced
    assert redacted_now([taken, redacted, left]) == 1
    taken.refresh_from_db(), redacted.refresh_from_db(), left.refresh_from_db()
    assert (taken.email, taken.status) == ("1@example.com", "pending")  # the sender's to finish
    assert (redacted.email, redacted.redacted_at) == ("2@example.com", NOW - timedelta(days=1))
    assert (left.email, left.status) == ("", "failed")
