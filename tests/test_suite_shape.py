"""The suite's shape (issue 24 item 6): test modules never import one another. What two modules
share lives in tests/helpers.py (or a fixture in a conftest.py), so a module run alone, in any
order or in any subset runs the same code, and moving a test never breaks another module."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def imported_test_modules(path):
    """The test modules (``test_*``) that the module at ``path`` imports, as dotted names."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found += [name for name in names if name.split(".")[0] == "tests"
                  and any(part.startswith("test_") for part in name.split(".")[1:])]
    return found


def test_no_test_module_imports_another():
    offenders = {str(path.relative_to(TESTS.parent)): imported_test_modules(path)
                 for path in sorted(TESTS.rglob("test_*.py"))}
    assert {path: names for path, names in offenders.items() if names} == {}


def test_the_check_sees_each_way_of_importing_a_test_module(tmp_path):
    module = tmp_path / "test_example.py"
    module.write_text("from tests.delivery.test_leads import contact_bodies\n"
                      "import tests.admin.test_admin\n"
                      "from tests.delivery import test_batches\n"
                      "from tests.helpers import answer\nfrom tests.contract import examples\n")
    assert imported_test_modules(module) == [
        "tests.delivery.test_leads", "tests.delivery.test_leads.contact_bodies",
        "tests.admin.test_admin", "tests.delivery.test_batches"]
