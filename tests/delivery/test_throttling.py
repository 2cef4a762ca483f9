"""SALESmanago asking for fewer calls (HTTP 429, or 503 with ``Retry-After``): the delivery waits
at least that long, the whole site's calls pause, a batch drain leaves the site be and sends the
others, and nothing is lost. Against the sandbox over HTTP."""

import re
from datetime import timedelta

import pytest
from django.db import OperationalError, connection
from django.urls import reverse
from django.utils import timezone
from django_tasks import task_backends
from wagtail.models import Page, Site

from tests.helpers import (
    backlog,
    batch_calls,
    database_refuses,
    errors,
    make_form_page,
    past,
    run_retry,
    submit_emails,
)
from wagtail_salesmanago.delivery import history, outbox
from wagtail_salesmanago.delivery.tasks import deliver_export
from wagtail_salesmanago.models import (
    DeliveryHold,
    DeliveryPause,
    ExportRecord,
    ExportRun,
    SalesmanagoSettings,
)
from wagtail_salesmanago.records.pauses import DeliveryPauseQuerySet

THROTTLED = ("SALESmanago asked for fewer calls (too many requests). It asked to wait 600 s. "
             "(HTTP 429, POST /api/contact/upsert)")


def pause_of(site=None):
    return DeliveryPause.objects.get(site=site or Site.objects.get(is_default_site=True)).until


def around(moment, seconds, slack=5):
    """``moment`` is ``seconds`` from now, give or take ``slack`` (the test's own run)."""
    now = timezone.now()
    return now + timedelta(seconds=seconds - slack) <= moment <= now + timedelta(seconds=seconds)


def spread_after(moment, until, seconds):
    """``moment`` is in the fifth after a pause of ``seconds`` that ends at ``until``."""
    return until <= moment <= until + timedelta(seconds=seconds * 0.2)


@pytest.mark.django_db
def test_a_throttled_answer_waits_as_long_as_salesmanago_asked(client, sm, on_commit):
    sm.misbehave(status=429, retry_after="600")
    submit_emails(client, make_form_page(), on_commit, "ola@example.com")

    record = ExportRecord.objects.get()
    assert (record.status, record.attempts, record.last_error) == ("throttled", 1, THROTTLED)
    assert spread_after(record.next_attempt_at, pause_of(), 600)  # not the first retry's minute
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
    assert (second.status, second.attempts, second.last_error) == (
        "throttled", 0,
        "Not sent: SALESmanago asked this site's deliveries to wait. It goes at its next attempt.")
    assert spread_after(second.next_attempt_at, pause_of(), 600)
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
    # none said: the first retry's wait (RETRY_BASE_SECONDS); the retry 60-72 s away
    (None, 60, (60, 72)),
    # cut to RETRY_MAX_SECONDS: a typo or a wrong clock cannot stop a site for years
    ("999999999", 6 * 60 * 60, (6 * 60 * 60, 6 * 60 * 60 * 1.2)),
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
def test_a_throttled_delivery_is_never_given_up(client, sm, on_commit, settings):
    """SALESmanago asking to wait is no failure: the give-up window does not count."""
    settings.WAGTAIL_SALESMANAGO_GIVE_UP_AFTER_SECONDS = 300
    sm.misbehave(status=429, retry_after="600")
    submit_emails(client, make_form_page(), on_commit, "ola@example.com")
    record = ExportRecord.objects.get()
    assert (record.status, record.last_error) == ("throttled", THROTTLED)
    assert spread_after(record.next_attempt_at, pause_of(), 600)


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
    assert all(r.attempts == 0 for r in records if r not in called)
    # Each batch comes due after the pause (in its last fifth), its records together: one batch
    # again, not one call each.
    assert all(spread_after(r.next_attempt_at, pause_of(), 600) for r in records)
    assert len({r.next_attempt_at for r in called}) == 1
    assert len({r.next_attempt_at for r in records if r not in called}) == 1


@pytest.mark.django_db
def test_after_the_pause_a_throttled_batch_goes_in_one_batch_again(client, sm, on_commit, queued,
                                                                   retry_now):
    backend = task_backends["default"]
    backlog(client, on_commit, 50)
    sm.misbehave(status=429, retry_after="600")
    run_retry()
    sm.misbehave(status=None, retry_after=None)
    tasks = [r for r in backend.results if r.task.name == "deliver_export"][-50:]
    DeliveryPause.objects.update(until=timezone.now() - timedelta(seconds=1))
    ExportRecord.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))

    for task in tasks:  # the workers run the tasks, all due at one moment
        deliver_export.call(*task.args, **task.kwargs)

    paths = [r["path"] for r in sm.requests()][1:]  # after the throttled call
    # The first task's own record, then its drain takes the other 49 in one call.
    assert paths == ["/api/contact/upsert", "/api/contact/batchupsert"]
    assert {r.status for r in ExportRecord.objects.all()} == {"sent"}


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
def test_another_sites_pause_holds_up_none_of_this_sites_answers(client, sm, on_commit):
    page = make_form_page()
    past(page, 2)
    DeliveryPause.objects.create(site=site_with("other.example"),
                                 until=timezone.now() + timedelta(minutes=10))
    submit_emails(client, page, on_commit, "ola@example.com")
    history.run(ExportRun.objects.create(page=page, total=2))  # and the past answers' export
    assert {r.status for r in ExportRecord.objects.all()} == {"sent"}
    assert len(sm.contacts()) == 3


@pytest.mark.django_db
def test_a_pause_is_over_at_the_very_moment_it_ends(db):
    until = timezone.now() + timedelta(minutes=10)
    DeliveryPause.objects.create(site=default_site(), until=until)
    assert DeliveryPause.objects.until(default_site(), until - timedelta(microseconds=1)) == until
    assert DeliveryPause.objects.until(default_site(), until) is None


@pytest.mark.django_db
def test_a_longer_pause_is_never_shortened(db):
    site = Site.objects.get(is_default_site=True)
    other = site_with("other.example")
    soon = timezone.now() + timedelta(minutes=1)
    DeliveryPause.objects.create(site=other, until=soon)  # another site's own, shorter pause
    later = timezone.now() + timedelta(hours=1)
    DeliveryPause.objects.extend(site, later)
    DeliveryPause.objects.extend(site, later - timedelta(minutes=30))
    assert pause_of(site) == later
    DeliveryPause.objects.extend(site, later + timedelta(minutes=1))
    assert pause_of(site) == later + timedelta(minutes=1)
    assert pause_of(other) == soon  # untouched


@pytest.mark.django_db
@pytest.mark.parametrize("theirs, kept", [(-30, 0), (30, 30)])
def test_two_senders_pausing_at_once_keep_the_later_end(db, theirs, kept):
    """Another sender stores the site's first pause between this one's UPDATE (nothing to
    extend yet) and its INSERT: the later of the two ends stays."""
    site = default_site()
    other = site_with("other.example")
    soon = timezone.now() + timedelta(minutes=1)
    DeliveryPause.objects.create(site=other, until=soon)  # another site's own, shorter pause
    until = timezone.now() + timedelta(hours=1)
    statements = []

    def another_sender_between_statements(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        statements.append(sql.split()[0])
        if statements == ["UPDATE"]:  # right after this sender's first UPDATE
            DeliveryPause.objects.create(site=site, until=until + timedelta(minutes=theirs))
        return result

    with connection.execute_wrapper(another_sender_between_statements):
        DeliveryPause.objects.extend(site, until)
    assert pause_of(site) == until + timedelta(minutes=kept)
    assert pause_of(other) == soon  # untouched


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
    assert (record.status, record.attempts) == ("throttled", 0)
    assert spread_after(record.next_attempt_at, until, 600)
    [_, later] = [r for r in backend.results if r.task.name == "deliver_export"]
    assert (later.args, later.task.run_after) == ([record.pk], record.next_attempt_at)
    assert sm.requests() == []
    assert str(record.last_error) == PAUSED


PAUSED = ("Not sent: SALESmanago asked this site's deliveries to wait. It goes at its next "
          "attempt.")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # cron's autocommit
def test_a_pause_whose_message_cannot_be_stored_still_keeps_the_answer_waiting(
        client, sm, on_commit, queued, caplog):
    until = timezone.now() + timedelta(minutes=10)
    DeliveryPause.objects.create(site=Site.objects.get(is_default_site=True), until=until)
    submit_emails(client, make_form_page(), on_commit, "a@example.com")
    record = ExportRecord.objects.get()

    with database_refuses(ExportRecord, "UPDATE", "no message now",
                          when="NEW.status = 'throttled' AND OLD.status = 'throttled'"):
        outbox.send(record.pk)

    record.refresh_from_db()
    assert (record.status, record.attempts, str(record.last_error)) == ("throttled", 0, "")
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == [
        f"Could not store why SALESmanago export {record.pk} waits (its status is stored)."]


def default_site():
    return Site.objects.get(is_default_site=True)


@pytest.mark.django_db
def test_sites_that_share_an_account_pause_together(client, sm, on_commit):
    page = make_form_page()
    other_root = Page.objects.get(depth=1).add_child(title="Other", slug="other")
    other = Site.objects.create(hostname="other.example", root_page=other_root)
    SalesmanagoSettings.objects.create(site=other, **sm.credentials())  # the same account
    third_root = Page.objects.get(depth=1).add_child(title="Third", slug="third")
    third = Site.objects.create(hostname="third.example", root_page=third_root)
    SalesmanagoSettings.objects.create(site=third, **{**sm.credentials(), "client_id": "another"})
    sm.misbehave(status=429, retry_after="600")
    submit_emails(client, page, on_commit, "a@example.com")
    assert pause_of(other) == pause_of(default_site())
    assert not DeliveryPause.objects.filter(site=third).exists()  # another account calls on


def site_with(hostname, **credentials):
    """Another site (and its own SALESmanago settings, if ``credentials``)."""
    root = Page.objects.get(depth=1).add_child(title=hostname, slug=hostname.replace(".", "-"))
    site = Site.objects.create(hostname=hostname, root_page=root)
    if credentials:
        SalesmanagoSettings.objects.create(site=site, **credentials)
    return site


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint, client_id, paused", [
    ("{url}/", " {client_id} ", True),  # spelled otherwise, the same account: it waits too
    ("https://app2.salesmanago.pl", "{client_id}", False),  # another server, the same client ID
    ("", "{client_id}", False),  # no endpoint yet: it calls nobody
    ("{url}", "", False),  # no client ID yet
])
def test_which_other_sites_share_the_throttled_account(client, sm, on_commit, endpoint, client_id,
                                                        paused):
    page = make_form_page()
    credentials = sm.credentials()
    other = site_with("other.example", **{**credentials,
                                          "endpoint": endpoint.format(url=sm.url),
                                          "client_id": client_id.format(client_id=sm.client_id)})
    sm.misbehave(status=429, retry_after="600")
    submit_emails(client, page, on_commit, "a@example.com")
    assert DeliveryPause.objects.filter(site=other).exists() is paused


@pytest.mark.django_db
def test_a_sharing_site_whose_pause_cannot_be_stored_leaves_the_others_paused(
        client, sm, on_commit, caplog):
    page = make_form_page()
    first = site_with("first.example", **sm.credentials())
    second = site_with("second.example", **sm.credentials())
    sm.misbehave(status=429, retry_after="600")
    with database_refuses(DeliveryPause, "INSERT", "database is locked", lost=True,
                          when=f"NEW.site_id = {first.pk}"):
        submit_emails(client, page, on_commit, "a@example.com")
    assert pause_of(second) == pause_of(default_site())
    assert not DeliveryPause.objects.filter(site=first).exists()
    assert errors(caplog) == [("wagtail_salesmanago.delivery.account",
                               "Could not pause the SALESmanago calls of site first.example.")]


@pytest.mark.django_db
def test_a_pause_that_cannot_be_stored_still_leaves_the_outcome_stored(
        client, sm, on_commit, caplog):
    sm.misbehave(status=429, retry_after="600")
    with database_refuses(DeliveryPause, "INSERT", "database is locked", lost=True):
        submit_emails(client, make_form_page(), on_commit, "a@example.com")
    record = ExportRecord.objects.get()
    assert (record.status, record.attempts, record.claimed_until) == ("throttled", 1, None)
    assert record.attempt_log.get().message == THROTTLED
    assert errors(caplog) == [("wagtail_salesmanago.delivery.account",
                               "Could not pause the SALESmanago calls of site localhost [default].")]


@pytest.mark.django_db
def test_a_database_error_reading_the_pause_fails_nothing(client, sm, on_commit, queued,
                                                          monkeypatch):
    backend = task_backends["default"]
    backend.clear()
    DeliveryPause.objects.create(site=default_site(), until=timezone.now() + timedelta(minutes=10))
    submit_emails(client, make_form_page(), on_commit, "a@example.com")
    [task] = [r for r in backend.results if r.task.name == "deliver_export"]

    def locked(self, site, now):
        raise OperationalError("database is locked")

    # internal seam: a lock that fails only the pause's read (a trigger cannot fail a SELECT).
    monkeypatch.setattr(DeliveryPauseQuerySet, "until", locked)
    with pytest.raises(OperationalError):
        outbox.send(task.args[0])  # the task fails; its claim lapses and it is tried again
    record = ExportRecord.objects.get()
    assert (record.status, record.last_error, sm.requests()) == ("pending", "", [])


@pytest.mark.django_db
def test_a_held_sites_check_waits_for_the_pause_and_a_throttled_check_pauses(client, sm, on_commit):
    sm.misbehave(auth_fail=True)
    submit_emails(client, make_form_page(), on_commit, "a@example.com")
    hold = DeliveryHold.objects.get()
    DeliveryHold.objects.update(next_check_at=timezone.now())  # its check is due
    DeliveryPause.objects.create(site=default_site(), until=timezone.now() + timedelta(minutes=10))
    calls = len(sm.requests())
    outbox.check_holds()
    assert len(sm.requests()) == calls  # no check during the pause

    DeliveryPause.objects.all().delete()
    sm.misbehave(auth_fail=False, status=429, retry_after="300")
    outbox.check_holds()
    assert DeliveryHold.objects.filter(pk=hold.pk).exists()  # the hold stays
    assert around(pause_of(), 300)  # and the account's calls pause


@pytest.mark.django_db
def test_past_answers_exported_during_a_pause_wait_for_it_together(sm, queued):
    backend = task_backends["default"]
    backend.clear()
    page = make_form_page()
    past(page, 5)
    until = timezone.now() + timedelta(minutes=10)
    DeliveryPause.objects.create(site=default_site(), until=until)
    export_run = ExportRun.objects.create(page=page, total=5)
    history.run(export_run)

    records = list(ExportRecord.objects.order_by("pk"))
    assert {(r.status, r.attempts, str(r.last_error)) for r in records} == {
        ("throttled", 0, PAUSED)}
    [at] = {r.next_attempt_at for r in records}  # together: one batch after the pause
    assert spread_after(at, until, 600)
    # One task for a batch's worth of them (its drain takes the rest).
    tasks = [r for r in backend.results if r.task.name == "deliver_export"]
    assert [(t.args[0], t.task.run_after) for t in tasks] == [(records[0].pk, at)]
    assert sm.requests() == []
    export_run.refresh_from_db()
    assert (export_run.retrying, export_run.remaining) == (5, 0)


@pytest.mark.django_db
def test_staff_see_throttled_deliveries_on_the_dashboard_and_the_page(client, sm, on_commit, admin):
    page = make_form_page()
    sm.misbehave(status=429, retry_after="600")
    submit_emails(client, page, on_commit, "a@example.com", "b@example.com")
    home = admin.get(reverse("wagtailadmin_home")).content.decode()
    assert ("2 deliveries wait because SALESmanago asked for fewer calls; they are sent when the "
            "pause ends.") in " ".join(home.split())
    assert "/admin/salesmanago/deliveries/?status=throttled" in home
    assert "salesmanago-all-well" not in home
    edit = admin.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).content.decode()
    counts = re.search(r'<p class="salesmanago-counts">(.*?)</p>', edit, re.S)[1]
    assert " ".join(re.sub(r"<[^>]+>", " ", counts).split()) == (
        "Sent: 0 · waiting: 0 · retrying: 0 · failed: 0 · throttled: 2")


@pytest.mark.django_db
def test_time_spent_throttled_never_counts_towards_giving_up(client, sm, on_commit, settings):
    settings.WAGTAIL_SALESMANAGO_GIVE_UP_AFTER_SECONDS = 300
    sm.misbehave(status=429, retry_after="600")
    submit_emails(client, make_form_page(), on_commit, "ola@example.com")
    record = ExportRecord.objects.get()
    assert record.retry_window_from == record.next_attempt_at  # the window starts again then
    # Days later the pause is over, and SALESmanago has a server error: a retry, not a failure.
    ExportRecord.objects.update(created_at=timezone.now() - timedelta(days=3),
                                next_attempt_at=timezone.now() - timedelta(seconds=1),
                                retry_window_from=timezone.now() - timedelta(seconds=1))
    DeliveryPause.objects.all().delete()
    sm.misbehave(status=502, retry_after=None)
    assert run_retry().endswith("1 due; retrying: 1.\n")
