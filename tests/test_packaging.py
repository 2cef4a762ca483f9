"""The installed app is complete: migrations match the models, the app loads its parts."""

import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_migrations_match_the_models():
    out = io.StringIO()
    call_command("makemigrations", "wagtail_salesmanago", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_version_is_single_sourced():
    from importlib.metadata import version

    import wagtail_salesmanago

    assert version("wagtail-salesmanago") == wagtail_salesmanago.__version__
