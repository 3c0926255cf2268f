"""Claim banks: import already-checked claims from CSV, JSONL or ClaimReview JSON.

A bank is a fact-checker's archive (or an EUvsDisinfo export): one claim per row with its
text and, optionally, a label (narrative, topic), the verdict, the URL of the debunk and a
date. :func:`load_bank` reads a file; the ``parse_*`` functions take text or parsed JSON, so
the same code serves the CLI, the API and tests.

Columns are found by name. Defaults, tried in order (case-insensitive):

- text: ``text``, ``claim``, ``claimReviewed``, ``title``
- label: ``label``, ``narrative``, ``category``
- verdict: ``verdict``, ``rating``, ``textualRating``
- url: ``url``, ``link``, ``id``
- date: ``date``, ``claimDate``, ``datePublished``
- id: ``id``, ``claim_id`` (else a stable hash of the text)
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from stancewatch.errors import InputError
from stancewatch.records import BankClaim, stable_id

FORMATS = ("csv", "jsonl", "claimreview")
DEFAULTS: dict[str, tuple[str, ...]] = {
    "text": ("text", "claim", "claimreviewed", "title"),
    "label": ("label", "narrative", "category"),
    "verdict": ("verdict", "rating", "textualrating"),
    "url": ("url", "link", "id"),
    "date": ("date", "claimdate", "datepublished"),
    "id": ("id", "claim_id"),
}


class BankError(InputError):
    """A claim bank cannot be read. The message names the file, the line and what is valid."""


def _column(
    columns: Iterable[str], given: str | None, field: str, source: str, required: bool = False
) -> str | None:
    available = list(columns)
    if given is not None:
        if given not in available:
            raise BankError(
                f"{source}: no column {given!r} for the {field}; "
                f"available columns: {', '.join(available) or 'none'}"
            )
        return given
    lowered = {c.lower(): c for c in available}
    for name in DEFAULTS[field]:
        if name in lowered:
            return lowered[name]
    if required:
        raise BankError(
            f"{source}: no {field} column; name one with --bank-text-column (tried "
            f"{', '.join(DEFAULTS[field])}; available: {', '.join(available) or 'none'})"
        )
    return None


def _date(value: Any) -> date | None:
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _clean(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def claims_from_rows(
    rows: Iterable[Mapping[str, Any]],
    columns: Iterable[str],
    *,
    source: str,
    bank: str = "",
    text_column: str | None = None,
    label_column: str | None = None,
    verdict_column: str | None = None,
    url_column: str | None = None,
    date_column: str | None = None,
    id_column: str | None = None,
    first_line: int = 2,
) -> tuple[BankClaim, ...]:
    """Bank claims from dict rows; rows with an empty text are skipped."""
    columns = list(columns)
    text_col = _column(columns, text_column, "text", source, required=True)
    cols = {
        "label": _column(columns, label_column, "label", source),
        "verdict": _column(columns, verdict_column, "verdict", source),
        "url": _column(columns, url_column, "url", source),
        "date": _column(columns, date_column, "date", source),
        "id": _column(columns, id_column, "id", source),
    }
    claims: list[BankClaim] = []
    seen: set[str] = set()
    for line, row in enumerate(rows, start=first_line):
        text = _clean(row.get(text_col or ""))
        if text is None:
            continue
        value = {k: (_clean(row.get(c)) if c else None) for k, c in cols.items()}
        claim_id = value["id"] or stable_id(bank, text)
        if claim_id in seen:  # the same id twice: keep both, told apart by line
            claim_id = stable_id(bank, claim_id, line)
        seen.add(claim_id)
        claims.append(
            BankClaim(
                id=claim_id,
                text=text,
                label=value["label"],
                verdict=value["verdict"],
                url=value["url"],
                date=_date(value["date"]),
                bank=bank,
            )
        )
    return tuple(claims)


def parse_csv(text: str, *, source: str = "<csv>", **options: Any) -> tuple[BankClaim, ...]:
    """Bank claims from CSV text with a header row."""
    reader = csv.DictReader(io.StringIO(text))
    return claims_from_rows(reader, reader.fieldnames or [], source=source, **options)


def parse_jsonl(text: str, *, source: str = "<jsonl>", **options: Any) -> tuple[BankClaim, ...]:
    """Bank claims from JSON Lines: one object per line."""
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BankError(f"{source}: line {number}: invalid JSON ({exc.msg})") from None
        if not isinstance(row, dict):
            raise BankError(f"{source}: line {number}: expected a JSON object per line")
        rows.append(row)
    columns = list(dict.fromkeys(key for row in rows for key in row))
    return claims_from_rows(rows, columns, source=source, first_line=1, **options)


def _reviews(data: Any) -> Iterable[dict[str, Any]]:
    """Flatten ClaimReview JSON-LD (object, list, ``@graph``) and Google Fact Check Tools
    API responses (``{"claims": [{"text", "claimReview": [...]}]}``) into flat rows."""
    if isinstance(data, list):
        for item in data:
            yield from _reviews(item)
        return
    if not isinstance(data, dict):
        return
    if "@graph" in data:
        yield from _reviews(data["@graph"])
    if isinstance(data.get("claims"), list):
        for claim in data["claims"]:
            if not isinstance(claim, dict):
                continue
            for review in claim.get("claimReview") or [{}]:
                publisher = (review.get("publisher") or {}).get("name")
                yield {
                    "text": claim.get("text"),
                    "verdict": review.get("textualRating"),
                    "url": review.get("url"),
                    "date": claim.get("claimDate") or review.get("reviewDate"),
                    "label": publisher,
                }
    kind = data.get("@type")
    if kind == "ClaimReview" or (isinstance(kind, list) and "ClaimReview" in kind):
        rating = data.get("reviewRating") or {}
        item = data.get("itemReviewed") or {}
        yield {
            "text": data.get("claimReviewed") or item.get("name") or item.get("text"),
            "verdict": rating.get("alternateName") or rating.get("name"),
            "url": data.get("url"),
            "date": item.get("datePublished") or data.get("datePublished"),
            "label": (data.get("author") or {}).get("name")
            if isinstance(data.get("author"), dict)
            else None,
        }


def parse_claimreview(
    data: Any, *, source: str = "<claimreview>", bank: str = ""
) -> tuple[BankClaim, ...]:
    """Bank claims from parsed ClaimReview JSON (the label is the reviewing publisher)."""
    rows = list(_reviews(data))
    if not rows:
        raise BankError(
            f"{source}: no ClaimReview found; expected schema.org ClaimReview objects (a list, "
            "an @graph) or a Fact Check Tools response with a 'claims' list"
        )
    columns = ["text", "label", "verdict", "url", "date"]
    return claims_from_rows(rows, columns, source=source, bank=bank, first_line=1)


def guess_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix in (".json", ".jsonld"):
        return "claimreview"
    if suffix in (".csv", ".tsv", ".txt"):
        return "csv"
    raise BankError(
        f"{path}: cannot tell the bank format from {suffix or 'no suffix'!r}; "
        f"name it with --bank-format ({', '.join(FORMATS)})"
    )


def load_bank(
    path: str | Path, *, fmt: str | None = None, name: str | None = None, **options: Any
) -> tuple[BankClaim, ...]:
    """Read a claim bank file (CSV, JSONL or ClaimReview JSON).

    ``options`` name the columns (``text_column``, ``label_column``, ``verdict_column``,
    ``url_column``, ``date_column``, ``id_column``) for CSV and JSONL.
    """
    file = Path(path)
    fmt = fmt or guess_format(file)
    if fmt not in FORMATS:
        raise BankError(f"Unknown bank format {fmt!r}; choose one of {', '.join(FORMATS)}")
    try:
        text = file.read_text("utf-8-sig")
    except FileNotFoundError:
        raise BankError(f"{file}: file not found") from None
    except UnicodeDecodeError as exc:
        raise BankError(f"{file}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    bank = name or file.stem
    if fmt == "csv":
        claims = parse_csv(text, source=str(file), bank=bank, **options)
    elif fmt == "jsonl":
        claims = parse_jsonl(text, source=str(file), bank=bank, **options)
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise BankError(f"{file}: line {exc.lineno}: invalid JSON ({exc.msg})") from None
        claims = parse_claimreview(data, source=str(file), bank=bank)
    if not claims:
        raise BankError(f"{file}: no claims found (every row had an empty text)")
    return claims
