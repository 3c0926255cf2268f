"""The project commands: ``ingest``, ``analyze``, ``report``, ``export``, ``positions``,
``pack validate`` and ``demo``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer

from stancewatch.cli.common import (
    DbOption,
    Format,
    FormatOption,
    PackOption,
    SinceOption,
    StanceOption,
    UntilOption,
    app,
    console,
    current_settings,
    date_option,
    emit,
    errors_to_exit,
    open_project,
    out,
    pack_only,
    progress_bar,
)

pack_app = typer.Typer(help="Check and inspect knowledge packs.", no_args_is_help=True)
app.add_typer(pack_app, name="pack")


def run_ingest(
    project: Any, paths: list[str], text_column: str, *, allow_private: bool = False
) -> Any:
    from rich.markup import escape

    from stancewatch.ingest.inputs import IngestProblem

    with progress_bar() as progress:
        task = progress.add_task("Ingesting", total=None)

        def on_item(item: Any) -> None:
            progress.advance(task)
            if isinstance(item, IngestProblem):
                # str() escapes control characters; escape() keeps rich markup out.
                console.print(f"[yellow]Skipped[/yellow] {escape(str(item))}", highlight=False)

        report = project.ingest(
            paths, text_column=text_column, on_item=on_item, allow_private=allow_private
        )
    console.print(
        f"Stored {report.added} new document(s); {report.skipped} already stored; "
        f"{len(report.problems)} problem(s)."
    )
    return report


def run_analyze(project: Any, force: bool, *, refresh_changed: bool = False) -> Any:
    """Analyse with a progress bar. When the stored results came from other settings, say so
    (or, with ``refresh_changed``, re-analyse everything so the results are one set)."""
    from stancewatch.scale.memory import tune_allocator

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
    with progress_bar() as progress:
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
    allow_private_addresses: Annotated[
        bool,
        typer.Option(
            "--allow-private-addresses",
            help="Also fetch URLs on loopback, link-local and private addresses (an intranet); "
            "refused by default.",
        ),
    ] = False,
) -> None:
    """Read articles into the database (the same article twice is stored once).

    Example: `stancewatch ingest articles/ feed.xml https://example.org/story --db corpus.db`
    """
    with open_project(db, pack) as project:
        report = run_ingest(project, paths, text_column, allow_private=allow_private_addresses)
    if report.problems and not report.added and not report.skipped:
        raise typer.Exit(1)


@app.command()
@errors_to_exit
def analyze(
    db: DbOption = Path("stancewatch.db"),
    pack: PackOption = None,
    force: Annotated[bool, typer.Option(help="Re-analyse documents analysed before.")] = False,
    stance: StanceOption = None,
    parse_processes: Annotated[
        int | None,
        typer.Option(
            min=1, help="Processes parsing each batch (default: one per core for long batches)."
        ),
    ] = None,
) -> None:
    """Attribute statements, code stances, extract and check numeric claims.

    Example: `stancewatch analyze --db corpus.db --stance nli:MoritzLaurer/DeBERTa-v3-base-mnli`
    """
    with open_project(db, pack, stance) as project:
        project.analyzer.parse_processes = parse_processes
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
    since: SinceOption = None,
    until: UntilOption = None,
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
    from stancewatch.report.build import build_context, chart_files, render_html, render_markdown

    with open_project(db, pack) as project:
        window = {"since": date_option(since), "until": date_option(until)}
        embedder = None
        if clusters:
            from stancewatch.nlp import load_embedder

            embedder = load_embedder(precision=current_settings().precision)
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
    from stancewatch.export import export_tables, write_export

    with open_project(db, pack) as project:
        written = write_export(export_tables(project), output, fmt)
    for path in written:
        console.print(f"Wrote {path}")


def print_overview(project: Any) -> None:
    """A short terminal summary: positions taken by the most active actors, false claims."""
    from stancewatch.report.formatting import format_figure, format_ratio

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


@app.command()
@errors_to_exit
def positions(pack: PackOption = None, fmt: FormatOption = Format.table) -> None:
    """List the pack's positions (the codebook).

    Example: `stancewatch positions --format json`
    """
    loaded = pack_only(pack)
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
    loaded = pack_only(path)
    out.print(
        f"{path}: valid pack {loaded.name} {loaded.version}: {len(loaded.actors)} actors, "
        f"{len(loaded.positions)} positions, {len(loaded.facts)} facts, "
        f"{len(loaded.actions)} actions"
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
    from stancewatch.export import export_tables, write_export
    from stancewatch.packs import demo_corpus_path
    from stancewatch.report.build import build_context, render_html, render_markdown

    corpus = corpus or demo_corpus_path()
    output.mkdir(parents=True, exist_ok=True)
    db = output / "demo.db"
    with open_project(db, None) as project:
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
