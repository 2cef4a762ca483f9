"""SALESmanago asking for fewer calls (HTTP 429, or 503 with ``Retry-After``): the delivery waits
at least that long, the whole site's calls pause, a batch drain leaves the site be and sends the
others, and nothing is lost. Against the sandbox over HTTP."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks import task_backends
from wagtail.models import Page, Site

from tests.delivery.test_batches import backlog, batch_calls
from tests.helpers import make_form_page, run_retry, submit_emails
from wagtail_salesmanago.delivery import outbox
from wagtail_salesmanago.models import DeliveryPause, ExportRecord, SalesmanagoSettings

THROTTLED = ("SALESmanago asked for fewer calls (too many requests). It asked to wait 600 s. "
             "(HTTP 429, POST /api/contact/upsert)")


def pause_of(site=None):
    return DeliveryPause.objects.get(site=site or Site.objects.get(is_default_site=True)).until


def around(moment, seconds, slack=5):
    """``moment`` is ``seconds`` from now, give or take ``slack`` (the test's own run)."""
    now = timezone.now()
    return now + timedelta(seconds=seconds - slack) <= moment <= now + timedelta(seconds=seconds)


@pytest.mark.django_db
def test_a_throttled_answer_waits_as_long_as_salesmanago_asked(client, sm, on_commit):
    sm.misbehave(status=429, retry_after="600")
    submit_emails(client, make_form_page(), on_commit, "ola@example.com")

    record = ExportRecord.objects.get()
    assert (record.status, record.attempts, record.last_error) == ("throttled", 1, THROTTLED)
    assert around(record.next_attempt_at, 600)  # not the first retry's minute
    [attempt] = record.attempt_log.all()
    assert (attempt.outcome, attempt.message) == ("transient", THROTTLED)
    assert around(pause_of(), 600)
    assert sm.contacts() == []


@pytest.mark.django_db
def test_the_whole_site_waits_for_the_pause_and_then_gets_everything(client, sm, on_commit):
    page = make_form_page()
    sm.misbehave(status=429, retry_after="600")
    submit_emails(client, page, on_commit, "first@example.com")
    sm.misbehave(status=None, retry_after=None)  # SALESmanago would answer now, but asked to wait
    submit_emails(client, page, on_commit, "second@example.com")

    assert len(sm.requests()) == 1  # the second answer made no call
    second = ExportRecord.objects.get(email="second@example.com")
    until = timezone.localtime(pause_of()).strftime("%Y-%m-%d %H:%M:%S")
    assert (second.status, second.attempts, second.next_attempt_at, second.last_error) == (
        "throttled", 0, pause_of(),
        "Not sent: SALESmanago asked this site's deliveries to wait. It goes at its next attempt.")
    assert not second.attempt_log.exists()  # no call, no attempt
    assert run_retry() == (f"Paused until {until}: localhost [default] (SALESmanago asked for "
                           "fewer calls; its deliveries wait till then).\n0 due; nothing to send.\n")

    # The pause ends: both go, each once.
    DeliveryPause.objects.update(until=timezone.now() - timedelta(seconds=1))
    ExportRecord.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert run_retry().endswith("2 due; sent: 2.\n")
    assert sorted(c["email"] for c in sm.contacts()) == ["first@example.com", "second@example.com"]
    [throttled, batch] = sm.requests()  # one call for both, after the one that was throttled
    assert (throttled["status"], batch["path"]) == (429, "/api/contact/batchupsert")
    assert [i["contact"]["email"] for i in batch["body"]["upsertDetails"]] == [
        "first@example.com", "second@example.com"]


@pytest.mark.django_db
@pytest.mark.parametrize("retry_after, pause, retry", [
    # none said: the first retry's wait (RETRY_BASE_SECONDS), the retry its jittered backoff
    (None, 60, (60, 72)),
    # cut to RETRY_MAX_SECONDS: a typo or a wrong clock cannot stop a site for years
    ("999999999", 6 * 60 * 60, (6 * 60 * 60, 6 * 60 * 60)),
    # "at once" never makes a retry sooner than its own backoff (48-72 s)
    ("0", 1, (48, 72)),
])
def test_the_wait_is_bounded(client, sm, on_commit, retry_after, pause, retry):
    sm.misbehave(status=429, retry_after=retry_after)
    submit_emails(client, make_form_page(), on_commit, "ola@example.com")
    record = ExportRecord.objects.get()
    assert record.status == "throttled"
    low, high = retry
    assert around(record.next_attempt_at, high, slack=high - low + 5)
    assert around(pause_of(), pause)


@pytest.mark.django_db
def test_a_503_with_retry_after_throttles_and_one_without_is_a_server_error(client, sm, on_commit):
    page = make_form_page()
    sm.misbehave(status=503, retry_after="120")
    submit_emails(client, page, on_commit, "a@example.com")
    assert ExportRecord.objects.get().status == "throttled"
    DeliveryPause.objects.all().delete()
    sm.misbehave(retry_after=None)
    submit_emails(client, page, on_commit, "b@example.com")
    second = ExportRecord.objects.get(email="b@example.com")
    assert second.status == "retrying"
    assert not DeliveryPause.objects.exists()


@pytest.mark.django_db
def test_a_wait_past_the_give_up_window_gives_up(client, sm, on_commit, settings):
    settings.WAGTAIL_SALESMANAGO_GIVE_UP_AFTER_SECONDS = 300
    sm.misbehave(status=429, retry_after="600")
    submit_emails(client, make_form_page(), on_commit, "ola@example.com")
    record = ExportRecord.objects.get()
    assert (record.status, record.last_error) == ("failed", f"Gave up after 1 attempts: {THROTTLED}")
    assert around(pause_of(), 600)  # the site still pauses


@pytest.mark.django_db
def test_a_batch_drain_pauses_the_site_after_one_call(client, sm, on_commit, queued, retry_now):
    backlog(client, on_commit, 150)
    sm.misbehave(status=429, retry_after="600")

    assert run_retry("--batch-size", "100").endswith("150 due; throttled: 150.\n")

    assert len(batch_calls(sm)) == 1 and len(sm.requests()) == 1  # the second batch: no call
    records = ExportRecord.objects.order_by("pk")
    assert {r.status for r in records} == {"throttled"}
    called = [r for r in records if r.attempts == 1]
    assert len(called) == 100  # the second batch was claimed during the first call: no attempt
    assert all(r.attempts == 0 and r.next_attempt_at == pause_of() for r in records
               if r not in called)
    assert all(r.next_attempt_at >= pause_of() - timedelta(seconds=1) for r in called)


@pytest.mark.django_db
def test_a_drain_leaves_a_paused_site_be_and_sends_the_others(client, sm, on_commit, queued):
    here, there = make_form_page(title="Here"), make_form_page(title="There")
    backlog(client, on_commit, 3, page=here, name="here")
    backlog(client, on_commit, 3, page=there, name="there")
    other_root = Page.objects.get(depth=1).add_child(title="Other", slug="other")
    other = Site.objects.create(hostname="other.example", root_page=other_root)
    SalesmanagoSettings.objects.create(site=other, **sm.credentials())
    there.move(other_root, pos="last-child")
    until = timezone.now() + timedelta(minutes=10)
    DeliveryPause.objects.create(site=other, until=until)

    output = run_retry()

    assert output.endswith("3 due; sent: 3.\n")
    assert sorted(c["email"] for c in sm.contacts()) == ["here0@example.com", "here1@example.com",
                                                         "here2@example.com"]
    waiting = ExportRecord.objects.filter(page=there)
    assert {(r.status, r.attempts) for r in waiting} == {("pending", 0)}  # untouched, not claimed


@pytest.mark.django_db
def test_an_ended_pause_means_nothing(client, sm, on_commit):
    DeliveryPause.objects.create(site=Site.objects.get(is_default_site=True),
                                 until=timezone.now() - timedelta(seconds=1))
    submit_emails(client, make_form_page(), on_commit, "ola@example.com")
    assert ExportRecord.objects.get().status == "sent"


@pytest.mark.django_db
def test_a_longer_pause_is_never_shortened(db):
    site = Site.objects.get(is_default_site=True)
    later = timezone.now() + timedelta(hours=1)
    DeliveryPause.objects.extend(site, later)
    DeliveryPause.objects.extend(site, later - timedelta(minutes=30))
    assert pause_of(site) == later
    DeliveryPause.objects.extend(site, later + timedelta(minutes=1))
    assert pause_of(site) == later + timedelta(minutes=1)


@pytest.mark.django_db
def test_a_workers_task_during_a_pause_is_handed_back_for_the_pause_end(client, sm, on_commit,
                                                                          queued):
    backend = task_backends["default"]
    backend.clear()
    until = timezone.now() + timedelta(minutes=10)
    DeliveryPause.objects.create(site=Site.objects.get(is_default_site=True), until=until)
    submit_emails(client, make_form_page(), on_commit, "a@example.com")
    [first] = [r for r in backend.results if r.task.name == "deliver_export"]

    outbox.send(first.args[0])  # what the worker does with the task

    record = ExportRecord.objects.get()
    assert (record.status, record.attempts, record.next_attempt_at) == ("throttled", 0, until)
    [_, later] = [r for r in backend.results if r.task.name == "deliver_export"]
    assert (later.args, later.task.run_after) == ([record.pk], until)
    assert sm.requests() == []
