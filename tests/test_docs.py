"""The documentation site keeps up with the code: every setting with its default and every system
check in the settings reference, every stored message in Troubleshooting (English and Polish),
every command and option in the commands page; the README stays short; the site builds with
warnings as errors."""

import argparse
import importlib
import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils.translation import gettext, override

from wagtail_salesmanago import checks, conf, stored_messages
from wagtail_salesmanago.delivery import account

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PACKAGE = ROOT / "wagtail_salesmanago"
PLACEHOLDER = re.compile(r"(%\(\w+\)s)")


def page(name):
    return (DOCS / name).read_text(encoding="utf-8")


def table_rows(text):
    """Each row of the Markdown tables in ``text`` as a list of its cells (header rows too)."""
    return [[cell.strip() for cell in line.strip().strip("|").split("|")]
            for line in text.splitlines()
            if line.startswith("|") and not re.fullmatch(r"[|\s:-]+", line)]


def sections(text, level="##"):
    """``{heading: its text}`` for the headings of ``level`` in ``text``."""
    parts = re.split(rf"^{level} (.+)$", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


# The settings reference.

def option_settings():
    """The Django settings conf.py reads, as ``{name: default}``: its prefix (from ``conf.get``)
    and each option of ``DEFAULTS``."""
    [prefix] = re.findall(r'f"(\w+)\{name\}"', inspect.getsource(conf.get))
    return {prefix + name: default for name, default in conf.DEFAULTS.items()}


def test_the_settings_are_found_in_the_code():
    settings = option_settings()
    assert "WAGTAIL_SALESMANAGO_TIMEOUT" in settings and len(settings) >= 10


@pytest.mark.parametrize("setting", option_settings())
def test_every_option_is_in_the_settings_reference_with_its_default(setting):
    default = option_settings()[setting]
    rows = [row for row in table_rows(page("settings.md")) if row[0] == f"`{setting}`"]
    assert len(rows) == 1, f"{setting}: no row (or several) in docs/settings.md's options table"
    assert f"`{default!r}`" in rows[0][1], f"{setting}: its default {default!r} is not in its row"
    assert rows[0][2], f"{setting}: no meaning"


def test_the_server_configuration_setting_and_its_keys_are_in_the_settings_reference():
    text = page("settings.md")
    assert f"`{account.SETTING}`" in text
    keys = {row[0] for row in table_rows(sections(text)["Credentials from the server configuration"])}
    assert {f"`{key}`" for key in account.FIELDS} <= keys


def check_ids():
    ids = set(re.findall(r"wagtail_salesmanago\.[EW]\d{3}", Path(checks.__file__).read_text()))
    assert len(ids) >= 8
    return sorted(ids)


@pytest.mark.parametrize("check_id", check_ids())
def test_every_system_check_is_in_the_settings_reference(check_id):
    rows = [row for row in table_rows(sections(page("settings.md"))["System checks"])
            if re.fullmatch(rf"`{re.escape(check_id)}`( \(database\))?", row[0])]
    assert len(rows) == 1, f"{check_id}: no row (or several) in docs/settings.md's System checks"
    assert rows[0][1] and rows[0][2], f"{check_id}: say when it appears and what to do"


def test_the_settings_reference_names_no_check_the_code_lacks():
    assert set(re.findall(r"wagtail_salesmanago\.[EW]\d{3}", page("settings.md"))) == set(check_ids())


# Troubleshooting: the messages staff see on a delivery.

def message_pattern(template):
    """A message in the page: its words as in the catalogue, each parameter anything (the page
    writes a word in italics, or "…")."""
    return "".join(".+?" if PLACEHOLDER.fullmatch(part) else re.escape(part)
                   for part in PLACEHOLDER.split(template))


def troubleshooting_rows():
    """``[(English, Polish, meaning, what to do)]``: each row of the message tables, its first cell
    ``English<br>PL: Polish`` with the page's italics taken out."""
    rows = []
    for row in table_rows(sections(page("troubleshooting.md"))["The messages on a delivery"]):
        if row[0] == "message":
            continue
        english, polish = row[0].replace("*", "").split("<br>PL: ")
        rows.append((english, polish, row[1], row[2]))
    return rows


def code_of(shown):
    """The catalogue's code of a message as the page shows it: of those it matches, the one with
    the most words of its own (``... of site X (Settings > SALESmanago) ...`` over ``... of site X
    (Y) ...``); ``None`` if it matches none."""
    codes = [code for code, english in stored_messages.CATALOGUE.items()
             if re.fullmatch(message_pattern(english), shown)]
    return max(codes, key=lambda code: len(PLACEHOLDER.sub("", stored_messages.CATALOGUE[code])),
               default=None)


@pytest.mark.parametrize("code", stored_messages.CATALOGUE)
def test_every_stored_message_is_in_troubleshooting_with_what_it_means_and_what_to_do(code):
    english = stored_messages.CATALOGUE[code]
    with override("pl"):
        polish = gettext(english)
    rows = [row for row in troubleshooting_rows() if code_of(row[0]) == code]
    assert len(rows) == 1, f"{code}: {english!r} is not (or more than once) in docs/troubleshooting.md"
    [(_, polish_shown, meaning, what_to_do)] = rows
    assert re.fullmatch(message_pattern(polish), polish_shown), f"{code}: the Polish is {polish!r}"
    assert meaning and what_to_do, f"{code}: say what it means and what to do"


def test_troubleshooting_lists_no_message_the_catalogue_lacks():
    assert [english for english, *_ in troubleshooting_rows() if code_of(english) is None] == []


# Management commands.

def commands():
    folder = PACKAGE / "management" / "commands"
    return sorted(path.stem for path in folder.glob("*.py") if path.stem != "__init__")


def arguments(name):
    """The arguments a command adds (``add_arguments``), not Django's own: ``--options`` as they
    are, positionals as the docs write them (``PAGE_ID``)."""
    module = importlib.import_module(f"wagtail_salesmanago.management.commands.{name}")
    parser = argparse.ArgumentParser()
    module.Command().add_arguments(parser)
    return [option for action in parser._actions if not isinstance(action, argparse._HelpAction)
            for option in (action.option_strings or [action.dest.upper()])
            if option.startswith("--") or not action.option_strings]


def test_the_commands_are_found_in_the_code():
    assert {"salesmanago_retry", "salesmanago_export", "salesmanago_prune"} <= set(commands())
    assert "--batch-size" in arguments("salesmanago_retry") and "PAGE_ID" in arguments("salesmanago_export")


@pytest.mark.parametrize("command", commands())
def test_every_command_and_its_options_are_in_the_commands_page(command):
    section = sections(page("commands.md")).get(command)
    assert section, f"docs/commands.md has no section ## {command}"
    documented = {row[0].strip("`").split()[0] for row in table_rows(section)}
    assert set(arguments(command)) <= documented, f"{command}: options missing from its table"


# The README and the site.

def test_the_readme_is_short():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 200, f"README.md has {len(lines)} lines: move the detail to docs/"


def python_block(text, marker):
    return next(block for block in re.findall(r"```python\n(.*?)```", text, re.S) if marker in block)


def test_the_form_page_example_is_the_readme_s():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert python_block(page("form-page.md"), "class SurveyPage") == python_block(readme, "class SurveyPage")


def test_the_supported_versions_table_is_the_readme_s():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = table_rows(sections(readme)["Supported versions"])
    assert table and table == table_rows(sections(page("getting-started.md"))["Supported versions"])


def test_every_page_is_in_the_navigation():
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    pages = {path.relative_to(DOCS).as_posix() for path in DOCS.rglob("*.md")}
    assert pages == set(re.findall(r"^\s*- [^:\n]+: (\S+\.md)$", nav, re.M))


def test_the_site_builds_with_warnings_as_errors(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    changelog = (tmp_path / "site" / "changelog" / "index.html").read_text(encoding="utf-8")
    assert "Unreleased" in changelog  # CHANGELOG.md itself, not the page's placeholder
