pytest_plugins = ["pytester"]

import logging
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from wagtail.models import Site

from wagtail_salesmanago.api import client as client_module
from wagtail_salesmanago.models import SalesmanagoSettings
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
    monkeypatch.setattr(client_module, "_local", local)
    yield
    if hasattr(local, "session"):
        local.session.close()


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
    monkeypatch.setattr(outbox, "active_hold", lambda *args: None)
    return hold
