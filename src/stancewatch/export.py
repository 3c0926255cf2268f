"""Exports: the stored records as tables, written as JSON, CSV or Parquet.

:func:`export_tables` reads a project into one pandas DataFrame per table, with a fixed set
of columns (the schema in docs/exports.md, mirrored by :data:`COLUMNS`); :func:`write_export`
writes such tables to disk. Only :func:`write_export` touches files.

- JSON: one file, an object with one key per table, each a list of records; missing values
  are ``null``, list columns are arrays and ``roles`` / ``settings`` are objects.
- CSV: one ``<table>.csv`` per table in a folder (UTF-8, header row); missing values are
  empty cells; list and object columns hold JSON text.
- Parquet (needs pyarrow): one ``<table>.parquet`` per table in a folder; list-of-text
  columns are lists, object columns hold JSON text.

- ClaimReview: one JSON-LD file, a list of schema.org ``ClaimReview`` objects, one per
  verdict (``claimreview``), or the same as one flat CSV file (``claimreview-csv``); see
  :mod:`stancewatch.claims.claimreview`.

Dates are ISO 8601 text (``2025-02-19``; times ``2025-02-19T10:00:00+00:00``) everywhere.

Codings are final: a statement's ``actor``, a claim's ``claimant``, a stance's and a verdict's
``label`` are a reviewer's adjudicated value when there is one (the rule is in
:mod:`stancewatch.store.results`), and ``machine_actor`` / ``machine_label`` with
``actor_source`` / ``label_source`` keep the machine's beside them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from stancewatch.errors import InputError
from stancewatch.store import results

if TYPE_CHECKING:
    from stancewatch.api import Project

FORMATS = ("json", "csv", "parquet", "claimreview", "claimreview-csv")

# table → ((column, type), ...). Types: text, integer, number, date, datetime, list (of text),
# json (an object or a list of objects). docs/exports.md documents every one of them.
COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "documents": (
        ("id", "text"), ("name", "text"), ("title", "text"), ("outlet", "text"), ("url", "text"),
        ("published", "date"), ("language", "text"), ("source", "text"),
        ("characters", "integer"), ("ingested_at", "datetime"),
    ),
    "actors": (
        ("id", "text"), ("name", "text"), ("kind", "text"), ("affiliation", "text"),
        ("gender", "text"), ("wikidata", "text"), ("born", "date"), ("aliases", "list"),
        ("roles", "json"), ("pack", "text"),
    ),
    "positions": (
        ("id", "text"), ("topic", "text"), ("proposition", "text"), ("holders", "list"),
        ("supports", "list"), ("opposes", "list"), ("version", "text"), ("pack", "text"),
    ),
    "facts": (
        ("id", "text"), ("measure", "text"), ("subject", "text"), ("value", "number"),
        ("value_high", "number"), ("unit", "text"), ("currency", "text"), ("period", "text"),
        ("period_start", "date"), ("period_end", "date"), ("source", "text"), ("url", "text"),
        ("retrieved", "date"), ("keywords", "list"), ("notes", "text"), ("pack", "text"),
    ),
    "statements": (
        ("id", "text"), ("document_id", "text"), ("kind", "text"), ("content", "text"),
        ("content_start", "integer"), ("content_end", "integer"), ("speaker", "text"),
        ("speaker_start", "integer"), ("speaker_end", "integer"), ("cue", "text"),
        ("cue_start", "integer"), ("cue_end", "integer"), ("actor", "text"),
        ("machine_actor", "text"), ("actor_source", "text"), ("actor_name", "text"),
        ("date", "date"), ("confidence", "number"), ("method", "text"),
        ("document_title", "text"), ("document_url", "text"), ("outlet", "text"),
    ),
    "stances": (
        ("statement_id", "text"), ("position_id", "text"), ("label", "text"),
        ("machine_label", "text"), ("label_source", "text"), ("score", "number"),
        ("similarity", "number"), ("method", "text"), ("coder", "text"),
        ("coded_at", "datetime"), ("actor", "text"), ("date", "date"), ("document_id", "text"),
    ),
    "claims": (
        ("id", "text"), ("document_id", "text"), ("statement_id", "text"), ("text", "text"),
        ("start", "integer"), ("end", "integer"), ("value", "number"), ("value_high", "number"),
        ("unit", "text"), ("currency", "text"), ("scale", "number"), ("approximation", "text"),
        ("measure", "text"), ("subject", "text"), ("period", "text"), ("claimant", "text"),
        ("claimant_name", "text"), ("context", "text"), ("date", "date"),
    ),
    "verdicts": (
        ("claim_id", "text"), ("label", "text"), ("machine_label", "text"),
        ("label_source", "text"), ("fact_id", "text"), ("ratio", "number"),
        ("match_score", "number"), ("explanation", "text"), ("method", "text"),
        ("checked_at", "datetime"), ("claim_text", "text"), ("fact_measure", "text"),
        ("fact_subject", "text"), ("fact_value", "number"), ("fact_value_high", "number"),
        ("fact_unit", "text"), ("fact_currency", "text"), ("fact_period", "text"),
        ("fact_source", "text"), ("fact_url", "text"), ("fact_retrieved", "date"),
    ),
    "actions": (
        ("evidence_id", "text"), ("id", "text"), ("actor", "text"), ("actor_name", "text"),
        ("date", "date"), ("kind", "text"), ("position_id", "text"), ("side", "text"),
        ("description", "text"), ("source", "text"), ("url", "text"), ("notes", "text"),
        ("origin", "text"), ("pack", "text"),
    ),
    "runs": (
        ("id", "integer"), ("started_at", "datetime"), ("finished_at", "datetime"),
        ("pack", "text"), ("pack_version", "text"), ("settings", "json"),
        ("documents", "integer"), ("status", "text"),
    ),
}  # fmt: skip

# One query per table. Statements, stances, claims and verdicts come from the read model
# (stancewatch.store.results): the final actor, claimant and labels after review, with the
# machine's beside them.
_QUERIES: dict[str, str] = {
    "documents": "SELECT *, length(text) AS characters FROM documents ORDER BY published, rowid",
    "actors": "SELECT * FROM actors ORDER BY id",
    "positions": "SELECT * FROM positions ORDER BY topic, id",
    "facts": "SELECT * FROM facts ORDER BY measure, period_start, id",
    "statements": (
        "SELECT s.*, a.name AS actor_name, d.title AS document_title, d.url AS document_url, "
        f"d.outlet FROM {results.STATEMENTS} s LEFT JOIN documents d ON d.id = s.document_id "
        "LEFT JOIN actors a ON a.id = s.actor ORDER BY s.date, s.document_id, s.content_start"
    ),
    "stances": (
        f"SELECT st.*, s.actor, s.date, s.document_id FROM {results.STANCES} st "
        f"LEFT JOIN {results.STATEMENTS} s ON s.id = st.statement_id "
        "ORDER BY s.date, st.statement_id, st.position_id, st.coder"
    ),
    "claims": (
        f"SELECT c.*, a.name AS claimant_name, s.date FROM {results.CLAIMS} c "
        "LEFT JOIN statements s ON s.id = c.statement_id LEFT JOIN actors a ON a.id = c.claimant "
        "ORDER BY s.date, c.document_id, c.start"
    ),
    "verdicts": (
        "SELECT v.*, c.text AS claim_text, f.measure AS fact_measure, f.subject AS fact_subject, "
        "f.value AS fact_value, f.value_high AS fact_value_high, f.unit AS fact_unit, "
        "f.currency AS fact_currency, f.period AS fact_period, f.source AS fact_source, "
        f"f.url AS fact_url, f.retrieved AS fact_retrieved FROM {results.VERDICTS} v "
        "LEFT JOIN claims c ON c.id = v.claim_id LEFT JOIN facts f ON f.id = v.fact_id "
        "ORDER BY c.document_id, c.start, v.method"
    ),
    "actions": (
        f"SELECT '{results.ACTION_PREFIX}' || x.id AS evidence_id, x.*, a.name AS actor_name "
        "FROM actions x LEFT JOIN actors a ON a.id = x.actor ORDER BY x.date, x.id"
    ),
    "runs": "SELECT * FROM runs ORDER BY id",
}


class ExportError(InputError):
    """An export cannot be written. The message says what is valid."""


def check_format(fmt: str) -> str:
    """``fmt`` lower-cased when it is a known format; otherwise ExportError naming them."""
    name = str(fmt).strip().lower()
    if name not in FORMATS:
        raise ExportError(f"Unknown export format {fmt!r}. Valid formats: {', '.join(FORMATS)}")
    return name


def _decode(value: Any, kind: str) -> Any:
    """A stored JSON text column as Python: lists default to [], objects to None."""
    if isinstance(value, str) and value:
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return [value] if kind == "list" else value
    return [] if kind == "list" else None


def export_tables(project: Project, *, include_text: bool = False) -> dict[str, pd.DataFrame]:
    """Every stored table as a DataFrame with the documented columns, in :data:`COLUMNS` order.

    One row per stored row: ``documents``, ``actors``, ``positions``, ``facts``,
    ``statements`` (acts stated in the text among them, of kind ``act``), ``stances``
    (neutral codings included), ``claims``, ``verdicts`` (joined with the fact each was
    checked against), ``actions`` (the pack's acts, ``evidence_id`` being their id in the
    analytics) and ``runs``. ``include_text`` adds the full
    document ``text`` column (left out by default: it is large and often copyrighted).
    """
    tables: dict[str, pd.DataFrame] = {}
    for table, columns in COLUMNS.items():
        rows = project.store.query(_QUERIES[table])
        names = [name for name, _ in columns]
        if table == "documents" and include_text:
            names.append("text")
        frame = pd.DataFrame(rows, columns=names)
        for name, kind in columns:
            values = frame[name]
            if kind in ("list", "json"):
                frame[name] = pd.Series([_decode(v, kind) for v in values], dtype=object)
            elif kind == "integer":
                frame[name] = pd.array(pd.to_numeric(values, errors="coerce"), dtype="Int64")
            elif kind == "number":
                frame[name] = pd.to_numeric(values, errors="coerce").astype("float64")
            else:
                frame[name] = pd.Series([_text(v) for v in values], dtype=object)
        tables[table] = frame
    return tables


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)


def _plain(value: Any) -> Any:
    """A cell as JSON-ready Python: NaN/NA → None, numpy scalars → Python scalars."""
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A table as JSON-ready records (NaN → None, numpy types → Python types)."""
    columns = [str(c) for c in frame.columns]
    return [
        {c: _plain(v) for c, v in zip(columns, row, strict=True)}
        for row in frame.itertuples(index=False, name=None)
    ]


def _json_text_columns(frame: pd.DataFrame, *, keep_text_lists: bool) -> pd.DataFrame:
    """List and object cells as JSON text (lists of text kept when ``keep_text_lists``)."""
    out = frame.copy()
    for column in out.columns:
        values = list(out[column])
        nested = [v for v in values if isinstance(v, list | dict)]
        if not nested:
            continue
        if keep_text_lists and all(
            isinstance(v, list) and all(isinstance(i, str) for i in v) for v in nested
        ):
            continue
        out[column] = pd.Series(
            [
                json.dumps(_plain(v), ensure_ascii=False) if isinstance(v, list | dict) else v
                for v in values
            ],
            index=out.index,
            dtype=object,
        )
    return out


def write_export(tables: Mapping[str, pd.DataFrame], out: Path, fmt: str) -> list[Path]:
    """Write ``tables`` to ``out`` as ``fmt`` (json: one file; csv, parquet: a folder with one
    file per table). Returns the paths written; existing files of the same name are replaced.
    """
    fmt = check_format(fmt)
    out = Path(out)
    if fmt.startswith("claimreview"):
        return [_write_claimreview(tables, out, fmt)]
    if fmt == "json":
        if out.is_dir():
            raise ExportError(
                f"{out}: is a folder; JSON export writes one file (e.g. {out / 'export.json'})"
            )
        payload = {name: records(frame) for name, frame in tables.items()}
        text = json.dumps(payload, ensure_ascii=False, indent=1, allow_nan=False)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n", encoding="utf-8")
        return [out]
    if out.exists() and not out.is_dir():
        raise ExportError(
            f"{out}: is a file; {fmt} export writes one file per table into a folder "
            "(give a folder path, or use --format json for a single file)"
        )
    if fmt == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise ExportError(
                "Parquet export needs pyarrow: pip install 'stancewatch[parquet]' "
                "(or use --format csv or json)"
            ) from None
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in tables.items():
        path = out / f"{name}.{fmt}"
        if fmt == "csv":
            _json_text_columns(frame, keep_text_lists=False).to_csv(
                path, index=False, encoding="utf-8", lineterminator="\r\n"
            )
        else:
            _json_text_columns(frame, keep_text_lists=True).to_parquet(path, index=False)
        written.append(path)
    return written


def _write_claimreview(tables: Mapping[str, pd.DataFrame], out: Path, fmt: str) -> Path:
    """ClaimReview JSON-LD (one file, a list) or its flat CSV rows (one file)."""
    from stancewatch.claims.claimreview import claim_reviews, review_rows

    if out.is_dir():
        suffix = "csv" if fmt == "claimreview-csv" else "jsonld"
        raise ExportError(
            f"{out}: is a folder; {fmt} export writes one file (e.g. {out / f'claimreview.{suffix}'})"
        )
    reviews = claim_reviews(tables)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "claimreview-csv":
        review_rows(reviews).to_csv(out, index=False, encoding="utf-8", lineterminator="\r\n")
    else:
        text = json.dumps(_plain(reviews), ensure_ascii=False, indent=1, allow_nan=False)
        out.write_text(text + "\n", encoding="utf-8")
    return out


def export(project: Project, fmt: str, out: Path, *, include_text: bool = False) -> list[Path]:
    """Export a project's tables to ``out`` as ``fmt``; see :func:`write_export`."""
    check_format(fmt)
    return write_export(export_tables(project, include_text=include_text), out, fmt)
