"""Commands for attribution: ``stancewatch attribute`` and ``stancewatch eval attribution``.

A thin skin: the logic is :func:`stancewatch.attribution.attribute.attribute` and
:mod:`stancewatch.attribution.evaluation`; this module reads the files and prints.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from stancewatch.cli.common import (
    DbOption,
    FormatOption,
    PackOption,
    app,
    command_group,
    console,
    date_option,
    emit,
    errors_to_exit,
    open_project,
    pack_only,
)
from stancewatch.cli.common import Format as ListFormat
from stancewatch.errors import InputError, StoreError

TEXT_SUFFIXES = (".txt", ".text", ".md")


_SHORT = {
    "attributions": "set",
    "predicted": "pred",
    "content_p": "P",
    "content_r": "R",
    "content_f1": "F1",
    "speaker_accuracy": "speaker acc",
    "end_to_end_p": "e2e P",
    "end_to_end_r": "e2e R",
    "end_to_end_f1": "e2e F1",
    "content_char_p": "char P",
    "articles_per_s": "art/s",
}


class AttributeFormat(StrEnum):
    jsonl = "jsonl"
    table = "table"


class EvalFormat(StrEnum):
    table = "table"
    json = "json"


eval_app = command_group("eval", "Measure stancewatch against gold annotations.")


def _inputs(paths: list[Path]) -> Iterator[Path]:
    for path in paths:
        if not path.exists():
            raise InputError(f"{path} does not exist (give text files or folders of them).")
        if path.is_dir():
            yield from sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES
            )
        else:
            yield path


def _texts(paths: list[Path]) -> Iterator[tuple[str, str]]:
    """(document name, text) of each readable English file; a notice for each one skipped."""
    from stancewatch.ingest.readers import guess_language

    for path in _inputs(paths):
        try:
            text = path.read_bytes().decode("utf-8")  # as read: no newline translation
        except UnicodeDecodeError:
            console.print(f"Skipped {path}: not UTF-8 text.", highlight=False)
            continue
        if not text.strip():
            console.print(f"Skipped {path}: empty.", highlight=False)
            continue
        if guess_language(text) != "en":
            console.print(
                f"Skipped {path}: does not read as English; attribution supports English only.",
                highlight=False,
            )
            continue
        yield path.stem, text


@app.command()
@errors_to_exit
def attribute(
    paths: Annotated[list[Path], typer.Argument(help="Text files or folders of .txt/.md files.")],
    fmt: Annotated[
        AttributeFormat, typer.Option("--format", "-f", help="jsonl (one object a line) or table.")
    ] = AttributeFormat.jsonl,
    pack: PackOption = None,
    when: Annotated[
        str | None,
        typer.Option("--date", help="Date the statements were made (YYYY-MM-DD), for titles."),
    ] = None,
    cue_model: Annotated[
        Path | None,
        typer.Option(
            "--cue-model", help="A cue model file (from train-cues) instead of the packaged one."
        ),
    ] = None,
) -> None:
    """Who said what in each file: one record per attribution, with character offsets.

    Example: `stancewatch attribute article.txt --date 2025-02-12 --format jsonl`
    """
    from stancewatch.attribution.actors import ActorLinker
    from stancewatch.attribution.attribute import attribute as attribute_doc
    from stancewatch.attribution.attribute import output_record
    from stancewatch.attribution.cue_model import CueModel, default_model
    from stancewatch.nlp import load_spacy
    from stancewatch.packs import load_pack

    said = date_option(when)
    model = default_model() if cue_model is None else CueModel.load(cue_model)
    linker = ActorLinker(load_pack(pack).actors)
    texts = list(_texts(paths))
    nlp = load_spacy()
    records = []
    for (name, _), doc in zip(texts, nlp.pipe(t for _, t in texts), strict=True):
        found = attribute_doc(doc, document_id=name, linker=linker, when=said, cues=model)
        for statement in found:
            record = output_record(statement, name)
            if fmt is AttributeFormat.jsonl:
                sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
            else:
                records.append(record)
    if fmt is AttributeFormat.table:
        frame = pd.DataFrame(
            [
                {
                    "document": r["document"],
                    "kind": r["kind"],
                    "speaker": r["speaker"],
                    "actor": r["actor"],
                    "cue": r["cue"],
                    "content": r["content"],
                    "at": f"{r['content_start']}-{r['content_end']}",
                }
                for r in records
            ],
            columns=["document", "kind", "speaker", "actor", "cue", "content", "at"],
        )
        emit(frame, ListFormat.table, title="Attributions")


@eval_app.command("attribution")
@errors_to_exit
def eval_attribution(
    folder: Annotated[
        Path, typer.Argument(help="A gold folder: text/*.txt and brat attributions/*.ann.")
    ],
    compare: Annotated[
        list[str] | None,
        typer.Option(
            "--compare",
            help="Also score another extractor on the same parses: textacy, or rules "
            "(stancewatch's word lists without the learned cue model).",
        ),
    ] = None,
    cue_model: Annotated[
        Path | None,
        typer.Option(
            "--cue-model", help="A cue model file (from train-cues) instead of the packaged one."
        ),
    ] = None,
    n_process: Annotated[
        int, typer.Option("--n-process", min=1, help="spaCy worker processes.")
    ] = 1,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Score only the first N articles.")
    ] = None,
    predictions: Annotated[
        Path | None,
        typer.Option(
            "--predictions",
            help="Score this JSONL of predictions (the output of `stancewatch attribute "
            "--format jsonl`, or any tool's with the same fields) instead of running attribution.",
        ),
    ] = None,
    fmt: Annotated[EvalFormat, typer.Option("--format", "-f", help="table or json.")] = (
        EvalFormat.table
    ),
) -> None:
    """Score attribution on a PolNeAR-style gold folder (content, speaker, end to end, speed).

    Two scorings are reported (docs/attribution_scoring.md): `reference`, the rules of the
    reference scorer that published figures use, and `grouped`, statements sharing a cue
    counted as one.

    Example: `stancewatch eval attribution ../shared/data/polnear/dev --compare textacy`
    """
    from stancewatch.attribution.cue_model import CueModel
    from stancewatch.attribution.evaluation import (
        Extractor,
        SystemResult,
        evaluate,
        load_folder,
        model_extractor,
        stancewatch_extractor,
        textacy_extractor,
    )
    from stancewatch.attribution.predictions import read_predictions
    from stancewatch.nlp import load_spacy

    systems: dict[str, Extractor] = {"stancewatch": stancewatch_extractor}
    if cue_model is not None:
        systems["stancewatch"] = model_extractor(CueModel.load(cue_model))
    for name in compare or []:
        if name == "textacy":
            systems["textacy"] = textacy_extractor()
        elif name == "rules":
            systems["rules"] = model_extractor(None)
        else:
            raise InputError(f"Cannot compare with {name!r}; available: textacy, rules.")
    if not folder.exists():
        raise InputError(f"{folder} does not exist.")
    articles = load_folder(folder)[:limit]
    if predictions is not None:
        if compare or cue_model is not None:
            raise InputError(
                "--predictions scores a file; it cannot be combined with --compare or --cue-model."
            )
        by_article = read_predictions(predictions)
        result = SystemResult(predictions.name)
        for article in articles:
            result.add_article(article, by_article.get(article.name, []))
        results = [result]
    else:
        results = evaluate(articles, load_spacy(), systems, n_process=n_process)
    rows = [row for result in results for row in result.rows()]
    if fmt is EvalFormat.json:
        sys.stdout.write(json.dumps({"articles": len(articles), "results": rows}, indent=2) + "\n")
        return
    frame = pd.DataFrame(rows).round(3)
    if predictions is not None:
        frame = frame.drop(columns="articles_per_s")  # nothing was run
    frame = frame.rename(columns=_SHORT)
    emit(frame, ListFormat.table, title=f"Attribution on {folder} ({len(articles)} articles)")


actors_app = typer.Typer(help="The pack's actors, and new actor candidates from a database.")
app.add_typer(actors_app, name="actors")


@actors_app.callback(invoke_without_command=True)
@errors_to_exit
def actors(
    ctx: typer.Context, pack: PackOption = None, fmt: FormatOption = ListFormat.table
) -> None:
    """List the pack's actors with aliases and roles (same as `stancewatch actors list`).

    Example: `stancewatch actors --format csv`
    """
    if ctx.invoked_subcommand is not None:
        return
    loaded = pack_only(pack)
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


@actors_app.command("list")
@errors_to_exit
def actors_list(
    ctx: typer.Context, pack: PackOption = None, fmt: FormatOption = ListFormat.table
) -> None:
    """List the pack's actors with aliases and roles.

    Example: `stancewatch actors list --format csv`
    """
    actors(ctx, pack=pack, fmt=fmt)  # a leaf command: no subcommand, so it lists


@actors_app.command("candidates")
@errors_to_exit
def actors_candidates(
    db: DbOption = Path("stancewatch.db"),
    pack: PackOption = None,
    min_mentions: Annotated[
        int, typer.Option("--min-mentions", min=1, help="Only names said this often.")
    ] = 1,
    fmt: FormatOption = ListFormat.table,
) -> None:
    """Named speakers no pack actor matched, with how often and where they spoke.

    Example: `stancewatch actors candidates --db corpus.db --min-mentions 2`
    """
    if not db.exists():
        raise StoreError(f"{db} does not exist; run `stancewatch ingest` and `analyze` first.")
    with open_project(db, pack) as project:
        frame = project.actor_candidates(min_mentions=min_mentions)
    if fmt is not ListFormat.json:
        frame["documents"] = frame["documents"].map(", ".join)
    emit(frame, fmt, title="Actor candidates (accept with `stancewatch actors accept NAME`)")


@actors_app.command("accept")
@errors_to_exit
def actors_accept(
    name: Annotated[str, typer.Argument(help="The candidate's name, e.g. 'Pat Caddell'.")],
    pack: Annotated[
        Path, typer.Option("--pack", help="The pack folder whose actors.yaml gets the actor.")
    ],
) -> None:
    """Add a candidate to a pack's actors.yaml as a new person (then edit aliases and roles).

    Example: `stancewatch actors accept "Pat Caddell" --pack my-pack/`
    """
    from stancewatch.attribution.actors import normalize_name
    from stancewatch.attribution.candidates import actor_entry
    from stancewatch.packs import load_pack

    loaded = load_pack(pack)
    key = normalize_name(name)
    for actor in loaded.actors:
        if key in {normalize_name(n) for n in (actor.name, *actor.aliases)}:
            raise InputError(f"{name!r} is already in {pack} as actor {actor.id!r}.")
    new_id, entry = actor_entry(name, [a.id for a in loaded.actors])
    file = pack / "actors.yaml"
    original = file.read_text("utf-8")
    file.write_text(original.rstrip("\n") + "\n" + entry, "utf-8")
    try:
        load_pack(pack)
    except Exception:
        file.write_text(original, "utf-8")  # leave the pack as it was
        raise
    console.print(f"Added {name} to {file} as {new_id!r}; add aliases, roles and gender there.")


@app.command("train-cues")
@errors_to_exit
def train_cues(
    folder: Annotated[
        Path, typer.Argument(help="A gold folder: text/*.txt and brat attributions/*.ann.")
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="The model file to write.")] = Path(
        "cues.json"
    ),
    c: Annotated[
        float, typer.Option("--c", min=1e-6, help="Inverse regularisation strength.")
    ] = 0.3,
    threshold: Annotated[
        float, typer.Option("--threshold", min=0.01, max=0.99, help="Probability that makes a cue.")
    ] = 0.54,
    content_threshold: Annotated[
        float,
        typer.Option(
            "--content-threshold",
            min=0.01,
            max=0.99,
            help="Probability that puts a cue's dependent in its content.",
        ),
    ] = 0.2,
    source_threshold: Annotated[
        float,
        typer.Option(
            "--source-threshold",
            min=0.01,
            max=0.99,
            help="Probability below which a cue's subject is not taken as its speaker.",
        ),
    ] = 0.35,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Train on the first N articles only.")
    ] = None,
    n_process: Annotated[
        int, typer.Option("--n-process", min=1, help="spaCy worker processes.")
    ] = 1,
) -> None:
    """Train the reporting-cue model (which verbs introduce attributions, and what they say).

    Reads a PolNeAR-style folder (the first annotation file per article) and writes a JSON
    model for `attribute --cue-model` and `eval attribution --cue-model`. The packaged model
    is models/cues-v1/model.json; its card says how it was made.

    Example: stancewatch train-cues ../shared/data/polnear/train --output cues.json
    """
    from rich.progress import track

    from stancewatch.attribution.cue_training import train
    from stancewatch.nlp import load_spacy

    if not folder.exists():
        raise InputError(f"{folder} does not exist.")

    def progress(docs, total):  # type: ignore[no-untyped-def]
        return track(docs, total=total, description="Parsing articles", console=console)

    model, report = train(
        folder, load_spacy(), c=c, threshold=threshold, content_threshold=content_threshold,
        source_threshold=source_threshold, limit=limit, n_process=n_process,
        progress=progress,
    )  # fmt: skip
    model.save(output)
    console.print(
        f"Trained on {report.articles} articles: {report.verbs} verbs, {report.cues} of them "
        f"cues; {len(model.weights)} cue, {len(model.content_weights)} content and "
        f"{len(model.source_weights)} source features. "
        f"Wrote {output}.",
        highlight=False,
    )
