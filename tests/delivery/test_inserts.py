"""``inserts.insert`` stores exactly what ``bulk_create`` stores (on SQLite, and on PostgreSQL when
the suite runs there): every column of records and attempts, odd values included."""

import json
import sqlite3
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext_lazy

from tests.helpers import make_form_page
from wagtail_salesmanago.delivery import inserts
from wagtail_salesmanago.models import DeliveryAttempt, ExportRecord
from wagtail_salesmanago.records.export_record import EMAIL_LENGTH

NOW = timezone.now()


def records(page, tag):
    kind = ContentType.objects.get_for_model(page.get_submission_class())
    longest = "a" * (EMAIL_LENGTH - len("@example.com")) + "@example.com"
    return [
        ExportRecord(page=page, submission_type=kind, submission_id=f"{tag}-1", mode="upsert",
                     email=longest, payload={"contact": {"email": longest, "name": "Zażółć 🙂"},
                                             "properties": {"ankieta.x": "'; DROP TABLE x; --"},
                                             "nested": [None, True, 1.5, {"a": []}]},
                     notes="line\nother", next_attempt_at=NOW, attempts=3),
        ExportRecord(page=page, submission_type=kind, submission_id=f"{tag}-2", status="skipped",
                     last_error=gettext_lazy("No contact identity."), attempts="2",
                     payload={}, event_payload={"e": "ś"},
                     sent_at=NOW - timedelta(days=400), claimed_until=None),
    ]


def stored(objs):
    """Every column of these records as read back, but those that differ by design."""
    rows = ExportRecord.objects.filter(pk__in=[obj.pk for obj in objs]).order_by("pk")
    return [model_to_dict(row, exclude=["id", "submission_id", "created_at", "updated_at"])
            for row in rows]


@pytest.mark.django_db
def test_records_and_attempts_are_stored_as_bulk_create_stores_them():
    page = make_form_page()
    by_django = ExportRecord.objects.bulk_create(records(page, "django"))
    ours = inserts.insert(records(page, "ours"))

    assert [o.pk for o in ours] == sorted(o.pk for o in ours) and None not in [o.pk for o in ours]
    assert stored(ours) == stored(by_django)
    for obj in ours:  # the primary key set on each object is its own row's
        row = ExportRecord.objects.get(pk=obj.pk)
        assert (row.submission_id, row.payload, row.email) == (obj.submission_id, obj.payload,
                                                               obj.email)
        assert row.created_at is not None and row.updated_at is not None
        assert not obj._state.adding
    logs = [DeliveryAttempt(record=record, started_at=NOW, finished_at=NOW, mode="upsert",
                            outcome="sent", message="Sent in a batch of 2.", resend=flag)
            for record, flag in zip(ours, (False, True))]
    inserts.insert(logs)
    assert [model_to_dict(a, exclude=["id"]) for a in DeliveryAttempt.objects.order_by("pk")] == [
        {"record": record.pk, "started_at": NOW, "finished_at": NOW, "mode": "upsert",
         "outcome": "sent", "message": "Sent in a batch of 2.", "resend": flag}
        for record, flag in zip(ours, (False, True))]


@pytest.mark.django_db
def test_more_rows_than_one_statement_takes_are_stored_in_order():
    page = make_form_page()
    many = [records(page, str(n))[0] for n in range(inserts.ROWS + 3)]
    inserts.insert(many)
    assert [ExportRecord.objects.get(pk=obj.pk).submission_id for obj in many] == [
        f"{n}-1" for n in range(inserts.ROWS + 3)]


@pytest.mark.django_db
def test_other_databases_go_through_bulk_create(monkeypatch):
    page = make_form_page()
    monkeypatch.setattr(connection, "vendor", "mysql")
    ours = inserts.insert(records(page, "ours"))
    monkeypatch.undo()
    assert [ExportRecord.objects.get(pk=o.pk).submission_id for o in ours] == ["ours-1", "ours-2"]
    assert inserts.insert([]) == []


def test_other_field_types_are_prepared_as_django_prepares_them():
    price = models.DecimalField(max_digits=5, decimal_places=2)
    assert inserts.adapter(price)(Decimal("1.5")) == price.get_db_prep_save(Decimal("1.5"),
                                                                              connection)

    class Shouting(models.CharField):  # a subclass prepares its values its own way
        def get_db_prep_value(self, value, connection, prepared=False):
            return value.upper()

    assert inserts.adapter(Shouting(max_length=9))("cicho") == "CICHO"


@pytest.mark.django_db
def test_a_naive_time_is_stored_as_bulk_create_stores_it(settings):
    """Made aware in the site's time zone (with Django's warning), not taken as UTC."""
    settings.TIME_ZONE = "Europe/Warsaw"
    page = make_form_page()
    noon = datetime(2026, 1, 1, 12, 0)
    by_django, ours = records(page, "django")[:1], records(page, "ours")[:1]
    by_django[0].next_attempt_at = ours[0].next_attempt_at = noon
    with pytest.warns(RuntimeWarning, match="naive datetime"):
        ExportRecord.objects.bulk_create(by_django)
    with pytest.warns(RuntimeWarning, match="naive datetime"):
        inserts.insert(ours)
    stored = ExportRecord.objects.get(pk=ours[0].pk).next_attempt_at
    assert stored == ExportRecord.objects.get(pk=by_django[0].pk).next_attempt_at
    assert stored.hour == 11 and stored.tzinfo is not None  # 12:00 in Warsaw is 11:00 UTC


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own limit on parameters")
@pytest.mark.django_db
def test_an_sqlite_that_takes_999_parameters_a_statement_gets_fewer_rows_each():
    """SQLite before 3.32 (which Django supports) takes 999 parameters a statement."""
    page = make_form_page()
    connection.ensure_connection()
    limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    connection.connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
    try:
        many = inserts.insert([records(page, str(n))[0] for n in range(150)])
    finally:
        connection.connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limit)
    assert ExportRecord.objects.filter(pk__in=[obj.pk for obj in many]).count() == 150


@pytest.mark.django_db
def test_rows_go_in_as_few_statements_as_the_database_takes():
    page = make_form_page()
    with CaptureQueriesContext(connection) as queries:
        inserts.insert([records(page, str(n))[0] for n in range(inserts.ROWS + 3)])
    assert [q["sql"].count("), (") + 1 for q in queries if q["sql"].startswith("INSERT")] == [
        inserts.ROWS, 3]


@pytest.mark.django_db
def test_a_database_that_takes_fewer_parameters_than_two_rows_gets_one_row_a_statement(
        monkeypatch):
    page = make_form_page()
    columns = len(ExportRecord._meta.concrete_fields) - 1
    rows = [records(page, str(n))[0] for n in range(3)]
    if connection.vendor == "sqlite":  # SQLite's own limit, lowered as a build of it may set it
        limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        connection.connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 2 * columns - 1)
    else:
        # internal seam: PostgreSQL's limit (65,535 parameters a statement) cannot be lowered.
        monkeypatch.setattr(inserts, "max_params", lambda: 2 * columns - 1)
    try:
        with CaptureQueriesContext(connection) as queries:
            inserts.insert(rows)
    finally:
        if connection.vendor == "sqlite":
            connection.connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limit)
    assert [len(q["sql"].split("%s")) - 1 if "%s" in q["sql"] else q["sql"].count("?")
            for q in queries if q["sql"].startswith("INSERT")] in ([columns] * 3, [0] * 3)
    assert len([q for q in queries if q["sql"].startswith("INSERT")]) == 3


def as_text(adapted):
    """A JSON value as the database gets it: text on SQLite, psycopg's ``Jsonb`` on PostgreSQL."""
    return adapted if isinstance(adapted, str) else (adapted.dumps or json.dumps)(adapted.obj)


def test_a_json_field_keeps_its_own_encoder():
    field = models.JSONField(encoder=DjangoJSONEncoder)
    assert as_text(inserts.adapter(field)({"at": NOW})) == as_text(
        field.get_db_prep_save({"at": NOW}, connection)) == json.dumps(
        {"at": DjangoJSONEncoder().default(NOW)})
    nullable = models.JSONField(null=True)  # None is SQL NULL, not the JSON null
    assert inserts.adapter(nullable)(None) is nullable.get_db_prep_save(None, connection) is None


@pytest.mark.django_db
def test_values_already_in_the_databases_form_are_not_prepared_again(monkeypatch):
    """The point of ``insert``: an aware time, a str, an int, a bool or a null goes in as it is,
    and only the automatic times are set on each row."""
    rows = records(make_form_page(), "fast")[:1]
    rows[0].last_error = "plain"
    calls = []
    for kind in (models.Field, models.DateTimeField, models.CharField, models.IntegerField,
                 models.BooleanField, models.JSONField, models.ForeignKey):
        for name in ("get_prep_value", "get_db_prep_save", "pre_save"):
            if name in vars(kind):
                original = vars(kind)[name]
                monkeypatch.setattr(kind, name, lambda self, *a, _o=original, _n=name, **k: (
                    calls.append((_n, self.name)), _o(self, *a, **k))[1])
    inserts.insert(rows)
    assert sorted(set(calls)) == [  # the messages store their data as JSON (stored_messages)
        ("get_db_prep_save", "event_error"), ("get_db_prep_save", "last_error"),
        ("get_db_prep_save", "notes"),
        # the two choices left at their defaults are enum members
        ("get_prep_value", "event_status"), ("get_prep_value", "status"),
        ("pre_save", "created_at"), ("pre_save", "updated_at")]
    assert ExportRecord.objects.get().last_error == "plain"
