"""The exchange-rate table of a pack (``rates.csv``): read, validate, list and add rates.

One published rate per row (columns :data:`RATE_COLUMNS`, see docs/packs.md)::

    date,base,quote,rate,source,url,retrieved,notes
    2024-12-31,EUR,USD,1.0389,European Central Bank euro foreign exchange reference rates,...

Rows are checked like facts: every error names the file, the line and what is valid.
Currency codes must be ISO 4217 codes (:func:`stancewatch.claims.currency.known_currency`);
the same pair may be given once per day (its inverse counts as the same pair). A rate with
no ``retrieved`` date has not been checked against its source: :func:`unchecked` lists those,
and ``stancewatch facts rates validate`` prints them.

This module reads and writes pack files (called by the CLI and by
:func:`stancewatch.packs.load_pack`); the conversion itself is in
:mod:`stancewatch.claims.currency`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from stancewatch.claims.currency import known_currency
from stancewatch.errors import PackError
from stancewatch.records import ExchangeRate

__all__ = [
    "RATE_COLUMNS",
    "RATES_FILE",
    "rate_from_row",
    "parse_rates_csv",
    "check_unique_rates",
    "rate_row",
    "rates_csv_path",
    "unchecked",
]

RATES_FILE = "rates.csv"
RATE_COLUMNS = ("date", "base", "quote", "rate", "source", "url", "retrieved", "notes")
_REQUIRED = ("date", "base", "quote", "rate", "source", "url")


@lru_cache(maxsize=1)
def _schema() -> Draft202012Validator:
    text = (resources.files("stancewatch") / "schemas" / "rates.schema.json").read_text("utf-8")
    return Draft202012Validator(json.loads(text))


def rate_from_row(row: Mapping[str, Any], file: Path, where: str) -> ExchangeRate:
    """One rate from a row of text cells; PackError naming ``file`` and ``where`` otherwise."""
    clean = {k: (v.strip() if isinstance(v, str) else v) for k, v in row.items()}
    clean = {k: v for k, v in clean.items() if v not in ("", None)}
    if isinstance(clean.get("rate"), str):
        try:
            clean["rate"] = float(clean["rate"].replace(",", ""))
        except ValueError:
            raise PackError(
                f"{file}: {where}: rate: {clean['rate']!r} is not a number "
                "(write how many units of quote one unit of base buys: 1.0389)"
            ) from None
    errors = sorted(_schema().iter_errors(clean), key=lambda e: list(e.absolute_path))
    if errors:
        field = ".".join(str(p) for p in errors[0].absolute_path)
        raise PackError(
            f"{file}: {where}: {field + ': ' if field else ''}{errors[0].message}"
            f"{f' (and {len(errors) - 1} more problems)' if len(errors) > 1 else ''}"
        )
    for key in ("base", "quote"):
        if not known_currency(clean[key]):
            raise PackError(
                f"{file}: {where}: {key}: {clean[key]!r} is not an ISO 4217 currency code "
                "(e.g. EUR, USD, GBP, UAH)"
            )
    if clean["base"] == clean["quote"]:
        raise PackError(f"{file}: {where}: base and quote are both {clean['base']}")
    days = {}
    for key in ("date", "retrieved"):
        try:
            days[key] = date.fromisoformat(clean[key]) if key in clean else None
        except ValueError:
            raise PackError(
                f"{file}: {where}: {key}: {clean[key]!r} is not a date (expected YYYY-MM-DD)"
            ) from None
    when = days["date"]
    assert when is not None  # required by the schema
    return ExchangeRate(
        day=when,
        base=clean["base"],
        quote=clean["quote"],
        rate=float(clean["rate"]),
        source=clean["source"],
        url=clean["url"],
        retrieved=days["retrieved"],
        notes=clean.get("notes", ""),
    )


def check_unique_rates(rates: Iterable[tuple[str, ExchangeRate]], file: Path) -> None:
    seen: dict[tuple[date, frozenset[str]], str] = {}
    for where, r in rates:
        key = (r.day, frozenset((r.base, r.quote)))
        if key in seen:
            raise PackError(
                f"{file}: {where}: a {r.base}/{r.quote} rate for {r.day.isoformat()} is "
                f"already given ({seen[key]}); give each pair once per day"
            )
        seen[key] = where


def parse_rates_csv(text: str, file: Path) -> tuple[ExchangeRate, ...]:
    """Rates from CSV text. Errors name the file and the line."""
    reader = csv.DictReader(io.StringIO(text))
    columns = reader.fieldnames or []
    missing = [c for c in _REQUIRED if c not in columns]
    unknown = [c for c in columns if c not in RATE_COLUMNS]
    if missing or unknown:
        what = f"missing column(s) {', '.join(missing)}" if missing else ""
        what += ("; " if what and unknown else "") + (
            f"unknown column(s) {', '.join(unknown)}" if unknown else ""
        )
        raise PackError(f"{file}: line 1: {what}; expected columns: {', '.join(RATE_COLUMNS)}")
    rates: list[tuple[str, ExchangeRate]] = []
    for row in reader:
        where = f"line {reader.line_num}"
        if None in row:
            raise PackError(f"{file}: {where}: more fields than the {len(columns)} columns")
        if not any((v or "").strip() for v in row.values()):
            continue
        rates.append((where, rate_from_row(row, file, where)))
    check_unique_rates(rates, file)
    return tuple(r for _, r in rates)


def rates_csv_path(pack_dir: Path) -> Path:
    """The rates.csv of a pack folder (it need not exist yet)."""
    folder = Path(pack_dir)
    if not folder.is_dir():
        raise PackError(f"{folder}: not a folder; give a pack folder (see docs/packs.md)")
    return folder / RATES_FILE


def rate_row(rate: ExchangeRate) -> dict[str, str]:
    return {
        "date": rate.day.isoformat(),
        "base": rate.base,
        "quote": rate.quote,
        "rate": repr(rate.rate),
        "source": rate.source,
        "url": rate.url,
        "retrieved": rate.retrieved.isoformat() if rate.retrieved else "",
        "notes": rate.notes,
    }


def unchecked(rates: Iterable[ExchangeRate]) -> list[ExchangeRate]:
    """The rates with no ``retrieved`` date: not yet read from their source."""
    return [r for r in rates if r.retrieved is None]
