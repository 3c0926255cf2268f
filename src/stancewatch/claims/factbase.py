"""The fact base of a pack: read, validate, add, import and rank sourced facts.

Facts live in a pack's ``facts.csv`` (columns :data:`stancewatch.packs.FACT_COLUMNS`, see
docs/packs.md). Several facts may give the same measure from different sources or dates;
the checker picks the one whose period is closest to the claim and, among equally close
ones, the one from the most authoritative source. A pack ranks its sources in ``pack.yaml``::

    source_authority:            # most authoritative first; optional
      - Kyiv International Institute of Sociology (KIIS)
      - Politico

:func:`source_authority` reads that list as source name → rank (1 = first). Packs without it
stay valid: ties then go to the best match and the most recent period.

This module reads and writes pack files (it is called by the CLI and the API, never by the
analysis steps, which take the loaded facts).
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stancewatch.claims.ratebase import (
    RATE_COLUMNS,
    check_unique_rates,
    parse_rates_csv,
    rate_from_row,
    rate_row,
    rates_csv_path,
)
from stancewatch.packs import (
    FACT_COLUMNS,
    Pack,
    PackError,
    fact_from_row,
    parse_facts_csv,
    read_text,
    read_yaml,
)
from stancewatch.records import ExchangeRate, Fact, to_row

__all__ = [
    "ImportResult",
    "fact_row",
    "facts_csv_path",
    "validate_facts_file",
    "read_facts_rows",
    "add_fact",
    "import_facts",
    "load_rates",
    "add_rate",
    "source_authority",
    "parse_authority",
]


@dataclass(frozen=True)
class ImportResult:
    """What :func:`import_facts` did: facts added, ids already present (skipped), and one
    message per line that could not be read."""

    added: tuple[Fact, ...]
    skipped: tuple[str, ...]
    errors: tuple[str, ...]


def fact_row(fact: Fact) -> dict[str, str]:
    """A fact as one facts.csv row (text cells; keywords joined by ``;``)."""
    row = to_row(fact)
    out: dict[str, str] = {}
    for column in FACT_COLUMNS:
        value = row.get(column)
        if column == "keywords":
            value = ";".join(value or [])
        elif isinstance(value, float):
            value = f"{value:.15g}" if not value.is_integer() else str(int(value))
        out[column] = "" if value is None else str(value)
    return out


def facts_csv_path(pack_dir: Path) -> Path:
    """The facts.csv of a pack folder; PackError when the pack keeps its facts in YAML."""
    folder = Path(pack_dir)
    if not folder.is_dir():
        raise PackError(f"{folder}: not a folder; give a pack folder (see docs/packs.md)")
    for name in ("facts.yaml", "facts.yml"):
        if (folder / name).is_file():
            raise PackError(
                f"{folder / name}: this pack keeps its facts in YAML; add facts by editing it, "
                "or convert it to facts.csv"
            )
    return folder / "facts.csv"


def validate_facts_file(file: Path) -> tuple[Fact, ...]:
    """Read and validate a facts file (CSV or YAML); PackError naming the line otherwise."""
    from stancewatch.packs import load_facts

    path = Path(file)
    if not path.is_file():
        raise PackError(f"{path}: file not found (give a facts.csv or facts.yaml file)")
    return load_facts(path)


def read_facts_rows(text: str, file: Path) -> tuple[list[tuple[int, dict[str, Any]]], list[str]]:
    """(line, row) for each data row of a facts CSV text, and header errors."""
    reader = csv.DictReader(io.StringIO(text))
    columns = reader.fieldnames or []
    missing = [c for c in ("id", "measure", "subject", "value", "unit") if c not in columns]
    unknown = [c for c in columns if c not in FACT_COLUMNS]
    problems = []
    if missing:
        problems.append(
            f"{file}: line 1: missing column(s) {', '.join(missing)}; "
            f"expected columns: {', '.join(FACT_COLUMNS)}"
        )
    if unknown:
        problems.append(
            f"{file}: line 1: unknown column(s) {', '.join(unknown)}; "
            f"expected: {', '.join(FACT_COLUMNS)}"
        )
    if problems:
        return [], problems
    rows = []
    for row in reader:
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        rows.append((reader.line_num, row))
    return rows, []


def _existing(path: Path) -> tuple[Fact, ...]:
    if not os.path.lexists(path):
        return ()
    return parse_facts_csv(read_text(path, "the pack's facts"), path)


def _append(path: Path, facts: Iterable[Fact]) -> None:
    facts = list(facts)
    if not facts:
        return
    text = read_text(path, "the pack's facts") if os.path.lexists(path) else ""
    new = not text.strip()
    needs_newline = not new and not text.endswith("\n")
    with path.open("a", encoding="utf-8", newline="") as handle:
        if needs_newline:
            handle.write("\n")
        writer = csv.DictWriter(handle, fieldnames=list(FACT_COLUMNS), lineterminator="\n")
        if new:
            writer.writeheader()
        for fact in facts:
            writer.writerow(fact_row(fact))


def add_fact(pack_dir: Path, row: Mapping[str, Any]) -> Fact:
    """Validate one fact (a mapping of facts.csv columns to text) and append it to the pack's
    facts.csv. PackError when it is invalid or its id is taken; the file is then unchanged."""
    path = facts_csv_path(pack_dir)
    unknown = [k for k in row if k not in FACT_COLUMNS]
    if unknown:
        raise PackError(
            f"unknown field(s) {', '.join(unknown)}; valid fields: {', '.join(FACT_COLUMNS)}"
        )
    cells = {k: ("" if v is None else str(v)) for k, v in row.items()}
    fact = fact_from_row(cells, path, f"new fact (id {cells.get('id')!r})")
    taken = {f.id for f in _existing(path)}
    if fact.id in taken:
        raise PackError(f"{path}: a fact with id {fact.id!r} already exists; choose another id")
    _append(path, [fact])
    return fact


def import_facts(pack_dir: Path, source: Path, *, dry_run: bool = False) -> ImportResult:
    """Append the valid rows of a facts CSV file to a pack's facts.csv.

    Every row is checked on its own: a bad row gives one error naming its line and is left
    out, the others are imported. Ids already in the pack (or twice in the file) are skipped.
    With ``dry_run`` nothing is written.
    """
    path = facts_csv_path(pack_dir)
    source = Path(source)
    text = read_text(source, "give a CSV file with facts.csv columns")
    rows, problems = read_facts_rows(text, source)
    if problems:
        return ImportResult((), (), tuple(problems))
    taken = {f.id for f in _existing(path)}
    added: list[Fact] = []
    skipped: list[str] = []
    errors: list[str] = []
    for line, row in rows:
        if None in row:
            errors.append(f"{source}: line {line}: more fields than the header's columns")
            continue
        try:
            fact = fact_from_row(row, source, f"line {line} (id {row.get('id')!r})")
        except PackError as exc:
            errors.append(str(exc))
            continue
        if fact.id in taken:
            skipped.append(fact.id)
            continue
        taken.add(fact.id)
        added.append(fact)
    if not dry_run:
        _append(path, added)
    return ImportResult(tuple(added), tuple(skipped), tuple(errors))


def parse_authority(value: Any, where: str) -> dict[str, int]:
    """``source_authority`` (a list of source names, most authoritative first) as name → rank."""
    if value is None:
        return {}
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise PackError(
            f"{where}: source_authority must be a list of source names, most authoritative "
            "first (the names as written in facts.csv's source column)"
        )
    ranks: dict[str, int] = {}
    for name in value:
        ranks.setdefault(name.strip(), len(ranks) + 1)
    return ranks


def source_authority(pack: Pack) -> dict[str, int]:
    """Source name → rank (1 = most authoritative) from the pack's ``pack.yaml``; {} when the
    pack ranks no sources. Names that no fact uses are refused, so a typo does not pass."""
    meta_file = pack.path / "pack.yaml"
    if not meta_file.is_file():
        return {}
    meta = read_yaml(meta_file)
    ranks = parse_authority(
        meta.get("source_authority") if isinstance(meta, dict) else None, str(meta_file)
    )
    used = {f.source for f in pack.facts}
    unknown = [name for name in ranks if name not in used]
    if unknown:
        raise PackError(
            f"{meta_file}: source_authority: {', '.join(repr(u) for u in unknown)} is not the "
            f"source of any fact; sources in facts: {', '.join(sorted(used)) or 'none'}"
        )
    return ranks


def disagreements(facts: Iterable[Fact]) -> list[str]:
    """One line per measure given by several facts with different values (same subject, unit
    and currency), naming the facts, their periods and sources: the checker picks among them
    by period, then by source authority."""
    groups: dict[tuple[str, str, str, str], list[Fact]] = {}
    for fact in facts:
        key = (
            " ".join(fact.measure.casefold().split()),
            fact.subject,
            fact.unit,
            fact.currency or "",
        )
        groups.setdefault(key, []).append(fact)
    lines = []
    for (measure, subject, _, _), group in groups.items():
        if len({(f.value, f.value_high) for f in group}) < 2:
            continue
        listed = "; ".join(f"{f.id}: {f.value:g} ({f.period}, {f.source})" for f in group)
        lines.append(
            f"{len(group)} facts give “{measure}” for {subject} with different values: {listed}"
        )
    return lines


# -- the pack's exchange rates on disk (parsed by stancewatch.claims.ratebase) --------------
def load_rates(file: Path) -> tuple[ExchangeRate, ...]:
    """Read and validate a rates.csv file."""
    path = Path(file)
    return parse_rates_csv(read_text(path, "give a rates.csv file or a pack folder"), path)


def add_rate(pack_dir: Path, row: Mapping[str, Any]) -> ExchangeRate:
    """Validate one rate and append it to the pack's rates.csv (created when missing).
    PackError when it is invalid or the pair is already given for that day; the file is then
    unchanged."""
    path = rates_csv_path(pack_dir)
    unknown = [k for k in row if k not in RATE_COLUMNS]
    if unknown:
        raise PackError(
            f"unknown field(s) {', '.join(unknown)}; valid fields: {', '.join(RATE_COLUMNS)}"
        )
    cells = {k: ("" if v is None else str(v)) for k, v in row.items()}
    rate = rate_from_row(cells, path, "new rate")
    # a FIFO, a folder or a broken link in its place is refused, never opened for appending
    text = read_text(path, "the pack's rates") if os.path.lexists(path) else ""
    existing = parse_rates_csv(text, path) if text.strip() else ()
    check_unique_rates(
        [*((f"row {i + 2}", r) for i, r in enumerate(existing)), ("new rate", rate)], path
    )
    with path.open("a", encoding="utf-8", newline="") as handle:
        if text and not text.endswith("\n"):
            handle.write("\n")
        writer = csv.DictWriter(handle, fieldnames=list(RATE_COLUMNS), lineterminator="\n")
        if not text.strip():
            writer.writeheader()
        writer.writerow(rate_row(rate))
    return rate
