"""P4 of `make bench`: BENCH_PAST (100,000) past answers exported by `salesmanago_export`, the
sandbox answering in L ms, vs a baseline in the same run: a bare `requests.Session` loop posting
the same e-mails and comments in `contact/batchupsert` calls of 400, read from the same table in
chunks (what any export has to do at least). Goal: at most 60 s, peak RSS at most 200 MB.

Each side runs in a fresh interpreter over one SQLite file, and reports its own peak RSS (VmHWM:
Django and all, the whole process); the sandbox runs in a process of its own, afresh for each side,
so that its store of 100,000 contacts is not counted as ours. Then a rerun of the export must send
nothing (resumability at scale). `python benchmarks/p4_export.py` prints one JSON line.
"""

import io
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PAST = int(os.environ.get("BENCH_PAST", "100000"))
LATENCY = float(os.environ.get("BENCH_LATENCY_MS", "20")) / 1000
BATCH = 400
FAILURE_RATE = float(os.environ.get("BENCH_FAILURE_RATE", "0"))


def peak_mib():
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()


def seed(url):
    """The database: a form page whose site points at the sandbox, with PAST stored answers."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from wagtail.models import Site

    from tests.helpers import make_form_page
    from wagtail_salesmanago.models import SalesmanagoSettings
    from wagtail_salesmanago.sandbox.server import (
        DEFAULT_API_SECRET,
        DEFAULT_CLIENT_ID,
        DEFAULT_OWNER,
    )

    SalesmanagoSettings.objects.update_or_create(
        site=Site.objects.get(is_default_site=True),
        defaults={"endpoint": url, "client_id": DEFAULT_CLIENT_ID,
                  "api_secret": DEFAULT_API_SECRET, "owner_email": DEFAULT_OWNER})
    page = make_form_page(title="Past answers")
    names = {field.label: field.clean_name for field in page.get_form_fields()}
    model = page.get_submission_class()
    for start in range(0, PAST, 5000):
        model.objects.bulk_create([
            model(page=page, form_data={
                names["Twój e-mail"]: f"past{n}@example.com", names["Komentarz"]: f"Odpowiedź {n}",
                names["Jak oceniasz naszą obsługę?"]: "Dobrze"})
            for n in range(start, min(start + 5000, PAST))])
    return {"page": page.pk}


def export(page_id):
    from django.core.management import call_command

    from wagtail_salesmanago.models import ExportRecord

    began = time.perf_counter()
    call_command("salesmanago_export", str(page_id), stdout=io.StringIO())
    seconds = time.perf_counter() - began
    sent = ExportRecord.objects.filter(status="sent").count()
    began = time.perf_counter()
    out = io.StringIO()
    call_command("salesmanago_export", str(page_id), stdout=out)
    return {"seconds": seconds, "sent": sent, "records": ExportRecord.objects.count(),
            "rerun": out.getvalue().splitlines()[0], "rerun_seconds": time.perf_counter() - began}


def bare(page_id, url):
    """The baseline: the same answers read in chunks, posted in batch calls by a bare loop."""
    from wagtail.models import Page

    from wagtail_salesmanago.api.client import HEADERS, auth_fields
    from wagtail_salesmanago.sandbox.server import (
        DEFAULT_API_SECRET,
        DEFAULT_CLIENT_ID,
        DEFAULT_OWNER,
    )

    page = Page.objects.get(pk=page_id).specific
    names = {field.label: field.clean_name for field in page.get_form_fields()}
    session, last, sent = requests.Session(), 0, 0
    session.headers.update(HEADERS)
    began = time.perf_counter()
    while True:
        chunk = list(page.get_submission_class().objects.filter(page=page, pk__gt=last)
                     .order_by("pk").values_list("pk", "form_data")[:BATCH])
        if not chunk:
            break
        last = chunk[-1][0]
        details = [{"contact": {"email": data[names["Twój e-mail"]]},
                    "properties": {"ankieta.Komentarz": data[names["Komentarz"]]}}
                   for _, data in chunk]
        body = {**auth_fields(DEFAULT_CLIENT_ID, DEFAULT_API_SECRET), "owner": DEFAULT_OWNER,
                "upsertDetails": details}
        answer = session.post(f"{url}/api/contact/batchupsert", json=body, timeout=30).json()
        sent += len(answer["contactIds"])
    return {"seconds": time.perf_counter() - began, "sent": sent}


def child(role, *args):
    """Run ``role`` in a fresh interpreter over the same database file; its result and peak RSS."""
    setup_django()
    result = {"seed": seed, "export": export, "bare": bare}[role](*args)
    print(json.dumps({**result, "peak_mib": peak_mib()}))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SandboxProcess:
    """The sandbox in a process of its own, answering in LATENCY seconds, at ``port`` (the one the
    site's settings name)."""

    def __init__(self, port):
        self.port = port

    def __enter__(self):
        port = self.port
        self.url = f"http://127.0.0.1:{port}"
        command = [sys.executable, "-m", "wagtail_salesmanago.sandbox", "--port", str(port),
                   "--latency", str(LATENCY), "--failure-rate", str(FAILURE_RATE), "--seed", "1"]
        self.process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        self.process.stdout.readline()  # its banner: it listens
        return self

    def __exit__(self, *exc_info):
        self.process.terminate()
        self.process.wait(10)

    def contacts(self):
        return len(requests.get(f"{self.url}/sandbox/contacts.json", timeout=30).json())


def run_child(env, role, *args):
    output = subprocess.run([sys.executable, __file__, role, *map(str, args)], cwd=ROOT, env=env,
                            check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def p4():
    """Both sides, each with a fresh sandbox: the figures for bench.py's table and JSON."""
    with tempfile.TemporaryDirectory() as directory:
        env = {**os.environ, "DB_FILE": os.path.join(directory, "p4.sqlite3"),
               "DJANGO_SETTINGS_MODULE": "tests.settings", "TASKS_BACKEND": "",
               "RETRY_BASE": "0"}
        env.pop("DB_ENGINE", None)
        port = free_port()
        with SandboxProcess(port) as sandbox:
            page = run_child(env, "seed", sandbox.url)["page"]
            baseline = run_child(env, "bare", page, sandbox.url)
            assert sandbox.contacts() == PAST == baseline["sent"], baseline
        with SandboxProcess(port) as sandbox:
            ours = run_child(env, "export", page)
            contacts = sandbox.contacts()
    assert ours["records"] == PAST and ours["rerun"] == "0 answers to export.", ours
    if not FAILURE_RATE:
        assert ours["sent"] == contacts == PAST, (ours, contacts)
    return {
        "answers": PAST, "latency_ms": LATENCY * 1000, "batch": BATCH,
        "export_s": ours["seconds"], "export_peak_mib": ours["peak_mib"], "sent": ours["sent"],
        "contacts": contacts, "rerun_s": ours["rerun_seconds"],
        "bare_loop_s": baseline["seconds"], "bare_loop_peak_mib": baseline["peak_mib"],
        "ratio": ours["seconds"] / baseline["seconds"],
        "goal": "<= 60 s, <= 200 MB", "met": ours["seconds"] <= 60 and ours["peak_mib"] <= 200,
    }


if __name__ == "__main__":
    if len(sys.argv) > 1:
        child(*sys.argv[1:])
    else:
        print(json.dumps(p4()))
