"""Whatever SALESmanago does, the visitor gets the landing page and the answer is kept."""

import logging
from datetime import timedelta

import pytest
import responses
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Site

from tests.demo_process import free_port
from tests.helpers import answer, database_refuses, make_form_page, raising, submissions_of
from tests.testapp.models import SurveyPage
from wagtail_salesmanago.delivery import outbox
from wagtail_salesmanago.models import ExportRecord, SalesmanagoSettings

ANSWERS = {"Twój e-mail": "ola@example.com", "Komentarz": "Tajna odpowiedź 123"}


def submit_and_get_record(client, page, on_commit):
    with on_commit():
        response = answer(client, page, ANSWERS)
    assert response.status_code == 200
    assert b"Thank you" in response.content
    assert len(submissions_of(page)) == 1
    return ExportRecord.objects.get()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "faults, status, reason",
    [
        ({"status": 500}, "retrying",
         "SALESmanago had a server error. (HTTP 500, POST /api/contact/upsert)"),
        ({"status": 503}, "retrying",
         "SALESmanago had a server error. (HTTP 503, POST /api/contact/upsert)"),
        ({"non_json": True}, "retrying",
         "SALESmanago's answer was not the JSON it should be. (HTTP 200"),
        ({"auth_fail": True}, "held", "SALESmanago rejected the credentials or the owner. "
                                      "SALESmanago said: Not authenticated (HTTP 200"),
    ],
)
def test_salesmanago_errors_are_recorded_not_shown(client, sm, on_commit, faults, status, reason):
    sm.misbehave(**faults)
    before = timezone.now()
    record = submit_and_get_record(client, make_form_page(), on_commit)

    assert record.status == status
    assert record.attempts == 1
    assert record.last_error.startswith(reason)
    assert sm.contacts() == []
    [attempt] = record.attempt_log.all()
    assert attempt.message == record.last_error
    assert attempt.outcome == ("transient" if status == "retrying" else "held")
    if status == "retrying":
        # The first retry is a minute away, give or take the jitter.
        assert before + timedelta(seconds=47) < record.next_attempt_at < timezone.now() + timedelta(seconds=73)
    else:
        assert record.next_attempt_at is None


@pytest.mark.django_db
def test_success_false_with_an_unknown_owner(client, sm, on_commit):
    SalesmanagoSettings.objects.update(owner_email="stranger@example.com")
    record = submit_and_get_record(client, make_form_page(), on_commit)

    assert record.status == "held"  # not failed: the owner is the site's problem, not the answer's
    assert "SALESmanago said: Not authenticated, invalid owner" in record.last_error


@pytest.mark.django_db
def test_a_timeout_is_recorded(client, sm, on_commit, settings):
    settings.WAGTAIL_SALESMANAGO_TIMEOUT = (0.5, 0.3)
    sm.misbehave(latency=1.0)
    record = submit_and_get_record(client, make_form_page(), on_commit)

    assert record.status == "retrying"
    assert record.last_error == (
        "SALESmanago did not answer in time (limit: 0.3 s without data). (POST /api/contact/upsert)"
    )


@pytest.mark.django_db
def test_a_refused_connection_is_recorded(client, sm, on_commit):
    SalesmanagoSettings.objects.update(endpoint=f"http://127.0.0.1:{free_port()}")
    record = submit_and_get_record(client, make_form_page(), on_commit)

    assert record.status == "retrying"
    assert record.last_error.startswith(
        "Could not connect to SALESmanago at http://127.0.0.1:"
    )
    assert "(ConnectionError)" in record.last_error


@pytest.mark.django_db
def test_missing_credentials_are_recorded_with_what_to_fill_in(client, sm, on_commit):
    SalesmanagoSettings.objects.update(client_id="", api_secret="")
    record = submit_and_get_record(client, make_form_page(), on_commit)

    assert record.status == "failed"
    assert record.last_error == (
        "SALESmanago is not set up for site localhost [default]: client ID, API secret missing. "
        "Fill them in under Settings > SALESmanago in the Wagtail admin, or set them in "
        "WAGTAIL_SALESMANAGO in the Django settings."
    )
    assert sm.requests() == []


@pytest.mark.django_db
def test_a_crash_while_recording_never_reaches_the_visitor(client, sm, on_commit, monkeypatch, caplog):
    # The site's own override of the form's questions crashes while the record is built.
    monkeypatch.setattr(SurveyPage, "get_salesmanago_questions",
                        raising(RuntimeError("database on fire")))
    page = make_form_page()
    with on_commit():
        response = answer(client, page, ANSWERS)

    assert response.status_code == 200
    assert len(submissions_of(page)) == 1
    assert "Could not record the SALESmanago export of submission" in caplog.text
    record = ExportRecord.objects.get()  # staff see that this answer was not exported
    assert (record.status, record.payload) == ("skipped", {})
    assert record.submission_id == str(submissions_of(page)[0].pk)
    assert record.last_error == (
        "This export could not be stored (RuntimeError), so nothing was sent. The submission "
        "itself is stored; the server log has the details.")


@pytest.mark.django_db
def test_a_database_error_while_recording_spoils_nothing_else(client, sm, on_commit, monkeypatch):
    """A failed statement inside the visitor's transaction: on PostgreSQL it would abort the whole
    transaction, the submission's included, but for the savepoint the record is made in. (The
    site's own override of the form's questions runs the statement while the record is built.)"""
    def failing_statement(page):
        with connection.cursor() as cursor:
            cursor.execute("SELECT no_such_column FROM wagtailcore_page")

    monkeypatch.setattr(SurveyPage, "get_salesmanago_questions", failing_statement)
    page = make_form_page()
    with on_commit():
        assert answer(client, page, ANSWERS).status_code == 200

    [submission] = submissions_of(page)
    record = ExportRecord.objects.get()
    assert (record.status, record.submission_id) == ("skipped", str(submission.pk))
    error = {"sqlite": "OperationalError", "postgresql": "ProgrammingError"}[connection.vendor]
    assert record.last_error == (
        f"This export could not be stored ({error}), so nothing was sent. The submission itself is "
        "stored; the server log has the details.")


@pytest.mark.django_db
def test_when_not_even_the_failure_can_be_recorded_the_log_names_the_submission(
        client, sm, on_commit, monkeypatch, caplog):
    monkeypatch.setattr(SurveyPage, "get_salesmanago_questions", raising(RuntimeError("a")))
    page = make_form_page()
    with on_commit(), database_refuses(ExportRecord, "INSERT", "database on fire"):
        response = answer(client, page, ANSWERS)

    assert response.status_code == 200
    [submission] = submissions_of(page)
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("ERROR", f"Could not record the SALESmanago export of submission {submission.pk} "
                  f"(page {page.pk})."),
        ("ERROR", f"Could not record the failed SALESmanago export of submission {submission.pk}."),
    ]
    assert "database on fire" in caplog.records[1].exc_text



@pytest.mark.django_db
def test_a_record_the_database_refuses_is_logged_and_the_visitor_never_notices(
        client, sm, on_commit, caplog):
    """A value the database will not take, and no other record of the answer to explain it:
    the log names the submission and the page, with the database's reason."""
    page = make_form_page()
    with on_commit(), database_refuses(ExportRecord, "INSERT", "value too long"):
        response = answer(client, page, ANSWERS)

    assert response.status_code == 200
    [submission] = submissions_of(page)
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("ERROR", f"Could not record the SALESmanago export of submission {submission.pk} "
                  f"(page {page.pk})."),
    ]
    assert "value too long" in caplog.records[0].exc_text
    assert (ExportRecord.objects.count(), sm.requests()) == (0, [])

@pytest.mark.django_db
def test_an_unexpected_error_while_sending_is_recorded(client, sm, on_commit, queued, caplog):
    stored = submit_and_get_record(client, make_form_page(), on_commit)
    # A stored body this version cannot read (stored by hand, say): it has no details.
    ExportRecord.objects.filter(pk=stored.pk).update(
        payload={"contact": {"email": "ola@example.com"}})

    outbox.send(stored.pk)  # the worker's task

    record = ExportRecord.objects.get()
    assert (record.status, record.last_error) == ("failed", "Unexpected error: KeyError.")
    [logged] = [r for r in caplog.records if r.levelname == "ERROR"]
    assert (logged.name, logged.getMessage()) == (
        "wagtail_salesmanago.delivery.settle", f"SALESmanago export {record.pk} failed unexpectedly.")
    assert logged.exc_info[1].args == ("properties",)  # with its traceback, for whoever fixes it
    assert sm.requests() == []


@pytest.mark.django_db
def test_a_failing_task_backend_leaves_the_record_pending(client, sm, on_commit, settings, caplog):
    page = make_form_page()
    settings.TASKS = {"default": {"BACKEND": "tests.no_such_module.Backend"}}
    record = submit_and_get_record(client, page, on_commit)

    assert record.status == "pending"
    assert "it stays due" in caplog.text


@pytest.mark.django_db
def test_slow_salesmanago_with_a_worker_backend_does_not_call_it_during_the_request(
    client, sm, on_commit, settings
):
    page = make_form_page()
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    sm.misbehave(hang=30)
    record = submit_and_get_record(client, page, on_commit)

    assert record.status == "pending"
    assert sm.requests() == []


@pytest.mark.django_db
def test_logs_never_carry_answers_or_the_secret(client, sm, on_commit, all_logs):
    submit_and_get_record(client, make_form_page(), on_commit)
    sm.misbehave(auth_fail=True)
    with on_commit():
        answer(client, make_form_page(title="Second"), ANSWERS)
        answer(client, make_form_page(title="Third"), ANSWERS)

    assert "SALESmanago export" in all_logs.text
    for record in all_logs.records:
        if record.levelno >= logging.INFO:
            message = record.getMessage()
            assert "Tajna odpowiedź" not in message
            assert "ola@example.com" not in message
        assert sm.api_secret not in record.getMessage()


DEEP = "[" * 200_000  # 200 KB, under the 1 MB limit: json raises RecursionError, not ValueError


@pytest.mark.django_db
def test_a_deeply_nested_answer_is_garbled_and_retried_not_failed_for_good(client, sm, on_commit):
    """An answer nested too deeply to decode (json raises RecursionError) is not SALESmanago's
    JSON: garbled, retried, never failed for good."""
    SalesmanagoSettings.objects.update(endpoint="app3.salesmanago.pl")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
        api.add(responses.POST, "https://app3.salesmanago.pl/api/contact/upsert", body=DEEP)
        with on_commit():
            answer(client, make_form_page(), {"Twój e-mail": "jan@example.com"})

    record = ExportRecord.objects.get()
    assert record.status == ExportRecord.Status.RETRYING, record.last_error


@pytest.mark.django_db
def test_test_connection_says_a_deeply_nested_answer_is_garbled(client, sm, django_user_model):
    SalesmanagoSettings.objects.update(endpoint="app3.salesmanago.pl")
    client.force_login(django_user_model.objects.create_superuser("admin", "a@example.com", "pw"))
    client.raise_request_exception = False
    site = Site.objects.get(is_default_site=True)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
        api.add(responses.POST, "https://app3.salesmanago.pl/api/user/listByClient", body=DEEP)
        response = client.post(reverse("wagtail_salesmanago_test_connection", args=[site.pk]))

    assert response.status_code == 200
    assert response.json()["ok"] is False


@pytest.mark.django_db
def test_a_long_message_from_salesmanago_is_stored_cut_short(client, sm, on_commit):
    """SALESmanago's message is quoted cut short: it goes into each record's last error, every
    attempt, a hold, alert mails and the deliveries list."""
    SalesmanagoSettings.objects.update(endpoint="app3.salesmanago.pl")
    message = "Internal error " + "x" * 500_000
    with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
        api.add(responses.POST, "https://app3.salesmanago.pl/api/contact/upsert", status=500,
                json={"success": False, "message": [message]})
        with on_commit():
            answer(client, make_form_page(), {"Twój e-mail": "jan@example.com"})

    record = ExportRecord.objects.get()
    assert record.status == ExportRecord.Status.RETRYING
    assert len(record.last_error) < 1_000, len(record.last_error)
    assert "x…" in record.last_error


@pytest.mark.django_db
def test_the_editor_panels_last_failure_is_the_pages_latest_one(client, sm, on_commit):
    page, other = make_form_page(), make_form_page(title="Inna")
    for target, email in ((page, "a@example.com"), (page, "b@example.com"),
                          (other, "c@example.com")):
        with on_commit():
            answer(client, target, {"Twój e-mail": email})
    a, b, c = ExportRecord.objects.order_by("pk")
    ExportRecord.objects.update(status="failed")
    now = timezone.now()
    ExportRecord.objects.filter(pk=a.pk).update(updated_at=now, last_error="the latest")
    ExportRecord.objects.filter(pk=b.pk).update(updated_at=now - timedelta(hours=1))
    ExportRecord.objects.filter(pk=c.pk).update(updated_at=now + timedelta(hours=1))
    with on_commit():
        answer(client, page, {"Twój e-mail": "d@example.com"})  # sent: not a failure

    last = ExportRecord.objects.last_failure_for(page)
    assert (last.pk, last.last_error) == (a.pk, "the latest")
    assert ExportRecord.objects.last_failure_for(make_form_page(title="Nowa")) is None
    # Given up together (a batch writes one time for all): the later answer's.
    ExportRecord.objects.filter(pk=b.pk).update(updated_at=now, last_error="the later answer")
    assert ExportRecord.objects.last_failure_for(page).last_error == "the later answer"
