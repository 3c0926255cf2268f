"""The documentation names every command and option the CLI has."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer

from stancewatch.cli import app

ROOT = Path(__file__).resolve().parents[1]
CLI_DOC = (ROOT / "docs" / "cli.md").read_text("utf-8")


def _commands(group: Any, prefix: str = "") -> list[tuple[str, Any]]:
    found = []
    for name, command in group.commands.items():
        path = f"{prefix}{name}"
        if hasattr(command, "commands"):
            found.extend(_commands(command, path + " "))
        else:
            found.append((path, command))
    return found


COMMANDS = _commands(typer.main.get_command(app))  # type: ignore[arg-type]


def test_there_are_commands():
    names = {name for name, _ in COMMANDS}
    assert {
        "ingest",
        "analyze",
        "report",
        "export",
        "demo",
        "actors list",
        "positions",
        "facts list",
    } <= names


@pytest.mark.parametrize("name, command", COMMANDS, ids=[n for n, _ in COMMANDS])
def test_every_command_and_option_is_documented(name, command):
    assert f"stancewatch {name}" in CLI_DOC, f"docs/cli.md does not describe `stancewatch {name}`"
    for param in command.params:
        if getattr(param, "param_type_name", "") == "option":
            for opt in param.opts:
                if opt.startswith("--") and opt != "--help":
                    assert f"`{opt}" in CLI_DOC, f"docs/cli.md does not mention {opt} of {name}"


@pytest.mark.parametrize("name, command", COMMANDS, ids=[n for n, _ in COMMANDS])
def test_every_command_help_has_an_example(name, command):
    assert "Example:" in (command.help or ""), f"`stancewatch {name} --help` has no example"


def test_readme_quickstart_is_two_commands():
    readme = (ROOT / "README.md").read_text("utf-8")
    block = readme.split("## Quickstart", 1)[1].split("```", 2)[1]
    lines = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert [line for line in lines if line] == ["make demo", "make test"]
