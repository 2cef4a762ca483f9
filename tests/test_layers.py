"""The package's layers hold: import-linter's contracts in setup.cfg, with no exceptions."""

from pathlib import Path

from importlinter.cli import lint_imports

CONFIG = Path(__file__).resolve().parent.parent / "setup.cfg"


def test_every_import_contract_is_kept():
    assert lint_imports(config_filename=str(CONFIG)) == 0


def test_the_contracts_list_no_exceptions():
    assert "ignore_imports" not in CONFIG.read_text()
