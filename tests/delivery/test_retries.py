"""No answer is lost: retries, claims, resends and the cron command, against the sandbox."""

import io
import random
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import task_backends

from tests.helpers import answer, emails_in, make_form_page, run_retry, statuses, submit_emails
from wagtail_salesmanago.delivery import outbox, retry
from wagtail_salesmanago import stored_messages
from wagtail_salesmanago.models import ExportRecord, SalesmanagoSettings


@pytest.mark.parametrize(
    "attempt, seconds", [(1, 60), (2, 120), (3, 240), (8, 7680), (9, 15360), (10, 21600), (30, 21600)]
)
def test_backoff_doubles_up_to_the_cap(attempt, seconds):
    assert retry.backoff(attempt) == seconds


def test_jitter_stays_within_a_fifth(monkeypatch):
    values = [retry.jitter(100) for _ in range(200)]
    assert all(80 <= v <= 120 for v in values)
    assert len(set(values)) > 100


def test_give_up_after_the_window(monkeypatch):
    monkeypatch.setattr(random, "uniform", lambda low, high: (low + high) / 2)  # no jitter
    created = timezone.now() - timedelta(hours=47, minutes=59)
    now = timezone.now()
    assert retry.next_attempt_at(created, 1, now) is None  # a minute later is past 48 h
    assert retry.next_attempt_at(now, 3, now) == now + timedelta(minutes=4)
    last = now + timedelta(minutes=1) - timedelta(hours=48)  # due at the window's very end: made
    assert retry.next_attempt_at(last, 1, now) == now + timedelta(minutes=1)


@pytest.mark.django_db
def test_api_down_then_up(client, sm, on_commit, retry_now):
    page = make_form_page()
    sm.misbehave(status=503)
    submit_emails(client, page, on_commit, "a@example.com", "b@example.com", "c@example.com")
    assert statuses() == ["retrying"] * 3

    assert run_retry() == "3 due; retrying: 3.\n"  # still down
    sm.misbehave(status=0)
    assert run_retry() == "3 due; sent: 3.\n"

    assert emails_in(sm) == ["a@example.com", "b@example.com", "c@example.com"]
    assert statuses() == ["sent"] * 3
    record = ExportRecord.objects.first()
    assert record.attempts == 3
    assert [a.outcome for a in record.attempt_log.all()] == ["transient", "transient", "sent"]
    assert run_retry() == "0 due; nothing to send.\n"


@pytest.mark.django_db
@pytest.mark.parametrize("faults", [{"fail_next": 3}, {"non_json": True}, {"latency": 1.0}])
def test_transient_trouble_recovers(client, sm, on_commit, retry_now, settings, faults):
    settings.WAGTAIL_SALESMANAGO_TIMEOUT = (0.5, 0.4)
    page = make_form_page()
    sm.misbehave(**faults)
    submit_emails(client, page, on_commit, "a@example.com")
    if "fail_next" not in faults:
        run_retry()
        sm.misbehave(non_json=False, latency=0)
    for _ in range(5):
        run_retry()

    assert emails_in(sm) == ["a@example.com"]
    assert statuses() == ["sent"]


@pytest.mark.django_db
def test_a_permanent_failure_waits_for_resend(client, sm, on_commit):
    page = make_form_page()
    SalesmanagoSettings.objects.update(client_id="")
    submit_emails(client, page, on_commit, "a@example.com", "b@example.com")
    assert statuses() == ["failed", "failed"]
    assert list(ExportRecord.objects.values_list("next_attempt_at", flat=True)) == [None, None]
    assert run_retry() == "0 due; nothing to send.\n"  # permanent: not retried by itself

    SalesmanagoSettings.objects.update(client_id=sm.client_id)
    before = timezone.now()
    with on_commit():
        assert outbox.resend(ExportRecord.objects.all()) == 2

    assert emails_in(sm) == ["a@example.com", "b@example.com"]
    record = ExportRecord.objects.first()
    assert record.status == "sent" and record.last_error == ""
    assert stored_messages.shown(record, "last_error") == ""  # the admin shows no old error
    assert before <= record.sent_at <= timezone.now() and record.next_attempt_at is None
    log = list(record.attempt_log.values_list("outcome", "resend"))
    assert log == [("permanent", False), ("sent", True)]
    assert "SALESmanago is not set up" in record.attempt_log.first().message


@pytest.mark.django_db
def test_credentials_changed_while_records_wait(client, sm, on_commit, settings):
    page = make_form_page()
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    SalesmanagoSettings.objects.update(api_secret="old-and-wrong")
    submit_emails(client, page, on_commit, "a@example.com")
    SalesmanagoSettings.objects.update(api_secret=sm.api_secret)

    assert run_retry() == "1 due; sent: 1.\n"
    assert emails_in(sm) == ["a@example.com"]


@pytest.mark.django_db
def test_gives_up_after_the_window(client, sm, on_commit, settings):
    settings.WAGTAIL_SALESMANAGO_GIVE_UP_AFTER_SECONDS = 0
    sm.misbehave(status=500)
    submit_emails(client, make_form_page(), on_commit, "a@example.com")

    record = ExportRecord.objects.get()
    assert record.status == "failed"
    assert record.last_error.startswith("Gave up after 1 attempts: SALESmanago had a server error.")


@pytest.mark.django_db
def test_a_claim_is_exclusive_until_it_lapses(client, sm, on_commit, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    submit_emails(client, make_form_page(), on_commit, "a@example.com")
    record = ExportRecord.objects.get()
    now = timezone.now()

    assert outbox.claim(record.pk, now) is True
    assert outbox.claim(record.pk, now) is False  # a second sender gets nothing
    assert outbox.send(record.pk) is None
    assert run_retry("--dry-run") == "0 due; nothing sent (--dry-run).\n"
    assert sm.requests() == []

    # The first sender was killed mid-send: once its claim lapses, the record is sent.
    ExportRecord.objects.update(claimed_until=now - timedelta(seconds=1))
    assert run_retry() == "1 due; sent: 1.\n"
    assert emails_in(sm) == ["a@example.com"]
    assert ExportRecord.objects.get().attempts == 2


@pytest.mark.django_db
def test_sent_records_are_sent_again_only_when_staff_ask(client, sm, on_commit):
    submit_emails(client, make_form_page(), on_commit, "a@example.com")
    record = ExportRecord.objects.get()
    assert outbox.send(record.pk) is None  # not due: already sent
    assert len(sm.requests()) == 1

    with on_commit():
        outbox.resend(ExportRecord.objects.all())
    assert len(sm.requests()) == 2
    assert list(record.attempt_log.values_list("resend", flat=True)) == [False, True]


@pytest.mark.django_db
def test_skipped_records_are_not_resent(client, sm, on_commit):
    page = make_form_page()
    with on_commit():
        answer(client, page, {"Komentarz": "anonim"})
        assert outbox.resend(ExportRecord.objects.all()) == 0
    assert statuses() == ["skipped"]


@pytest.mark.django_db
def test_dry_run_lists_what_is_due(client, sm, on_commit, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    submit_emails(client, make_form_page(), on_commit, "a@example.com")
    out = run_retry("--dry-run")
    assert out.startswith(f"#{ExportRecord.objects.get().pk} pending page=")
    assert out.endswith("1 due; nothing sent (--dry-run).\n")
    assert sm.requests() == []


@pytest.mark.django_db
def test_a_rollback_after_the_submission_exports_nothing(client, sm, on_commit, monkeypatch):
    from django.db import transaction

    from tests.testapp.models import SurveyPage

    page = make_form_page()
    original = SurveyPage.render_landing_page

    def explode(self, *args, **kwargs):
        raise RuntimeError("the page broke after storing the submission")

    monkeypatch.setattr(SurveyPage, "render_landing_page", explode)
    with on_commit():
        with pytest.raises(RuntimeError), transaction.atomic():
            answer(client, page, {"Twój e-mail": "a@example.com"})
    monkeypatch.setattr(SurveyPage, "render_landing_page", original)

    assert not ExportRecord.objects.exists()
    assert sm.requests() == []


@pytest.mark.django_db
def test_prune_removes_old_sent_records(client, sm, on_commit):
    submit_emails(client, make_form_page(), on_commit, "old@example.com", "new@example.com")
    ExportRecord.objects.filter(email="old@example.com").update(
        sent_at=timezone.now() - timedelta(days=91)
    )
    out = io.StringIO()
    call_command("salesmanago_prune", "--older-than", "90d", "--dry-run", stdout=out)
    assert out.getvalue() == "Would delete 1 sent record(s).\n"
    call_command("salesmanago_prune", "--older-than", "90d", stdout=out)
    assert list(ExportRecord.objects.values_list("email", flat=True)) == ["new@example.com"]

    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="like 90d"):
        call_command("salesmanago_prune", "--older-than", "3 months")


@pytest.mark.django_db
@pytest.mark.parametrize("early, deferred_again", [(0.6, True), (4.5, True), (60, False)])
def test_a_task_that_comes_just_before_its_retry_waits_for_it(
    client, sm, queued, early, deferred_again
):
    """RQ keeps run_after in whole seconds: a retry's task may start up to 1 s early. It must wait
    for the record, not be dropped; a task much earlier is a duplicate of the scheduled one."""
    answer(client, make_form_page(), {"Twój e-mail": "jan@example.com"})  # stored, not yet sent
    due_at = timezone.now() + timedelta(seconds=early)
    ExportRecord.objects.update(status=ExportRecord.Status.RETRYING, next_attempt_at=due_at)
    backend = task_backends["default"]
    backend.clear()

    assert outbox.send(ExportRecord.objects.get().pk) is None

    record = ExportRecord.objects.get()
    deferred = [(result.task.name, result.args, result.kwargs, result.task.run_after)
                for result in backend.results]
    assert deferred == ([("deliver_export", [record.pk], {"resend": False}, due_at)]
                        if deferred_again else [])
    assert (record.status, record.attempts, sm.requests()) == ("retrying", 0, [])
