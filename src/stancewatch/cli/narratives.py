"""Known narratives and claim banks: ``match``, ``narratives list|matches|counts`` and
``bank import``.

A thin skin over :mod:`stancewatch.narratives.matching`, :mod:`stancewatch.narratives.banks` and
:class:`stancewatch.api.Project`.
"""

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
    app,
    console,
    current_settings,
    emit,
    errors_to_exit,
    open_project,
)
from stancewatch.errors import InputError

narratives_app = typer.Typer(
    help="List the pack's known narratives and the statements that repeat them.",
    no_args_is_help=True,
)
app.add_typer(narratives_app, name="narratives")
bank_app = typer.Typer(help="Import claim banks (already-checked claims).", no_args_is_help=True)
app.add_typer(bank_app, name="bank")

OUTPUT_COLUMNS = ("match_text", "match_label", "match_score")


def match_frame(
    frame: pd.DataFrame,
    text_column: str,
    claims: tuple,  # type: ignore[type-arg]
    *,
    min_similarity: float,
) -> pd.DataFrame:
    """``frame`` with ``match_text``, ``match_label`` and ``match_score`` added: the best
    bank claim each row's text repeats (rebuttals are not matches)."""
    from stancewatch.narratives import matching as narratives
    from stancewatch.nlp import load_embedder

    if text_column not in frame.columns:
        raise InputError(
            f"No column {text_column!r} in the input; available: {', '.join(frame.columns)}"
        )
    clash = [c for c in OUTPUT_COLUMNS if c in frame.columns]
    if clash:
        raise InputError(f"The input already has column(s) {', '.join(clash)}; rename them first")
    embedder = load_embedder(precision=current_settings().precision)
    index = narratives.build_index(narratives.bank_targets(claims), embedder.encode)
    texts = [str(t) for t in frame[text_column]]
    ids = [str(i) for i in range(len(texts))]
    present = [i for i, t in enumerate(texts) if t.strip()]
    found = narratives.match_texts(
        [ids[i] for i in present],
        [texts[i] for i in present],
        index,
        embedder.encode,
        min_similarity=min_similarity,
        top_k=narratives.LABEL_VOTES,
    )
    by_row: dict[str, list[narratives.Match]] = {}
    for match in narratives.repetitions(found):
        by_row.setdefault(match.statement_id, []).append(match)
    result = frame.copy()
    best = [by_row.get(i, [None])[0] for i in ids]
    result["match_text"] = [m.text if m else "" for m in best]
    result["match_label"] = match_labels(texts, ids, by_row, claims, index, embedder)
    result["match_score"] = [f"{m.similarity:.4f}" if m else "" for m in best]
    return result


def match_labels(
    texts: list[str],
    ids: list[str],
    by_row: dict[str, list[Any]],
    claims: tuple,  # type: ignore[type-arg]
    index: Any,
    embedder: Any,
) -> list[str]:
    """The label of each matched row: a label model trained on the bank's labelled claims
    when their labels make a classification, else a vote of the best matches."""
    from stancewatch.narratives import label_model as labels
    from stancewatch.narratives import matching as narratives

    model = labels.fit_bank_model(
        [c.text for c in claims], [c.label for c in claims], index.vectors, embedder.encode
    )
    matched = [n for n, i in enumerate(ids) if by_row.get(i)]
    out = [""] * len(ids)
    if model is not None and matched:
        chosen = [texts[n] for n in matched]
        predicted = model.predict(chosen, embedder.encode(chosen))
        for n, (label, _) in zip(matched, predicted, strict=True):
            out[n] = label
        return out
    for n in matched:
        out[n] = narratives.best_label(by_row[ids[n]]) or ""
    return out


@app.command("match")
@errors_to_exit
def match(
    input: Annotated[Path, typer.Argument(help="CSV file with one statement per row.")],
    text_column: Annotated[str, typer.Option("--text-column", help="Input column to match.")],
    bank: Annotated[Path, typer.Option("--bank", help="Claim bank: CSV, JSONL or ClaimReview.")],
    bank_text_column: Annotated[
        str | None, typer.Option("--bank-text-column", help="Bank column with the claim text.")
    ] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="CSV file to write.")] = Path(
        "matches.csv"
    ),
    bank_label_column: Annotated[
        str | None,
        typer.Option("--bank-label-column", help="Bank column with a label (e.g. narrative)."),
    ] = None,
    min_similarity: Annotated[
        float, typer.Option("--min-similarity", help="Cosine below which nothing matches.")
    ] = 0.55,
) -> None:
    """Match each row's text against a claim bank; keep every row and column, add
    `match_text`, `match_label` (similarity-weighted vote of the best matches) and
    `match_score`. Statements that rebut a claim ("it is false that ...") are not matches.

    Example: `stancewatch match statements.csv --text-column text --bank bank.csv --bank-text-column claim --bank-label-column narrative --output matched.csv`
    """
    from stancewatch.narratives.banks import load_bank

    if not input.is_file():
        raise InputError(f"{input}: file not found")
    try:
        frame = pd.read_csv(input, dtype=str, keep_default_na=False)
    except ValueError as exc:  # pandas' parser errors and UnicodeDecodeError
        raise InputError(f"{input} cannot be read as a UTF-8 CSV file: {exc}") from None
    claims = load_bank(bank, text_column=bank_text_column, label_column=bank_label_column)
    result = match_frame(frame, text_column, claims, min_similarity=min_similarity)
    result.to_csv(output, index=False)
    matched = int((result["match_text"] != "").sum())
    console.print(
        f"Matched {matched} of {len(result)} rows against {len(claims)} claims; wrote {output}",
        highlight=False,
    )


@narratives_app.command("list")
@errors_to_exit
def narratives_list(pack: PackOption = None, fmt: FormatOption = Format.table) -> None:
    """List the pack's known narratives with their number of example claims and debunks.

    Example: `stancewatch narratives list --format json`
    """
    from stancewatch.packs import load_pack

    loaded = load_pack(pack)
    frame = pd.DataFrame(
        [
            {
                "id": n.id,
                "title": n.title,
                "claims": len(n.claims),
                "debunk": "; ".join(f"{d.source} {d.url}" for d in n.debunks),
            }
            for n in loaded.narratives
        ],
        columns=["id", "title", "claims", "debunk"],
    )
    emit(frame, fmt, title=f"Narratives in {loaded.name} {loaded.version}")


@narratives_app.command("matches")
@errors_to_exit
def narratives_matches(
    db: DbOption,
    pack: PackOption = None,
    rebuttals: Annotated[
        bool, typer.Option("--rebuttals", help="Show statements that rebut, not repeat.")
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Statements that repeat a known narrative or bank claim, with the debunk.

    Example: `stancewatch narratives matches --db corpus.db --format csv`
    """
    with open_project(db, pack) as project:
        if rebuttals:
            frame = project.narrative_matches(relation="rebuts")
        else:
            frame = project.narrative_report()
        keep = [c for c in frame.columns if c not in ("debunks", "document_url")]
        emit(frame[keep], fmt, title="Rebuttals" if rebuttals else "Narrative repetitions")


@narratives_app.command("counts")
@errors_to_exit
def narratives_counts(
    db: DbOption,
    pack: PackOption = None,
    by: Annotated[
        str, typer.Option("--by", help="actor (who repeats what, first) or month / week / day.")
    ] = "actor",
    fmt: FormatOption = Format.table,
) -> None:
    """Repetitions of each narrative per actor (with first and last date) or over time.

    Example: `stancewatch narratives counts --db corpus.db --by month`
    """
    with open_project(db, pack) as project:
        counts = project.narrative_counts
        frame = counts() if by == "actor" else project.narrative_timeline(freq=by)
        emit(frame, fmt, title=f"Narrative repetitions by {by}")


@bank_app.command("import")
@errors_to_exit
def bank_import(
    file: Annotated[Path, typer.Argument(help="CSV, JSONL or ClaimReview JSON file.")],
    db: DbOption,
    name: Annotated[
        str | None, typer.Option("--name", help="Bank name (default: file name).")
    ] = None,
    text_column: Annotated[
        str | None, typer.Option("--text-column", help="Column with the claim text.")
    ] = None,
    label_column: Annotated[
        str | None, typer.Option("--label-column", help="Column with a label.")
    ] = None,
    pack: PackOption = None,
) -> None:
    """Store a claim bank in the database; `stancewatch analyze --force` then matches every
    statement against it.

    Example: `stancewatch bank import euvsdisinfo.csv --db corpus.db --text-column title`
    """
    with open_project(db, pack) as project:
        count = project.import_bank(
            file, name=name, text_column=text_column, label_column=label_column
        )
    console.print(f"Imported {count} claims into bank {name or file.stem!r}", highlight=False)
