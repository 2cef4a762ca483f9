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


def test_package_data_ships_every_template_translation_and_static_file():
    import configparser
    from pathlib import Path

    import wagtail_salesmanago

    package = Path(wagtail_salesmanago.__file__).parent
    config = configparser.ConfigParser()
    config.read(package.parent / "setup.cfg")
    patterns = config["options.package_data"]["wagtail_salesmanago"].split()
    shipped = {path for pattern in patterns for path in package.glob(pattern)}
    data = {path for path in package.rglob("*") if path.is_file()
            and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts}
    assert package / "static/wagtail_salesmanago/js/connection-test.js" in data
    assert data - shipped == set()
