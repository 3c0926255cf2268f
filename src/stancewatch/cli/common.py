"""What every ``stancewatch`` command shares: the app, common options, output, progress and
error handling. Command modules import this one; it imports none of them."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from contextvars import ContextVar
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table

from stancewatch.errors import InputError, StancewatchError
from stancewatch.registry import (
    DEFAULT_STANCE_BACKEND,
    DEFAULT_TARGET_STANCE_BACKEND,
    STANCE_BACKENDS,
)
from stancewatch.settings import Settings
from stancewatch.version import __version__

app = typer.Typer(
    help="Evidence-backed records of who said what, which positions actors take, how closely "
    "they align, and which of their numeric claims are false.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,
)

console = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)

DbOption = Annotated[
    Path, typer.Option("--db", help="The SQLite database file (created when missing).")
]
PackOption = Annotated[
    Path | None,
    typer.Option("--pack", help="A pack folder (default: the bundled 2025 Ukraine pack)."),
]


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


FormatOption = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
SinceOption = Annotated[str | None, typer.Option(help="First date (YYYY-MM-DD).")]
UntilOption = Annotated[str | None, typer.Option(help="Last date (YYYY-MM-DD).")]


def stance_help(default: str) -> str:
    """The ``--stance`` help: every registered backend, and the default."""
    choices = "; ".join(f"{p.usage}: {p.summary}" for p in STANCE_BACKENDS)
    return f"Stance backend (default {default}). {choices}."


# --stance for a pack's positions (analyze, run: None is the pack's own model, else the
# default) and for free-text targets (classify, eval)
StanceOption = Annotated[
    str | None,
    typer.Option(
        "--stance",
        help=stance_help(
            f"the pack's own model when its pack.yaml names one, else {DEFAULT_STANCE_BACKEND}"
        ),
    ),
]
TargetStanceOption = Annotated[
    str, typer.Option("--stance", help=stance_help(DEFAULT_TARGET_STANCE_BACKEND))
]

F = TypeVar("F", bound=Callable[..., Any])


def errors_to_exit(fn: F) -> F:
    """A :class:`~stancewatch.errors.StancewatchError` (a problem the user can fix) becomes
    ``Error: <message>`` on stderr and exit status 1. Usage errors (``typer.BadParameter``)
    go on to click, which exits with status 2; any other exception is a bug and keeps its
    traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except StancewatchError as exc:
            console.print(f"[red]Error:[/red] {escape(str(exc))}", highlight=False)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


# The settings of the running invocation, set by the app's callback before any command runs.
INVOCATION_SETTINGS: ContextVar[Settings | None] = ContextVar("stancewatch_settings", default=None)


def current_settings(**changes: Any) -> Settings:
    """The settings of this invocation (``--precision``), with ``changes`` (None: unchanged)."""
    return (INVOCATION_SETTINGS.get() or Settings()).replace(**changes)


def open_project(db: Path, pack: Path | None, stance: str | None = None) -> Any:
    from stancewatch.api import Project

    return Project(db, settings=current_settings(pack=pack, stance=stance))


def progress_bar() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=False,
        disable=not console.is_terminal,
    )


def emit(frame: pd.DataFrame, fmt: Format, title: str | None = None) -> None:
    """Print a DataFrame as a rich table, JSON records or CSV."""
    if fmt is Format.json:
        out.print_json(frame.to_json(orient="records", date_format="iso", force_ascii=False))
    elif fmt is Format.csv:
        sys.stdout.write(frame.to_csv(index=False))
    else:
        table = Table(title=title, show_lines=False)
        for column in frame.columns:
            table.add_column(str(column), overflow="fold")
        for row in frame.itertuples(index=False):
            table.add_row(*("" if _isna(v) else str(v) for v in row))
        out.print(table)


def _isna(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def command_group(name: str, help_text: str) -> typer.Typer:
    """The sub-app called ``name`` (such as ``eval``), created by the first command module
    that asks for it and shared with the others that register under it."""
    for info in app.registered_groups:
        if info.name == name and info.typer_instance is not None:
            return info.typer_instance
    group = typer.Typer(help=help_text, no_args_is_help=True)
    app.add_typer(group, name=name)
    return group


def date_option(value: str | None) -> Any:
    from datetime import date

    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (expected YYYY-MM-DD)") from None


@app.callback(invoke_without_command=True)
def main(
    version: Annotated[bool, typer.Option("--version", help="Print the version.")] = False,
    precision: Annotated[
        str | None,
        typer.Option(
            "--precision",
            help="Precision of the transformer encoders: auto (bfloat16 where the CPU computes "
            "it natively, else float32), fp32 or bf16. Default: $STANCEWATCH_PRECISION, else "
            "auto. Recorded with every run.",
        ),
    ] = None,
) -> None:
    if version:
        out.print(f"stancewatch {__version__}")
        raise typer.Exit()
    if precision is not None:
        from stancewatch.nlp import resolve_precision

        try:
            resolve_precision(precision)
        except InputError as exc:
            raise typer.BadParameter(str(exc), param_hint="--precision") from None
    # every command of this invocation reads its settings from here (current_settings)
    INVOCATION_SETTINGS.set(Settings(precision=precision.strip().lower() if precision else None))


def pack_only(pack: Path | None) -> Any:
    from stancewatch.packs import load_pack

    return load_pack(pack)
