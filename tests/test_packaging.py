"""The installed app is complete: migrations match the models, the app loads its parts; the README
installs what `make dist` builds and names the versions `make matrix` tests."""

import io
import re
import tomllib
from pathlib import Path

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_migrations_match_the_models():
    out = io.StringIO()
    call_command("makemigrations", "wagtail_salesmanago", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_migrations_name_the_page_model_as_every_supported_wagtail_can():
    """Wagtail 7.4 has no ``WAGTAIL_PAGE_MODEL`` setting: ``makemigrations`` on Wagtail 8 writes it,
    and the migration then fails to load on 7.4 (the matrix caught one). ``compat.PAGE_MODEL`` works on both."""
    folder = Path(__file__).resolve().parent.parent / "wagtail_salesmanago" / "migrations"
    offending = [path.name for path in sorted(folder.glob("0*.py"))
                 if "WAGTAIL_PAGE_MODEL" in path.read_text()]
    assert offending == []


def test_version_is_single_sourced():
    from importlib.metadata import version

    import wagtail_salesmanago

    assert version("wagtail-salesmanago") == wagtail_salesmanago.__version__


def test_no_file_of_the_package_is_left_out_of_the_wheel():
    """Hatchling ships every file of the package but those git ignores: none may be ignored
    (`make wheel-check` compares what a wheel installs with the checkout, file by file)."""
    import subprocess
    from pathlib import Path

    import wagtail_salesmanago

    package = Path(wagtail_salesmanago.__file__).parent
    files = [str(path) for path in package.rglob("*") if path.is_file()
             and path.suffix != ".pyc" and "__pycache__" not in path.parts]
    assert str(package / "static/wagtail_salesmanago/js/connection-test.js") in files
    ignored = subprocess.run(["git", "check-ignore", *files], cwd=package.parent,
                             capture_output=True, text=True)
    assert ignored.stdout == "", ignored.stdout


ROOT = Path(__file__).resolve().parent.parent


def readme_section(title):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_readme_install_lines_need_no_package_index():
    """Not on PyPI yet: each install line names the checkout or the wheel `make dist` builds."""
    import wagtail_salesmanago

    wheel = f"dist/wagtail_salesmanago-{wagtail_salesmanago.__version__}-py3-none-any.whl"
    assert re.findall(r"^pip install (\S+)", readme_section("Install"), re.M) == [".", wheel]
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^dist:.*\n(\t.*\n)*\t.* -m build --outdir dist \.", makefile, re.M)


def test_every_tested_version_is_in_the_readme_and_the_classifiers():
    matrix = re.findall(
        r'PY="\$\(PYTHON3(\d+)\)" PINS="django==([\d.]+)\.\* wagtail==((\d+)\.\d+)\.\*[^"]*"',
        (ROOT / "Makefile").read_text(),
    )
    assert len(matrix) >= 3
    table = re.findall(
        r"^\| (3\.\d+) \| ([\d.]+)(?: LTS)? \| ([\d.]+)(?: LTS)? \|", readme_section("Supported versions"), re.M
    )
    classifiers = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["classifiers"]
    for python_minor, django, wagtail, wagtail_major in matrix:
        python = f"3.{python_minor}"
        assert (python, django, wagtail) in table
        assert f"Programming Language :: Python :: {python}" in classifiers
        assert f"Framework :: Django :: {django}" in classifiers
        assert f"Framework :: Wagtail :: {wagtail_major}" in classifiers
