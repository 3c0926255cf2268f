"""``stancewatch run``, ``load`` and ``output-positions``: batch runs to Parquet, on one
machine or a Ray cluster (:mod:`stancewatch.scale.runner`, :mod:`stancewatch.scale.ray_engine`,
:mod:`stancewatch.scale.parquet`)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from stancewatch.cli.common import (
    DbOption,
    Format,
    FormatOption,
    PackOption,
    StanceOption,
    app,
    console,
    current_settings,
    emit,
    errors_to_exit,
)
from stancewatch.settings import BATCH_SIZE, RUN_BATCH_CHARS


class Engine(StrEnum):
    local = "local"
    ray = "ray"


def _report(report: Any) -> None:
    for problem in report.problems:
        console.print(f"[yellow]Skipped[/yellow] {escape(str(problem))}", highlight=False)
    rows = report.rows
    console.print(
        f"{report.engine}: ran {report.shards} shard(s), skipped {report.skipped} done before; "
        f"{report.documents} document(s), {rows.get('statements', 0)} statements, "
        f"{rows.get('stances', 0)} stance codings, {rows.get('claims', 0)} numeric claims, "
        f"{rows.get('verdicts', 0)} verdicts in {report.seconds:.1f} s."
    )


@app.command()
@errors_to_exit
def run(
    inputs: Annotated[
        list[str],
        typer.Argument(
            help="INPUT... OUTPUT: files or folders (text, Markdown, HTML, JSONL, CSV, TSV, "
            "Parquet), local or URIs (file://, s3://, gs://), then the output folder."
        ),
    ],
    engine: Annotated[
        Engine,
        typer.Option(help="local: one process; ray: Ray Data (pip install 'stancewatch[ray]')."),
    ] = Engine.local,
    pack: PackOption = None,
    stance: StanceOption = None,
    shard_size: Annotated[
        int, typer.Option(help="Documents per shard (the unit of resume).")
    ] = 500,
    batch_size: Annotated[
        int,
        typer.Option(
            min=1,
            help=f"Most documents analysed together (a batch also closes at {RUN_BATCH_CHARS:,} "
            "characters).",
        ),
    ] = BATCH_SIZE,
    workers: Annotated[int, typer.Option(help="Ray: actor pool size (workers).")] = 2,
    num_cpus: Annotated[
        int | None, typer.Option(help="Ray: CPUs of the local Ray started here.")
    ] = None,
    address: Annotated[
        str | None, typer.Option(help="Ray: a running cluster to join (auto, ray://HOST:10001).")
    ] = None,
    gpus_per_worker: Annotated[
        float | None,
        typer.Option(help="Ray: GPUs per worker (default: 1 when the cluster has GPUs)."),
    ] = None,
    text_column: Annotated[
        str, typer.Option(help="Text column in CSV/JSONL/Parquet inputs.")
    ] = "text",
    threads: Annotated[
        int | None, typer.Option(help="Local: torch CPU threads (Ray gives each worker one).")
    ] = None,
    parse_processes: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Local: processes parsing each batch (default: one per core for long batches).",
        ),
    ] = None,
) -> None:
    """Analyse a corpus into Parquet shards under OUTPUT; a rerun skips finished shards.

    Example: `stancewatch run --engine ray articles.jsonl s3://bucket/more/ out/`
    """
    if len(inputs) < 2:
        raise typer.BadParameter("give INPUT... and then OUTPUT")
    *sources, output = inputs

    shared: dict[str, Any] = {
        "settings": current_settings(pack=pack, stance=stance),
        "shard_size": shard_size,
        "batch_size": batch_size,
        "text_column": text_column,
    }
    if engine is Engine.ray:
        from stancewatch.scale.ray_engine import run_ray

        report = run_ray(
            sources,
            output,
            workers=workers,
            address=address,
            num_cpus=num_cpus,
            gpus_per_worker=gpus_per_worker,
            **shared,
        )
    else:
        from stancewatch.scale.runner import run_local

        report = run_local(
            sources, output, threads=threads, parse_processes=parse_processes, **shared
        )
    _report(report)


@app.command()
@errors_to_exit
def load(
    output: Annotated[Path, typer.Argument(help="A `stancewatch run` output folder.")],
    db: DbOption = Path("stancewatch.db"),
    pack: PackOption = None,
) -> None:
    """Bring a run's results into the database for review and reports (loading twice is safe).

    Example: `stancewatch load out/ --db corpus.db`
    """
    import json

    from stancewatch.packs import load_pack
    from stancewatch.scale.parquet import RUN_FILE, load_output
    from stancewatch.store.database import Store

    if pack is None and (output / RUN_FILE).exists():
        recorded = json.loads((output / RUN_FILE).read_text("utf-8")).get("pack")
        pack = Path(recorded) if recorded else None
    with Store(db) as store:
        counts = load_output(output, store, load_pack(pack))
    console.print(
        f"Loaded {counts['documents']} document(s): {counts['statements']} statements, "
        f"{counts['stances']} stance codings, {counts['claims']} numeric claims, "
        f"{counts['verdicts']} verdicts into {db}."
    )


@app.command("output-positions")
@errors_to_exit
def output_positions(
    output: Annotated[Path, typer.Argument(help="A `stancewatch run` output folder.")],
    sql: Annotated[
        str | None,
        typer.Option(
            help="Instead, run this DuckDB SQL over the tables documents, statements, stances, "
            "claims, verdicts, narrative_matches."
        ),
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Who supports and opposes which position, computed by DuckDB straight from the Parquet
    output (no database needed).

    Example: `stancewatch output-positions out/ --sql "SELECT actor, count(*) FROM statements GROUP BY 1"`
    """
    from stancewatch.scale.parquet import actor_positions, query

    frame = query(output, sql) if sql else actor_positions(output)
    emit(frame, fmt, title=None if sql else "Actors and positions (from Parquet)")
