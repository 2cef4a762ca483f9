"""What the site's log tells whoever runs it, line by line: each send, retry, failure and hold
(staff without the admin at hand, or an alert, read these)."""

import pytest
from django.utils import timezone
from django_tasks.backends.dummy import DummyBackend

from tests.helpers import make_form_page, run_retry, submit_emails
from wagtail_salesmanago.models import DeliveryHold, ExportRecord, SalesmanagoSettings


@pytest.mark.django_db
def test_a_send_that_is_retried_then_sent_then_given_up(client, sm, on_commit, settings, log):
    settings.WAGTAIL_SALESMANAGO_RETRY_BASE_SECONDS = 0
    page = make_form_page()
    sm.misbehave(status=503)
    submit_emails(client, page, on_commit, "a@example.com")
    record = ExportRecord.objects.get()
    [(module, level, line)] = log()
    assert (module, level) == ("settle", "WARNING")
    assert line == (f"SALESmanago export {record.pk} failed (upsert, attempt 1), retrying at "
                    f"{record.next_attempt_at.isoformat()}: {record.last_error}")
    assert "HTTP 503" in line

    sm.misbehave(status=None)
    run_retry()
    assert log() == [("outbox", "INFO", f"SALESmanago export {record.pk} sent (upsert).")]

    settings.WAGTAIL_SALESMANAGO_GIVE_UP_AFTER_SECONDS = 0
    sm.misbehave(status=503)
    submit_emails(client, page, on_commit, "b@example.com")
    second = ExportRecord.objects.latest("pk")
    assert second.status == "failed"
    assert log() == [("settle", "WARNING",
                      f"SALESmanago export {second.pk} failed (upsert): {second.last_error}")]
    assert second.last_error.startswith("Gave up after 1 attempts:")


@pytest.mark.django_db
def test_a_hold_is_told_when_it_starts_for_each_record_it_holds_and_when_it_is_lifted(
        client, sm, on_commit, settings, log):
    settings.WAGTAIL_SALESMANAGO_ALLOW_HTTP = True
    page = make_form_page()
    SalesmanagoSettings.objects.update(api_secret="wrong")
    submit_emails(client, page, on_commit, "a@example.com")
    hold = DeliveryHold.objects.get()
    first = ExportRecord.objects.get()
    assert log() == [("outbox", "WARNING", f"SALESmanago deliveries of site {hold.site} are on "
                                            f"hold: {first.last_error}")]

    submit_emails(client, page, on_commit, "b@example.com")
    second = ExportRecord.objects.latest("pk")
    assert second.status == "held"
    assert log() == [("outbox", "INFO", f"SALESmanago export {second.pk} held: the site's "
                                         "credentials were rejected.")]

    SalesmanagoSettings.objects.update(api_secret=sm.api_secret)
    DeliveryHold.objects.update(next_check_at=timezone.now())
    assert run_retry() == "2 due; sent: 2.\n"  # in one batch, which logs only trouble
    assert log() == [("holds", "INFO", f"SALESmanago hold of site {hold.site_id} lifted (the "
                                        "credentials changed); 2 deliveries due.")]


@pytest.mark.django_db
def test_a_task_queue_that_is_down_is_told_and_nothing_is_lost(
        client, sm, on_commit, settings, monkeypatch, log):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}

    def down(*args, **kwargs):
        raise ConnectionError("the queue is down")

    page = make_form_page()  # (Wagtail's search index uses the queue too)
    monkeypatch.setattr(DummyBackend, "enqueue", down)
    sm.misbehave(auth_fail=True)
    submit_emails(client, page, on_commit, "a@example.com")
    record = ExportRecord.objects.get()
    assert record.status == "pending"
    assert log() == [("queue", "ERROR",
                      f"Could not enqueue SALESmanago export {record.pk}; it stays due.")]

    assert run_retry().endswith("\n1 due; held: 1.\n")  # cron's run, as docs/commands.md shows
    hold = DeliveryHold.objects.get()
    assert [line for line in log() if line[1] == "ERROR"] == [
        ("queue", "ERROR", f"Could not enqueue the SALESmanago hold check of site "
                            f"{hold.site_id}.")]
