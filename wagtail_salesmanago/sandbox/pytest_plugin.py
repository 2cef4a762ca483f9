"""A pytest fixture for sites using wagtail-salesmanago (loaded automatically by pytest).

    def test_survey_reaches_salesmanago(salesmanago_sandbox, client):
        ...
        assert salesmanago_sandbox.contacts()[0]["tags"] == ["SURVEY"]
"""

import contextlib

import pytest

from .server import Sandbox


@pytest.fixture
def salesmanago_sandbox():
    """A sandbox on a free loopback port, stopped after the test.

    It speaks plain http on a port of its own, so ``WAGTAIL_SALESMANAGO_ALLOW_HTTP`` is on
    meanwhile (where Django is set up).
    """
    from django.conf import settings

    if settings.configured:
        from django.test import override_settings

        allow_http = override_settings(WAGTAIL_SALESMANAGO_ALLOW_HTTP=True)
    else:
        allow_http = contextlib.nullcontext()
    with Sandbox() as sandbox, allow_http:
        yield sandbox
