"""The ``stancewatch`` command: a thin skin over :mod:`stancewatch.api`."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import pandas as pd
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table

from . import __version__

app = typer.Typer(
    help="Evidence-backed records of who said what, which positions actors take, how closely "
    "they align, and which of their numeric claims are false.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,
)
pack_app = typer.Typer(help="Check and inspect knowledge packs.", no_args_is_help=True)
app.add_typer(pack_app, name="pack")

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

F = TypeVar("F", bound=Callable[..., Any])


def errors_to_exit(fn: F) -> F:
    """Library errors become ``Error: ...`` on stderr and exit status 1."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from .backends import BackendError
        from .ingest import IngestError
        from .nlp import ModelNotAvailable
        from .packs import PackError
        from .store import StoreError

        try:
            return fn(*args, **kwargs)
        except (
            PackError,
            StoreError,
            IngestError,
            ModelNotAvailable,
            BackendError,
            ValueError,
        ) as exc:
            console.print(f"[red]Error:[/red] {exc}", markup=True, highlight=False)
            raise typer.Exit(1) from None
        except KeyError as exc:
            console.print(f"[red]Error:[/red] {exc.args[0]}", highlight=False)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def _project(db: Path, pack: Path | None) -> Any:
    from .api import Project

    return Project(db, pack)


def _progress() -> Progress:
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


def _date_option(value: str | None) -> Any:
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
        from .nlp import PRECISION_ENV, resolve_precision

        try:
            resolve_precision(precision)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--precision") from None
        # every encoder this command loads (and every Ray worker, through the driver) reads it
        os.environ[PRECISION_ENV] = precision.strip().lower()


def run_ingest(project: Any, paths: list[str], text_column: str) -> Any:
    from .ingest import IngestProblem

    with _progress() as progress:
        task = progress.add_task("Ingesting", total=None)

        def on_item(item: Any) -> None:
            progress.advance(task)
            if isinstance(item, IngestProblem):
                console.print(
                    f"[yellow]Skipped[/yellow] {item.source}: {item.reason}", highlight=False
                )

        report = project.ingest(paths, text_column=text_column, on_item=on_item)
    console.print(
        f"Stored {report.added} new document(s); {report.skipped} already stored; "
        f"{len(report.problems)} problem(s)."
    )
    return report


def run_analyze(project: Any, force: bool, *, refresh_changed: bool = False) -> Any:
    """Analyse with a progress bar. When the stored results came from other settings, say so
    (or, with ``refresh_changed``, re-analyse everything so the results are one set)."""
    from .memory import tune_allocator

    tune_allocator()  # flat memory over a long analysis (glibc only)
    changed = {} if force else project.changed_settings()
    if changed:
        shown = "; ".join(f"{k}: {old} → {new}" for k, (old, new) in sorted(changed.items()))
        if refresh_changed:
            console.print(f"Settings changed since the last analysis ({shown}): re-analysing.")
            force = True
        else:
            console.print(
                f"[yellow]Note[/yellow] stored results come from other settings ({shown}); "
                "new documents will be analysed with the current ones. Run with --force to "
                "re-analyse everything.",
                highlight=False,
            )
    total = len(project.store.document_ids(only_unanalyzed=not force))
    with _progress() as progress:
        task = progress.add_task("Analysing", total=total)
        report = project.analyze(force=force, on_document=lambda _id: progress.advance(task))
    for notice in report.notices:
        console.print(f"[yellow]Notice[/yellow] {notice}", highlight=False)
    console.print(
        f"Analysed {report.documents} document(s): {report.statements} statements, "
        f"{report.stances} stance codings, {report.claims} numeric claims."
    )
    return report


@app.command()
@errors_to_exit
def ingest(
    paths: Annotated[list[str], typer.Argument(help="Files, folders, URLs or RSS/Atom feeds.")],
    db: DbOption = Path("stancewatch.db"),
    pack: PackOption = None,
    text_column: Annotated[str, typer.Option(help="Text column in CSV/JSONL inputs.")] = "text",
) -> None:
    """Read articles into the database (the same article twice is stored once).

    Example: `stancewatch ingest articles/ feed.xml https://example.org/story --db corpus.db`
    """
    with _project(db, pack) as project:
        report = run_ingest(project, paths, text_column)
    if report.problems and not report.added and not report.skipped:
        raise typer.Exit(1)


@app.command()
@errors_to_exit
def analyze(
    db: DbOption = Path("stancewatch.db"),
    pack: PackOption = None,
    force: Annotated[bool, typer.Option(help="Re-analyse documents analysed before.")] = False,
    stance: Annotated[
        str,
        typer.Option(
            help="Stance backend: prototype (offline default), nli:MODEL (a Hugging Face NLI "
            "model name or folder) or chat:MODEL@URL (an OpenAI-compatible endpoint; key in "
            "STANCEWATCH_API_KEY)."
        ),
    ] = "prototype",
) -> None:
    """Attribute statements, code stances, extract and check numeric claims.

    Example: `stancewatch analyze --db corpus.db --stance nli:MoritzLaurer/DeBERTa-v3-base-mnli`
    """
    from .api import Project

    with Project(db, pack, stance=stance) as project:
        run_analyze(project, force)


@app.command()
@errors_to_exit
def report(
    db: DbOption = Path("stancewatch.db"),
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.")] = Path(
        "report.html"
    ),
    summary: Annotated[
        Path | None, typer.Option(help="Also write a Markdown summary to this file.")
    ] = None,
    title: Annotated[str | None, typer.Option(help="Report title.")] = None,
    since: Annotated[str | None, typer.Option(help="First date (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Last date (YYYY-MM-DD).")] = None,
    charts: Annotated[
        Path | None, typer.Option(help="Also write every chart as SVG and PNG into this folder.")
    ] = None,
    rival: Annotated[
        str | None,
        typer.Option(help="Rank every actor by alignment with this one (default putin)."),
    ] = None,
    clusters: Annotated[
        bool, typer.Option(help="Also chain near-identical unmatched statements (loads MiniLM).")
    ] = False,
    pack: PackOption = None,
) -> None:
    """Write a self-contained HTML report (works offline).

    Example: `stancewatch report --db corpus.db --output report.html --summary summary.md --charts figures/`
    """
    from .report import build_context, chart_files, render_html, render_markdown

    with _project(db, pack) as project:
        window = {"since": _date_option(since), "until": _date_option(until)}
        embedder = None
        if clusters:
            from .nlp import load_embedder

            embedder = load_embedder()
        context = build_context(project, title=title, rival=rival, embedder=embedder, **window)
    output.write_text(render_html(context), encoding="utf-8")
    written = [str(output)]
    if summary is not None:
        summary.write_text(render_markdown(context), encoding="utf-8")
        written.append(str(summary))
    if charts is not None:
        charts.mkdir(parents=True, exist_ok=True)
        for name, data in chart_files(context).items():
            (charts / name).write_bytes(data)
            written.append(str(charts / name))
    console.print("Wrote " + ", ".join(written))


@app.command()
@errors_to_exit
def export(
    db: DbOption = Path("stancewatch.db"),
    output: Annotated[
        Path, typer.Option("--output", "-o", help="JSON file, or folder for CSV files.")
    ] = Path("export"),
    fmt: Annotated[
        str,
        typer.Option(
            "--format", "-f", help="json, csv, parquet, claimreview (JSON-LD) or claimreview-csv."
        ),
    ] = "json",
    pack: PackOption = None,
) -> None:
    """Export documents, statements, stances, claims and verdicts (schema: docs/exports.md).

    Example: `stancewatch export --db corpus.db --format csv --output export/`
    """
    from .export import export_tables, write_export

    with _project(db, pack) as project:
        written = write_export(export_tables(project), output, fmt)
    for path in written:
        console.print(f"Wrote {path}")


def print_overview(project: Any) -> None:
    """A short terminal summary: positions taken by the most active actors, false claims."""
    from .report_format import format_figure, format_ratio

    taken = project.actor_positions()
    if not taken.empty:
        per_actor = (
            taken.groupby("actor")[["support", "oppose"]]
            .sum()
            .sort_values("support", ascending=False)
        )
        positions = taken.groupby("actor")["position_id"].nunique()
        frame = per_actor.assign(positions=positions).head(12).reset_index()
        emit(
            frame,
            Format.table,
            title="Most active actors (statements supporting / opposing positions)",
        )
    false_claims = project.false_claims()
    if not false_claims.empty:
        frame = pd.DataFrame(
            {
                "claimant": false_claims["claimant_name"].fillna("unknown"),
                "claim": false_claims["claim"],
                "verdict": false_claims["verdict"],
                "sourced figure": [
                    format_figure(v, h, u, c)
                    for v, h, u, c in zip(
                        false_claims["fact_value"],
                        false_claims["fact_value_high"],
                        false_claims["fact_unit"],
                        false_claims["fact_currency"],
                        strict=True,
                    )
                ],
                "ratio": [format_ratio(r) for r in false_claims["ratio"]],
                "source": false_claims["fact_source"],
            }
        )
        emit(frame, Format.table, title="Numeric claims contradicted by sourced figures")


def _pack_only(pack: Path | None) -> Any:
    from .packs import load_pack

    return load_pack(pack)


actors_app = typer.Typer(help="The pack's actors, and new actor candidates from a database.")
app.add_typer(actors_app, name="actors")  # subcommands: commands_attribution.py


@actors_app.callback(invoke_without_command=True)
@errors_to_exit
def actors(ctx: typer.Context, pack: PackOption = None, fmt: FormatOption = Format.table) -> None:
    """List the pack's actors with aliases and roles (same as `stancewatch actors list`).

    Example: `stancewatch actors --format csv`
    """
    if ctx.invoked_subcommand is not None:
        return
    loaded = _pack_only(pack)
    frame = pd.DataFrame(
        [
            {
                "id": a.id,
                "name": a.name,
                "kind": a.kind,
                "affiliation": a.affiliation,
                "aliases": ", ".join(a.aliases),
                "roles": "; ".join(
                    f"{r.title} ({r.start or '…'} – {r.end or 'now'})" for r in a.roles
                ),
            }
            for a in loaded.actors
        ]
    )
    emit(frame, fmt, title=f"Actors in {loaded.name} {loaded.version}")


@app.command()
@errors_to_exit
def positions(pack: PackOption = None, fmt: FormatOption = Format.table) -> None:
    """List the pack's positions (the codebook).

    Example: `stancewatch positions --format json`
    """
    loaded = _pack_only(pack)
    frame = pd.DataFrame(
        [
            {
                "id": p.id,
                "topic": p.topic,
                "proposition": p.proposition,
                "holders": ", ".join(p.holders),
                "examples": f"{len(p.supports)} support / {len(p.opposes)} oppose",
            }
            for p in loaded.positions
        ]
    )
    emit(frame, fmt, title=f"Positions in {loaded.name} {loaded.version}")


@pack_app.command("validate")
@errors_to_exit
def pack_validate(
    path: Annotated[Path, typer.Argument(help="The pack folder to check.")],
) -> None:
    """Check a pack against its JSON Schemas; errors name the file, entry and problem.

    Example: `stancewatch pack validate my-pack/`
    """
    loaded = _pack_only(path)
    out.print(
        f"{path}: valid pack {loaded.name} {loaded.version}: {len(loaded.actors)} actors, "
        f"{len(loaded.positions)} positions, {len(loaded.facts)} facts"
    )


@app.command()
@errors_to_exit
def demo(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder for the database and report.")
    ] = Path("demo-output"),
    corpus: Annotated[
        Path | None, typer.Option(help="Corpus folder (default: the bundled demo corpus).")
    ] = None,
) -> None:
    """Run the whole pipeline on the bundled demo corpus and write the report.

    Example: `stancewatch demo --output demo-output`
    """
    from .demo import demo_corpus_path
    from .export import export_tables, write_export
    from .report import build_context, render_html, render_markdown

    corpus = corpus or demo_corpus_path()
    output.mkdir(parents=True, exist_ok=True)
    db = output / "demo.db"
    with _project(db, None) as project:
        run_ingest(project, [str(corpus)], "text")
        run_analyze(project, force=False, refresh_changed=True)
        context = build_context(project)  # built once for both the page and the summary
        (output / "report.html").write_text(render_html(context), encoding="utf-8")
        (output / "summary.md").write_text(render_markdown(context), encoding="utf-8")
        write_export(export_tables(project), output / "export.json", "json")
        print_overview(project)
    console.print(
        f"Database: {db}\nReport: {output / 'report.html'}\nSummary: {output / 'summary.md'}"
    )


# Commands kept in their own modules register themselves on `app` when imported here.
# One import line per module, in alphabetical order.
from . import commands_align  # noqa: E402,F401
from . import commands_attribution  # noqa: E402,F401
from . import commands_factcheck  # noqa: E402,F401
from . import commands_narratives  # noqa: E402,F401
from . import commands_run  # noqa: E402,F401
from . import commands_stance  # noqa: E402,F401
from . import commands_web  # noqa: E402,F401
