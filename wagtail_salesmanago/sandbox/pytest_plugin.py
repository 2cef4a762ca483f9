"""A pytest fixture for sites using wagtail-salesmanago (loaded automatically by pytest).

    def test_survey_reaches_salesmanago(salesmanago_sandbox, client,
                                        django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(survey.url, {...})
        assert salesmanago_sandbox.contacts()[0]["tags"] == ["SURVEY"]
"""

import contextlib

import pytest

from .server import Sandbox

#: The setting that names each site's SALESmanago account (the package's ``WAGTAIL_SALESMANAGO``).
ACCOUNTS = "WAGTAIL_SALESMANAGO"
#: The task backend deliveries use while the fixture runs: each is sent when it is enqueued.
IMMEDIATE = {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}


@pytest.fixture
def salesmanago_sandbox():
    """A sandbox on a free loopback port, stopped after the test.

    While it runs, every site exports to it and to nothing else: the server configuration
    (``WAGTAIL_SALESMANAGO``, which wins over the admin's settings) names it for every site, so a
    test never reaches a real account, whatever the settings or the admin say. Deliveries are
    sent in the test (the ``default`` task backend is the immediate one meanwhile, whatever
    ``TASKS`` says), and ``WAGTAIL_SALESMANAGO_ALLOW_HTTP`` is on (the sandbox speaks plain http
    on a port of its own).
    """
    with Sandbox() as sandbox, pointed_at(sandbox):
        yield sandbox


def pointed_at(sandbox):
    """The settings that send every site's deliveries to ``sandbox``, at once."""
    from django.conf import settings

    if not settings.configured:
        return contextlib.nullcontext()  # no Django: nothing could reach an account
    from django.test import override_settings

    credentials = sandbox.credentials()
    accounts = getattr(settings, ACCOUNTS, None) or {}
    return override_settings(**{
        ACCOUNTS: {**{site: {**values, **credentials} for site, values in accounts.items()},
                   "default": {**accounts.get("default", {}), **credentials}},
        "WAGTAIL_SALESMANAGO_ALLOW_HTTP": True,
        "TASKS": {**getattr(settings, "TASKS", {}), "default": IMMEDIATE},
    })
