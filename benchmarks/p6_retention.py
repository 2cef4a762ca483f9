"""P6 of `make bench`: `salesmanago_retention` over BENCH_RETENTION_RECORDS (100,000) expired
deliveries, each with an attempt, vs a baseline in the same run: the bare UPDATE any redaction
needs at least (the e-mail, the bodies and the notes emptied in one statement, no messages kept
by code, no attempts). Each side runs in a process of its own on a copy of one seeded SQLite file,
its peak RSS (VmHWM) measured. `python benchmarks/p6_retention.py` prints one JSON line."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECORDS = int(os.environ.get("BENCH_RETENTION_RECORDS", "100000"))
TABLE = "wagtail_salesmanago_exportrecord"


def setup(db_file):
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    os.environ["DB_FILE"] = db_file
    os.environ.pop("DB_ENGINE", None)
    os.environ.pop("TASKS_BACKEND", None)
    import django

    django.setup()


def seed(db_file):
    """RECORDS sent deliveries made 400 days ago, each with a failed attempt before it, and the
    site keeping answers for 365 days."""
    setup(db_file)
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connection
    from wagtail.contrib.forms.models import FormSubmission

    call_command("migrate", verbosity=0)
    from tests.helpers import make_form_page
    from wagtail_salesmanago.models import SalesmanagoSettings

    page = make_form_page().pk
    SalesmanagoSettings.objects.update_or_create(site_id=1, defaults={"retention_days": 365})
    kind = ContentType.objects.get_for_model(FormSubmission).pk
    body = json.dumps({"owner": "o@example.com", "contact": {"email": "x@example.com",
                       "phone": "600100200"}, "properties": {"ankieta.Uwagi": "z" * 200}})
    error = json.dumps({"code": "server_error"})
    old = "strftime('%Y-%m-%d %H:%M:%f', 'now', '-400 days')"
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE numbers (n INTEGER PRIMARY KEY)")
        cursor.execute(f"WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c "
                       f"WHERE n < {RECORDS}) INSERT INTO numbers SELECT n FROM c")
        cursor.execute(
            f"INSERT INTO {TABLE} (page_id, submission_type_id, submission_id, status, mode, email, "
            "contact_id, salesmanago_contact_id, payload, notes, last_error, attempts, created_at, "
            "updated_at, sent_at, event_status, event_payload, event_id, event_attempts, "
            "event_error, send_alone, opt_in_state) "
            f"SELECT {page}, {kind}, CAST(n AS TEXT), 'sent', 'upsert', 'a' || n || '@example.com', "
            f"'', '', %s, '', '', 2, {old}, {old}, {old}, '', '{{}}', '', 0, '', 0, '' FROM numbers",
            [body])
        cursor.execute(
            "INSERT INTO wagtail_salesmanago_deliveryattempt (record_id, started_at, finished_at, "
            f"mode, outcome, message, resend) SELECT id, {old}, {old}, 'upsert', 'transient', %s, 0 "
            f"FROM {TABLE}", [error])


def run(side, db_file):
    """One side on ``db_file``: its seconds and peak RSS (MiB), as JSON on stdout."""
    setup(db_file)
    began = time.perf_counter()
    if side == "ours":
        from wagtail_salesmanago.delivery import retention

        outcome = retention.apply()
        assert outcome.records == RECORDS, outcome
    else:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {TABLE} SET email = '', payload = '{{}}', event_payload = '{{}}', "
                           "notes = '' WHERE created_at < datetime('now', '-365 days')")
            assert cursor.rowcount == RECORDS
    seconds = time.perf_counter() - began
    # VmHWM, as P4 reads it: ``ru_maxrss`` would carry over the parent's peak across exec.
    from p4_export import peak_mib

    print(json.dumps({"s": seconds, "peak_mib": peak_mib()}))


def p6():
    with tempfile.TemporaryDirectory() as directory:
        seeded = os.path.join(directory, "seeded.sqlite3")
        subprocess.run([sys.executable, __file__, "seed", seeded], check=True)
        results = {}
        for side in ("ours", "bare"):
            copy = os.path.join(directory, f"{side}.sqlite3")
            shutil.copy(seeded, copy)
            output = subprocess.run([sys.executable, __file__, side, copy], check=True,
                                    capture_output=True, text=True).stdout
            results[side] = json.loads(output.strip().splitlines()[-1])
    ours, bare = results["ours"], results["bare"]
    return {"records": RECORDS, "retention_s": ours["s"], "bare_update_s": bare["s"],
            "ratio": ours["s"] / bare["s"], "retention_peak_mib": ours["peak_mib"],
            "bare_update_peak_mib": bare["peak_mib"], "goal": "<= 60 s, <= 200 MB",
            "met": ours["s"] <= 60 and ours["peak_mib"] <= 200}


if __name__ == "__main__":
    if len(sys.argv) == 3:
        seed(sys.argv[2]) if sys.argv[1] == "seed" else run(sys.argv[1], sys.argv[2])
    else:
        print(json.dumps(p6()))
