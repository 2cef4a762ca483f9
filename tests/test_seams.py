"""Tests drive the package through its public seams: the sandbox, the settings, the clock, the
database, the task backend, real sockets. A test that patches something of the package's own
(``monkeypatch.setattr`` of anything imported from ``wagtail_salesmanago``, or named by a
``"wagtail_salesmanago..."`` string) says why no public seam can do it, in a comment starting
``# internal seam:`` on a line of the call or in the comment lines right above it.

Patches of settings and of third-party objects (Django, requests, the standard library, the test
app's own page models) are not concerned."""

import ast
import re
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
PACKAGE = "wagtail_salesmanago"
PATCHERS = {"setattr", "delattr"}
MARK = re.compile(r"#\s*internal seam:\s*\S")


def package_names(tree):
    """The names a test module binds to something imported from the package (anywhere in it)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(
                ".")[0] == PACKAGE:
            names.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == PACKAGE:
                    names.add(alias.asname or alias.name.split(".")[0])
    return names


def patchers(tree):
    """The names that patch: ``monkeypatch``, and what ``monkeypatch.context()`` is bound to."""
    names = {"monkeypatch"}
    for node in ast.walk(tree):
        if isinstance(node, ast.withitem) and isinstance(node.optional_vars, ast.Name):
            call = node.context_expr
            if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                    and call.func.attr == "context"):
                names.add(node.optional_vars.id)
    return names


def internal_target(target, ours):
    """Whether a patch's first argument is the package's: a dotted string naming it, or an
    expression that uses a name imported from it (``history``, ``type(steps.EVENT)``...)."""
    if isinstance(target, ast.Constant) and isinstance(target.value, str):
        return target.value.split(".")[0] == PACKAGE
    return any(isinstance(node, ast.Name) and node.id in ours for node in ast.walk(target))


def unexplained_patches(source, filename="<test>"):
    """``(line, code)`` of each internal patch in ``source`` without its ``# internal seam:``."""
    tree = ast.parse(source, filename)
    lines = source.splitlines()
    ours, patching = package_names(tree), patchers(tree)
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in PATCHERS and isinstance(node.func.value, ast.Name)
                and node.func.value.id in patching and node.args):
            continue
        if not internal_target(node.args[0], ours):
            continue
        if not any(MARK.search(line) for line in explaining(lines, node)):
            found.append((node.lineno, lines[node.lineno - 1].strip()))
    return sorted(found)


def explaining(lines, call):
    """The lines that may explain a call: its own, and the comment lines right above it."""
    first = call.lineno - 1
    while first > 0 and lines[first - 1].lstrip().startswith("#"):
        first -= 1
    return lines[first:call.end_lineno]


def test_every_patch_of_the_packages_own_says_why_no_public_seam_can_do():
    unexplained = [
        f"{path.relative_to(TESTS.parent)}:{line}: {code}"
        for path in sorted(TESTS.rglob("*.py"))
        for line, code in unexplained_patches(path.read_text(encoding="utf-8"), str(path))
    ]
    assert unexplained == [], (
        "Patched without a reason: use a public seam (the sandbox, a setting, the clock, the "
        "database, the task backend), or say on the line why none can (# internal seam: ...):\n"
        + "\n".join(unexplained))


@pytest.mark.parametrize("source", [
    'from wagtail_salesmanago.delivery import history\n'
    'def test(monkeypatch):\n    monkeypatch.setattr(history, "CHUNK", 2)\n',
    'import wagtail_salesmanago.api.client as client_module\n'
    'def test(monkeypatch):\n    monkeypatch.setattr(client_module, "_local", None)\n',
    'def test(monkeypatch):\n'
    '    monkeypatch.setattr("wagtail_salesmanago.delivery.answers.deliver", None)\n',
    'def test(monkeypatch):\n    from wagtail_salesmanago.delivery import steps\n'
    '    monkeypatch.setattr(type(steps.EVENT), "call", None)\n',
    'from wagtail_salesmanago.models import ExportRecord\n'
    'def test(monkeypatch):\n    with monkeypatch.context() as m:\n'
    '        m.setattr(ExportRecord, "save", None)  # a comment, but not the one\n',
    'from wagtail_salesmanago.delivery import outbox\n'
    'def test(monkeypatch):\n    monkeypatch.delattr(outbox, "enqueue")\n',
], ids=["module", "aliased module", "dotted string", "local import", "context", "delattr"])
def test_an_unexplained_patch_of_the_package_is_found(source):
    assert len(unexplained_patches(source)) == 1


@pytest.mark.parametrize("source", [
    'from wagtail_salesmanago.delivery import history\n'
    'def test(monkeypatch):\n'
    '    monkeypatch.setattr(history, "CHUNK", 2)  # internal seam: chunks of 2, fast\n',
    'from wagtail_salesmanago.delivery import history\n'
    'def test(monkeypatch):\n    # internal seam: chunks of 2, fast\n'
    '    monkeypatch.setattr(history, "CHUNK", 2)\n',
    'from wagtail_salesmanago.delivery import history\n'
    'def test(monkeypatch):\n    monkeypatch.setattr(\n'
    '        history, "CHUNK", 2)  # internal seam: chunks of 2, fast\n',
    'from wagtail_salesmanago.delivery import history\n'
    'def test(monkeypatch):\n    # internal seam: chunks of 2,\n    # not of 2,000\n'
    '    monkeypatch.setattr(history, "CHUNK", 2)\n',
    'import random\nimport requests\nfrom tests.testapp.models import SurveyPage\n'
    'def test(monkeypatch, settings):\n    monkeypatch.setattr(random, "uniform", max)\n'
    '    monkeypatch.setattr(requests.Session, "send", None)\n'
    '    monkeypatch.setattr(SurveyPage, "template", "x.html")\n'
    '    monkeypatch.setattr("django.utils.timezone.now", None)\n'
    '    settings.WAGTAIL_SALESMANAGO_BATCH_SIZE = 1\n',
], ids=["same line", "line above", "a line of the call", "comment block above",
        "third-party and settings"])
def test_an_explained_or_public_patch_passes(source):
    assert unexplained_patches(source) == []


def test_a_reason_is_required_after_the_mark():
    source = ('from wagtail_salesmanago.delivery import history\n'
              'def test(monkeypatch):\n    monkeypatch.setattr(history, "CHUNK", 2)  # internal seam:\n')
    assert len(unexplained_patches(source)) == 1


def test_a_reason_must_be_next_to_its_patch():
    source = ('from wagtail_salesmanago.delivery import history\n'
              'def test(monkeypatch):\n    # internal seam: chunks of 2\n    chunk = 2\n'
              '    monkeypatch.setattr(history, "CHUNK", chunk)\n')
    assert len(unexplained_patches(source)) == 1
