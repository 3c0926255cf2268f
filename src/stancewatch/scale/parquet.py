"""Run outputs as Parquet: one file per shard and table, written atomically.

A run output folder (``stancewatch run INPUT OUTPUT``) holds::

    OUTPUT/_run.json                  what produced it (input, pack, settings)
    OUTPUT/_shards/<shard>.json       one marker per finished shard, written last
    OUTPUT/documents/part-<shard>.parquet
    OUTPUT/statements/part-<shard>.parquet
    OUTPUT/stances/ claims/ verdicts/ narrative_matches/ (the same)

Columns are the export schema (:data:`stancewatch.export.COLUMNS`, docs/exports.md), so a
table here has the columns ``stancewatch export --format parquet`` gives; statements add
``document`` (the document's name) and documents add ``text`` and ``metadata``. A run has no
review, so its codings are the machine's: ``actor`` equals ``machine_actor``, ``label``
equals ``machine_label``, and the ``*_source`` columns say ``machine``. Only shards
with a marker count: readers here, :func:`load_output` and :func:`actor_positions` skip the
files of a shard that was interrupted.
"""

from __future__ import annotations

import json
import os
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import fields
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from stancewatch.errors import InputError
from stancewatch.export import COLUMNS
from stancewatch.packs import Pack
from stancewatch.pipeline import DocumentResult
from stancewatch.records import Claim, Document, Stance, Statement, Verdict, to_row
from stancewatch.store.results import MACHINE

TABLES = ("documents", "statements", "stances", "claims", "verdicts", "narrative_matches")
SHARDS_DIR = "_shards"
TMP_DIR = "_tmp"
RUN_FILE = "_run.json"

_MATCH_COLUMNS: tuple[tuple[str, str], ...] = (
    ("statement_id", "text"), ("document_id", "text"), ("kind", "text"), ("target_id", "text"),
    ("label", "text"), ("matched_text", "text"), ("url", "text"), ("relation", "text"),
    ("score", "number"), ("similarity", "number"), ("cues", "list"), ("method", "text"),
)  # fmt: skip

#: table → ((column, type), ...), the export types of :data:`stancewatch.export.COLUMNS`.
OUTPUT_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "documents": COLUMNS["documents"] + (("text", "text"), ("metadata", "json")),
    "statements": COLUMNS["statements"] + (("document", "text"),),
    "stances": COLUMNS["stances"],
    "claims": COLUMNS["claims"],
    "verdicts": COLUMNS["verdicts"],
    "narrative_matches": _MATCH_COLUMNS,
}


class OutputError(InputError):
    """A run output folder cannot be read or written. The message names the folder."""


def _pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise OutputError(
            "Run outputs are Parquet files and need pyarrow: pip install 'stancewatch[parquet]'"
        ) from None
    return pyarrow


def schema(table: str) -> Any:
    """The pyarrow schema of one output table."""
    pa = _pyarrow()
    types = {
        "integer": pa.int64(),
        "number": pa.float64(),
        "list": pa.list_(pa.string()),
    }
    return pa.schema([(name, types.get(kind, pa.string())) for name, kind in OUTPUT_COLUMNS[table]])


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# -- rows -------------------------------------------------------------------------------------
def result_rows(
    documents: Iterable[Document], results: Iterable[DocumentResult], pack: Pack, stamp: str
) -> dict[str, list[dict[str, Any]]]:
    """The output rows of analysed documents (``results`` in the order of ``documents``)."""
    actors = {a.id: a.name for a in pack.actors}
    facts = {f.id: f for f in pack.facts}
    rows: dict[str, list[dict[str, Any]]] = {table: [] for table in TABLES}
    for document, result in zip(documents, results, strict=True):
        if document.id != result.document_id:
            raise OutputError(f"result {result.document_id} does not match {document.id}")
        rows["documents"].append(
            {
                **to_row(document),
                "characters": len(document.text),
                "ingested_at": stamp,
                "metadata": json.dumps(document.metadata, ensure_ascii=False, default=str),
            }
        )
        said = {}
        for statement in result.statements:
            said[statement.id] = statement
            rows["statements"].append(
                {
                    **to_row(statement),
                    "machine_actor": statement.actor,
                    "actor_source": MACHINE,
                    "actor_name": actors.get(statement.actor or ""),
                    "document_title": document.title,
                    "document_url": document.url,
                    "outlet": document.outlet,
                    "document": document.name,
                }
            )
        for stance in result.stances:
            of = said.get(stance.statement_id)
            rows["stances"].append(
                {
                    **to_row(stance),
                    "machine_label": stance.label,
                    "label_source": MACHINE,
                    "coded_at": stamp,
                    "actor": of.actor if of else None,
                    "date": _iso(of.date) if of else None,
                    "document_id": document.id,
                }
            )
        claim_text = {}
        for claim in result.claims:
            claim_text[claim.id] = claim.text
            of = said.get(claim.statement_id or "")
            rows["claims"].append(
                {
                    **to_row(claim),
                    "claimant_name": actors.get(claim.claimant or ""),
                    "date": _iso(of.date) if of else None,
                }
            )
        for verdict in result.verdicts:
            fact = facts.get(verdict.fact_id or "")
            fact_row = to_row(fact) if fact is not None else {}
            rows["verdicts"].append(
                {
                    **to_row(verdict),
                    "machine_label": verdict.label,
                    "label_source": MACHINE,
                    "checked_at": stamp,
                    "claim_text": claim_text.get(verdict.claim_id),
                    **{
                        f"fact_{key}": fact_row.get(key)
                        for key in ("measure", "subject", "value", "value_high", "unit")
                        + ("currency", "period", "source", "url", "retrieved")
                    },
                }
            )
        for match in result.narrative_matches:
            row = to_row(match)
            row["matched_text"] = row.pop("text")
            rows["narrative_matches"].append({**row, "document_id": document.id})
    return rows


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


# -- writing one shard ------------------------------------------------------------------------
def write_shard(
    output: Path, shard_id: str, rows: dict[str, list[dict[str, Any]]], info: dict[str, Any]
) -> None:
    """Write one shard's tables, then its marker; an interrupted write leaves no marker.

    Each table goes to a temporary file first and is renamed into place, so a reader never
    sees half a file; a shard rewritten after a crash replaces its own files (same names), so
    nothing is duplicated.
    """
    pa = _pyarrow()
    import pyarrow.parquet as pq

    tmp = output / TMP_DIR
    tmp.mkdir(parents=True, exist_ok=True)
    token = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"  # two writers of one shard never collide
    staged = []
    for table in TABLES:
        path = tmp / f"{table}-{shard_id}-{token}.parquet"
        columns = [name for name, _ in OUTPUT_COLUMNS[table]]
        data = [{c: row.get(c) for c in columns} for row in rows.get(table, [])]
        pq.write_table(pa.Table.from_pylist(data, schema=schema(table)), path)
        staged.append((path, output / table / f"part-{shard_id}.parquet"))
    for path, final in staged:
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, final)
    counts = {table: len(rows.get(table, [])) for table in TABLES}
    marker = output / SHARDS_DIR / f"{shard_id}.json"
    marker.parent.mkdir(parents=True, exist_ok=True)
    staging = tmp / f"{shard_id}-{token}.json"
    staging.write_text(json.dumps({**info, "shard": shard_id, "rows": counts}), "utf-8")
    os.replace(staging, marker)


def is_done(output: Path, shard_id: str) -> bool:
    return (output / SHARDS_DIR / f"{shard_id}.json").exists()


def finished_shards(output: Path) -> list[str]:
    """Ids of the shards whose marker exists, sorted."""
    folder = Path(output) / SHARDS_DIR
    return sorted(p.stem for p in folder.glob("*.json")) if folder.is_dir() else []


def table_files(output: Path, table: str) -> list[Path]:
    """The Parquet files of ``table`` from finished shards only."""
    if table not in OUTPUT_COLUMNS:
        raise OutputError(f"Unknown table {table!r}. Tables: {', '.join(TABLES)}")
    output = Path(output)
    if not (output / SHARDS_DIR).is_dir():
        raise OutputError(f"{output}: not a run output (no {SHARDS_DIR}/ folder); run it first")
    files = [output / table / f"part-{shard}.parquet" for shard in finished_shards(output)]
    return [f for f in files if f.exists()]


def read_table(output: Path, table: str) -> pd.DataFrame:
    """One table of a run output (finished shards only) as a DataFrame."""
    pa = _pyarrow()
    import pyarrow.parquet as pq

    files = table_files(output, table)
    parts = [pq.read_table(f, schema=schema(table)) for f in files]
    merged = pa.concat_tables(parts) if parts else schema(table).empty_table()
    return merged.to_pandas()


# -- loading into SQLite ----------------------------------------------------------------------
# The column holding the machine's value where an export table has the final one beside it:
# loading stores the machine's codings (reviews are made in the database, after loading).
_MACHINE_COLUMNS = {"actor": "machine_actor", "label": "machine_label"}


def _record(cls: type, row: dict[str, Any]) -> Any:
    row = {**row, **{k: row[m] for k, m in _MACHINE_COLUMNS.items() if m in row}}
    values = {}
    for field in fields(cls):
        if field.name not in row:
            continue
        value = row[field.name]
        if isinstance(value, float) and value != value:  # NaN from pandas
            value = None
        if field.name in ("date", "published") and isinstance(value, str):
            value = date.fromisoformat(value)
        if field.name == "cues" and value is not None:
            value = tuple(value)
        values[field.name] = value
    return cls(**values)


def iter_shard_results(output: Path) -> Iterator[tuple[list[Document], dict[str, list[Any]]]]:
    """(documents, records by table) for each finished shard, one shard at a time."""
    import pyarrow.parquet as pq

    for shard in finished_shards(output):
        tables = {}
        for table in TABLES:
            path = Path(output) / table / f"part-{shard}.parquet"
            tables[table] = pq.read_table(path).to_pylist() if path.exists() else []
        documents = [
            _record(Document, {**row, "metadata": json.loads(row["metadata"] or "{}")})
            for row in tables["documents"]
        ]
        yield documents, tables


def load_output(output: Path, store: Any, pack: Pack) -> dict[str, int]:
    """Bring a run output into a :class:`~stancewatch.store.database.Store`; loading twice changes
    nothing. Returns how many documents, statements, stances, claims and verdicts it holds."""
    from stancewatch.narratives.matching import Match

    output = Path(output)
    table_files(output, "documents")  # raises when OUTPUT is not a run output
    info = (
        json.loads((output / RUN_FILE).read_text("utf-8")) if (output / RUN_FILE).exists() else {}
    )
    settings = {**info.get("settings", {}), "run_output": str(output.resolve())}
    store.save_pack(pack)
    store.save_narratives(pack)
    run_id = _run_for(store, pack, settings)
    counts = dict.fromkeys(("documents", "statements", "stances", "claims", "verdicts"), 0)
    for documents, tables in iter_shard_results(output):
        store.add_documents(documents)
        by_doc: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
        statement_doc = {}
        for row in tables["statements"]:
            by_doc[row["document_id"]]["statements"].append(_record(Statement, row))
            statement_doc[row["id"]] = row["document_id"]
        for row in tables["stances"]:
            by_doc[row["document_id"]]["stances"].append(_record(Stance, row))
        claim_doc = {}
        for row in tables["claims"]:
            by_doc[row["document_id"]]["claims"].append(_record(Claim, row))
            claim_doc[row["id"]] = row["document_id"]
        for row in tables["verdicts"]:
            by_doc[claim_doc[row["claim_id"]]]["verdicts"].append(_record(Verdict, row))
        for row in tables["narrative_matches"]:
            match = _record(Match, {**row, "text": row["matched_text"]})
            by_doc[row["document_id"]]["matches"].append(match)
        for document in documents:
            found = by_doc.get(document.id, {})
            store.save_analysis(
                document.id,
                run_id=run_id,
                statements=found.get("statements", []),
                stances=found.get("stances", []),
                claims=found.get("claims", []),
                verdicts=found.get("verdicts", []),
            )
            store.save_narrative_matches(document.id, found.get("matches", []), run_id)
            counts["documents"] += 1
            for table in ("statements", "stances", "claims", "verdicts"):
                counts[table] += len(found.get(table, []))
    store.finish_run(run_id, counts["documents"])
    return counts


def _run_for(store: Any, pack: Pack, settings: dict[str, Any]) -> int:
    """The run row of this output: reused when the same output was loaded before."""
    text = json.dumps(settings, ensure_ascii=False, default=str)
    for row in store.query("SELECT id, settings FROM runs WHERE pack = ?", [pack.name]):
        if row["settings"] == text:
            return int(row["id"])
    return int(store.start_run(pack, settings))


# -- analytics straight over the Parquet files (DuckDB) --------------------------------------
def _duckdb() -> Any:
    try:
        import duckdb
    except ImportError:
        raise OutputError(
            "Analytics over run outputs need DuckDB: pip install 'stancewatch[ray]' "
            "(or pip install duckdb)"
        ) from None
    return duckdb


def connect(output: Path) -> Any:
    """A DuckDB connection with one view per output table (finished shards only)."""
    duckdb = _duckdb()
    connection = duckdb.connect()
    for table in TABLES:
        files = [str(f) for f in table_files(output, table)]
        if files:
            listed = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
            connection.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet([{listed}])")
        else:
            connection.register(table, schema(table).empty_table())
    return connection


def query(output: Path, sql: str) -> pd.DataFrame:
    """Run ``sql`` over the output's tables (views named as the folders) with DuckDB."""
    connection = connect(output)
    try:
        return connection.execute(sql).df()
    finally:
        connection.close()


POSITIONS_SQL = """
SELECT actor, position_id,
       CAST(count(*) FILTER (WHERE label = 'support') AS BIGINT) AS support,
       CAST(count(*) FILTER (WHERE label = 'oppose') AS BIGINT) AS oppose,
       CASE WHEN count(*) FILTER (WHERE label = 'support') > count(*) FILTER (WHERE label = 'oppose')
            THEN 'support'
            WHEN count(*) FILTER (WHERE label = 'oppose') > count(*) FILTER (WHERE label = 'support')
            THEN 'oppose' ELSE 'mixed' END AS side,
       list(statement_id ORDER BY date, statement_id) AS statement_ids
FROM stances WHERE actor IS NOT NULL AND label IN ('support', 'oppose')
GROUP BY actor, position_id ORDER BY actor, position_id
"""


def actor_positions(output: Path) -> pd.DataFrame:
    """Per actor and position: support and oppose counts, the net side and the statement ids,
    computed by DuckDB over the Parquet files; the same table as
    :meth:`stancewatch.api.Project.actor_positions` gives after ``stancewatch load``."""
    frame = query(output, POSITIONS_SQL)
    frame["statement_ids"] = [list(ids) for ids in frame["statement_ids"]]
    frame["support"] = frame["support"].astype(int)
    frame["oppose"] = frame["oppose"].astype(int)
    return frame.reset_index(drop=True)
