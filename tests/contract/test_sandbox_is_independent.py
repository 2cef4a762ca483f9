"""The sandbox models SALESmanago on its own: it imports nothing from the rest of the package.

If it shared code with the client or the mapping (as it once shared tag rules), a mistake there
would be mirrored by the sandbox and no test run against it could catch it.
"""

import ast
from pathlib import Path

import pytest

import wagtail_salesmanago.sandbox

SANDBOX = Path(wagtail_salesmanago.sandbox.__file__).parent
FORBIDDEN = ("wagtail_salesmanago", "django", "wagtail")
MODULES = sorted(SANDBOX.rglob("*.py"))


def imported_names(source, package=("wagtail_salesmanago", "sandbox")):
    """Absolute module names that ``source`` imports, relative ones resolved against ``package``."""
    package = list(package)
    names = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            names += [module] if node.module else [f"{module}.{a.name}" for a in node.names]
    return names


def outside_the_sandbox(name, forbidden=FORBIDDEN):
    inside = name == "wagtail_salesmanago.sandbox" or name.startswith("wagtail_salesmanago.sandbox.")
    return not inside and name.split(".")[0] in forbidden


def test_every_sandbox_module_is_checked():
    assert {p.name for p in MODULES} >= {"__init__.py", "__main__.py", "server.py", "state.py"}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SANDBOX)))
def test_imports_nothing_from_the_package_or_django(path):
    package = ["wagtail_salesmanago", *path.relative_to(SANDBOX.parent).parent.parts]
    names = imported_names(path.read_text(encoding="utf-8"), package)
    # The pytest plugin is the Django-side glue (it allows http while a sandbox runs); it may use
    # Django, never the package's client or mapping.
    forbidden = ("wagtail_salesmanago",) if path.name == "pytest_plugin.py" else FORBIDDEN
    assert [name for name in names if outside_the_sandbox(name, forbidden)] == []


@pytest.mark.parametrize("source, found", [
    ("from ..mapping import normalise_tags", ["wagtail_salesmanago.mapping"]),
    ("from .. import client", ["wagtail_salesmanago.client"]),
    ("import wagtail_salesmanago.client as c", ["wagtail_salesmanago.client"]),
    ("from wagtail_salesmanago import mapping", ["wagtail_salesmanago"]),
    ("from django.conf import settings", ["django.conf"]),
    ("from .rules import stored_tags", []),
    ("from . import answers", []),
])
def test_the_check_sees_each_way_of_importing(source, found):
    assert [name for name in imported_names(source) if outside_the_sandbox(name)] == found
