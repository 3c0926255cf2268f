"""Commands for stance: ``stancewatch classify`` and ``stancewatch eval stance``.

A thin skin over :mod:`stancewatch.stance.evaluation` and :func:`stancewatch.stance.backends.load_backend`.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.table import Table

from stancewatch.cli.common import (
    PackOption,
    TargetStanceOption,
    app,
    command_group,
    console,
    current_settings,
    errors_to_exit,
    out,
    pack_only,
    progress_bar,
)
from stancewatch.errors import InputError
from stancewatch.registry import DEFAULT_TARGET_STANCE_BACKEND


class DataFormat(StrEnum):
    vast = "vast"
    ruw = "ruw"
    pairs = "pairs"


eval_app = command_group("eval", "Measure stancewatch against gold annotations.")


def _backend(spec: str) -> tuple[Any, Any]:
    from stancewatch.nlp import load_embedder
    from stancewatch.stance.backends import load_backend

    precision = current_settings().precision
    embedder = load_embedder(precision=precision)
    return load_backend(spec, embedder=embedder, precision=precision), embedder


@app.command()
@errors_to_exit
def classify(
    file: Annotated[Path, typer.Argument(help="A CSV file with a text and a target column.")],
    text_column: Annotated[
        str, typer.Option("--text-column", help="The column holding the statements.")
    ],
    target_column: Annotated[
        str,
        typer.Option("--target-column", help="The column holding the target proposition or topic."),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="The CSV file to write.")],
    stance: TargetStanceOption = DEFAULT_TARGET_STANCE_BACKEND,
    pack: PackOption = None,
) -> None:
    """Add `stance` (support / oppose / neutral) and `stance_score` to every row of a CSV.

    A target equal to a position id of the pack (default: the bundled pack) is coded against
    that position with its codebook; any other target is a free-text proposition. Every
    input column and row is kept in order. Rows with an empty text or target get empty
    stance cells.

    Example: stancewatch classify statements.csv --text-column text --target-column position --output coded.csv
    """
    from stancewatch.stance.evaluation import classify_frame

    if not file.is_file():
        raise InputError(f"{file} does not exist or is not a file")
    try:
        frame = pd.read_csv(file, dtype=str, keep_default_na=False, encoding="utf-8")
    except ValueError as exc:  # pandas' parser errors and UnicodeDecodeError
        raise InputError(f"{file} cannot be read as a UTF-8 CSV file: {exc}") from None
    backend, _ = _backend(stance)
    with progress_bar() as progress:
        task = progress.add_task(f"Classifying ({backend.name})", total=len(frame))
        coded = classify_frame(
            frame,
            text_column,
            target_column,
            backend,
            source=str(file),
            on_batch=lambda n: progress.advance(task, n),
            positions=pack_only(pack).positions,
        )
    coded.to_csv(output, index=False)
    counts = coded["stance"].value_counts()
    summary = ", ".join(f"{counts.get(k, 0)} {k}" for k in ("support", "oppose", "neutral"))
    console.print(f"Wrote {len(coded)} rows to {output} ({summary}).", highlight=False)


@eval_app.command("stance")
@errors_to_exit
def eval_stance(
    file: Annotated[Path, typer.Argument(help="The gold file to score (a dev/val split).")],
    fmt: Annotated[DataFormat, typer.Option("--format", help="The file's layout.")],
    train: Annotated[
        Path | None,
        typer.Option(
            "--train",
            help="Train split for the baselines (default: the matching train file next to FILE).",
        ),
    ] = None,
    stance: TargetStanceOption = DEFAULT_TARGET_STANCE_BACKEND,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Score only the first N pairs.")
    ] = None,
    pack: PackOption = None,
    as_statements: Annotated[
        bool,
        typer.Option(
            "--as-statements",
            help="Read each text as the pipeline reads a reported statement (attribution "
            "first; the speaker out, the reporting verb and negation kept): for gold labels "
            "that give the reported speaker's stance, as in a stancewatch statement.",
        ),
    ] = False,
) -> None:
    """Macro-F1 and pairs/s of a stance backend and two trained baselines on VAST, RUW or a
    pairs file (columns text, position, label, optional source; a position is a pack
    position id, an id of a propositions.yaml beside the file, or the proposition's words).
    Pairs files also get the support/oppose F1, and every figure per source and position.

    Example: stancewatch eval stance ../shared/data/stance-domain/dev.csv --format pairs
    """
    from stancewatch.stance.evaluation import compare_stance, default_train_file, read_stance_rows

    positions = pack_only(pack).positions if fmt is DataFormat.pairs else ()
    rows = read_stance_rows(file, fmt.value, positions)[:limit]
    train_file = train or default_train_file(file, fmt.value)
    train_rows = read_stance_rows(train_file, fmt.value, positions) if train_file else []
    if as_statements:
        loaded = pack_only(pack)
        rows, train_rows = statement_rows(rows, loaded), statement_rows(train_rows, loaded)
    if not train_rows:
        console.print("No train file: the baselines are left out (give --train).")
    backend, embedder = _backend(stance)
    with console.status("Scoring") as status:
        results = compare_stance(
            rows, fmt.value, backend, embedder, train_rows, on_step=status.update
        )
    pairs = fmt is DataFormat.pairs
    # VAST and RUW break down into a few groups (columns); a pairs file by source (columns)
    # and by position (a table of its own).
    groups = list(results[0].sources if pairs else results[0].groups)
    sides = ["support/oppose F1"] if pairs else []
    table = Table(title=f"Stance on {file.name} ({len(rows)} pairs)")
    for column in ["method", "macro-F1", *sides, *groups, "pairs/s", "fit s"]:
        table.add_column(column)
    for r in results:
        found = r.sources if pairs else r.groups
        cells = [f"{found.get(g, 0.0):.3f}" for g in groups]
        side = [f"{r.sides_f1:.3f}"] if pairs and r.sides_f1 is not None else []
        fit = "" if r.fit_s is None else f"{r.fit_s:.1f}"
        table.add_row(r.method, f"{r.macro_f1:.3f}", *side, *cells, f"{r.pairs_per_s:.0f}", fit)
    out.print(table)
    if pairs:
        per = Table(title="Macro-F1 per position")
        per.add_column("position")
        per.add_column("pairs")
        counts = Counter(r.position.id if r.position else r.target for r in rows)
        for r in results:
            per.add_column(r.method, overflow="fold")
        for name in results[0].groups:
            per.add_row(
                name, str(counts[name]), *(f"{r.groups.get(name, 0.0):.3f}" for r in results)
            )
        out.print(per)
    if train_file:
        out.print(f"Baselines trained on {train_file} ({len(train_rows)} pairs).")


class Arch(StrEnum):
    bi = "bi"
    cross = "cross"


def statement_readings(texts: list[str], pack: Any) -> list[str]:
    """What the pipeline's model reads for each text read as a reported statement
    (:meth:`stancewatch.pipeline.Analyzer.statement_readings`; spaCy loads once per process)."""
    from stancewatch.pipeline import Analyzer

    if not texts:
        return []
    return Analyzer(pack, settings=current_settings()).statement_readings(texts)


def statement_rows(rows: list[Any], pack: Any) -> list[Any]:
    """``rows`` with each text replaced by what the pipeline's model reads for it."""
    texts = statement_readings([r.text for r in rows], pack)
    return [dataclasses.replace(r, text=t) for r, t in zip(rows, texts, strict=True)]


def written_statement_pairs(data: Path, pack: Any) -> dict[str, list[Any]]:
    """The stance-domain written statements under ``data`` (train and dev parts), each text
    replaced by what the pipeline's model reads for it (speaker out, cue and negation in)."""
    from stancewatch.stance.training_data import WRITTEN_FILES, data_file, domain_pairs, read_csv

    out = {}
    for part, rel in WRITTEN_FILES.items():
        path = data_file(data, rel)
        if path is not None:
            texts = statement_readings(list(read_csv(path)["text"]), pack)
            out[part] = domain_pairs(path, texts)
    return out


@app.command("train-stance")
@errors_to_exit
def train_stance(
    data: Annotated[
        Path,
        typer.Option("--data", help="Folder laid out like ../shared/data (vast/, ruw/, nli/)."),
    ] = Path("../shared/data"),
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Folder for stance.safetensors and config.json (default stance-model; with "
            "--from-db, the pack's model folder).",
        ),
    ] = None,
    arch: Annotated[
        Arch, typer.Option("--arch", help="bi (bi-encoder, fast) or cross (cross-encoder).")
    ] = Arch.bi,
    epochs: Annotated[
        int | None,
        typer.Option(
            "--epochs",
            min=0,
            help="Adapter epochs over the mixture (default: as the shipped model; 0 with "
            "--init and --head-epochs refits only the head).",
        ),
    ] = None,
    head_epochs: Annotated[
        int,
        typer.Option(
            "--head-epochs",
            min=0,
            help="Then freeze the encoder and refit the head for N passes over one epoch's "
            "mixture, embedded once (seconds per pass; bi-encoder only).",
        ),
    ] = 0,
    rank: Annotated[
        int | None,
        typer.Option("--rank", min=1, help="LoRA adapter rank (default: as the shipped model)."),
    ] = None,
    lr: Annotated[
        float | None,
        typer.Option(
            "--lr", min=0.0, help="Adapter learning rate (default: as the shipped model)."
        ),
    ] = None,
    device: Annotated[
        str, typer.Option("--device", help="cpu, or cuda when a GPU is there (much faster).")
    ] = "cpu",
    pack: Annotated[
        Path | None,
        typer.Option("--pack", help="Pack whose codebook phrasings join training (default pack)."),
    ] = None,
    time_limit: Annotated[
        float | None, typer.Option("--time-limit", help="Stop after this many seconds.")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 13,
    init: Annotated[
        Path | None,
        typer.Option(
            "--init", help="Start from this trained model folder (its adapters and head)."
        ),
    ] = None,
    sources: Annotated[
        str | None,
        typer.Option(
            "--sources", help="Comma-separated training sources (default: all that are found)."
        ),
    ] = None,
    weights: Annotated[
        str,
        typer.Option(
            "--weights",
            help="Rows per epoch as a multiple of each source's size, e.g. "
            "'stance_domain=1,written=3,ruw=0.2' (sources: those of --sources, plus pack "
            "and written).",
        ),
    ] = "",
    batch_size: Annotated[
        int | None, typer.Option("--batch-size", min=1, help="Pairs per training step.")
    ] = None,
    head_lr: Annotated[
        float | None, typer.Option("--head-lr", min=0.0, help="Learning rate of the head.")
    ] = None,
    max_per_source: Annotated[
        int | None,
        typer.Option(
            "--max-per-source",
            min=1,
            help="Pairs per epoch at most from each general NLI and stance set (default 6000).",
        ),
    ] = None,
    export_pack_pairs: Annotated[
        Path | None,
        typer.Option(
            "--export-pack-pairs",
            help="Only write the pack's phrasing pairs to this JSON Lines file (for "
            "`python -m stancewatch.stance.training --pack-pairs` on a GPU machine) and stop.",
        ),
    ] = None,
    from_db: Annotated[
        Path | None,
        typer.Option(
            "--from-db",
            help="Instead, train on the teacher's (`stancewatch label`) and the reviewers' "
            "codings of the pack's positions in this database, starting from the shipped model "
            "(or --init); writes into the pack's model folder.",
        ),
    ] = None,
    holdout: Annotated[
        float,
        typer.Option(
            "--holdout",
            help="With --from-db: the share of coded pairs held back (stratified) to choose "
            "the epoch and measure agreement before and after.",
        ),
    ] = 0.2,
) -> None:
    """Train the offline stance model (LoRA adapters and head on the packaged MiniLM).

    Trains on the VAST train subset, RUW train, the NLI and stance sets under DATA/nli, the
    stance-domain pairs, the written statements of DATA/stance-domain (read as the pipeline
    reads a statement) and the pack's example phrasings; keeps the epoch with the best mean
    macro-F1 on VAST dev, RUW val and the stance-domain dev files.
    Use it with `--stance model:OUTPUT`. See src/stancewatch/models/stance-v3/MODEL_CARD.md.

    With --from-db the model learns a pack from a database instead: the teacher's codings
    (`stancewatch label`) and the reviewers' (a reviewer's label wins), a stratified part held
    back; it starts from the shipped model, prints agreement with the teacher and with people
    on the held-out part before and after, and writes into the pack, which then uses it.

    Example: stancewatch train-stance --data ../shared/data --device cuda --output my-model
    """
    if from_db is not None:
        from stancewatch.cli.teacher import train_from_db

        given = {"--rank": rank, "--sources": sources, "--weights": weights or None}
        if arch is not Arch.bi or any(v is not None for v in given.values()):
            raise InputError(
                "--from-db keeps the architecture and rank of the model it starts from and "
                "trains only on the database's codings: leave out --arch, --rank, --sources "
                "and --weights"
            )
        changes = {
            "epochs": epochs,
            "lr": lr,
            "head_lr": head_lr,
            "batch_size": batch_size,
            "head_epochs": head_epochs or None,
        }
        train_from_db(
            from_db,
            pack,
            output,
            holdout=holdout,
            init=init,
            changes={**changes, "seed": seed},
            device=device,
            time_limit=time_limit,
        )
        return
    from stancewatch.nlp import packaged_minilm_path
    from stancewatch.packs import load_pack
    from stancewatch.stance.training import TrainConfig, parse_weights, train
    from stancewatch.stance.training_data import SOURCES, phrasing_pairs

    loaded = load_pack(pack)
    extra = phrasing_pairs(loaded.positions)
    if export_pack_pairs is not None:
        lines = (json.dumps(dataclasses.asdict(pair), ensure_ascii=False) for pair in extra)
        export_pack_pairs.write_text("".join(f"{line}\n" for line in lines), "utf-8")
        console.print(f"Wrote {len(extra)} phrasing pairs to {export_pack_pairs}.")
        return
    if not data.is_dir():
        raise InputError(f"{data} is not a folder; give --data the folder holding vast/ and ruw/")
    # Settings not given keep TrainConfig's defaults, which are the shipped model's.
    cfg = TrainConfig(arch=arch.value, seed=seed, weights=parse_weights(weights))
    if sources is not None:
        cfg.sources = [name.strip() for name in sources.split(",") if name.strip()]
        unknown = sorted(set(cfg.sources) - set(SOURCES))
        if unknown:
            raise InputError(f"unknown training source {unknown}; known: {', '.join(SOURCES)}")
    if init is not None:
        cfg.init = str(init)
        start = json.loads((init / "config.json").read_text("utf-8"))
        cfg.rank, cfg.alpha = int(start["rank"]), float(start["alpha"])
    if batch_size is not None:
        cfg.batch_size = batch_size
    if head_lr is not None:
        cfg.head_lr = head_lr
    cfg.head_epochs = head_epochs
    if max_per_source is not None:
        cfg.max_per_source = max_per_source
    if epochs is not None:
        cfg.epochs = epochs
    if rank is not None:
        cfg.rank, cfg.alpha = rank, cfg.alpha / cfg.rank * rank  # keeps the alpha / rank ratio
    if lr is not None:
        cfg.lr = lr
    written = written_statement_pairs(data, loaded)
    output = output or Path("stance-model")
    best = train(
        packaged_minilm_path(),
        data,
        output,
        cfg,
        extra=extra,
        written=written.get("train", []),
        extra_dev={"written": written["dev"]} if written.get("dev") else None,
        device=device,
        log=lambda line: console.print(line, highlight=False),
        time_limit_s=time_limit,
    )
    console.print(
        f"Best epoch {best['epoch']} (dev macro-F1 {best['dev']}); wrote {output}.",
        highlight=False,
    )
