"""Retention (issue 27 item 1): after its site's (or form's) days, every delivery loses its
answers, whatever its state; what staff need to read the log stays."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Site

from tests.helpers import dated_record, make_form_page, submit_answers
from wagtail_salesmanago import stored_messages
from wagtail_salesmanago.delivery import outbox, retention, tasks
from wagtail_salesmanago.models import DeliveryAttempt, ExportRecord, SalesmanagoSettings
from wagtail_salesmanago.records import querysets

EMAIL = "jan.kowalski@example.com"


def keep_for(days):
    SalesmanagoSettings.objects.filter(site=Site.objects.get(is_default_site=True)).update(
        retention_days=days)


def age(record, days):
    ExportRecord.objects.filter(pk=record.pk).update(
        created_at=timezone.now() - timedelta(days=days))


def everything_stored(record):
    """Every column of the record and its attempts, as text."""
    row = ExportRecord.objects.filter(pk=record.pk).values().get()
    attempts = list(DeliveryAttempt.objects.filter(record=record).values())
    return repr(row) + repr(attempts)


def run(*args):
    from io import StringIO
    out = StringIO()
    call_command("salesmanago_retention", *args, stdout=out)
    return out.getvalue().strip()


@pytest.mark.django_db
def test_old_deliveries_lose_their_answers_and_keep_what_staff_read(client, sm, on_commit):
    page = make_form_page(questions=[("E-mail", "email", ""), ("Telefon", "singleline", ""),
                                     ("Uwagi", "multiline", "")], salesmanago_event_type="SURVEY")
    old = submit_answers(client, page, on_commit, {"E-mail": EMAIL, "Telefon": "600100200",
                                                   "Uwagi": "Proszę o kontakt"})
    sm.misbehave(status=500)
    failed = submit_answers(client, page, on_commit, {"E-mail": "ola@example.com"})
    sm.misbehave(status=None)
    new = submit_answers(client, page, on_commit, {"E-mail": "nowa@example.com"})
    for record in (old, failed):
        age(record, 31)
    old.refresh_from_db()
    kept = {"status": old.status, "sent_at": old.sent_at, "attempts": old.attempts,
            "salesmanago_contact_id": old.salesmanago_contact_id, "page_id": old.page_id,
            "event_status": old.event_status, "event_id": old.event_id}
    assert EMAIL in everything_stored(old) and "600100200" in everything_stored(old)
    keep_for(30)
    their_attempts = DeliveryAttempt.objects.filter(record__in=[old, failed]).count()

    assert run() == (f"salesmanago_retention: redacted 2 record(s) and {their_attempts} "
                     "attempt(s).")

    old.refresh_from_db()
    for text in (EMAIL, "600100200", "Proszę", "127.0.0.1", "kowalski"):
        assert text not in everything_stored(old).lower()
    assert {name: getattr(old, name) for name in kept} == kept
    assert (old.email, old.payload, old.event_payload) == ("", {}, {})
    assert stored_messages.render(old.notes) == (
        "The answers were removed after 30 days, as the site keeps personal data no longer. "
        "Nothing is left to send.")
    assert old.redacted_at is not None
    failed.refresh_from_db()
    assert "ola@example.com" not in everything_stored(failed)
    assert stored_messages.render(failed.last_error) == (
        "(Its details were removed with the answers: server_error.)")
    [attempt] = DeliveryAttempt.objects.filter(record=failed)
    assert stored_messages.render(attempt.message) == (
        "(Its details were removed with the answers: server_error.)")
    new.refresh_from_db()
    assert new.email == "nowa@example.com" and new.redacted_at is None
    assert run() == "salesmanago_retention: redacted 0 record(s) and 0 attempt(s)."


@pytest.mark.django_db
def test_a_delivery_still_waiting_is_given_up_and_can_no_longer_be_resent(admin, sm):
    page = make_form_page()
    waiting = dated_record(page, timezone.now() - timedelta(days=10), "retrying",
                           email=EMAIL, mode="upsert", payload={"contact": {"email": EMAIL}},
                           next_attempt_at=timezone.now())
    keep_for(7)
    run()
    waiting.refresh_from_db()
    assert (waiting.status, waiting.next_attempt_at, waiting.email) == ("failed", None, "")
    assert outbox.resend(ExportRecord.objects.filter(pk=waiting.pk)) == 0
    html = admin.get(reverse("wagtail_salesmanago_deliveries:inspect", args=[waiting.pk])).content
    assert b"/exportrecord/resend/" not in html


@pytest.mark.django_db
def test_a_forms_own_days_win_and_a_site_without_retention_keeps_everything(sm):
    short = make_form_page(title="Krótko", salesmanago_retention_days=2)
    site_wide = make_form_page(title="Jak witryna")
    records = {name: dated_record(page, timezone.now() - timedelta(days=5), "sent", email=EMAIL)
               for name, page in (("short", short), ("site", site_wide))}
    run()
    assert ExportRecord.objects.get(pk=records["short"].pk).email == ""  # the form's 2 days
    assert ExportRecord.objects.get(pk=records["site"].pk).email == EMAIL  # the site keeps all

    keep_for(4)
    assert run("--dry-run") == "salesmanago_retention: would redact 1 record(s)."
    assert ExportRecord.objects.get(pk=records["site"].pk).email == EMAIL
    run()
    assert ExportRecord.objects.get(pk=records["site"].pk).email == ""


@pytest.mark.django_db
def test_the_server_configuration_may_set_the_days(sm, settings):
    settings.WAGTAIL_SALESMANAGO = {"default": {"retention_days": 3}}
    record = dated_record(make_form_page(), timezone.now() - timedelta(days=4), "sent",
                          email=EMAIL)
    tasks.apply_retention.call()  # the worker task does what the command does
    assert ExportRecord.objects.get(pk=record.pk).email == ""


@pytest.mark.django_db
def test_a_delivery_being_sent_right_now_waits_for_the_next_run(sm):
    record = dated_record(make_form_page(), timezone.now() - timedelta(days=9), "pending",
                          email=EMAIL, claimed_until=timezone.now() + timedelta(minutes=1))
    keep_for(1)
    run()
    assert ExportRecord.objects.get(pk=record.pk).email == EMAIL


@pytest.mark.django_db
def test_thousands_of_records_cost_a_few_statements_per_chunk(sm, monkeypatch):
    # internal seam: a small chunk, so that a few records show how the statements grow.
    monkeypatch.setattr(querysets, "REDACT_CHUNK", 10)
    page = make_form_page()
    for _ in range(35):
        dated_record(page, timezone.now() - timedelta(days=9), "sent", email=EMAIL)
    keep_for(1)
    with CaptureQueriesContext(connection) as queries:
        outcome = retention.apply()
    assert outcome.records == 35
    # 4 chunks (and one empty read), each: its ids, 2 state UPDATEs, 2 message reads, the
    # attempts' read, the redaction (plus savepoints); the plan: a handful.
    assert len(queries) <= 15 + 5 * 12


@pytest.mark.django_db
def test_a_sender_still_busy_with_a_redacted_delivery_writes_nothing_of_it_back(sm):
    from wagtail_salesmanago.delivery import steps
    record = dated_record(make_form_page(), timezone.now() - timedelta(days=9), "pending",
                          email=EMAIL, mode="upsert", next_attempt_at=timezone.now(),
                          claimed_until=timezone.now() - timedelta(seconds=1))  # lapsed
    busy = ExportRecord.objects.get(pk=record.pk)  # what the slow sender holds
    keep_for(1)
    run()
    busy.payload = {"contact": {"email": EMAIL, "phone": "600100200"}}
    outbox.save_details(steps.ContactStep, busy, DeliveryAttempt(
        record=busy, started_at=timezone.now(), finished_at=timezone.now(), outcome="sent"))
    record.refresh_from_db()
    assert (record.email, record.payload, record.redacted_at is not None) == ("", {}, True)
    assert not DeliveryAttempt.objects.filter(record=record).exists()
    assert not ExportRecord.objects.due().filter(pk=record.pk).exists()


@pytest.mark.django_db
def test_a_redacted_failed_answer_is_never_exported_again_as_a_past_answer(client, sm, on_commit):
    from wagtail_salesmanago.delivery import history
    page = make_form_page(tag="")
    sm.misbehave(status=400)
    failed = submit_answers(client, page, on_commit, {"Twój e-mail": EMAIL})
    sm.misbehave(status=None)
    assert failed.status in ("failed", "retrying")
    age(failed, 40)
    keep_for(30)
    run()
    assert ExportRecord.objects.get(pk=failed.pk).status == "failed"
    assert history.past_answers(page).count() == 0


def with_attempts(record, count):
    now = timezone.now()
    DeliveryAttempt.objects.bulk_create(
        DeliveryAttempt(record=record, started_at=now, finished_at=now, outcome="sent")
        for _ in range(count))
    return record


@pytest.mark.django_db
def test_every_form_of_one_run_is_counted_and_logged(sm, all_logs):
    long_ago = timezone.now() - timedelta(days=9)
    records = [with_attempts(dated_record(make_form_page(title=f"Forma {days}",
                                                         salesmanago_retention_days=days),
                                          long_ago, "sent", email=EMAIL), attempts)
               for days, attempts in ((2, 1), (5, 2))]
    with_attempts(dated_record(make_form_page(title="Witryna"), long_ago, "sent", email=EMAIL), 3)
    keep_for(7)

    assert run("--dry-run") == "salesmanago_retention: would redact 3 record(s)."
    assert all_logs.messages[-1] == ("salesmanago_retention: would redact 3 record(s) and 0 "
                                     "attempt(s).")
    assert run() == "salesmanago_retention: redacted 3 record(s) and 6 attempt(s)."
    assert all_logs.messages[-1] == "salesmanago_retention: redacted 3 record(s) and 6 attempt(s)."
    assert all(ExportRecord.objects.get(pk=record.pk).email == "" for record in records)
    # What is redacted is not counted again, beside a new answer of the same form.
    dated_record(records[0].page, timezone.now(), "sent", email=EMAIL)
    assert run("--dry-run") == "salesmanago_retention: would redact 0 record(s)."


@pytest.mark.django_db
def test_a_delivery_of_a_page_that_is_no_longer_a_form_keeps_to_its_sites_days(sm):
    from wagtail.models import Page
    home = Site.objects.get(is_default_site=True).root_page
    record = dated_record(Page.objects.get(pk=home.pk), timezone.now() - timedelta(days=9),
                          "sent", email=EMAIL)
    keep_for(7)
    run()
    assert ExportRecord.objects.get(pk=record.pk).email == ""


@pytest.mark.parametrize("days, redacted", [(36500, True), (36501, False), (0, False),
                                            ("rok", False), ("", None)])
@pytest.mark.django_db
def test_the_server_configuration_may_keep_answers_up_to_a_hundred_years(sm, settings, all_logs,
                                                                        days, redacted):
    settings.WAGTAIL_SALESMANAGO = {"default": {"retention_days": days}}
    site = Site.objects.get(is_default_site=True)
    record = dated_record(make_form_page(), timezone.now() - timedelta(days=36502), "sent",
                         email=EMAIL)
    run()
    assert (ExportRecord.objects.get(pk=record.pk).email == "") is bool(redacted)
    errors = [r.getMessage() for r in all_logs.records if r.levelname == "ERROR"]
    assert errors == ([] if redacted in (True, None) else [
        f"salesmanago_retention: retention_days of site {site.pk} must be a number of days from "
        f"1 to 36500 (got {days!r}): its deliveries are left alone."])


@pytest.mark.parametrize("first_sites_days", [None, 0])
@pytest.mark.django_db
def test_a_site_that_keeps_everything_or_is_set_wrong_leaves_the_next_sites_days_alone(
        sm, settings, first_sites_days):
    from wagtail.models import Page
    form = make_form_page()
    root = Page.objects.get(depth=1).add_child(instance=Page(title="Marka B", slug="marka-b"))
    site_b = Site.objects.create(hostname="marka-b.example", root_page=root)
    SalesmanagoSettings.objects.create(site=site_b, **sm.credentials())
    settings.WAGTAIL_SALESMANAGO = {"default": {"retention_days": first_sites_days},
                                    "marka-b.example": {"retention_days": 7}}
    long_ago = timezone.now() - timedelta(days=9)
    ours = dated_record(form, long_ago, "sent", email=EMAIL)
    theirs = dated_record(root.add_child(instance=Page(title="F", slug="f")), long_ago, "sent",
                          email=EMAIL)
    run()
    assert ExportRecord.objects.get(pk=ours.pk).email == EMAIL
    assert ExportRecord.objects.get(pk=theirs.pk).email == ""
