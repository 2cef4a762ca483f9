"""What exporting adds to the visitor's request, in SQL statements (issue 11, P1).

Measured as the difference between two POSTs of the same form, export on and export off, outside
a test transaction (as a real request runs), with caches warm as on a running site.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.helpers import make_form_page
from tests.testapp.models import SurveyPage
from wagtail_salesmanago.delivery import outbox
from wagtail_salesmanago.models import ExportRecord, SalesmanagoRule, SalesmanagoSettings

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
WORKER = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
WORKER_INSTALLED = "django_tasks_db" in settings.INSTALLED_APPS


def post(client, page, number):
    names = {field.label: field.clean_name for field in page.get_form_fields()}
    data = {names["Twój e-mail"]: f"visitor{number}@example.com", names["Komentarz"]: "Dzięki."}
    return lambda: client.post(page.url, data)


def export_off_statements(client, page):
    """The statements of a POST to ``page`` with its export switched off (then on again)."""
    SurveyPage.objects.filter(pk=page.pk).update(salesmanago_enabled=False)
    submit = post(client, page, 0)
    with CaptureQueriesContext(connection) as off:
        assert submit().status_code == 200
    SurveyPage.objects.filter(pk=page.pk).update(salesmanago_enabled=True)
    return len(off)


def assert_export_adds_at_most(client, page, added, django_assert_max_num_queries):
    post(client, page, 1)()  # warm up: content types, site root paths, the settings row
    off = export_off_statements(client, page)
    submit = post(client, page, 2)
    with django_assert_max_num_queries(off + added):
        assert submit().status_code == 200


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(not WORKER_INSTALLED, reason="needs TASKS_BACKEND=db (run by the test below)")
def test_with_a_worker_backend_exporting_adds_at_most_3_statements(
    client, sm, django_assert_max_num_queries
):
    page = make_form_page()
    # A form with export rules (and answers that pass them) costs the same: it reads its own copy.
    page.salesmanago_rules.add(SalesmanagoRule(question="Twój e-mail", condition="not_empty",
                                               tags="z regułą"))
    page.save_revision().publish()
    with override_settings(TASKS=WORKER):
        assert_export_adds_at_most(client, page, 3, django_assert_max_num_queries)

    from django_tasks_db.models import DBTaskResult

    ours = DBTaskResult.objects.filter(task_path="wagtail_salesmanago.delivery.tasks.deliver_export")
    assert ours.count() == 2  # the warm-up's task and the measured one
    assert ExportRecord.objects.filter(status="pending").count() == 2


@pytest.mark.skipif(WORKER_INSTALLED, reason="this is the run it starts")
def test_the_worker_count_on_django_tasks_db():
    """django-tasks-db's tables exist only with TASKS_BACKEND=db, so that run has a process of its own."""
    env = {**os.environ, "TASKS_BACKEND": "db"}
    if env.get("DB_ENGINE") == "postgresql":  # not the test database of this run
        env["DB_NAME"] = env.get("DB_NAME", "wagtail_salesmanago") + "_queries"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", __file__, "-k", "worker_backend"],
        cwd=Path(__file__).resolve().parents[2], env=env, capture_output=True, text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout, result.stdout


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_the_immediate_backend_exporting_and_sending_adds_at_most_8_statements(
    client, sm, django_assert_max_num_queries
):
    page = make_form_page()
    with override_settings(TASKS=IMMEDIATE):
        assert_export_adds_at_most(client, page, 8, django_assert_max_num_queries)

    assert list(ExportRecord.objects.values_list("status", flat=True)) == ["sent", "sent"]
    assert [r["body"]["contact"]["email"] for r in sm.requests()] == [
        "visitor2@example.com", "visitor1@example.com"][::-1]
    assert ExportRecord.objects.filter(attempt_log__outcome="sent").count() == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_settings_save_applies_to_the_very_next_submission(client, sm):
    page = make_form_page()
    with override_settings(TASKS=IMMEDIATE):
        post(client, page, 1)()
        stored = SalesmanagoSettings.objects.get()
        stored.owner_email = "nowy@example.com"
        stored.save()
        post(client, page, 2)()
        stored.api_secret = "not-the-secret"
        stored.save()
        post(client, page, 3)()

    owners = [r["body"]["owner"] for r in sm.requests() if r["path"].endswith("/upsert")]
    assert owners == [sm.owner, "nowy@example.com", "nowy@example.com"]
    record = ExportRecord.objects.get(email="visitor3@example.com")
    assert record.status == "held"  # signed with the new secret, which SALESmanago refused


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_record_written_since_it_was_stored_is_read_again_before_sending(client, sm):
    """Another sender may touch the record between its INSERT and this request's send."""
    page = make_form_page()
    with override_settings(TASKS=DUMMY):
        post(client, page, 1)()
    record = ExportRecord.objects.get()
    ExportRecord.objects.filter(pk=record.pk).update(
        notes="Written by another sender.", updated_at=timezone.now())

    with override_settings(TASKS=IMMEDIATE):
        outbox.enqueue_stored(record, None)

    record.refresh_from_db()
    assert (record.status, record.notes) == ("sent", "Written by another sender.")


@pytest.mark.django_db
def test_the_form_fields_are_read_afresh_after_the_request(client, sm):
    page = make_form_page()
    post(client, page, 1)()
    page.form_fields.create(label="Nowe pytanie", field_type="singleline", required=False)

    assert "Nowe pytanie" in [field.label for field in page.get_form_fields()]
