pytest_plugins = ["pytester"]

import functools
import json
import logging
import os
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import responses
from django.contrib.auth.models import Group, Permission
from django.core.cache import caches
from wagtail.models import GroupPagePermission, Site

from tests.demo_process import running_demo
from tests.helpers import CHROMIUM, OWNER, answer, database_deletes_new_rows, make_form_page
from wagtail_salesmanago.api import client as client_module
from wagtail_salesmanago.models import DeliveryHold, SalesmanagoSettings
from wagtail_salesmanago.sandbox import Sandbox


@pytest.fixture(scope="session")
def sandbox():
    """One sandbox for the session; ``sm`` resets it for each test."""
    with Sandbox() as running:
        yield running


@pytest.fixture
def sm(db, sandbox):
    """The sandbox, emptied, with the default site's settings pointing at it."""
    sandbox.reset()
    SalesmanagoSettings.objects.update_or_create(
        site=Site.objects.get(is_default_site=True), defaults=sandbox.credentials()
    )
    return sandbox


@pytest.fixture
def two_users(db):
    """A sandbox whose account has two users, the site pointing at it."""
    with Sandbox(owners=("owner@example.com", "sprzedaz@example.com")) as sandbox:
        SalesmanagoSettings.objects.update_or_create(
            site=Site.objects.get(is_default_site=True), defaults=sandbox.credentials()
        )
        yield sandbox


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run on-commit callbacks (our task enqueue) as a real commit would."""
    def capture():
        return django_capture_on_commit_callbacks(execute=True)
    return capture


@pytest.fixture(autouse=True)
def own_connections(monkeypatch):
    """Each test makes its own session, as a fresh process would: none is left over from an
    earlier test (so ``make mutation`` also sees which tests make one)."""
    local = threading.local()
    # internal seam: the per-thread session has no public reset (only a new process has none).
    monkeypatch.setattr(client_module, "_local", local)
    yield
    if hasattr(local, "session"):
        local.session.close()


@pytest.fixture(autouse=True)
def empty_caches():
    """Each test starts with Django's caches empty, as a freshly started site does.

    The caches outlive a test's database rows: its rollback sends no signal. Wagtail keeps its
    site root paths there (``Site.get_site_root_paths``), so a test that added a second site and
    then asked for a page's URL left two sites cached, and every later ``page.url`` came out
    absolute ("http://localhost/...") instead of relative; ``owners.account_users`` keeps each
    site's SALESmanago users there, keyed by a site ID that the next test's site reuses."""
    for cache in caches.all(initialized_only=True):
        cache.clear()


@pytest.fixture
def all_logs(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


def pytest_collection_finish(session):
    """``make mutation``: mutmut's fork server collects the tests once, then forks a test run for
    each mutant. Creating SQLite's in-memory test database here, before the forks, gives each run a
    copy of it, freshly migrated, instead of a minute of migrations per mutant."""
    from django.conf import settings
    from django.db import connection

    if (session.config.option.collectonly and "mutmut" in sys.modules
            and Path.cwd().name == "mutants" and settings.configured
            and connection.vendor == "sqlite" and connection.is_in_memory_db()):
        from django.test.utils import setup_databases
        from pytest_django.plugin import blocking_manager_key

        with session.config.stash[blocking_manager_key].unblock():
            setup_databases(verbosity=0, interactive=False)


@functools.cache
def mutmut_durations():
    """Each test's duration as mutmut measured it (``make mutation`` runs the tests in mutants/)."""
    stats = Path("mutmut-stats.json")
    if "mutmut" not in sys.modules or Path.cwd().name != "mutants" or not stats.exists():
        return {}
    return json.loads(stats.read_text()).get("duration_by_test", {})


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config, items):
    """``make mutation``: a mutant's tests run quickest module first and quickest test first, so
    that a mutant one quick test kills stops there (mutmut passes ``-x``) instead of after minutes
    of slower tests. Tests stay grouped by module, in an order pytest-randomly could have drawn.
    The fork server's collection reads the durations once; each mutant's run inherits them.

    Sorted before the yield, as pytest-randomly shuffles: pytest-django's stable sort then puts
    the transactional tests last, as Django does. A transactional test leaves the database empty
    when it ends; a plain test after it finds no site, and fails whatever the mutant (sessions
    18-20 counted such mutants killed)."""
    durations = mutmut_durations()
    if not durations or "__mutmut_" not in os.environ.get("MUTANT_UNDER_TEST", ""):
        return (yield)
    def took(item):
        return durations.get(item.nodeid.removeprefix("mutants/"), 0.0)
    quickest = {}
    for item in items:
        quickest[item.module] = min(quickest.get(item.module, took(item)), took(item))
    items.sort(key=lambda item: (quickest[item.module], item.module.__name__, took(item)))
    return (yield)


def pytest_terminal_summary(terminalreporter, config):
    """The run's test order, at the end where a failure is read (pytest-randomly prints it only in
    the header, which ``-q`` leaves out): a failure that depends on the order can be replayed."""
    seed = config.getoption("randomly_seed", None)
    if seed is not None and config.pluginmanager.has_plugin("randomly"):
        kept = "" if config.getoption("randomly_reorganize") else " --randomly-dont-reorganize"
        terminalreporter.write_line(f"Test order: -p randomly --randomly-seed={seed}{kept}")


@pytest.fixture
def alerting(settings):
    """Plain-HTTP sandbox credentials allowed, and alert mails to the site's admins on."""
    settings.WAGTAIL_SALESMANAGO_ALLOW_HTTP = True
    settings.WAGTAIL_SALESMANAGO_ALERT_ADMINS = True
    settings.ADMINS = [("Ops", "ops@example.com")]


@pytest.fixture
def their_hold(db, monkeypatch):
    """Another sender's refusal has just put the default site on hold, after this sender's hold
    check passed (so this one calls SALESmanago anyway)."""
    from django.utils import timezone

    from wagtail_salesmanago.delivery import holds, outbox
    from wagtail_salesmanago.models import DeliveryHold

    site = Site.objects.get(is_default_site=True)
    hold = DeliveryHold.objects.create(
        site=site, reason="rejected", message="theirs", since=timezone.now(),
        next_check_at=timezone.now() + timedelta(minutes=5),
        fingerprint=holds.fingerprint(outbox.account_for_site(site)))
    # internal seam: another sender's write between this sender's hold check and its call; a
    # batch's call runs on a thread of its own, which cannot write in the test's transaction.
    monkeypatch.setattr(outbox, "active_hold", lambda *args: None)
    return hold


@pytest.fixture
def box(sandbox):
    """The session's sandbox, emptied, for tests that talk to it directly (no site, no database)."""
    sandbox.reset()
    return sandbox


@pytest.fixture
def site(db):
    """The default site."""
    return Site.objects.get(is_default_site=True)


@pytest.fixture
def admin(client, django_user_model):
    """The test client, logged in as a superuser."""
    client.force_login(django_user_model.objects.create_superuser("admin", "a@example.com", "pw"))
    return client


@pytest.fixture
def editor_of(client, django_user_model):
    """A non-superuser who may edit (and so see the submissions of) one page."""
    def login(page):
        group = Group.objects.create(name=f"Editors of {page.title}")
        group.permissions.add(Permission.objects.get(codename="access_admin"))
        GroupPagePermission.objects.create(group=group, page=page, permission_type="change")
        user = django_user_model.objects.create_user("editor", "e@example.com", "pw")
        user.groups.add(group)
        client.force_login(user)
        return client
    return login


@pytest.fixture
def two_forms(client, sm, on_commit):
    """Form A with one sent and one failed delivery, form B with one sent."""
    a, b = make_form_page(title="Form A"), make_form_page(title="Form B")
    with on_commit():
        answer(client, a, {"Twój e-mail": "sent@example.com"})
        answer(client, b, {"Twój e-mail": "other@example.com"})
    SalesmanagoSettings.objects.update(client_id="")  # a permanent failure (not a hold)
    with on_commit():
        answer(client, a, {"Twój e-mail": "failed@example.com"})
    SalesmanagoSettings.objects.update(client_id=sm.client_id)
    return a, b


@pytest.fixture
def queued(settings):
    """Answers wait for ``salesmanago_retry`` (a worker backend that has not run yet)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def retry_now(settings):
    """Retries become due at once, so tests need not wait a minute."""
    settings.WAGTAIL_SALESMANAGO_RETRY_BASE_SECONDS = 0


@pytest.fixture
def api(db, settings):
    """The default site exports to app3.salesmanago.pl, mocked; answers wait for salesmanago_retry,
    which sends them one by one (batches: tests/delivery/test_batches.py). Its answers: helpers.answers."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.WAGTAIL_SALESMANAGO_BATCH_SIZE = 1
    SalesmanagoSettings.objects.update_or_create(
        site=Site.objects.get(is_default_site=True),
        defaults={"endpoint": "app3.salesmanago.pl", "client_id": "client-1",
                  "api_secret": "s3cr3t", "owner_email": OWNER},
    )
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def log(caplog):
    """The package's log lines since the last call, as (module, level, message)."""
    caplog.set_level(logging.INFO, logger="wagtail_salesmanago")

    def lines():
        found = [(r.name.rsplit(".", 1)[-1], r.levelname, r.getMessage()) for r in caplog.records
                 if r.name.startswith("wagtail_salesmanago")]
        caplog.clear()
        return found
    return lines


@pytest.fixture
def lifted_at_once(db, settings):
    """New credentials are saved the moment a refusal starts the site's hold: the hold is lifted
    (its row deleted, as the admin's save does) before the refused records are put in it.
    (Hold alerts are on: none should go.)"""
    settings.WAGTAIL_SALESMANAGO_ALERT_ADMINS = True
    settings.ADMINS = [("Ops", "ops@example.com")]
    with database_deletes_new_rows(DeliveryHold):
        yield


# Real Chromium against `make demo`: tests/e2e/test_browser*.py (marked helpers.BROWSER_TEST_MARKS).

BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def shots(tmp_path):
    """Where screenshots go: $SCREENSHOTS_DIR (`make screenshots`), else a temp dir."""
    folder = Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def demo(tmp_path):
    """`make demo`'s site, on a copy of its seeded database."""
    with running_demo(tmp_path) as running:
        yield running


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        yield chromium
        chromium.close()
