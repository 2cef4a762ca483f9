"""P5 of `make bench`: Reports > SALESmanago delivery report over BENCH_REPORT_RECORDS (1,000,000)
delivery records, 120 days of 20 forms (1% of the answers failed and exported again), vs a baseline
in the same run: the bare grouped query any such report needs at least (each day's records by
form and status, with no "newest record of each answer" and no page). The page is the whole admin
response for `?days=90`: permissions, both grouped queries, the chart, both tables. Interleaved,
repeated, medians. SQLite in a file (as a small site runs it). `python benchmarks/p5_report.py`
prints one JSON line."""

import datetime
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECORDS = int(os.environ.get("BENCH_REPORT_RECORDS", "1000000"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "5"))
FORMS = 20
AGAIN = RECORDS // 100  # answers that failed and were exported again: two records each


def setup(directory):
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    os.environ["DB_FILE"] = os.path.join(directory, "p5.sqlite3")
    os.environ.pop("DB_ENGINE", None)
    os.environ.pop("TASKS_BACKEND", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed():
    """RECORDS records over the last 90 days, in one INSERT ... SELECT: statuses as a busy site
    has them (mostly sent, within seconds to minutes), the first AGAIN answers failed, then again."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from wagtail.contrib.forms.models import FormSubmission

    from tests.helpers import make_form_page

    pages = [make_form_page(title=f"Form {n}").pk for n in range(FORMS)]
    kind = ContentType.objects.get_for_model(FormSubmission).pk
    columns = ("page_id, submission_type_id, submission_id, status, mode, email, contact_id, "
               "salesmanago_contact_id, payload, notes, last_error, attempts, created_at, updated_at, "
               "sent_at, event_status, event_payload, event_id, event_attempts, event_error, send_alone, "
               "opt_in_state")
    statuses = "CASE WHEN n % 50 = 1 THEN 'failed' WHEN n % 97 = 2 THEN 'retrying' " \
               "WHEN n % 89 = 3 THEN 'skipped' WHEN n % 83 = 4 THEN 'held' " \
               "WHEN n % 79 = 5 THEN 'pending' ELSE 'sent' END"
    # Over the last 120 days: a quarter of the records are older than the report's 90.
    moment = "strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || ((n * 7919) % 10368000) || ' seconds')"
    sent = f"strftime('%Y-%m-%d %H:%M:%f', {moment}, '+' || (n % 600) || ' seconds')"
    page_of = "CASE n % {forms} " + " ".join(
        f"WHEN {index} THEN {pk}" for index, pk in enumerate(pages)) + " END"
    select = (f"SELECT {page_of.format(forms=FORMS)}, {kind}, CAST({{answer}} AS TEXT), {{status}}, "
              f"'upsert', 'a' || n || '@example.com', '', '', '{{{{}}}}', '', '', 1, {moment}, "
              f"{moment}, CASE WHEN {{status}} = 'sent' THEN {sent} END, '', '{{{{}}}}', '', 0, '', 0, '' "
              "FROM numbers")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE numbers (n INTEGER PRIMARY KEY)")
        cursor.execute(f"WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c "
                       f"WHERE n < {RECORDS - AGAIN}) INSERT INTO numbers SELECT n FROM c")
        table = "wagtail_salesmanago_exportrecord"
        # The older, failed records of answers exported again (their newer record follows).
        cursor.execute(f"INSERT INTO {table} ({columns}) "
                       + select.format(answer="n", status="'failed'") + f" WHERE n <= {AGAIN}")
        cursor.execute(f"INSERT INTO {table} ({columns}) " + select.format(answer="n", status=statuses))
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        assert cursor.fetchone()[0] == RECORDS
        # No ANALYZE: Django never runs it, so the planner works without statistics, as on a site.


def bare_query(since):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT date(created_at), page_id, status, COUNT(*) FROM wagtail_salesmanago_exportrecord "
            "WHERE created_at >= %s GROUP BY 1, 2, 3", [since])
        return cursor.fetchall()


def p5():
    with tempfile.TemporaryDirectory() as directory:
        setup(directory)
        from django.contrib.auth import get_user_model
        from django.test import Client
        from django.test.utils import setup_test_environment

        from wagtail_salesmanago.records.report import Period

        setup_test_environment()
        began = time.perf_counter()
        seed()
        seed_s = time.perf_counter() - began
        client = Client()
        client.force_login(get_user_model().objects.create_superuser("bench", "b@example.com", "pw"))
        since = Period.ending_today(90).start.astimezone(datetime.timezone.utc).strftime(
            "%Y-%m-%d %H:%M:%S")  # as SQLite stores it: in UTC
        ours, bare = [], []
        for _ in range(REPEATS):
            began = time.perf_counter()
            response = client.get("/admin/reports/salesmanago/?days=90")
            ours.append(time.perf_counter() - began)
            assert response.status_code == 200 and b"salesmanago-chart__segment" in response.content
            began = time.perf_counter()
            rows = bare_query(since)
            bare.append(time.perf_counter() - began)
        from wagtail_salesmanago.models import ExportRecord
        assert sum(row[3] for row in rows) == ExportRecord.objects.filter(
            created_at__gte=Period.ending_today(90).start).count()
    page, baseline = statistics.median(ours), statistics.median(bare)
    return {"records": RECORDS, "forms": FORMS, "days": 90, "seed_s": seed_s,
            "page_s": page, "bare_query_s": baseline, "ratio": page / baseline,
            "goal": "<= 3 s", "met": page <= 3}


if __name__ == "__main__":
    print(json.dumps(p5()))
