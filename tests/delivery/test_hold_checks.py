"""A held site's credentials check, told to whoever runs the site: what the hold then says, what
its records do, and each log line. Against ``responses``, for answers the sandbox never gives."""

import json
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.timezone import localtime
from wagtail.models import Site

from tests.helpers import (
    NOT_AUTHENTICATED, OWNER, URL, USERS, answers, make_form_page, run_retry,
    submit_emails)
from wagtail_salesmanago.delivery import holds, outbox
from wagtail_salesmanago.models import DeliveryHold, ExportRecord, SalesmanagoSettings

REJECTED = "SALESmanago rejected the credentials or the owner. SALESmanago said: Not authenticated"
NOT_A_USER = f"The owner {OWNER} is not a user of this SALESmanago account."


@pytest.mark.django_db
def test_a_hold_not_checked_yet_says_when_its_first_check_is(api, client, on_commit):
    answers(api, "contact/upsert", NOT_AUTHENTICATED)
    submit_emails(client, make_form_page(), on_commit, "a@example.com")
    run_retry()
    hold = DeliveryHold.objects.get()
    assert run_retry() == (
        f"On hold since {localtime(hold.since):%Y-%m-%d %H:%M:%S}: localhost [default] (next "
        f"check {localtime(hold.next_check_at):%Y-%m-%d %H:%M:%S}): {hold.message}\n"
        "0 due; nothing to send.\n")


@pytest.fixture
def held(api, client, on_commit, log):
    """Two answers held: SALESmanago said "Not authenticated" to the first; the check is due."""
    answers(api, "contact/upsert", NOT_AUTHENTICATED)
    submit_emails(client, make_form_page(), on_commit, "a@example.com", "b@example.com")
    assert run_retry().endswith("2 due; held: 2.\n")
    DeliveryHold.objects.update(next_check_at=timezone.now() - timedelta(seconds=1))
    log()  # the hold's start is tests/delivery/test_operator_log.py's
    return DeliveryHold.objects.get()


def still_held(hold):
    assert list(ExportRecord.objects.values_list("status", "hold")) == [("held", hold.pk)] * 2
    return DeliveryHold.objects.get(pk=hold.pk)


@pytest.mark.django_db
def test_a_check_that_cannot_run_keeps_the_hold_as_it_was_and_says_why(api, held, log):
    answers(api, "user/listByClient", "<html>down</html>", status=503)
    before = timezone.now()
    outbox.check_holds()

    hold = still_held(held)
    assert (hold.reason, hold.message, hold.message.data) == (
        held.reason, held.message, held.message.data)
    assert before <= hold.last_check_at <= timezone.now()
    # Whoever runs the site sees that the check ran, and when the next one is.
    assert run_retry().startswith(
        f"On hold since {localtime(hold.since):%Y-%m-%d %H:%M:%S}: localhost [default] (checks: "
        f"1, the last at {localtime(hold.last_check_at):%Y-%m-%d %H:%M:%S}; next check "
        f"{localtime(hold.next_check_at):%Y-%m-%d %H:%M:%S}): {held.message}\n")
    assert log() == [("holds", "WARNING", f"SALESmanago hold of site {held.site_id}: the check "
                      "could not run: SALESmanago had a server error. (HTTP 503, POST "
                      "/api/user/listByClient)")]


@pytest.mark.django_db
def test_the_hold_says_what_each_check_found(api, held, log):
    assert held.message == f"{REJECTED} (HTTP 200, POST /api/contact/upsert)"
    answers(api, "user/listByClient", USERS | {"users": ["anna@firma.pl"]})
    outbox.check_holds()

    hold = still_held(held)
    assert (hold.reason, hold.message) == ("owner", NOT_A_USER)
    assert hold.message.data == {"code": "owner_not_user", "params": {"owner": OWNER}}
    assert log() == [("holds", "WARNING", f"SALESmanago deliveries of site {held.site_id} stay "
                                           f"on hold: {NOT_A_USER}")]

    answers(api, "user/listByClient", NOT_AUTHENTICATED)
    DeliveryHold.objects.update(next_check_at=timezone.now() - timedelta(seconds=1))
    outbox.check_holds()

    hold = still_held(held)
    assert (hold.reason, hold.message) == (
        "rejected", f"{REJECTED} (HTTP 200, POST /api/user/listByClient)")
    assert hold.message.data == {"parts": [
        {"code": "credentials_rejected", "params": {}},
        {"code": "api_said", "params": {"api_message": "Not authenticated"}},
        "(HTTP 200, POST /api/user/listByClient)"], "sep": " "}
    # Each record keeps the refusal that held it; the hold (in the admin's notice) says the latest.
    assert [record.last_error for record in ExportRecord.objects.all()] == [held.message] * 2
    assert hold.checks == 2

    answers(api, "user/listByClient", "<html>Request blocked</html>", status=403)
    DeliveryHold.objects.update(next_check_at=timezone.now() - timedelta(seconds=1))
    outbox.check_holds()
    hold = still_held(held)
    assert (hold.reason, hold.message.data["parts"][0]) == ("denied", {"code": "access_denied", "params": {}})


@pytest.mark.django_db
def test_a_check_that_breaks_keeps_the_hold_and_is_logged(api, held, log):
    # The check's request breaks below the client (not one of SALESmanago's answers).
    answers(api, "user/listByClient", RuntimeError("the check broke"))
    outbox.check_holds()

    hold = still_held(held)
    assert hold.message == held.message
    assert log() == [("holds", "ERROR", f"SALESmanago hold of site {held.site_id}: the check "
                                         "failed.")]


@pytest.mark.django_db
def test_a_check_whose_finding_cannot_be_stored_keeps_the_hold(api, held, log, monkeypatch):
    answers(api, "user/listByClient", USERS | {"users": ["anna@firma.pl"]})
    update = QuerySet.update

    def refuse_the_finding(queryset, **kwargs):
        if "reason" in kwargs:
            raise RuntimeError("the database is gone")
        return update(queryset, **kwargs)

    monkeypatch.setattr(QuerySet, "update", refuse_the_finding)
    outbox.check_holds()

    hold = still_held(held)
    assert (hold.reason, hold.message) == (held.reason, held.message)
    assert log() == [
        ("holds", "ERROR", f"Could not store the SALESmanago hold check of site {held.site_id}."),
        ("holds", "WARNING", f"SALESmanago deliveries of site {held.site_id} stay on hold: "
                             f"{NOT_A_USER}"),
    ]


@pytest.mark.django_db
def test_an_answer_put_on_hold_without_a_call_is_returned_as_stored(api, held, client, on_commit):
    submit_emails(client, make_form_page(), on_commit, "c@example.com")
    record = ExportRecord.objects.get(email="c@example.com")
    DeliveryHold.objects.update(next_check_at=timezone.now() + timedelta(minutes=30))
    calls, before = len(api.calls), timezone.now()

    returned = outbox.send(record.pk)  # the hold stands: no call, the claim's attempt taken back
    assert (len(api.calls), DeliveryHold.objects.get().checks) == (calls, 0)
    stored = ExportRecord.objects.get(pk=record.pk)
    assert (stored.status, stored.attempts, stored.hold_id) == ("held", 0, held.pk)
    assert (stored.last_error, stored.last_error.data) == (held.message, held.message.data)
    assert before <= stored.updated_at <= timezone.now()
    assert (returned.status, returned.attempts, returned.next_attempt_at, returned.claimed_until,
            returned.last_error, returned.last_error.data) == (
        "held", 0, None, None, held.message, held.message.data)


@pytest.mark.django_db
def test_a_check_after_a_refusal_that_breaks_is_logged_and_the_refusal_stands(
        api, client, on_commit, log):
    answers(api, "contact/upsert", {"success": False, "message": ["Whatever"]})
    answers(api, "user/listByClient", RuntimeError("the check broke"))

    submit_emails(client, make_form_page(), on_commit, "a@example.com")
    run_retry()

    record = ExportRecord.objects.get()
    assert (record.status, record.last_error) == ("failed", "SALESmanago refused the request. "
                                                  "SALESmanago said: Whatever (HTTP 200, POST "
                                                  "/api/contact/upsert)")
    assert ("holds", "ERROR", "Could not check the credentials after a SALESmanago refusal.") in log()


@pytest.mark.django_db
def test_a_passing_check_makes_every_held_record_due_at_once_with_a_fresh_window(api, held, log):
    answers(api, "user/listByClient", USERS)
    before = timezone.now()
    outbox.check_holds()

    rows = ExportRecord.objects.values_list(
        "status", "hold", "next_attempt_at", "retry_window_from", "updated_at")
    [(status, hold, due, window, updated)] = set(rows)  # both alike, written in one go
    assert (status, hold) == ("pending", None) and before <= due <= timezone.now()
    assert due == window == updated
    assert not DeliveryHold.objects.exists()
    assert log() == [("holds", "INFO", f"SALESmanago hold of site {held.site_id} lifted (the "
                                        "credentials work again); 2 deliveries due.")]


@pytest.mark.django_db
def test_each_held_site_gets_its_own_check(api, held):
    other = Site.objects.create(hostname="other.example", root_page_id=held.site.root_page_id)
    SalesmanagoSettings.objects.create(site=other, endpoint="app3.salesmanago.pl",
                                       client_id="client-2", api_secret="t0p", owner_email=OWNER)
    DeliveryHold.objects.create(
        site=other, reason="rejected", message="Not authenticated", since=held.since,
        next_check_at=held.next_check_at, fingerprint=holds.fingerprint(outbox.account_for_site(other)))
    answers(api, "user/listByClient", USERS)
    outbox.check_holds()

    checks = [call.request for call in api.calls][-2:]
    assert [request.url for request in checks] == [URL + "user/listByClient"] * 2
    assert sorted(json.loads(request.body)["clientId"] for request in checks) == [
        "client-1", "client-2"]  # each with its own site's credentials
    assert not DeliveryHold.objects.exists()


def test_the_check_hold_task_reads_the_hold_with_its_site_in_one_query(api, held):
    """A held site's deferred check (the ``check_hold`` task) that is not due yet asks only
    whether it is: the hold with its site, the site's settings, the hold again."""
    DeliveryHold.objects.update(next_check_at=timezone.now() + timedelta(minutes=5))
    with CaptureQueriesContext(connection) as queries:
        outbox.check_site(held.site_id)
    tables = [re.findall(r'FROM "(\w+)"', query["sql"]) for query in queries.captured_queries]
    assert tables[0][0] == "wagtail_salesmanago_deliveryhold" and "wagtailcore_site" in (
        queries.captured_queries[0]["sql"])
    assert not any(found == ["wagtailcore_site"] for found in tables)
    still_held(held)
