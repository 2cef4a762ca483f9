"""A pytest fixture for sites using wagtail-salesmanago (loaded automatically by pytest).

    def test_survey_reaches_salesmanago(salesmanago_sandbox, client):
        ...
        assert salesmanago_sandbox.contacts()[0]["tags"] == ["SURVEY"]
"""

import pytest

from .server import Sandbox


@pytest.fixture
def salesmanago_sandbox():
    """A sandbox on a free loopback port, stopped after the test."""
    with Sandbox() as sandbox:
        yield sandbox
