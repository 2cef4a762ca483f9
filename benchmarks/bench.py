"""`make bench`: what exporting costs visitors and workers, each measured against a baseline in the same run.

P1  visitor POST with export through a worker backend (django-tasks-db)  vs  the same form, export off;
    and the SQL statements exporting adds to that POST, with the worker and with the immediate backend
P2  visitor POST with the immediate backend, SALESmanago answering in L ms  vs  export off + L
P3  worker delivery throughput (outbox.send)  vs  a bare requests.Session loop posting the same payloads
    (the sandbox answering at once; P3' again with it answering in L ms)
P3b a backlog of BENCH_BACKLOG (10,000) due records drained by `salesmanago_retry` (batch calls)
    vs a bare requests.Session loop of single upserts, both with the sandbox answering in L ms
    (the bare loop's rate is taken over its first BENCH_BARE_SAMPLE (500) bodies: at L = 20 ms,
    10,000 single calls would add minutes and the per-call rate does not change)
P4  BENCH_PAST (100,000) past answers exported by `salesmanago_export` vs a bare loop of batch calls
    (benchmarks/p4_export.py: each side in its own process, its peak RSS measured)
P5  Reports > SALESmanago delivery report over BENCH_REPORT_RECORDS (1,000,000) records, 90 days, vs the
    bare grouped query by day, form and status (benchmarks/p5_report.py, in its own process)
P6  salesmanago_retention over BENCH_RETENTION_RECORDS (100,000) expired deliveries vs the bare
    UPDATE that empties them (benchmarks/p6_retention.py: each side in its own process, its peak
    RSS measured)

Each measurement is interleaved with its baseline, repeated, and summarised by medians. Peak memory
(tracemalloc) is measured in a separate, untimed pass. Prints a table, then one JSON line.
"""

import json
import os
import platform
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ["TASKS_BACKEND"] = "db"  # installs django_tasks_db; scenarios pick their backend

import django  # noqa: E402

django.setup()

import requests  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

REPEATS = int(os.environ.get("BENCH_REPEATS", "5"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "100"))
BACKLOG = int(os.environ.get("BENCH_BACKLOG", "10000"))
BARE_SAMPLE = int(os.environ.get("BENCH_BARE_SAMPLE", "500"))
LATENCY = float(os.environ.get("BENCH_LATENCY_MS", "20")) / 1000
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
WORKER = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def setup():
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0)
    from wagtail.models import Site

    from tests.helpers import make_form_page
    from wagtail_salesmanago.models import SalesmanagoSettings
    from wagtail_salesmanago.sandbox import Sandbox

    sandbox = Sandbox().start()
    SalesmanagoSettings.objects.update_or_create(
        site=Site.objects.get(is_default_site=True), defaults=sandbox.credentials()
    )
    on = make_form_page(title="Export on")
    off = make_form_page(title="Export off", enabled=False)
    return sandbox, on, off


def answers(page, number):
    names = {field.label: field.clean_name for field in page.get_form_fields()}
    return {
        names["Twój e-mail"]: f"bench{number}@example.com",
        names["Jak oceniasz naszą obsługę?"]: "Dobrze",
        names["Co było ważne?"]: ["Cena", "Jakość"],
        names["Komentarz"]: "Zażółć gęślą jaźń " * 10,
    }


def post_times(client, page, count, start):
    """Seconds per visitor POST (the submission, and for the immediate backend the export)."""
    times = []
    for number in range(start, start + count):
        data = answers(page, number)
        began = time.perf_counter()
        response = client.post(page.url, data)
        times.append(time.perf_counter() - began)
        assert response.status_code == 200
    return times


def visitor_posts(on, off, tasks):
    """Medians of interleaved repetitions: (export on, export off), seconds per POST."""
    client, on_medians, off_medians, counter = Client(), [], [], 0
    with override_settings(TASKS=tasks):
        post_times(client, on, 10, 10**6)  # warm up both paths
        post_times(client, off, 10, 10**6)
        for _ in range(REPEATS):
            off_medians.append(statistics.median(post_times(client, off, REQUESTS, counter)))
            on_medians.append(statistics.median(post_times(client, on, REQUESTS, counter)))
            counter += REQUESTS
    return statistics.median(on_medians), statistics.median(off_medians)


def statements(client, page, number):
    """SQL statements of one visitor POST (caches warm: the same POST ran before)."""
    data = answers(page, number)
    with CaptureQueriesContext(connection) as queries:
        assert client.post(page.url, data).status_code == 200
    return len(queries)


def added_statements(on, off, tasks):
    """The statements exporting adds to a visitor's POST: export on minus export off."""
    client = Client()
    with override_settings(TASKS=tasks):
        post_times(client, on, 1, 6 * 10**6)
        post_times(client, off, 1, 6 * 10**6)
        return statements(client, on, 6 * 10**6 + 1) - statements(client, off, 6 * 10**6 + 1)


def pending_records(on, count, start):
    from wagtail_salesmanago.models import ExportRecord

    client = Client()
    with override_settings(TASKS=DUMMY):
        post_times(client, on, count, start)
    return list(ExportRecord.objects.filter(status="pending").values_list("pk", flat=True))


def worker_rate(record_ids):
    from wagtail_salesmanago.delivery import outbox

    began = time.perf_counter()
    for record_id in record_ids:
        assert outbox.send(record_id).status == "sent"
    return len(record_ids) / (time.perf_counter() - began)


def bare_rate(sandbox, bodies):
    from wagtail_salesmanago.api.client import HEADERS, auth_fields

    session = requests.Session()
    session.headers.update(HEADERS)
    began = time.perf_counter()
    for body in bodies:
        payload = {**auth_fields(sandbox.client_id, sandbox.api_secret), **body}
        response = session.post(f"{sandbox.url}/api/contact/upsert", json=payload, timeout=10)
        assert response.json()["success"] is True
    return len(bodies) / (time.perf_counter() - began)


def delivery(sandbox, on):
    """Medians of interleaved repetitions: (worker records/s, bare loop requests/s)."""
    from wagtail_salesmanago.models import ExportRecord

    ours, bare, start = [], [], 2 * 10**6
    for _ in range(REPEATS):
        ids = pending_records(on, REQUESTS, start)
        bodies = [ExportRecord.objects.get(pk=pk).payload for pk in ids]
        start += REQUESTS
        bare.append(bare_rate(sandbox, bodies))
        ours.append(worker_rate(ids))
    return statistics.median(ours), statistics.median(bare)


def due_backlog(on, count):
    """``count`` due records: one from a visitor's POST, the rest copies of it with other e-mails."""
    import copy

    from wagtail_salesmanago.models import ExportRecord

    first = ExportRecord.objects.get(pk=pending_records(on, 1, 6 * 10**6)[0])
    copies = []
    for number in range(1, count):
        record = copy.copy(first)
        record.pk, record.email = None, f"backlog{number}@example.com"
        record.submission_id = f"{first.submission_id}-{number}"  # one record per answer
        record.payload = {**first.payload, "contact": {**first.payload["contact"],
                                                        "email": record.email}}
        copies.append(record)
    ExportRecord.objects.bulk_create(copies, batch_size=1000)
    return [first.payload] + [record.payload for record in copies]


def backlog_drain(sandbox, on):
    """(contacts/s drained by salesmanago_retry, bare loop requests/s, batch calls made)."""
    import io

    from django.core.management import call_command

    from wagtail_salesmanago.models import ExportRecord

    # P1's records wait for a worker that never ran: not part of this backlog.
    ExportRecord.objects.filter(status__in=ExportRecord.OPEN_STATUSES).delete()
    bodies = due_backlog(on, BACKLOG)
    bare = bare_rate(sandbox, bodies[:BARE_SAMPLE])
    sandbox.reset()  # the drain creates every contact afresh, as the bare loop did
    sandbox.misbehave(latency=LATENCY)
    out = io.StringIO()
    began = time.perf_counter()
    with override_settings(TASKS=DUMMY):
        call_command("salesmanago_retry", stdout=out)
    seconds = time.perf_counter() - began
    assert out.getvalue().endswith(f"{BACKLOG} due; sent: {BACKLOG}.\n"), out.getvalue()
    calls = sum(1 for r in sandbox.requests() if r["path"] == "/api/contact/batchupsert")
    return BACKLOG / seconds, bare, calls


def peak_kib(function, *args):
    tracemalloc.start()
    function(*args)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return round(peak / 1024)


def machine():
    model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                  if line.startswith("model name")), platform.processor())
    return f"{os.cpu_count()} cores, {model}, Python {platform.python_version()}, " \
           f"Django {django.get_version()}, SQLite in memory"


def main():
    sandbox, on, off = setup()
    client = Client()

    p1_sql = {"worker": added_statements(on, off, WORKER),
              "immediate": added_statements(on, off, IMMEDIATE)}
    p1_on, p1_off = visitor_posts(on, off, WORKER)
    sandbox.misbehave(latency=LATENCY)
    p2_on, p2_off = visitor_posts(on, off, IMMEDIATE)
    p3l_ours, p3l_bare = delivery(sandbox, on)  # P3 again, SALESmanago answering in L ms
    sandbox.misbehave(latency=0)
    p3_ours, p3_bare = delivery(sandbox, on)

    with override_settings(TASKS=WORKER):
        p1_mem = peak_kib(post_times, client, on, 20, 3 * 10**6)
    with override_settings(TASKS=IMMEDIATE):
        p2_mem = peak_kib(post_times, client, on, 20, 4 * 10**6)
    p3_mem = peak_kib(worker_rate, pending_records(on, 20, 5 * 10**6))
    sandbox.misbehave(latency=LATENCY)
    p3b_ours, p3b_bare, p3b_calls = backlog_drain(sandbox, on)
    sandbox.stop()
    from p4_export import p4

    p4_result = p4()
    import subprocess

    p5_result = json.loads(subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "p5_report.py")], check=True,
        capture_output=True, text=True).stdout.strip().splitlines()[-1])

    from p6_retention import p6

    p6_result = p6()

    results = {
        "P1": {"export_ms": p1_on * 1000, "baseline_ms": p1_off * 1000, "ratio": p1_on / p1_off,
               "goal": "<= 1.10", "met": p1_on / p1_off <= 1.10, "peak_kib": p1_mem,
               "added_sql": p1_sql, "sql_goal": {"worker": 3, "immediate": 8},
               "sql_met": p1_sql["worker"] <= 3 and p1_sql["immediate"] <= 8},
        "P2": {"export_ms": p2_on * 1000, "baseline_ms": p2_off * 1000,
               "latency_ms": LATENCY * 1000, "added_ms": (p2_on - p2_off) * 1000,
               "overhead_ms": (p2_on - p2_off - LATENCY) * 1000, "goal": "added <= latency + 5 ms",
               "met": p2_on - p2_off <= LATENCY + 0.005, "peak_kib": p2_mem},
        "P3": {"worker_per_s": p3_ours, "bare_loop_per_s": p3_bare, "ratio": p3_ours / p3_bare,
               "goal": ">= 0.9", "met": p3_ours / p3_bare >= 0.9, "peak_kib": p3_mem},
        "P3_with_latency": {"worker_per_s": p3l_ours, "bare_loop_per_s": p3l_bare,
                            "ratio": p3l_ours / p3l_bare, "latency_ms": LATENCY * 1000},
        "P3_batch": {"drain_per_s": p3b_ours, "bare_loop_per_s": p3b_bare,
                     "ratio": p3b_ours / p3b_bare, "backlog": BACKLOG, "batch_calls": p3b_calls,
                     "bare_sample": BARE_SAMPLE, "latency_ms": LATENCY * 1000,
                     "goal": ">= 5", "met": p3b_ours / p3b_bare >= 5},
        "P4": p4_result,
        "P5": p5_result,
        "P6": p6_result,
        "repeats": REPEATS, "requests": REQUESTS, "machine": machine(),
    }
    print(f"\n{'':4}{'measured':>22}{'baseline':>22}{'result':>24}{'goal':>26}{'peak':>10}")
    print(f"P1  {p1_on * 1000:>19.2f} ms{p1_off * 1000:>19.2f} ms{results['P1']['ratio']:>23.3f}x"
          f"{'<= 1.10x':>26}{p1_mem:>7} KiB")
    print(f"P1  {p1_sql['worker']:>16} SQL{'':>22}{'(worker)':>24}{'<= 3':>26}")
    print(f"P1  {p1_sql['immediate']:>16} SQL{'':>22}{'(immediate, sending)':>24}{'<= 8':>26}")
    print(f"P2  {p2_on * 1000:>19.2f} ms{p2_off * 1000:>19.2f} ms"
          f"{'+' + format((p2_on - p2_off) * 1000, '.2f') + ' ms':>24}"
          f"{'<= +' + format(LATENCY * 1000 + 5, '.0f') + ' ms':>26}{p2_mem:>7} KiB")
    print(f"P3  {p3_ours:>17.1f} /s   {p3_bare:>17.1f} /s   {results['P3']['ratio']:>22.3f}x"
          f"{'>= 0.90x':>26}{p3_mem:>7} KiB")
    print(f"P3' {p3l_ours:>17.1f} /s   {p3l_bare:>17.1f} /s   {p3l_ours / p3l_bare:>22.3f}x"
          f"{'(SALESmanago at ' + format(LATENCY * 1000, '.0f') + ' ms)':>26}")
    print(f"P3b {p3b_ours:>17.1f} /s   {p3b_bare:>17.1f} /s   {p3b_ours / p3b_bare:>22.3f}x"
          f"{'>= 5x':>26}   ({BACKLOG} records, {p3b_calls} batch calls)")
    print(f"P4  {p4_result['export_s']:>19.1f} s {p4_result['bare_loop_s']:>19.1f} s "
          f"{p4_result['ratio']:>23.2f}x{'<= 60 s, <= 200 MB':>26}"
          f"{p4_result['export_peak_mib']:>7.0f} MiB ({p4_result['answers']} answers; bare loop "
          f"{p4_result['bare_loop_peak_mib']:.0f} MiB)")
    print(f"P5  {p5_result['page_s']:>19.2f} s {p5_result['bare_query_s']:>19.2f} s "
          f"{p5_result['ratio']:>23.2f}x{p5_result['goal']:>26}   ({p5_result['records']} records, "
          f"{p5_result['days']} days, {p5_result['forms']} forms, SQLite file)")
    print(f"P6  {p6_result['retention_s']:>19.2f} s {p6_result['bare_update_s']:>19.2f} s "
          f"{p6_result['ratio']:>23.2f}x{p6_result['goal']:>26}"
          f"{p6_result['retention_peak_mib']:>7.0f} MiB ({p6_result['records']} records; bare "
          f"UPDATE {p6_result['bare_update_peak_mib']:.0f} MiB)")
    print(f"({REPEATS} repetitions of {REQUESTS}, medians; {results['machine']})\n")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
