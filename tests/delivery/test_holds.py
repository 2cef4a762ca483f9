"""Rejected credentials hold a site's deliveries: no failures, one check per interval, and they
resume by themselves once the credentials change. Against the sandbox over HTTP."""

import json
import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest
import responses
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils import timezone
from django_tasks import task_backends
from wagtail.models import Site

from tests.helpers import (
    URL, answer, emails_in, errors, make_form_page, run_retry, statuses, submit_emails)
from wagtail_salesmanago.delivery import holds, outbox
from wagtail_salesmanago.models import DeliveryHold, ExportRecord, SalesmanagoSettings

NOTICE = "Deliveries to SALESmanago from localhost [default] are on hold (since"
REJECTED = "SALESmanago rejected the client ID, the API secret or the owner."


@pytest.fixture
def backlog(client, sm, on_commit, settings):
    """Three answers waiting for ``salesmanago_retry`` (a worker backend that has not run yet),
    sent one by one (a batch's hold: tests/delivery/test_batches.py)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.WAGTAIL_SALESMANAGO_BATCH_SIZE = 1
    page = make_form_page()
    submit_emails(client, page, on_commit, "a@example.com", "b@example.com", "c@example.com")
    return page


def paths(sandbox):
    return [r["path"] for r in sandbox.requests()]


def check_is_due():
    DeliveryHold.objects.update(next_check_at=timezone.now() - timedelta(seconds=1))


def outcomes(email):
    record = ExportRecord.objects.get(email=email)
    return list(record.attempt_log.values_list("outcome", "resend")), record.attempts


@pytest.mark.django_db
def test_a_rejected_secret_holds_the_backlog_until_staff_save_a_new_one(
    admin, backlog, sm, settings
):
    settings.WAGTAIL_SALESMANAGO_ALLOW_HTTP = True  # the sandbox's endpoint is http://
    SalesmanagoSettings.objects.update(api_secret="wrong")

    out = run_retry()
    assert out.endswith("3 due; held: 3.\n")
    assert "On hold since" in out and "SALESmanago said: Not authenticated" in out
    assert paths(sm) == ["/api/contact/upsert"]  # one refusal, not three
    assert statuses() == ["held"] * 3
    assert run_retry().endswith("0 due; nothing to send.\n")
    assert len(sm.requests()) == 1  # held: SALESmanago is not asked again before the check

    site = Site.objects.get(is_default_site=True)
    settings_url = reverse(
        "wagtailsettings:edit", args=["wagtail_salesmanago", "salesmanagosettings", site.pk])
    for url in (reverse("wagtail_salesmanago_deliveries:index"), reverse("wagtailadmin_home"),
                reverse("wagtailadmin_pages:edit", args=[backlog.pk]), settings_url):
        html = admin.get(url).content.decode()
        assert NOTICE in html, url
        assert REJECTED in html
        assert "Last answer: SALESmanago rejected the credentials or the owner. SALESmanago said: " \
               "Not authenticated" in html
        assert "Correct the client ID, the API secret or the owner e-mail" in html
        assert "3 deliveries are waiting; nothing is lost." in html
        assert "wrong" not in html.split(NOTICE)[1][:2000]
    html = admin.get(reverse("wagtail_salesmanago_deliveries:index"), {"status": "held"})
    assert sorted(r.email for r in html.context["object_list"]) == [
        "a@example.com", "b@example.com", "c@example.com"]
    assert 'salesmanago-status--held' in html.content.decode()
    page_html = admin.get(reverse("wagtailadmin_pages:edit", args=[backlog.pk])).content.decode()
    assert "· on hold: 3" in page_html

    response = admin.post(settings_url, {**sm.credentials(), "detail_prefix": "ankieta."})
    assert response.status_code == 302
    assert statuses() == ["pending"] * 3 and not DeliveryHold.objects.exists()
    assert run_retry() == "3 due; sent: 3.\n"  # nobody pressed Resend
    assert emails_in(sm) == ["a@example.com", "b@example.com", "c@example.com"]
    assert NOTICE not in admin.get(reverse("wagtail_salesmanago_deliveries:index")).content.decode()
    held_first = [email for email in ("a@example.com", "b@example.com", "c@example.com")
                  if outcomes(email)[1] == 2]
    assert len(held_first) == 1
    assert outcomes(held_first[0]) == ([("held", False), ("sent", False)], 2)
    others = {"a@example.com", "b@example.com", "c@example.com"} - set(held_first)
    assert all(outcomes(email) == ([("sent", False)], 1) for email in others)


@pytest.mark.django_db
def test_new_credentials_in_the_server_configuration_lift_the_hold(backlog, sm, settings):
    settings.WAGTAIL_SALESMANAGO = {"default": {"api_secret": "wrong"}}
    run_retry()
    assert statuses() == ["held"] * 3
    hold = DeliveryHold.objects.get()
    assert sm.api_secret not in hold.fingerprint and "wrong" not in hold.fingerprint

    settings.WAGTAIL_SALESMANAGO = {"default": {"api_secret": sm.api_secret}}
    assert run_retry() == "3 due; sent: 3.\n"
    assert emails_in(sm) == ["a@example.com", "b@example.com", "c@example.com"]
    assert paths(sm) == ["/api/contact/upsert"] * 4  # the refusal, then the three


@pytest.mark.django_db
def test_saving_the_same_credentials_again_keeps_the_hold(backlog, sm):
    sm.misbehave(auth_fail=True)
    run_retry()
    SalesmanagoSettings.objects.get().save()
    assert statuses() == ["held"] * 3
    assert DeliveryHold.objects.count() == 1


@pytest.mark.django_db
def test_saving_settings_the_server_configuration_overrides_keeps_the_hold(backlog, sm, settings):
    settings.WAGTAIL_SALESMANAGO = {"default": {"api_secret": "wrong"}}
    run_retry()
    stored = SalesmanagoSettings.objects.get()
    stored.api_secret = "another"  # the configuration's "wrong" is what is still sent
    stored.save()
    assert statuses() == ["held"] * 3
    assert DeliveryHold.objects.count() == 1


@pytest.mark.django_db
def test_new_credentials_saved_in_the_admin_leave_the_backlog_to_the_queue_not_the_request(
        admin, backlog, sm, settings, django_capture_on_commit_callbacks, caplog):
    """With the immediate backend, saving the settings does not send the held answers while the
    admin waits for the page: ``salesmanago_retry`` sends them."""
    SalesmanagoSettings.objects.update(api_secret="wrong")
    run_retry()
    hold = DeliveryHold.objects.get()
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings_url = reverse(
        "wagtailsettings:edit", args=["wagtail_salesmanago", "salesmanagosettings", hold.site_id])

    caplog.set_level("INFO", logger="wagtail_salesmanago")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(settings_url, {**sm.credentials(), "detail_prefix": "ankieta."})

    assert response.status_code == 302
    assert statuses() == ["pending"] * 3
    assert paths(sm) == ["/api/contact/upsert", "/api/user/listByClient"]  # the refusal; the
    # settings form's check of the owner; no answer sent
    assert f"SALESmanago hold of site {hold.site_id} lifted (new credentials were saved); 3 " \
           "deliveries due." in [r.getMessage() for r in caplog.records]
    assert run_retry() == "3 due; sent: 3.\n"


@pytest.mark.django_db
def test_one_check_per_interval_then_resumes_when_salesmanago_accepts_again(
    backlog, sm, settings
):
    settings.WAGTAIL_SALESMANAGO_HOLD_CHECK_SECONDS = 900
    sm.misbehave(auth_fail=True)
    run_retry()
    hold = DeliveryHold.objects.get()
    assert hold.next_check_at - hold.since == timedelta(seconds=900)
    for _ in range(3):
        run_retry()
    assert len(sm.requests()) == 1

    check_is_due()
    run_retry()
    run_retry()
    assert paths(sm) == ["/api/contact/upsert", "/api/user/listByClient"]  # one check
    assert statuses() == ["held"] * 3
    assert DeliveryHold.objects.get().checks == 1

    sm.misbehave(auth_fail=False)  # e.g. the API key was enabled again in SALESmanago
    run_retry()
    assert len(sm.requests()) == 2  # the next check is not due yet
    check_is_due()
    assert run_retry() == "3 due; sent: 3.\n"
    assert paths(sm)[2:] == ["/api/user/listByClient"] + ["/api/contact/upsert"] * 3
    assert not DeliveryHold.objects.exists()


@pytest.mark.django_db
def test_an_owner_who_is_not_a_user_holds_and_the_check_says_so(admin, backlog, sm):
    SalesmanagoSettings.objects.update(owner_email="stranger@example.com")
    run_retry()
    assert statuses() == ["held"] * 3
    check_is_due()
    run_retry()

    hold = DeliveryHold.objects.get()
    assert hold.reason == "owner"
    assert hold.message == "The owner stranger@example.com is not a user of this SALESmanago account."
    html = admin.get(reverse("wagtail_salesmanago_deliveries:index")).content.decode()
    assert "The owner e-mail is not a user of this SALESmanago account." in html

    stored = SalesmanagoSettings.objects.get()
    stored.owner_email = sm.owner
    stored.save()  # what the settings screen does
    assert run_retry() == "3 due; sent: 3.\n"
    assert {c["email"] for c in sm.contacts()} == {"a@example.com", "b@example.com", "c@example.com"}


@pytest.mark.django_db
def test_visitors_during_a_hold_cost_no_calls_and_resend_brings_the_check_forward(
    client, sm, on_commit
):
    page = make_form_page()
    sm.misbehave(auth_fail=True)
    submit_emails(client, page, on_commit, "a@example.com", "b@example.com", "c@example.com")
    assert statuses() == ["held"] * 3
    assert len(sm.requests()) == 1

    sm.misbehave(auth_fail=False)
    with on_commit():
        assert outbox.resend(ExportRecord.objects.all()) == 3
    assert statuses() == ["sent"] * 3
    assert paths(sm)[1:] == ["/api/user/listByClient"] + ["/api/contact/upsert"] * 3


@pytest.mark.django_db
def test_time_on_hold_does_not_count_towards_giving_up(backlog, sm, settings):
    settings.WAGTAIL_SALESMANAGO_RETRY_BASE_SECONDS = 0
    SalesmanagoSettings.objects.update(api_secret="wrong")
    run_retry()
    three_days_ago = timezone.now() - timedelta(days=3)
    ExportRecord.objects.update(created_at=three_days_ago)
    DeliveryHold.objects.update(since=three_days_ago)

    sm.misbehave(status=503)  # fixed after three days, and SALESmanago is down right then
    stored = SalesmanagoSettings.objects.get()
    stored.api_secret = sm.api_secret
    stored.save()
    run_retry()
    assert statuses() == ["retrying"] * 3  # 3 days old, but the 48 hours start at the release
    sm.misbehave(status=0)
    run_retry()
    assert statuses() == ["sent"] * 3


@pytest.mark.django_db
def test_only_one_sender_wins_each_check(backlog, sm):
    sm.misbehave(auth_fail=True)
    run_retry()
    hold = DeliveryHold.objects.get()
    now = hold.next_check_at
    assert holds.claim_check(hold, now) is True
    assert holds.claim_check(hold, now) is False  # a second worker at the same moment


@pytest.mark.django_db
def test_records_left_held_without_a_hold_are_sent(backlog, sm):
    sm.misbehave(auth_fail=True)
    run_retry()
    sm.misbehave(auth_fail=False)
    Site.objects.create(hostname="other.example", root_page_id=2)  # keeps a default site around
    DeliveryHold.objects.all().delete()  # e.g. its row went with a deleted site
    assert statuses() == ["held"] * 3
    assert run_retry() == "3 due; sent: 3.\n"


@pytest.mark.django_db
def test_one_alert_mail_when_a_site_goes_on_hold(client, sm, on_commit, settings, mailoutbox):
    settings.WAGTAIL_SALESMANAGO_ALERT_ADMINS = True
    settings.ADMINS = [("Ops", "ops@example.com")]
    SalesmanagoSettings.objects.update(api_secret="wrong-secret")
    page = make_form_page()
    with on_commit():
        for email in ("x@example.com", "y@example.com"):
            answer(client, page, {"Twój e-mail": email})

    [mail] = mailoutbox
    assert mail.subject.endswith("SALESmanago deliveries of localhost [default] are on hold")
    assert "nothing is lost" in mail.body and REJECTED in mail.body
    assert "/admin/salesmanago/deliveries/?status=held" in mail.body
    assert "wrong-secret" not in mail.body and "x@example.com" not in mail.body


WAF_PAGE = "<html><body>403 Forbidden: blocked by the web application firewall</body></html>"
POISON = "<script>alert(1)</script>"  # an answer a WAF rule blocks


@pytest.mark.django_db
def test_one_answer_that_a_firewall_blocks_does_not_hold_the_others_for_ever(
    client, on_commit, queued
):
    SalesmanagoSettings.objects.update_or_create(
        site=Site.objects.get(is_default_site=True),
        defaults={"endpoint": "app3.salesmanago.pl", "client_id": "c", "api_secret": "s",
                  "owner_email": "crm@firma.pl"},
    )

    def firewall(request):
        body = json.loads(request.body)
        if "<script>" in request.body.decode():
            return 403, {"Content-Type": "text/html"}, WAF_PAGE
        ids = {item["contact"]["email"]: str(uuid.uuid4()) for item in body.get("upsertDetails", [])}
        return 200, {}, json.dumps({"success": True, "message": [], "contactIds": ids})

    page = make_form_page()
    with on_commit():  # the first in the queue
        answer(client, page, {"Twój e-mail": "poison@example.com", "Komentarz": POISON})
    submit_emails(client, page, on_commit, "a@example.com", "b@example.com")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
        api.add_callback(responses.POST, URL + "contact/upsert", firewall)
        api.add_callback(responses.POST, URL + "contact/batchupsert", firewall)  # a backlog's way
        api.add(responses.POST, URL + "user/listByClient",
                json={"success": True, "message": [], "users": ["crm@firma.pl"]})
        for _ in range(4):  # two hours of cron: each time the check is due, it passes
            run_retry()
            DeliveryHold.objects.update(next_check_at=timezone.now() - timedelta(seconds=1))

    statuses = dict(ExportRecord.objects.values_list("email", "status"))
    # The credentials work (the check passes): only the one answer is blocked, and it alone waits.
    assert statuses["a@example.com"] == statuses["b@example.com"] == ExportRecord.Status.SENT
    assert statuses["poison@example.com"] == ExportRecord.Status.RETRYING
    assert not DeliveryHold.objects.exists()
    assert ExportRecord.objects.get(email="poison@example.com").last_error == (
        "Access to SALESmanago was denied, and the answer was not SALESmanago's (a proxy or "
        "firewall in between?). (HTTP 403, POST /api/contact/upsert) The credentials work, so "
        "only this delivery was blocked; tried again later.")  # the call named once


@pytest.mark.django_db
def test_a_hold_check_that_breaks_keeps_the_visitors_answer_waiting(client, sm, on_commit):
    site = Site.objects.get(is_default_site=True)
    now = timezone.now()
    DeliveryHold.objects.create(
        site=site, reason=DeliveryHold.Reason.REJECTED, message="Not authenticated",
        since=now - timedelta(hours=1), next_check_at=now - timedelta(seconds=1),
        fingerprint=holds.fingerprint(outbox.account_for_site(site)),
    )

    with responses.RequestsMock(assert_all_requests_are_fired=True) as api:
        api.add_passthru(sm.url)
        # The check's request breaks below the client (not one of SALESmanago's answers).
        api.add(responses.POST, sm.url + "/api/user/listByClient",
                body=RuntimeError("the check broke"))
        with on_commit():
            answer(client, make_form_page(), {"Twój e-mail": "jan@example.com"})

    record = ExportRecord.objects.get()
    assert record.status == ExportRecord.Status.HELD, record.last_error


@pytest.mark.django_db
def test_a_refused_answer_whose_hold_is_lifted_at_once_is_due_again_with_the_refusal(
        client, sm, on_commit, settings, lifted_at_once, mailoutbox, caplog):
    settings.WAGTAIL_SALESMANAGO_ALLOW_HTTP = True
    SalesmanagoSettings.objects.update(api_secret="wrong")
    before = timezone.now()
    submit_emails(client, make_form_page(), on_commit, "a@example.com")

    record = ExportRecord.objects.get()
    assert (record.status, record.hold, record.attempts) == ("pending", None, 1)
    assert before <= record.next_attempt_at <= timezone.now()
    assert "Not authenticated" in record.last_error
    assert not DeliveryHold.objects.exists()
    assert (mailoutbox, errors(caplog)) == ([], [])  # no alert of a hold already lifted
    SalesmanagoSettings.objects.update(api_secret=sm.api_secret)
    assert run_retry() == "1 due; sent: 1.\n"


@pytest.mark.django_db
def test_a_retry_refused_whose_hold_is_lifted_at_once_is_due_again_at_once(
        client, sm, on_commit, settings, lifted_at_once, mailoutbox, caplog):
    settings.WAGTAIL_SALESMANAGO_ALLOW_HTTP = True
    sm.misbehave(status=503)
    submit_emails(client, make_form_page(), on_commit, "a@example.com")
    record = ExportRecord.objects.get()
    assert record.status == "retrying" and record.next_attempt_at > timezone.now()
    sm.misbehave(status=0)
    SalesmanagoSettings.objects.update(api_secret="wrong")
    ExportRecord.objects.update(next_attempt_at=timezone.now())  # its retry time has come
    before = timezone.now()

    outbox.send(record.pk)  # the worker's retry, refused: its hold is lifted at once

    record.refresh_from_db()
    assert (record.status, record.hold, record.attempts) == ("pending", None, 2)
    assert before <= record.next_attempt_at <= timezone.now()
    assert "Not authenticated" in record.last_error
    assert (mailoutbox, errors(caplog)) == ([], [])  # no alert of a hold already lifted


@pytest.mark.django_db
def test_a_refused_batch_whose_hold_is_lifted_at_once_is_due_again_with_the_refusal(
        client, sm, on_commit, settings, queued, lifted_at_once,
        mailoutbox, caplog):
    settings.WAGTAIL_SALESMANAGO_ALLOW_HTTP = True
    page = make_form_page()
    submit_emails(client, page, on_commit, "a@example.com", "b@example.com")
    SalesmanagoSettings.objects.update(api_secret="wrong")
    before = timezone.now()

    assert run_retry() == "2 due; pending: 2.\n"

    rows = list(ExportRecord.objects.values_list("status", "hold", "attempts"))
    assert rows == [("pending", None, 1)] * 2
    for record in ExportRecord.objects.all():
        assert before <= record.next_attempt_at <= timezone.now()
        assert "Not authenticated" in record.last_error
        assert list(record.attempt_log.values_list("outcome", flat=True)) == ["held"]
    assert (mailoutbox, errors(caplog)) == ([], [])  # no alert of a hold already lifted
    SalesmanagoSettings.objects.update(api_secret=sm.api_secret)
    assert run_retry() == "2 due; sent: 2.\n"


@pytest.mark.django_db
def test_a_resent_held_record_leaves_the_hold_at_once(client, sm, on_commit, queued):
    page = make_form_page()
    sm.misbehave(auth_fail=True)
    submit_emails(client, page, on_commit, "a@example.com")
    run_retry()
    assert statuses() == ["held"]
    before = timezone.now()

    assert outbox.resend(ExportRecord.objects.all()) == 1  # the workers have not run yet

    record = ExportRecord.objects.get()
    assert (record.status, record.hold) == ("pending", None)
    assert before <= record.updated_at == record.next_attempt_at <= timezone.now()
    assert DeliveryHold.objects.get().next_check_at <= timezone.now()  # the check comes first


@pytest.mark.django_db
def test_an_answer_refused_under_a_hold_another_sender_just_started_joins_it_without_an_alert(
        client, sm, on_commit, alerting, mailoutbox, their_hold):
    theirs = their_hold
    SalesmanagoSettings.objects.update(api_secret="wrong")

    submit_emails(client, make_form_page(), on_commit, "a@example.com")

    assert paths(sm) == ["/api/contact/upsert"]
    assert list(DeliveryHold.objects.all()) == [theirs]
    assert list(ExportRecord.objects.values_list("status", "hold")) == [("held", theirs.pk)]
    assert mailoutbox == []  # the other sender alerted


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # cron's autocommit
def test_records_left_held_without_their_hold_are_sent_by_the_next_cron_run(
        client, sm, on_commit):
    """Their hold went (its site was deleted and made again, say): cron's run wakes and sends
    them, in its own drain (not inside the hold check, one by one)."""
    page = make_form_page()
    sm.misbehave(auth_fail=True)
    submit_emails(client, page, on_commit, "a@example.com", "b@example.com")
    DeliveryHold.objects.all().delete()  # the records' hold is set to NULL; they stay held
    assert statuses() == ["held"] * 2
    sm.misbehave(auth_fail=False)

    assert run_retry() == "2 due; sent: 2.\n"

    assert paths(sm)[1:] == ["/api/contact/batchupsert"]


@pytest.mark.django_db
def test_a_lifted_hold_hands_each_of_its_records_to_the_workers(
        client, sm, on_commit, settings):
    page = make_form_page()
    sm.misbehave(auth_fail=True)
    submit_emails(client, page, on_commit, "a@example.com", "b@example.com")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    backend = task_backends["default"]
    backend.clear()
    sm.misbehave(auth_fail=False)
    DeliveryHold.objects.update(next_check_at=timezone.now())

    with on_commit():
        outbox.check_holds()

    ids = sorted(ExportRecord.objects.values_list("pk", flat=True))
    tasks = [r for r in backend.results if r.task.name == "deliver_export"]
    assert sorted(r.args[0] for r in tasks) == ids
    assert all(r.task.run_after is not None for r in tasks)
    assert statuses() == ["pending"] * 2


@pytest.mark.django_db
def test_a_hold_that_cannot_be_checked_is_logged(client, sm, on_commit, settings, caplog):
    page = make_form_page()
    sm.misbehave(auth_fail=True)
    submit_emails(client, page, on_commit, "a@example.com")
    hold = DeliveryHold.objects.get()

    # The site's settings cannot be read: the server configuration's entry is not a dict.
    settings.WAGTAIL_SALESMANAGO = {"default": "app3.salesmanago.pl"}
    outbox.check_holds()
    assert errors(caplog) == [
        ("wagtail_salesmanago.delivery.outbox", f"Could not check the SALESmanago hold of site "
                                       f"{hold.site_id}.")]


@pytest.mark.django_db
def test_a_visitor_after_new_credentials_waits_only_for_their_own_answer(
        client, backlog, sm, settings, on_commit):
    settings.WAGTAIL_SALESMANAGO = {"default": {"api_secret": "wrong"}}
    run_retry()
    assert statuses() == ["held"] * 3
    settings.WAGTAIL_SALESMANAGO = {"default": {"api_secret": sm.api_secret}}
    # The immediate backend: a task runs inside the visitor's request.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

    submit_emails(client, backlog, on_commit, "d@example.com")

    assert emails_in(sm) == ["d@example.com"]  # the held three wait for salesmanago_retry
    assert statuses() == ["pending"] * 3 + ["sent"]
    assert run_retry() == "3 due; sent: 3.\n"


def test_a_holds_fingerprint_is_a_keyed_sha256_of_the_judged_values_as_trimmed():
    """Stored on the hold, so that saving the same credentials keeps it: the same values give
    the same fingerprint in every version, blank and missing alike."""
    account = SimpleNamespace(endpoint=" https://app3.salesmanago.pl ", client_id="c1",
                              api_secret="s3cret", owner_email=None)
    assert holds.fingerprint(account) == salted_hmac(
        "wagtail_salesmanago.holds", "https://app3.salesmanago.pl\0c1\0s3cret\0",
        algorithm="sha256").hexdigest()
    account.owner_email = ""
    assert holds.fingerprint(account) == salted_hmac(
        "wagtail_salesmanago.holds", "https://app3.salesmanago.pl\0c1\0s3cret\0",
        algorithm="sha256").hexdigest()
