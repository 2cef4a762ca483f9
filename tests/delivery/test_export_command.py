"""``salesmanago_export``: a form's past answers reach SALESmanago in batch calls, once each, even
across a run killed half-way. Against the sandbox over HTTP."""

import datetime
import io
import logging
from collections import Counter
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.utils import timezone
from wagtail.models import Page

from tests.helpers import (
    DOUBLE_OPT_IN, NEWSLETTER, answer, contact_sends, lead_page, make_form_page, past)
from tests.testapp.models import SurveyPage
from wagtail_salesmanago.delivery import batches, history, on_submission, settle
from wagtail_salesmanago.models import ExportRecord, ExportRun, SalesmanagoSettings

BATCH = "/api/contact/batchupsert"


def export(*args, out=None):
    out = out or io.StringIO()
    call_command("salesmanago_export", *[str(arg) for arg in args], stdout=out)
    return out.getvalue()


def items(sm):
    """The contacts sent, alone or in batches, as batch items (without the owner)."""
    auth = ("owner", "clientId", "apiKey", "requestTime", "sha")
    return [{k: v for k, v in s["body"].items() if k not in auth} for s in contact_sends(sm)]


def accepted_once(sm):
    """Each contact SALESmanago accepted, and how many times."""
    return Counter(s["body"]["contact"]["email"] for s in contact_sends(sm) if s["accepted"])


@pytest.mark.django_db
def test_past_answers_go_in_batch_calls_each_marked_from_contact_ids(sm):
    page = make_form_page()
    past(page, 5)

    out = export(page.pk, "--batch-size", 2)

    calls = sm.requests()
    # A batch of one goes as a single upsert (batches.py: the same call, with a precise answer).
    assert [r["path"] for r in calls] == [BATCH, BATCH, "/api/contact/upsert"]
    assert [len(r["body"]["upsertDetails"]) for r in calls[:2]] == [2, 2]
    assert calls[0]["body"]["owner"] == sm.owner
    assert calls[0]["body"]["upsertDetails"][0] == {
        "contact": {"email": "past0@example.com"}, "tags": ["BADANIE_SATYSFAKCJI"],
        "properties": {"ankieta.Komentarz": "Odpowiedź 0",
                       "ankieta.Twoj-e-mail": "past0@example.com"},
        "forceOptIn": False, "forceOptOut": False, "forcePhoneOptIn": False,
        "forcePhoneOptOut": False, "useApiDoubleOptIn": False, "async": False,
    }
    ids = {c["email"]: c["contactId"] for c in sm.contacts()}
    assert len(ids) == 5
    for record in ExportRecord.objects.all():
        assert (record.status, record.attempts) == ("sent", 1)
        assert record.salesmanago_contact_id == ids[record.email]
        assert record.attempt_log.get().outcome == "sent"
    assert out.splitlines() == ["5 answers to export.", "5/5: sent 5, to retry 0, failed 0, "
                                "skipped 0, quarantined 0", "Done: sent 5, to retry 0, "
                                "failed 0, skipped 0, quarantined 0."]
    run = ExportRun.objects.get()
    assert (run.status, run.total, run.sent, run.remaining) == ("done", 5, 5, 0)


@pytest.mark.django_db
def test_the_default_batch_is_400_contacts(sm):
    page = make_form_page()
    past(page, 402)

    export(page.pk)

    assert [len(r["body"]["upsertDetails"]) for r in sm.requests()] == [400, 2]
    assert len(sm.contacts()) == 402


@pytest.mark.django_db
def test_a_past_answer_is_mapped_as_a_live_one(client, sm, on_commit, queued):
    page = make_form_page()
    with on_commit():
        answer(client, page, {"Twój e-mail": "jan@example.com", "Co było ważne?": ["Cena", "Czas"],
                              "Jak oceniasz naszą obsługę?": "Dobrze", "Komentarz": "Zażółć"})
    live = ExportRecord.objects.get()
    model = page.get_submission_class()
    copied = model.objects.create(page=page, form_data=model.objects.get().form_data)
    live.delete()  # its answer, and a copy of it, are past answers now

    export(page.pk)

    records = {r.submission_id: r for r in ExportRecord.objects.all()}
    assert records[str(copied.pk)].payload == live.payload
    assert records[live.submission_id].payload == live.payload
    assert {(r.mode, r.email, r.contact_id, r.notes) for r in records.values()} == {
        (live.mode, live.email, live.contact_id, live.notes)} == {("upsert", "jan@example.com", "", "")}
    assert items(sm) == [{k: v for k, v in live.payload.items() if k != "owner"}] * 2
    assert live.payload["properties"]["ankieta.Komentarz"] == "Zażółć"


@pytest.mark.django_db
def test_dry_run_counts_each_way_and_sends_nothing(sm, monkeypatch):
    page = make_form_page()
    past(page, 3)
    past(page, 2, start=3, email=False)
    [by_id] = past(page, 1, start=5, email=False)
    contact_id = sm.add_contact("known@example.com")
    monkeypatch.setattr(SurveyPage, "get_salesmanago_past_contact_id",
                        lambda self, s: contact_id if s.pk == by_id.pk else "")

    out = export(page.pk, "--dry-run")

    assert out == (
        "6 past answers of “Badanie satysfakcji” would be exported: 3 by e-mail (batch calls of "
        "400), 1 by contact ID (one call each), 2 skipped (no e-mail answered, or stopped by the "
        "form's rules: recorded, not sent). Nothing sent (--dry-run).\n")
    assert sm.requests() == [] and not ExportRecord.objects.exists()
    assert not ExportRun.objects.exists()

    export(page.pk)
    paths = Counter(r["path"] for r in sm.requests())
    assert paths == {BATCH: 1, "/api/contact/update": 1}
    assert Counter(ExportRecord.objects.values_list("mode", "status")) == {
        ("upsert", "sent"): 3, ("update", "sent"): 1, ("", "skipped"): 2}
    assert export(page.pk).startswith("0 answers to export.")  # skipped ones are not tried again
    assert len(sm.requests()) == 2


@pytest.mark.django_db
def test_since_and_until_pick_the_days(sm):
    page = make_form_page()
    answers = past(page, 4)
    for answer_, day in zip(answers, [1, 2, 3, 4]):
        type(answer_).objects.filter(pk=answer_.pk).update(
            submit_time=timezone.make_aware(datetime.datetime(2026, 3, day, 23, 30)))

    assert "2 past answers" in export(page.pk, "--since", "2026-03-02", "--until", "2026-03-03",
                                      "--dry-run")
    export(page.pk, "--since", "2026-03-02", "--until", "2026-03-03")

    assert sorted(c["email"] for c in sm.contacts()) == ["past1@example.com", "past2@example.com"]
    export(page.pk, "--since", "2026-03-04")
    assert len(sm.contacts()) == 3
    with pytest.raises(CommandError, match="not a date"):
        export(page.pk, "--since", "March")


@pytest.mark.django_db
def test_an_email_left_out_of_contact_ids_fails_alone_and_is_retried_alone(sm, settings):
    page = make_form_page()
    past(page, 4)
    sm.misbehave(batch_drop=1)  # SALESmanago does not store the first contact of the call

    out = export(page.pk)

    assert "Done: sent 3, to retry 1, failed 0" in out
    lost = ExportRecord.objects.get(email="past0@example.com")
    assert lost.status == "retrying" and settle.SEND_ALONE in lost.notes and lost.send_alone
    assert export(page.pk).startswith("0 answers to export.")  # not due yet: left to its retry
    settings.WAGTAIL_SALESMANAGO_RETRY_BASE_SECONDS = 0
    ExportRecord.objects.filter(pk=lost.pk).update(next_attempt_at=timezone.now())
    call_command("salesmanago_retry", stdout=io.StringIO())

    assert [r["path"] for r in sm.requests()] == [BATCH, "/api/contact/upsert"]
    assert accepted_once(sm) == {f"past{n}@example.com": 1 for n in range(4)}


@pytest.mark.django_db
def test_a_run_killed_between_storing_and_sending_is_finished_by_the_next(sm, monkeypatch):
    page = make_form_page()
    past(page, 7)
    monkeypatch.setattr(history, "CHUNK", 3)  # internal seam: chunks of 3, not of 2,000
    send = history.send
    chunks_sent = []

    def killed(ids, size, kept=(), site=None):
        if chunks_sent:
            raise KeyboardInterrupt  # the second chunk is stored, then the process is killed
        chunks_sent.append(ids)
        return send(ids, size, kept, site)

    with monkeypatch.context() as patched, pytest.raises(KeyboardInterrupt):
        # internal seam: a kill between storing a chunk and sending it, two statements apart.
        patched.setattr(history, "send", killed)
        export(page.pk, "--batch-size", 2)
    assert ExportRun.objects.get().status == "failed"
    assert Counter(ExportRecord.objects.values_list("status", flat=True)) == {
        "sent": 3, "pending": 3}

    out = export(page.pk, "--batch-size", 2)

    assert out.splitlines()[0] == "4 answers to export."  # 3 stored, 1 never read
    assert accepted_once(sm) == {f"past{n}@example.com": 1 for n in range(7)}
    assert ExportRecord.objects.count() == 7
    assert set(ExportRecord.objects.values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db
def test_a_run_killed_mid_send_leaves_its_claims_to_lapse_then_sends_only_the_rest(
    sm, monkeypatch
):
    page = make_form_page()
    past(page, 6)
    send_records, calls = batches.send_records, []

    def killed(records, started, meanwhile):
        calls.append(records)
        if len(calls) == 2:
            raise KeyboardInterrupt  # claimed, not sent
        return send_records(records, started, meanwhile)

    with monkeypatch.context() as patched, pytest.raises(KeyboardInterrupt):
        # internal seam: a kill between a batch's claim and its call, two statements apart.
        patched.setattr(batches, "send_records", killed)
        export(page.pk, "--batch-size", 2)
    assert len(sm.contacts()) == 2

    export(page.pk, "--batch-size", 2)  # at once: the killed run's claim holds two records
    assert len(sm.contacts()) == 4
    ExportRecord.objects.filter(claimed_until__isnull=False).update(
        claimed_until=timezone.now() - timedelta(seconds=1))  # the claims lapse
    export(page.pk, "--batch-size", 2)

    assert accepted_once(sm) == {f"past{n}@example.com": 1 for n in range(6)}
    assert set(ExportRecord.objects.values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db
def test_a_run_killed_after_the_call_before_its_marking_does_not_send_it_again_at_once(
    sm, monkeypatch
):
    page = make_form_page()
    past(page, 4)

    def killed(records, logs, stored):
        raise KeyboardInterrupt

    with monkeypatch.context() as patched, pytest.raises(KeyboardInterrupt):
        # internal seam: a kill between SALESmanago's answer and its writing, two statements apart.
        patched.setattr(batches, "write", killed)
        export(page.pk, "--batch-size", 2)
    assert len(sm.contacts()) == 2  # SALESmanago has them; our records do not say so

    export(page.pk, "--batch-size", 2)

    # Nothing again at once: the first batch is claimed, and so is the second, read ahead while
    # the first one's call was in flight; both wait for their claims to lapse.
    assert accepted_once(sm) == {f"past{n}@example.com": 1 for n in range(2)}
    assert ExportRecord.objects.filter(status="sent").count() == 0
    ExportRecord.objects.filter(pk__in=ExportRecord.objects.order_by("pk")[2:].values("pk")).update(
        claimed_until=timezone.now() - timedelta(seconds=1))  # the read-ahead claim lapses
    export(page.pk, "--batch-size", 2)
    assert accepted_once(sm) == {f"past{n}@example.com": 1 for n in range(4)}
    assert ExportRecord.objects.filter(status="sent").count() == 2  # the first two: claimed


@pytest.mark.django_db
def test_a_past_lead_keeps_its_consent_time_and_asks_for_no_confirmation_email(sm):
    page = lead_page(NEWSLETTER, **DOUBLE_OPT_IN)
    [submission] = past(page, 1, **{"Zgoda na newsletter": True})

    export(page.pk)

    [item] = items(sm)
    assert item["consentDetails"] == [{
        "consentName": "NEWSLETTER", "consentAccept": True,
        "agreementDate": int(submission.submit_time.timestamp() * 1000), "ip": "", "optOut": False,
    }]
    assert (item["useApiDoubleOptIn"], item["forceOptIn"]) == (False, False)
    assert "doubleOptInEmailId" not in item
    assert "no double opt-in e-mail" in ExportRecord.objects.get().notes


@pytest.mark.django_db
def test_a_form_with_an_event_exports_its_past_answers_without_events(sm):
    page = make_form_page(salesmanago_event_type="SURVEY")
    past(page, 2)

    export(page.pk)

    assert [r["path"] for r in sm.requests()] == [BATCH]
    assert set(ExportRecord.objects.values_list("event_status", flat=True)) == {""}


@pytest.mark.django_db
def test_clear_refusals(sm):
    off = make_form_page(enabled=False, title="Ankieta")
    with pytest.raises(CommandError, match="There is no page with ID 99999"):
        export(99999)
    with pytest.raises(CommandError, match=r"“Ankieta” \(page \d+\): switch on “Send form results"):
        export(off.pk)
    with pytest.raises(CommandError, match="is not a form page that exports to SALESmanago"):
        export(Page.objects.get(depth=2).pk)
    page = make_form_page()
    SalesmanagoSettings.objects.update(client_id="", owner_email="")
    with pytest.raises(CommandError, match="lack: client ID, owner e-mail"):
        export(page.pk)
    for size in (0, 1001, "lots"):
        with pytest.raises(CommandError, match=f"“{size}” is not a batch size: give a whole "
                                               "number from 1 to 1000"):
            export(page.pk, "--batch-size", size)
    assert sm.requests() == []


class Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.django_db
def test_a_terminal_gets_a_progress_bar_with_counts(sm, monkeypatch):
    page = make_form_page()
    past(page, 5)
    monkeypatch.setattr(history, "CHUNK", 2)  # internal seam: chunks of 2, not of 2,000

    out = export(page.pk, "--batch-size", 2, out=Terminal())

    assert "\r" in out and "answers to export" not in out
    assert "5/5" in out and "sent 5, to retry 0, failed 0, skipped 0" in out
    assert out.endswith("Done: sent 5, to retry 0, failed 0, skipped 0, "
                        "quarantined 0.\n")


@pytest.mark.django_db
def test_answers_covered_here_and_there_are_left_out_across_chunks(sm, monkeypatch):
    """Chunks are read by their place among the page's answers; those a record covers (any but
    a failed one) are dropped from each, wherever they fall."""
    monkeypatch.setattr(history, "CHUNK", 3)  # internal seam: chunks of 3, not of 2,000
    page = make_form_page()
    answers = past(page, 10)
    kept = {1: "sent", 2: "skipped", 5: "failed", 6: "pending", 9: "sent"}
    for number, status in kept.items():
        ExportRecord.objects.create(page=page, submission_type=ContentType.objects.get_for_model(
            answers[number]), submission_id=str(answers[number].pk), status=status,
            claimed_until=timezone.now() + timedelta(minutes=5))  # the pending one: claimed

    out = export(page.pk, "--batch-size", 2)

    assert out.splitlines()[0] == "6 answers to export."
    assert accepted_once(sm) == {f"past{n}@example.com": 1 for n in (0, 3, 4, 5, 7, 8)}
    assert export(page.pk).splitlines()[0] == "0 answers to export."


@pytest.mark.django_db
def test_an_answer_the_export_stored_is_not_stored_again_by_its_live_request(sm, queued, caplog):
    """The live request's record comes second (the export read the answer first): it finds the
    export's record, and the answer reaches SALESmanago once."""
    page = make_form_page()
    [submission] = past(page, 1)
    export(page.pk)

    caplog.clear()
    caplog.set_level(logging.INFO, logger="wagtail_salesmanago")
    again = on_submission.export_submission(page, submission, submission.form_data, "", "")

    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("INFO", f"Submission {submission.pk} already has a SALESmanago record.")]
    assert again == ExportRecord.objects.get()  # the export's own, sent
    assert again.status == "sent"
    assert accepted_once(sm) == {"past0@example.com": 1}


@pytest.mark.django_db
def test_the_export_leaves_out_an_answer_whose_live_record_came_meanwhile(sm, queued):
    """The export read a chunk before a live answer's record was stored: storing the chunk keeps
    the others and leaves that answer to its own record."""
    page = make_form_page()
    first, second = past(page, 2)
    account = history.check(page)
    built = [history.build(page, account, page.get_salesmanago_questions(), answer)
             for answer in (first, second)]
    live = history.build(page, account, page.get_salesmanago_questions(), second)
    live.save()  # the live request's record, stored after the chunk was read

    stored = history.store(built)

    assert [record.submission_id for record in stored] == [str(first.pk)]
    assert ExportRecord.objects.filter(submission_id=str(second.pk)).get() == live


@pytest.mark.django_db
def test_a_failed_answer_may_get_a_new_record(sm, queued):
    """One record per answer in play: a failed one does not count (staff export it again)."""
    page = make_form_page()
    [answer] = past(page, 1)
    account = history.check(page)
    failed = history.build(page, account, page.get_salesmanago_questions(), answer)
    failed.status = "failed"
    failed.save()

    assert "sent 1" in export(page.pk)
    assert list(ExportRecord.objects.order_by("pk").values_list("status", flat=True)) == [
        "failed", "sent"]


@pytest.mark.django_db
def test_resending_a_failed_answer_exported_again_resends_only_the_record_in_play(sm, queued):
    """Staff resend every failed record: one whose answer a later export sent is left alone, and
    of two failed records of one answer only the newest goes (one answer, one record in play)."""
    from wagtail_salesmanago.delivery import outbox

    page = make_form_page()
    first, second = past(page, 2)
    account = history.check(page)
    questions = page.get_salesmanago_questions()
    for submission in (first, second, second):
        failed = history.build(page, account, questions, submission)
        failed.status = "failed"
        failed.save()
    old_first = ExportRecord.objects.filter(submission_id=str(first.pk)).get()
    assert "sent 2" in export(page.pk)  # the first's failed record is superseded; the second too
    ExportRecord.objects.filter(status="sent").update(status="failed")
    ExportRecord.objects.filter(pk=old_first.pk).update(status="failed")
    newest_first = ExportRecord.objects.filter(submission_id=str(first.pk)).latest("pk")
    ExportRecord.objects.filter(pk=newest_first.pk).update(status="sent")

    resent = outbox.resend(ExportRecord.objects.filter(status="failed"))

    assert resent == 1  # the second answer's newest record; the first answer's is sent
    in_play = Counter(ExportRecord.objects.exclude(status="failed").values_list(
        "submission_id", flat=True))
    assert in_play == {str(first.pk): 1, str(second.pk): 1}


@pytest.mark.skipif("os.environ.get('DB_ENGINE') != 'postgresql'")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_live_answers_racing_an_export_each_reach_salesmanago_once(client, sm, settings):
    """PostgreSQL, two connections: live answers keep coming while the form's past answers are
    exported; no answer gets two records, and SALESmanago accepts each e-mail once."""
    import threading

    from django.db import connection

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    page = make_form_page()
    past(page, 1500)
    done = threading.Event()

    def run_export():
        try:
            export(page.pk, "--batch-size", 100)
        finally:
            done.set()
            connection.close()

    exporter = threading.Thread(target=run_export)
    exporter.start()
    live = 0
    while not done.is_set() and live < 200:
        assert answer(client, page, {"Twój e-mail": f"live{live}@example.com"}).status_code == 200
        live += 1
    exporter.join()
    call_command("salesmanago_retry", stdout=io.StringIO())  # the live answers' queue

    in_play = Counter(ExportRecord.objects.exclude(status="failed").values_list(
        "submission_id", flat=True))
    assert max(in_play.values()) == 1
    assert set(accepted_once(sm).values()) == {1}
    assert len(accepted_once(sm)) == 1500 + live
