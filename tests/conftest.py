pytest_plugins = ["pytester"]

import logging

import pytest
from wagtail.models import Site

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
def on_commit(django_capture_on_commit_callbacks):
    """Run on-commit callbacks (our task enqueue) as a real commit would."""
    def capture():
        return django_capture_on_commit_callbacks(execute=True)
    return capture


@pytest.fixture
def all_logs(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog
