"""Every command's --help reads as a manual: flags as flags (`--dry-run`, not `--dry-run
<bool>`), options with their kind of value."""

from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from app.cli import cli
from indexer.cli import app as indexer_app

runner = CliRunner()


def _paths(command: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command of the tree (typer brings its own copy of click: groups by duck type)."""
    found = [prefix]
    for name, sub in (getattr(command, "commands", None) or {}).items():
        found += _paths(sub, (*prefix, name))
    return found


COMMANDS = _paths(typer.main.get_command(cli))


def test_the_tree_is_walked() -> None:
    assert ("import",) in COMMANDS
    assert ("portal", "remove-contact") in COMMANDS
    assert ("moderation", "publish") in COMMANDS


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "bildungsraum")
def test_flags_read_as_flags(path: tuple[str, ...]) -> None:
    result = runner.invoke(cli, [*path, "--help"], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    assert "<bool>" not in result.output
    assert "--help  " in result.output or "--help " in result.output


def test_import_help_lists_its_flags_plainly() -> None:
    text = runner.invoke(cli, ["import", "--help"], env={"COLUMNS": "100"}).output
    lines = {line.split()[0]: line for line in text.splitlines() if line.strip().startswith("--")}
    assert lines["--dry-run"].split(None, 1)[1].startswith("report only")
    assert lines["--partial"].split(None, 1)[1].startswith("import the valid rest")
    assert "<int>" in lines["--org"]


@pytest.mark.parametrize("path", _paths(typer.main.get_command(indexer_app)))
def test_indexer_program_help(path: tuple[str, ...]) -> None:
    result = runner.invoke(indexer_app, [*path, "--help"], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    assert "<bool>" not in result.output
