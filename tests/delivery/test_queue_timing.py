"""What the cron command and the task backend are handed: only due records, at their due time."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks import task_backends

from tests.helpers import answer, make_form_page, run_retry, submit_emails
from wagtail_salesmanago.delivery import outbox
from wagtail_salesmanago.models import DeliveryHold, ExportRecord

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def deliveries(backend, name="deliver_export"):
    """The export tasks (or others, by name) handed to the (dummy) task backend, oldest first."""
    return [r for r in backend.results if r.task.name == name]


def upserted(sandbox):
    return [r["body"]["contact"]["email"] for r in sandbox.requests()
            if r["path"] == "/api/contact/upsert"]


@pytest.mark.django_db
def test_cron_leaves_records_without_an_identity_alone(client, sm, on_commit, settings):
    settings.WAGTAIL_SALESMANAGO_RETRY_BASE_SECONDS = 0
    page = make_form_page()
    sm.misbehave(status=503)
    with on_commit():
        answer(client, page, {"Komentarz": "anonim"})  # skipped: nobody to send it to
    submit_emails(client, page, on_commit, "a@example.com")
    sm.misbehave(status=None)

    assert run_retry() == "1 due; sent: 1.\n"
    skipped = ExportRecord.objects.get(status="skipped")
    assert skipped.attempts == 0 and not skipped.attempt_log.exists()
    assert upserted(sm) == ["a@example.com", "a@example.com"]


@pytest.mark.django_db
def test_cron_waits_for_the_backoff(client, sm, on_commit):
    page = make_form_page()
    sm.misbehave(status=503)
    submit_emails(client, page, on_commit, "a@example.com")
    sm.misbehave(status=None)
    record = ExportRecord.objects.get()
    assert record.next_attempt_at > timezone.now() + timedelta(seconds=30)  # about a minute

    assert run_retry() == "0 due; nothing to send.\n"
    assert upserted(sm) == ["a@example.com"]

    ExportRecord.objects.update(next_attempt_at=timezone.now())
    assert run_retry() == "1 due; sent: 1.\n"
    assert upserted(sm) == ["a@example.com"] * 2


@pytest.mark.django_db
def test_a_workers_retry_is_handed_back_for_its_due_time(client, sm, on_commit, settings):
    settings.TASKS = DUMMY
    backend = task_backends["default"]
    backend.clear()
    submit_emails(client, make_form_page(), on_commit, "a@example.com")
    [first] = deliveries(backend)
    assert first.task.run_after is None  # a new record: at once

    sm.misbehave(status=503)
    outbox.send(first.args[0])  # what the worker does with the task

    record = ExportRecord.objects.get()
    assert record.status == "retrying"
    [_, retry] = deliveries(backend)
    assert retry.args == [record.pk] and retry.kwargs == {"resend": False}
    assert retry.task.run_after == record.next_attempt_at


@pytest.mark.django_db
def test_automatic_attempts_are_not_logged_as_staff_resends(client, sm, on_commit, settings):
    settings.WAGTAIL_SALESMANAGO_RETRY_BASE_SECONDS = 0
    settings.TASKS = DUMMY
    submit_emails(client, make_form_page(), on_commit, "a@example.com")
    record = ExportRecord.objects.get()
    sm.misbehave(status=503)
    outbox.send(record.pk)
    sm.misbehave(status=None)
    outbox.send(record.pk)

    log = list(record.attempt_log.order_by("pk").values_list("outcome", "resend"))
    assert log == [("transient", False), ("sent", False)]


@pytest.mark.django_db
def test_the_deferred_hold_check_resumes_the_site_once_salesmanago_accepts_again(
        client, sm, on_commit, settings):
    settings.TASKS = DUMMY
    backend = task_backends["default"]
    backend.clear()
    submit_emails(client, make_form_page(), on_commit, "a@example.com")
    sm.misbehave(auth_fail=True)
    run_retry()
    hold = DeliveryHold.objects.get()
    [check] = deliveries(backend, "check_hold")
    assert check.args == [hold.site_id] and check.task.run_after == hold.next_check_at

    sm.misbehave(auth_fail=False)
    DeliveryHold.objects.update(next_check_at=timezone.now())
    check.task.call(*check.args)  # what the worker does when it is due

    assert [r["path"] for r in sm.requests()] == ["/api/contact/upsert", "/api/user/listByClient"]
    assert not DeliveryHold.objects.exists()
    assert ExportRecord.objects.get().status == "pending"  # due now, for the workers


@pytest.mark.django_db
@pytest.mark.parametrize("due_in, claimed, status, handed_back", [
    (3, False, "retrying", True),  # RQ's whole seconds, or another host's clock: wait for it
    (1.5, False, "retrying", True),  # (a margin for a slow machine before the task runs)
    (6, False, "retrying", False),  # far too early: a duplicate task, the due one will come
    (3, True, "retrying", False),  # another sender has it
    (3, False, "failed", False),  # nothing left to send
])
def test_a_task_that_comes_before_its_retry_is_due_waits_for_it_only_when_just_early(
        client, sm, on_commit, settings, due_in, claimed, status, handed_back):
    settings.TASKS = DUMMY
    backend = task_backends["default"]
    submit_emails(client, make_form_page(), on_commit, "a@example.com", "other@example.com")
    backend.clear()
    due_at = timezone.now() + timedelta(seconds=due_in)
    record = ExportRecord.objects.get(email="a@example.com")
    ExportRecord.objects.filter(pk=record.pk).update(
        status=status, next_attempt_at=due_at,
        claimed_until=timezone.now() + timedelta(minutes=2) if claimed else None)
    ExportRecord.objects.exclude(pk=record.pk).update(  # another answer's task: not this one's
        status="retrying", next_attempt_at=timezone.now() + timedelta(seconds=2))
    record.refresh_from_db()

    outbox.send(record.pk)  # the worker runs the task now

    assert upserted(sm) == []  # SALESmanago is not called before the record is due
    assert ExportRecord.objects.get(pk=record.pk).attempts == record.attempts
    handed = [(r.args, r.kwargs, r.task.run_after) for r in deliveries(backend)]
    assert handed == ([([record.pk], {"resend": False}, due_at)] if handed_back else [])
