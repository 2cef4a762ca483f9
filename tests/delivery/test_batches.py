"""A backlog of e-mail contacts drains in batch calls (``contact/batchupsert``): each record sent
once, its outcome and attempt its own. Against the sandbox over HTTP, ``responses`` for exact cases."""

import json
import sqlite3
import threading
import time
from datetime import timedelta

import pytest
import responses
from django.core.management import CommandError
from django.db import DatabaseError, connection, transaction
from django.db.models.query import QuerySet
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks import task_backends
from wagtail.models import Page, Site

from tests.helpers import (
    CONTACT_ID,
    URL,
    answer,
    backlog,
    batch_calls,
    errors,
    make_form_page,
    run_retry,
    submit_emails,
)
from tests.tcp_proxy import CountingProxy
from tests.testapp.models import SurveyPage
from tests.worker_site import POSTGRES
from wagtail_salesmanago.delivery import backlogs, batches, settle
from wagtail_salesmanago.checks import check_batch_size
from wagtail_salesmanago.models import (
    DeliveryAttempt,
    DeliveryHold,
    ExportRecord,
    SalesmanagoSettings,
)

BATCH = "/api/contact/batchupsert"


@pytest.fixture
def queued_due_at_once(queued, retry_now):
    """Answers wait for ``salesmanago_retry`` (a worker backend that has not run yet), and a retry
    is due at once."""


@pytest.mark.django_db
def test_a_backlog_of_250_goes_in_three_batch_calls(client, sm, on_commit, queued_due_at_once):
    backlog(client, on_commit, 250)

    assert run_retry("--batch-size", "100") == "250 due; sent: 250.\n"

    calls = sm.requests()
    assert [r["path"] for r in calls] == [BATCH] * 3
    assert [len(r["body"]["upsertDetails"]) for r in calls] == [100, 100, 50]
    first = calls[0]["body"]
    assert first["owner"] == sm.owner
    item = first["upsertDetails"][0]
    assert "owner" not in item and "sha" not in item and "apiKey" not in item
    assert item["contact"]["email"] == "person0@example.com"
    assert item["tags"] == ["BADANIE_SATYSFAKCJI"]
    sent = [e for r in calls for e in (i["contact"]["email"] for i in r["body"]["upsertDetails"])]
    assert sorted(sent) == sorted(f"person{n}@example.com" for n in range(250))
    assert len(sm.contacts()) == 250
    ids = {c["email"]: c["contactId"] for c in sm.contacts()}
    for rank, record in enumerate(ExportRecord.objects.order_by("pk")):  # pks go on across tests
        assert (record.status, record.attempts) == ("sent", 1)
        assert record.salesmanago_contact_id == ids[record.email]
        assert record.payload["owner"] == sm.owner  # the record keeps its own upsert body
        assert list(record.attempt_log.values_list("outcome", "message")) == [
            ("sent", f"Sent in a batch of {100 if rank < 200 else 50}.")]
    assert run_retry() == "0 due; nothing to send.\n"
    assert len(sm.requests()) == 3


@pytest.mark.django_db
@pytest.mark.parametrize("size", ["0", "-5", "1001", "99999999999999999999", "1e3", "ten"])
def test_a_batch_size_salesmanago_may_not_take_is_refused_before_anything_is_sent(
    client, sm, on_commit, queued_due_at_once, size
):
    """1 to 1000 contacts a call: past that, one lost answer would leave the whole batch to go again
    one by one (and its contactIds could outgrow the 1 MB the client reads of an answer)."""
    backlog(client, on_commit, 2)
    with pytest.raises(CommandError, match=f"“{size}” is not a batch size: give a whole number "
                                           "from 1 to 1000"):
        run_retry("--batch-size", size)
    assert sm.requests() == []
    assert run_retry("--batch-size", "1000") == "2 due; sent: 2.\n"


@pytest.mark.parametrize("value", [0, 1001, "100", 2.5, True, None])
def test_a_batch_size_setting_a_drain_could_not_use_is_named(settings, value):
    settings.WAGTAIL_SALESMANAGO_BATCH_SIZE = value
    [error] = check_batch_size()
    assert error.id == "wagtail_salesmanago.E006"
    assert error.msg == (f"WAGTAIL_SALESMANAGO_BATCH_SIZE must be a whole number from 1 to 1000, "
                         f"not {value!r}.")


@pytest.mark.parametrize("value", [1, 1000])
def test_a_batch_size_setting_from_1_to_1000_passes_the_check(settings, value):
    settings.WAGTAIL_SALESMANAGO_BATCH_SIZE = value
    assert check_batch_size() == []


@pytest.mark.django_db
def test_one_update_claims_a_whole_batch(client, sm, on_commit, queued_due_at_once):
    backlog(client, on_commit, 30)
    with CaptureQueriesContext(connection) as queries:
        ids = batches.claim(25, timezone.now())
    statements = [q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    # Which sites' calls are paused (none: no condition more), then one statement claims:
    # WITH picked AS (...) UPDATE.
    pauses, *writes = statements
    assert pauses.startswith("SELECT") and "deliverypause" in pauses
    assert len(writes) == 1 and ") UPDATE " in writes[0]
    assert len(ids) == 25
    assert ExportRecord.objects.filter(claimed_until__isnull=False).count() == 25
    rest = sorted(ExportRecord.objects.filter(claimed_until__isnull=True).values_list("pk", flat=True))
    assert len(rest) == 5 and sorted(batches.claim(25, timezone.now())) == rest


@pytest.mark.django_db
def test_a_contact_left_out_of_a_batch_past_its_give_up_window_fails_and_goes_alone_if_resent(
    client, sm, on_commit, queued_due_at_once, settings
):
    settings.WAGTAIL_SALESMANAGO_GIVE_UP_AFTER_SECONDS = 0
    backlog(client, on_commit, 5)
    sm.misbehave(batch_drop=1)

    assert run_retry() == "5 due; failed: 1, sent: 4.\n"
    lost = ExportRecord.objects.get(email="person0@example.com")
    assert lost.status == "failed" and lost.send_alone is True  # as its note says
    assert settle.SEND_ALONE in lost.notes


@pytest.mark.django_db
def test_a_contact_left_out_of_contact_ids_retries_alone(
    client, sm, on_commit, queued_due_at_once, settings
):
    settings.WAGTAIL_SALESMANAGO_RETRY_BASE_SECONDS = 60
    backlog(client, on_commit, 5)
    sm.misbehave(batch_drop=1)  # the first contact of the batch is lost

    assert run_retry() == "5 due; retrying: 1, sent: 4.\n"
    lost = ExportRecord.objects.get(email="person0@example.com")
    assert (lost.status, lost.attempts) == ("retrying", 1)
    assert settle.SEND_ALONE in lost.notes and lost.last_error == settle.SEND_ALONE
    assert lost.send_alone is True  # what keeps it out of the next batch
    assert list(lost.attempt_log.values_list("outcome", flat=True)) == ["transient"]

    ExportRecord.objects.filter(pk=lost.pk).update(next_attempt_at=timezone.now())
    assert run_retry() == "1 due; sent: 1.\n"
    assert [r["path"] for r in sm.requests()] == [BATCH, "/api/contact/upsert"]
    assert sm.requests()[1]["body"]["contact"]["email"] == "person0@example.com"
    lost.refresh_from_db()
    assert (lost.status, lost.attempts) == ("sent", 2)
    assert sorted(c["email"] for c in sm.contacts()) == [f"person{n}@example.com" for n in range(5)]


@pytest.mark.django_db
def test_a_server_error_on_the_batch_retries_every_record_on_its_own_backoff(
    client, sm, on_commit, queued_due_at_once, settings
):
    settings.WAGTAIL_SALESMANAGO_RETRY_BASE_SECONDS = 60
    backlog(client, on_commit, 4)
    sm.misbehave(fail_next=1)
    queue = task_backends["default"]
    queue.clear()

    assert run_retry() == "4 due; retrying: 4.\n"
    records = list(ExportRecord.objects.all())
    assert {r.status for r in records} == {"retrying"}
    assert sorted((t.args[0], t.task.run_after) for t in queue.results) == sorted(
        (r.pk, r.next_attempt_at) for r in records)  # each retry goes to the workers when due
    assert len({r.next_attempt_at for r in records}) == 4  # each its own jitter
    assert all(r.attempt_log.get().outcome == "transient" for r in records)
    assert {(r.last_error, r.attempt_log.get().message) for r in records} == {
        (records[0].last_error, records[0].last_error)}
    assert "HTTP 500" in records[0].last_error
    assert settle.SEND_ALONE not in records[0].notes  # a batch again next time
    assert records[0].send_alone is False

    ExportRecord.objects.update(next_attempt_at=timezone.now())
    assert run_retry() == "4 due; sent: 4.\n"
    assert [r["path"] for r in sm.requests()] == [BATCH, BATCH]
    assert len(sm.contacts()) == 4
    assert list(ExportRecord.objects.values_list("status", "last_error",
                                                 "next_attempt_at")) == [("sent", "", None)] * 4
    assert {record.last_error.data for record in ExportRecord.objects.all()} == {""}


@pytest.mark.django_db
def test_rejected_credentials_hold_the_site(client, sm, on_commit, queued_due_at_once, settings):
    settings.WAGTAIL_SALESMANAGO_ALLOW_HTTP = True
    backlog(client, on_commit, 3)
    SalesmanagoSettings.objects.update(api_secret="wrong")

    assert run_retry().endswith("3 due; held: 3.\n")
    assert [r["path"] for r in sm.requests()] == [BATCH]  # one refusal
    hold = DeliveryHold.objects.get()
    assert set(ExportRecord.objects.values_list("status", "hold", "attempts")) == {
        ("held", hold.pk, 1)}
    assert set(ExportRecord.objects.values_list("attempt_log__outcome", flat=True)) == {"held"}


@pytest.mark.django_db
def test_contact_ids_are_matched_without_regard_to_case(client, on_commit, queued_due_at_once):
    SalesmanagoSettings.objects.update_or_create(
        site=Site.objects.get(is_default_site=True),
        defaults={"endpoint": "app3.salesmanago.pl", "client_id": "c", "api_secret": "s",
                  "owner_email": "crm@firma.pl"},
    )
    with responses.RequestsMock() as api:
        backlog(client, on_commit, 2)
        api.add(responses.POST, URL + "contact/batchupsert", json={
            "success": True, "message": [], "contactIds": {"PERSON0@Example.com": CONTACT_ID}})
        assert run_retry() == "2 due; retrying: 1, sent: 1.\n"
    found = ExportRecord.objects.get(email="person0@example.com")
    assert (found.status, found.salesmanago_contact_id) == ("sent", CONTACT_ID)
    assert ExportRecord.objects.get(email="person1@example.com").status == "retrying"


@pytest.mark.skipif(not POSTGRES, reason="SQLite serialises writers: run with DB_ENGINE=postgresql")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # leaves the site as it found it
def test_two_racing_drainers_never_send_a_record_twice(client, sm, on_commit, queued_due_at_once):
    backlog(client, on_commit, 120)
    results, start = [], threading.Barrier(2)

    def drainer():
        try:
            start.wait()
            results.append(backlogs.drain(size=10))
        finally:
            connection.close()

    threads = [threading.Thread(target=drainer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    sent = [i["contact"]["email"] for r in batch_calls(sm) for i in r["body"]["upsertDetails"]]
    assert len(sent) == len(set(sent)) == 120
    assert sum(len(r) for r in results) == 120
    assert set(ExportRecord.objects.values_list("status", "attempts")) == {("sent", 1)}


@pytest.mark.skipif(not POSTGRES, reason="SQLite locks the whole database: run with DB_ENGINE=postgresql")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # leaves the site as it found it
def test_a_batch_claim_skips_records_another_sender_is_writing_instead_of_waiting(
        client, sm, on_commit, queued_due_at_once):
    backlog(client, on_commit, 6)
    ids = sorted(ExportRecord.objects.values_list("pk", flat=True))
    locked, done = threading.Event(), threading.Event()

    def writing_three():  # as a sender storing their outcomes holds their rows
        try:
            with transaction.atomic():
                list(ExportRecord.objects.select_for_update().filter(pk__in=ids[:3]))
                locked.set()
                done.wait(30)
        finally:
            connection.close()

    other = threading.Thread(target=writing_three)
    other.start()
    try:
        assert locked.wait(30)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '3s'")  # waiting would fail, not hang
        claimed = batches.claim(10, timezone.now())
    finally:
        done.set()
        other.join()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    assert sorted(claimed) == ids[3:]


@pytest.mark.django_db
def test_a_killed_drain_resends_only_what_was_not_sent(client, sm, on_commit, queued_due_at_once):
    backlog(client, on_commit, 30)
    assert len(backlogs.drain(size=10, rounds=1)) == 10  # then it is killed ...
    now = timezone.now()
    batches.claim(10, now)  # ... after claiming its next batch
    assert run_retry() == "10 due; sent: 10.\n"  # the claimed ten wait for their claim

    ExportRecord.objects.filter(claimed_until__isnull=False).update(
        claimed_until=now - timedelta(seconds=1))  # the claim lapses
    assert run_retry() == "10 due; sent: 10.\n"
    sent = [i["contact"]["email"] for r in batch_calls(sm) for i in r["body"]["upsertDetails"]]
    assert len(sent) == len(set(sent)) == 30
    assert ExportRecord.objects.filter(attempts=2).count() == 10  # the killed claim counted


@pytest.mark.django_db
def test_double_opt_in_and_a_lone_record_go_one_by_one(client, sm, on_commit, queued_due_at_once):
    backlog(client, on_commit, 2)
    doi = ExportRecord.objects.get(email="person1@example.com")
    doi.payload = {**doi.payload, "useApiDoubleOptIn": True}
    doi.save()

    assert run_retry() == "2 due; sent: 2.\n"
    assert [r["path"] for r in sm.requests()] == ["/api/contact/upsert"] * 2


@pytest.mark.django_db
def test_two_answers_of_one_email_go_in_order_in_separate_batches(
    client, sm, on_commit, queued_due_at_once
):
    page = backlog(client, on_commit, 3)
    submit_emails(client, page, on_commit, "person0@example.com")  # the same person again
    submit_emails(client, page, on_commit, "person3@example.com")

    assert run_retry() == "5 due; sent: 5.\n"
    calls = batch_calls(sm)
    assert [[i["contact"]["email"] for i in r["body"]["upsertDetails"]] for r in calls[:1]] == [
        ["person0@example.com", "person1@example.com", "person2@example.com",
         "person3@example.com"]]
    assert [r["path"] for r in sm.requests()] == [BATCH, "/api/contact/upsert"]


def test_the_sandbox_fails_a_batch_as_a_whole_or_loses_single_contacts(sandbox):
    from wagtail_salesmanago.api.client import SalesmanagoClient
    from wagtail_salesmanago.api.exceptions import TransientError

    sandbox.reset()
    creds = sandbox.credentials()
    api = SalesmanagoClient(creds["endpoint"], creds["client_id"], creds["api_secret"])
    items = [{"contact": {"email": f"P{n}@Example.com"}} for n in range(4)]
    sandbox.misbehave(fail_next=1)
    with pytest.raises(TransientError):
        api.batch_upsert(sandbox.owner, items)
    assert sandbox.contacts() == []  # failed as a whole: nothing stored

    sandbox.misbehave(batch_drop=1)
    answered = api.batch_upsert(sandbox.owner, items)
    assert sorted(answered) == ["p1@example.com", "p2@example.com", "p3@example.com"]
    sandbox.misbehave(batch_drop_rate=1)
    assert api.batch_upsert(sandbox.owner, [{"contact": {"email": "q@example.com"}}]) == {}
    assert sorted(c["email"] for c in sandbox.contacts()) == ["P1@Example.com", "P2@Example.com",
                                                               "P3@Example.com"]
    sandbox.reset()


def answer_all(request):
    """A batch call's answer: every contact stored."""
    emails = [i["contact"]["email"] for i in json.loads(request.body)["upsertDetails"]]
    return 200, {}, json.dumps({"success": True, "message": [], "contactIds": {
        email: f"00000000-0000-4000-8000-{n:012d}" for n, email in enumerate(emails)}})


def sm_account():
    SalesmanagoSettings.objects.update_or_create(
        site=Site.objects.get(is_default_site=True),
        defaults={"endpoint": "app3.salesmanago.pl", "client_id": "c", "api_secret": "s",
                  "owner_email": "crm@firma.pl"},
    )


@pytest.mark.django_db
def test_the_next_batch_is_claimed_while_the_call_before_it_is_in_flight(
    client, on_commit, queued_due_at_once, monkeypatch
):
    """SALESmanago's answer time overlaps our database work: each call still goes alone, after
    the one before it was answered and written."""
    sm_account()
    claim, claims, seen = batches.claim, [], []

    def counted(*args, **kwargs):
        ids = claim(*args, **kwargs)
        claims.append(ids)
        return ids

    def in_flight(request):
        """Answers once the next batch is claimed (without the overlap it never is: 5 s, False)."""
        call, waited = len(seen) + 1, 0
        while len(claims) <= call and waited < 500:  # a guard against a hang, not a timing
            time.sleep(0.01)
            waited += 1
        seen.append(len(claims) > call)
        return answer_all(request)

    # internal seam: when each claim is made, against the call in flight (an order of events
    # inside one drain that neither SALESmanago nor the database can tell).
    monkeypatch.setattr(batches, "claim", counted)
    with responses.RequestsMock() as api:
        backlog(client, on_commit, 25)
        api.add_callback(responses.POST, URL + "contact/batchupsert", callback=in_flight)
        assert run_retry("--batch-size", "10") == "25 due; sent: 25.\n"
        assert [len(json.loads(c.request.body)["upsertDetails"]) for c in api.calls] == [10, 10, 5]
    # The next claim was made while each call was in flight (the last one found none left).
    assert seen == [True, True, True]
    assert [len(ids) for ids in claims] == [10, 10, 5, 0]
    assert set(ExportRecord.objects.values_list("status", "attempts")) == {("sent", 1)}


@pytest.mark.django_db
def test_a_batch_that_cannot_be_read_ahead_is_read_after_the_call(
    client, on_commit, queued_due_at_once, monkeypatch, caplog
):
    sm_account()
    claim, calls = batches.claim, []

    def flaky(*args, **kwargs):
        calls.append(args)
        if len(calls) == 2:  # the first read ahead
            raise DatabaseError("database is locked")
        return claim(*args, **kwargs)

    # internal seam: a database error in exactly the read-ahead's claim, not in the claims
    # before and after it: no public seam fails one statement of three alike.
    monkeypatch.setattr(batches, "claim", flaky)
    with responses.RequestsMock() as api:
        backlog(client, on_commit, 15)
        api.add_callback(responses.POST, URL + "contact/batchupsert", callback=answer_all)
        assert run_retry("--batch-size", "10") == "15 due; sent: 15.\n"
        assert [len(json.loads(c.request.body)["upsertDetails"]) for c in api.calls] == [10, 5]
    assert errors(caplog) == [
        ("wagtail_salesmanago.delivery.batches", "Could not read the next SALESmanago batch ahead; it is "
                                        "read after.")]
    assert set(ExportRecord.objects.values_list("status", "attempts")) == {("sent", 1)}


@pytest.mark.django_db
def test_batch_calls_made_on_the_calling_thread_reuse_one_session(
    client, sm, on_commit, queued_due_at_once
):
    """The call runs on a thread of its own, with the client's session (made where the client
    was): one connection to SALESmanago for the whole drain, not a handshake per batch."""
    backlog(client, on_commit, 25)
    with CountingProxy(sm.server.server_address[1]) as proxy:
        SalesmanagoSettings.objects.update(endpoint=proxy.url)
        assert run_retry("--batch-size", "10") == "25 due; sent: 25.\n"
    assert [len(r["body"]["upsertDetails"]) for r in batch_calls(sm)] == [10, 10, 5]
    assert proxy.connections == 1


@pytest.mark.django_db
def test_a_batch_read_ahead_long_ago_sends_only_what_is_still_its_own(
    client, sm, on_commit, queued_due_at_once, monkeypatch
):
    """The call before it took long: the next batch's claim, taken when that call started, is
    old; two of its records' claims lapsed and another sender took them. Those are left to that
    sender, untouched; the rest renew their claim and are sent."""
    backlog(client, on_commit, 20)
    read, reads, taken = backlogs.read, [], timezone.now() + timedelta(minutes=1)

    def read_and_lose_two(next_ids):
        batch = read(next_ids)
        reads.append(batch)
        if len(reads) == 2:  # the read-ahead, as if claimed long ago; two went to another sender
            old = timezone.now() + timedelta(seconds=5)
            ExportRecord.objects.filter(pk__in=[r.pk for r in batch[0]]).update(claimed_until=old)
            ExportRecord.objects.filter(pk__in=[r.pk for r in batch[0][:2]]).update(
                claimed_until=taken)
            for record in batch[0]:
                record.claimed_until = old
        return batch

    # internal seam: another sender's claims land between the read-ahead and its call.
    monkeypatch.setattr(backlogs, "read", read_and_lose_two)
    assert run_retry("--batch-size", "10") == "20 due; pending: 2, sent: 18.\n"

    lost = [r.pk for r in reads[1][0][:2]]
    sent = [i["contact"]["email"] for r in batch_calls(sm) for i in r["body"]["upsertDetails"]]
    assert [len(r["body"]["upsertDetails"]) for r in batch_calls(sm)] == [10, 8]
    assert not set(ExportRecord.objects.filter(pk__in=lost).values_list("email", flat=True)) & set(
        sent)
    assert set(ExportRecord.objects.filter(pk__in=lost).values_list(
        "status", "claimed_until", "attempts")) == {("pending", taken, 1)}  # untouched
    assert DeliveryAttempt.objects.filter(record__in=lost).count() == 0
    assert DeliveryAttempt.objects.filter(record__in=reads[1][0][2:]).count() == 8
    assert set(ExportRecord.objects.filter(pk__in=[r.pk for r in reads[1][0][2:]]).values_list(
        "status", "attempts")) == {("sent", 1)}  # sent on the renewed claim, not claimed again


@pytest.mark.django_db
def test_a_batch_read_ahead_whose_claims_lapsed_unclaimed_sends_them_all_once(
    client, sm, on_commit, queued_due_at_once, monkeypatch
):
    """Two of the read-ahead's claims lapsed while the call before it took long, and no other
    sender took them: they are still this batch's, renewed and sent with it, each once."""
    backlog(client, on_commit, 20)
    read, reads = backlogs.read, []

    def read_and_let_two_lapse(next_ids):
        batch = read(next_ids)
        reads.append(batch)
        if len(reads) == 2:
            for record, claim in zip(batch[0], [timezone.now() - timedelta(seconds=1)] * 2 + [
                    timezone.now() + timedelta(seconds=5)] * 8):
                ExportRecord.objects.filter(pk=record.pk).update(claimed_until=claim)
                record.claimed_until = claim
        return batch

    # internal seam: two claims of one statement lapse apart, between the read-ahead and its call.
    monkeypatch.setattr(backlogs, "read", read_and_let_two_lapse)
    assert run_retry("--batch-size", "10") == "20 due; sent: 20.\n"

    assert [len(r["body"]["upsertDetails"]) for r in batch_calls(sm)] == [10, 10]
    assert set(ExportRecord.objects.values_list("status", "attempts", "claimed_until")) == {
        ("sent", 1, None)}
    assert DeliveryAttempt.objects.count() == 20


@pytest.mark.django_db
def test_a_batch_claimed_but_not_read_is_given_back_at_once(
    client, sm, on_commit, queued_due_at_once, monkeypatch
):
    backlog(client, on_commit, 3)

    def claim_then_fail(now):
        ids = batches.claim(10, now)
        monkeypatch.setattr(QuerySet, "order_by", lambda *a, **k: (_ for _ in ()).throw(
            DatabaseError("server closed the connection")))
        return ids

    with pytest.raises(DatabaseError):
        backlogs.read(claim_then_fail)
    monkeypatch.undo()
    assert set(ExportRecord.objects.values_list("claimed_until", "attempts")) == {(None, 0)}
    assert run_retry() == "3 due; sent: 3.\n"  # at once, not after the claim lapses


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own limit on parameters")
@pytest.mark.django_db
def test_an_sqlite_that_takes_999_parameters_a_statement_drains_smaller_batches(
    client, sm, on_commit, queued_due_at_once
):
    backlog(client, on_commit, 1000)
    connection.ensure_connection()
    limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    connection.connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
    try:
        assert run_retry("--batch-size", "1000") == "1000 due; sent: 1000.\n"
    finally:
        connection.connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limit)
    assert [len(r["body"]["upsertDetails"]) for r in batch_calls(sm)] == [900, 100]


@pytest.mark.django_db
def test_batches_after_the_one_rejected_are_held_without_a_call(
        client, sm, on_commit, queued_due_at_once, alerting, mailoutbox, caplog):
    backlog(client, on_commit, 5)
    SalesmanagoSettings.objects.update(api_secret="wrong")
    backend = task_backends["default"]
    backend.clear()

    assert run_retry("--batch-size", "2").endswith("5 due; held: 5.\n")

    assert [r["path"] for r in sm.requests()] == [BATCH]  # the first batch's refusal only
    hold = DeliveryHold.objects.get()
    assert hold.message == ("SALESmanago rejected the credentials or the owner. SALESmanago "
                            "said: Not authenticated (HTTP 200, POST /api/contact/batchupsert)")
    [mail] = mailoutbox
    assert mail.subject.endswith("are on hold")
    [check] = [r for r in backend.results if r.task.name == "check_hold"]
    assert check.args == [hold.site_id] and check.task.run_after == hold.next_check_at
    assert [(r.levelname, r.getMessage()) for r in caplog.records
            if r.name.startswith("wagtail_salesmanago")] == [
        ("WARNING", f"SALESmanago deliveries of site {hold.site} are on hold: {hold.message}")]
    rows = ExportRecord.objects.order_by("pk").values_list("status", "hold", "attempts",
                                                           "last_error", "claimed_until")
    assert list(rows) == [("held", hold.pk, 1, hold.message, None)] * 2 + [
        ("held", hold.pk, 0, hold.message, None)] * 3  # not called: no attempt counted
    assert list(DeliveryAttempt.objects.values_list("outcome", flat=True)) == ["held"] * 2


@pytest.mark.django_db
def test_a_batch_sent_as_a_forms_owner_salesmanago_refuses_fails_without_holding_the_site(
        client, sm, on_commit, queued_due_at_once):
    page = make_form_page(salesmanago_owner="nikt@example.com")
    backlog(client, on_commit, 3, page=page)
    backlog(client, on_commit, 2, page=make_form_page(title="Inna"))
    refusal = ("The form's owner nikt@example.com is not a user of this SALESmanago account: "
               "choose another in the page's SALESmanago settings (blank: the site's owner), then "
               "resend.")

    assert run_retry() == "5 due; retrying: 3, sent: 2.\n"

    assert [(r["path"], r["body"]["owner"]) for r in sm.requests()] == [
        (BATCH, "nikt@example.com"), ("/api/user/listByClient", "owner@example.com"),
        (BATCH, "owner@example.com")]
    assert not DeliveryHold.objects.exists()

    def mine():
        return {(r.status, r.attempts, r.last_error.split(" SALESmanago said")[0])
                for r in ExportRecord.objects.filter(page=page)}

    assert mine() == {("retrying", 1, refusal)}

    assert run_retry() == "3 due; failed: 3.\n"  # each alone, as the note says

    # Each refusal, then its one check of the users list: the form owner is not among them.
    assert [r["path"] for r in sm.requests()[3:]] == [
        "/api/contact/upsert", "/api/user/listByClient"] * 3
    assert mine() == {("failed", 2, refusal)}
    assert not DeliveryHold.objects.exists()


@pytest.mark.django_db
def test_a_limit_sends_that_many_in_batches_and_leaves_the_rest_due(
    client, sm, on_commit, queued_due_at_once
):
    backlog(client, on_commit, 7)

    assert run_retry("--limit", "3") == "3 due; sent: 3.\n"
    assert [len(r["body"]["upsertDetails"]) for r in sm.requests()] == [3]  # one batch call
    assert run_retry("--limit", "3", "--batch-size", "2") == "3 due; sent: 3.\n"
    assert [r["path"] for r in sm.requests()[1:]] == [BATCH, "/api/contact/upsert"]  # 2, 1
    assert run_retry("--limit", "3") == "1 due; sent: 1.\n"
    assert len(sm.contacts()) == 7


@pytest.mark.django_db
def test_a_limit_takes_the_longest_waiting_first(client, sm, on_commit, queued_due_at_once):
    backlog(client, on_commit, 3)
    now = timezone.now()
    for minutes, email in ((1, "person0@example.com"), (30, "person2@example.com"),
                           (10, "person1@example.com")):
        ExportRecord.objects.filter(email=email).update(next_attempt_at=now - timedelta(minutes=minutes))

    assert run_retry("--limit", "1") == "1 due; sent: 1.\n"
    assert run_retry("--limit", "1") == "1 due; sent: 1.\n"
    assert [r["body"]["contact"]["email"] for r in sm.requests()] == [
        "person2@example.com", "person1@example.com"]  # due 30, then 10 minutes ago


@pytest.fixture(params=["update returning", "one at a time"])
def claims(request, monkeypatch):
    """Both ways a drain claims: one UPDATE ... RETURNING, or one record at a time where the
    database has no RETURNING (as Django's MySQL backend says; SQLite takes its JSON look-ups)."""
    if request.param == "one at a time":
        if connection.vendor != "sqlite":
            pytest.skip("SQLite writes JSON look-ups as MySQL does")
        monkeypatch.setattr(connection, "vendor", "mysql")
    return request.param


@pytest.mark.django_db
def test_a_batch_retried_at_once_waits_for_the_next_run(
    client, sm, on_commit, queued_due_at_once, claims
):
    """A drain takes each record once: at no backoff, a failed batch is not sent again and again
    in one run until its attempts are used up. (Each batch is claimed while the one before it is
    in flight: the first batch's records are due again when the third claims.)"""
    backlog(client, on_commit, 6)
    sm.misbehave(fail_next=1)

    assert run_retry("--batch-size", "2") == "6 due; retrying: 2, sent: 4.\n"
    assert len(batch_calls(sm)) == 3
    assert set(ExportRecord.objects.values_list("status", "attempts")) == {
        ("retrying", 1), ("sent", 1)}
    assert run_retry() == "2 due; sent: 2.\n"


@pytest.mark.django_db
def test_a_drain_longer_than_a_claim_claims_each_batch_for_as_long_from_its_own_time(
        client, sm, on_commit, queued_due_at_once, settings):
    """Each batch's claim lasts CLAIM_SECONDS from when it is claimed, not from the drain's start:
    the batches claimed two seconds in are still the drain's own, and sent."""
    settings.WAGTAIL_SALESMANAGO_CLAIM_SECONDS = 2
    backlog(client, on_commit, 8)
    sm.misbehave(latency=1.0)

    assert run_retry("--batch-size", "2") == "8 due; sent: 8.\n"
    assert [len(r["body"]["upsertDetails"]) for r in batch_calls(sm)] == [2, 2, 2, 2]


@pytest.mark.django_db
def test_a_batch_refused_under_a_hold_another_sender_just_started_joins_it_without_an_alert(
        client, sm, on_commit, queued_due_at_once, alerting, mailoutbox, their_hold):
    theirs = their_hold
    backlog(client, on_commit, 2)
    SalesmanagoSettings.objects.update(api_secret="wrong")

    assert run_retry().endswith("2 due; held: 2.\n")

    assert [r["path"] for r in sm.requests()] == [BATCH]
    assert list(DeliveryHold.objects.all()) == [theirs]
    assert set(ExportRecord.objects.values_list("status", "hold")) == {("held", theirs.pk)}
    assert mailoutbox == []  # the other sender alerted


@pytest.mark.django_db
def test_a_batch_that_fails_past_the_give_up_window_fails_its_records(
        client, sm, on_commit, queued_due_at_once, settings, log):
    settings.WAGTAIL_SALESMANAGO_GIVE_UP_AFTER_SECONDS = 0
    backlog(client, on_commit, 3)
    sm.misbehave(fail_next=1)

    assert run_retry() == "3 due; failed: 3.\n"

    records = list(ExportRecord.objects.all())
    [attempt] = {r.attempt_log.get().message for r in records}
    assert "HTTP 500" in attempt
    assert {(r.status, r.next_attempt_at, r.last_error) for r in records} == {
        ("failed", None, f"Gave up after 1 attempts: {attempt}")}
    assert log() == []  # the batch fails as one: no line per record


@pytest.mark.django_db
def test_a_batch_that_gives_up_alerts_once_per_form_that_was_working(
        client, sm, on_commit, queued_due_at_once, settings, alerting, mailoutbox):
    settings.WAGTAIL_SALESMANAGO_GIVE_UP_AFTER_SECONDS = 0
    working = backlog(client, on_commit, 3, make_form_page(title="Ankieta A"), "a")
    failing = backlog(client, on_commit, 2, make_form_page(title="Ankieta B"), "b")
    also = backlog(client, on_commit, 1, make_form_page(title="Ankieta C"), "c")
    ExportRecord.objects.filter(page=failing, email="b0@example.com").update(status="failed")
    sm.misbehave(fail_next=1)

    assert run_retry() == "5 due; failed: 5.\n"

    assert len(batch_calls(sm)) == 1
    # Form A's three failures: one mail; form B was failing already; form C: one mail.
    assert [m.subject.split("] ")[-1] for m in mailoutbox] == [
        "SALESmanago deliveries of “Ankieta A” are failing",
        "SALESmanago deliveries of “Ankieta C” are failing"]
    assert f"page={working.pk}" in mailoutbox[0].body and f"page={also.pk}" in mailoutbox[1].body


@pytest.mark.django_db
def test_an_answer_to_go_alone_whose_claim_another_sender_took_is_left_to_it(
        client, sm, on_commit, queued_due_at_once, monkeypatch):
    """Its claim lapsed while the calls before it took long: the sender that took it sends it."""
    backlog(client, on_commit, 11)
    read, reads, taken = backlogs.read, [], timezone.now() + timedelta(minutes=1)

    def read_and_lose_the_last(next_ids):
        batch = read(next_ids)
        reads.append(batch)
        if len(reads) == 2:  # the read-ahead: one record, sent alone; claimed long ago
            [record] = batch[0]
            record.claimed_until = timezone.now() + timedelta(seconds=5)
            ExportRecord.objects.filter(pk=record.pk).update(claimed_until=taken)
        return batch

    # internal seam: another sender's claim lands between the read-ahead and its send.
    monkeypatch.setattr(backlogs, "read", read_and_lose_the_last)
    assert run_retry("--batch-size", "10") == "11 due; pending: 1, sent: 10.\n"

    [lost] = reads[1][0]
    assert [r["path"] for r in sm.requests()] == [BATCH]  # not sent alone by this drain
    lost.refresh_from_db()
    assert (lost.status, lost.claimed_until, lost.attempts) == ("pending", taken, 1)


@pytest.mark.django_db
def test_a_second_answer_whose_claim_another_sender_took_keeps_that_claim(
        client, sm, on_commit, queued_due_at_once, monkeypatch):
    """A second answer of one e-mail waits for the next batch: its claim is given back, unless
    another sender took it meanwhile."""
    page = backlog(client, on_commit, 12)
    ExportRecord.objects.filter(page=page, email="person11@example.com").update(
        email="person10@example.com")
    read, reads, taken = backlogs.read, [], timezone.now() + timedelta(minutes=1)

    def read_and_lose_the_second(next_ids):
        batch = read(next_ids)
        reads.append(batch)
        if len(reads) == 2:  # the read-ahead: two answers of one e-mail
            second = batch[0][1]
            ExportRecord.objects.filter(pk=second.pk).update(claimed_until=taken)
        return batch

    # internal seam: another sender's claim lands between the read-ahead and its send.
    monkeypatch.setattr(backlogs, "read", read_and_lose_the_second)
    run_retry("--batch-size", "10")

    second = ExportRecord.objects.get(pk=reads[1][0][1].pk)
    assert (second.claimed_until, second.attempts) == (taken, 1)  # the other sender's, untouched


@pytest.mark.django_db
def test_answers_whose_site_cannot_be_found_go_alone_and_the_rest_in_a_batch(
        client, sm, on_commit, queued_due_at_once):
    """A form moved out of every site (its answers wait in the queue) cannot be sent in a batch."""
    backlog(client, on_commit, 4)
    outside = SurveyPage(title="Poza witryną", salesmanago_enabled=True)
    Page.objects.get(depth=1).add_child(instance=outside)
    first_two = list(ExportRecord.objects.order_by("pk").values_list("pk", flat=True)[:2])
    ExportRecord.objects.filter(pk__in=first_two).update(page=outside)

    out = run_retry()

    assert [[i["contact"]["email"] for i in r["body"]["upsertDetails"]] for r in batch_calls(sm)] == [
        ["person2@example.com", "person3@example.com"]]
    assert [r["path"] for r in sm.requests()] == [BATCH]  # the two alone: no account to call
    assert out == "4 due; failed: 2, sent: 2.\n"  # (as they fail when sent alone)


@pytest.mark.django_db
def test_an_answer_by_contact_id_goes_by_its_own_update_not_in_a_batch(
        client, sm, on_commit, queued_due_at_once):
    contact_id = sm.add_contact("known@example.com")
    page = backlog(client, on_commit, 2)
    with on_commit():
        answer(client, page, {"Komentarz": "z mailingu"}, smclientid=contact_id)

    assert run_retry() == "3 due; sent: 3.\n"

    assert sorted(r["path"] for r in sm.requests()) == [BATCH, "/api/contact/update"]
    [update] = [r["body"] for r in sm.requests() if r["path"] == "/api/contact/update"]
    assert update["contactId"] == contact_id
    assert [len(r["body"]["upsertDetails"]) for r in batch_calls(sm)] == [2]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite writes JSON look-ups as MySQL does")
@pytest.mark.django_db
def test_a_database_without_update_returning_claims_batches_one_record_at_a_time(
        client, sm, on_commit, queued_due_at_once, monkeypatch):
    backlog(client, on_commit, 3)
    monkeypatch.setattr(connection, "vendor", "mysql")  # as Django's MySQL backend says

    assert run_retry() == "3 due; sent: 3.\n"

    monkeypatch.undo()
    assert [len(r["body"]["upsertDetails"]) for r in batch_calls(sm)] == [3]
    assert set(ExportRecord.objects.values_list("status", "attempts")) == {("sent", 1)}


@pytest.mark.django_db
def test_a_contact_id_in_a_batch_answer_that_is_not_a_uuid_is_noted_and_the_answer_sent(
        client, on_commit, queued_due_at_once):
    sm_account()
    with responses.RequestsMock() as api:
        backlog(client, on_commit, 2)
        api.add(responses.POST, URL + "contact/batchupsert", json={
            "success": True, "message": [],
            "contactIds": {"person0@example.com": "x" * 100, "person1@example.com": CONTACT_ID}})
        assert run_retry() == "2 due; sent: 2.\n"
    first, second = ExportRecord.objects.order_by("email")
    assert (first.status, first.salesmanago_contact_id) == ("sent", "")
    assert first.notes.endswith(
        f"SALESmanago answered a contact ID that is not a UUID, not kept: '{'x' * 64}'.")
    assert (second.status, second.salesmanago_contact_id, second.notes) == ("sent", CONTACT_ID, "")


@pytest.mark.django_db
def test_forms_with_different_owners_send_one_batch_per_owner(
    client, two_users, on_commit, queued_due_at_once
):
    backlog(client, on_commit, 2, make_form_page(salesmanago_owner="sprzedaz@example.com"), "sales")
    backlog(client, on_commit, 3, make_form_page(title="Inna"), "site")

    assert run_retry() == "5 due; sent: 5.\n"

    assert [(r["body"]["owner"], [i["contact"]["email"] for i in r["body"]["upsertDetails"]])
            for r in batch_calls(two_users)] == [
        ("sprzedaz@example.com", ["sales0@example.com", "sales1@example.com"]),
        ("owner@example.com", ["site0@example.com", "site1@example.com", "site2@example.com"]),
    ]
    assert set(ExportRecord.objects.values_list("status", "attempts")) == {("sent", 1)}


@pytest.mark.django_db
@pytest.mark.parametrize("failing", [False, True])
def test_a_batch_reads_its_forms_page_once_however_many_answers_it_carries(
        client, sm, on_commit, queued_due_at_once, settings, alerting, failing):
    """Sent, or failed (the first failure's alert names the form), as many answers as a batch
    takes cost no more page reads than two."""
    settings.WAGTAIL_SALESMANAGO_GIVE_UP_AFTER_SECONDS = 0

    def page_reads(count):
        ExportRecord.objects.all().delete()
        backlog(client, on_commit, count, page)
        sm.misbehave(fail_next=1 if failing else 0)
        with CaptureQueriesContext(connection) as queries:
            outcome = "failed" if failing else "sent"
            assert run_retry() == f"{count} due; {outcome}: {count}.\n"
        return sum('FROM "wagtailcore_page"' in q["sql"] for q in queries)

    page = make_form_page()
    assert page_reads(30) == page_reads(2)
