"""The SQLite store: one file that opens as-is in Datasette, pandas and DuckDB.

The schema is versioned (``PRAGMA user_version``) and migrated forward on open. Every write
runs in one transaction, so an interrupted run leaves what was stored before untouched.
Documents are keyed by a hash of their text: ingesting the same article twice stores it once.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from stancewatch.errors import NotFoundError, StoreError
from stancewatch.packs import Pack
from stancewatch.records import Claim, Document, Stance, Statement, Verdict, to_row
from stancewatch.store.schema import MIGRATIONS, SCHEMA_VERSION, split_sql

_UNANALYZED = " WHERE id NOT IN (SELECT document_id FROM analyses)"


@dataclass(frozen=True)
class AddResult:
    added: int
    skipped: int


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _parse_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


class Store:
    """A stancewatch database. ``Store(path)`` creates or migrates the file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if self.path.exists() and self.path.is_dir():
            raise StoreError(f"{self.path}: is a folder, not a database file")
        try:
            conn = sqlite3.connect(str(self.path))
            conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a SQLite database ({exc})") from exc
        self.db = sqlite_utils.Database(conn)
        self._migrate()

    @classmethod
    def over(cls, path: str | Path, conn: sqlite3.Connection) -> Store:
        """A store over an open connection to an already migrated database (the web app opens
        one per request with its own settings)."""
        store = cls.__new__(cls)
        store.path = Path(path)
        store.db = sqlite_utils.Database(conn)
        return store

    def close(self) -> None:
        self.db.conn.close()

    @contextlib.contextmanager
    def immediate(self) -> Iterator[Store]:
        """One write transaction that takes the write lock when it begins (``BEGIN
        IMMEDIATE``): a writer waits for the busy timeout there instead of failing at once
        when another connection wrote between this one's reads and its writes. Inside an
        open transaction it is a savepoint of that one."""
        if self.db.conn.in_transaction:
            with self.db.atomic():
                yield self
            return
        self.db.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
            self.db.conn.execute("COMMIT")
        except BaseException:
            self.db.conn.rollback()
            raise

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema -------------------------------------------------------------------------
    @property
    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        try:
            current = self.schema_version
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a SQLite database ({exc})") from exc
        if current > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: schema version {current} is newer than this stancewatch "
                f"supports ({SCHEMA_VERSION}); upgrade stancewatch"
            )
        if current == 0 and self.db.table_names():
            raise StoreError(
                f"{self.path}: an SQLite file with other tables, not a stancewatch database"
            )
        for version in range(current, SCHEMA_VERSION):
            with self.db.atomic():
                for statement in split_sql(MIGRATIONS[version]):
                    self.db.conn.execute(statement)
                self.db.conn.execute(f"PRAGMA user_version = {version + 1}")

    # -- documents ----------------------------------------------------------------------
    def add_documents(self, documents: Iterable[Document], batch_size: int = 200) -> AddResult:
        """Store documents not already present (by content hash); one transaction a batch."""
        added = skipped = 0
        batch: list[Document] = []

        def flush() -> None:
            nonlocal added, skipped
            ids = list({d.id for d in batch})
            known = {
                row[0]
                for row in self.db.execute(
                    f"SELECT id FROM documents WHERE id IN ({','.join('?' * len(ids))})", ids
                )
            }
            rows = {}
            for doc in batch:
                if doc.id in known or doc.id in rows:
                    skipped += 1
                    continue
                row = to_row(doc)
                row["metadata"] = _json(doc.metadata)
                row["ingested_at"] = _now()
                rows[doc.id] = row
            with self.db.atomic():
                self.db.table("documents").insert_all(rows.values())
            added += len(rows)
            batch.clear()

        try:
            for doc in documents:
                batch.append(doc)
                if len(batch) >= batch_size:
                    flush()
        finally:
            # Documents read before a failure of the input are stored all the same.
            if batch:
                flush()
        return AddResult(added, skipped)

    def add_document(self, document: Document) -> bool:
        """Store one document; False when it was already there."""
        return self.add_documents([document]).added == 1

    def document(self, document_id: str) -> Document:
        rows = list(self.db.query("SELECT * FROM documents WHERE id = ?", [document_id]))
        if not rows:
            raise NotFoundError(f"No document with id {document_id!r} in {self.path}")
        return _document(rows[0])

    def documents(self, *, only_unanalyzed: bool = False) -> Iterator[Document]:
        """Stream stored documents in ingest order."""
        sql = "SELECT * FROM documents" + (_UNANALYZED if only_unanalyzed else "")
        for row in self.db.query(sql + " ORDER BY published, rowid"):
            yield _document(row)

    def document_ids(self, *, only_unanalyzed: bool = False) -> list[str]:
        """Ids of stored documents in ingest order: small, unlike the texts."""
        sql = "SELECT id FROM documents" + (_UNANALYZED if only_unanalyzed else "")
        return [row[0] for row in self.db.execute(sql + " ORDER BY published, rowid")]

    def count(self, table: str) -> int:
        return self.db[table].count

    # -- packs --------------------------------------------------------------------------
    def save_pack(self, pack: Pack) -> None:
        """Replace the stored actors, positions, facts and acts with the pack's, atomically."""
        with self.db.atomic():
            for table in ("actors", "positions", "facts"):
                self.db.execute(f"DELETE FROM {table}")
            self.db.table("actors").insert_all(
                {
                    **to_row(a),
                    "aliases": _json(a.aliases),
                    "roles": _json([to_row(r) for r in a.roles]),
                    "pack": pack.name,
                }
                for a in pack.actors
            )
            self.db.table("positions").insert_all(
                {
                    **to_row(p),
                    **{k: _json(getattr(p, k)) for k in ("holders", "supports", "opposes")},
                    "pack": pack.name,
                }
                for p in pack.positions
            )
            self.db.table("facts").insert_all(
                {**to_row(f), "keywords": _json(f.keywords), "pack": pack.name} for f in pack.facts
            )
            self.db.execute("DELETE FROM actions WHERE origin = 'pack'")
            self.db.table("actions").insert_all(
                {**to_row(a), "pack": pack.name} for a in pack.actions
            )

    # -- analysis results ---------------------------------------------------------------
    def start_run(self, pack: Pack, settings: dict[str, Any]) -> int:
        """A new run's row; unfinished runs whose process is gone are closed first."""
        with self.immediate():
            self.close_interrupted_runs()
            cursor = self.db.execute(
                "INSERT INTO runs (started_at, pack, pack_version, settings, documents, "
                "status, host, pid) VALUES (?, ?, ?, ?, 0, 'running', ?, ?)",
                [
                    _now(),
                    pack.name,
                    pack.version,
                    _json(settings),
                    socket.gethostname(),
                    os.getpid(),
                ],
            )
        return int(cursor.lastrowid or 0)

    def finish_run(self, run_id: int, documents: int) -> None:
        with self.immediate():
            self.db.execute(
                "UPDATE runs SET finished_at = ?, documents = ?, status = 'finished' WHERE id = ?",
                [_now(), documents, run_id],
            )

    def close_interrupted_runs(self) -> list[int]:
        """Mark runs that never finished and whose process is no longer alive (on this
        host; a run of another host, or of an unknown process, is left alone unless it has
        no owner at all) as ``interrupted``, with the documents they did analyse. Returns
        their ids."""
        host = socket.gethostname()
        closed = []
        for row in self.query(
            "SELECT id, host, pid FROM runs WHERE finished_at IS NULL ORDER BY id"
        ):
            if row["pid"] is not None and (row["host"] != host or _alive(int(row["pid"]))):
                continue
            closed.append(int(row["id"]))
        with self.immediate():
            for run_id in closed:
                self.db.execute(
                    "UPDATE runs SET finished_at = ?, status = 'interrupted', documents = "
                    "(SELECT count(*) FROM analyses WHERE run_id = ?) WHERE id = ?",
                    [_now(), run_id, run_id],
                )
        return closed

    def save_analysis(
        self,
        document_id: str,
        *,
        run_id: int | None,
        statements: Sequence[Statement],
        stances: Sequence[Stance],
        claims: Sequence[Claim],
        verdicts: Sequence[Verdict],
    ) -> None:
        """Replace the machine's results for one document in one transaction.

        Human codings (stances whose coder is not ``machine``) are kept.
        """
        now = _now()
        with self.db.atomic():
            self.db.execute(
                "DELETE FROM verdicts WHERE claim_id IN (SELECT id FROM claims WHERE document_id = ?)",
                [document_id],
            )
            self.db.execute("DELETE FROM claims WHERE document_id = ?", [document_id])
            self.db.execute(
                "DELETE FROM stances WHERE coder = 'machine' AND statement_id IN "
                "(SELECT id FROM statements WHERE document_id = ?)",
                [document_id],
            )
            self.db.execute(
                "DELETE FROM statements WHERE document_id = ? AND id NOT IN "
                "(SELECT statement_id FROM stances)",
                [document_id],
            )
            self.db.table("statements").upsert_all((to_row(s) for s in statements), pk="id")
            self.db.table("stances").insert_all({**to_row(s), "coded_at": now} for s in stances)
            self.db.table("claims").insert_all(to_row(c) for c in claims)
            self.db.table("verdicts").insert_all({**to_row(v), "checked_at": now} for v in verdicts)
            self.db.table("analyses").upsert(
                {"document_id": document_id, "run_id": run_id, "analyzed_at": now},
                pk="document_id",
            )

    # -- narratives and claim banks (stancewatch.narratives.matching) -----------------------------
    def save_narratives(self, pack: Pack) -> None:
        """Replace the stored narratives with the pack's."""
        with self.db.atomic():
            self.db.execute("DELETE FROM narratives")
            self.db.table("narratives").insert_all(
                {
                    "id": n.id,
                    "title": n.title,
                    "description": n.description,
                    "claims": _json(n.claims),
                    "debunks": _json([to_row(d) for d in n.debunks]),
                    "version": n.version,
                    "pack": pack.name,
                }
                for n in getattr(pack, "narratives", ())
            )

    def save_bank(self, bank: str, claims: Iterable[Any]) -> int:
        """Replace the claims of bank ``bank`` (BankClaim records); returns how many."""
        now = _now()
        rows = [{**to_row(c), "bank": bank, "imported_at": now} for c in claims]
        with self.db.atomic():
            self.db.execute("DELETE FROM bank_claims WHERE bank = ?", [bank])
            self.db.table("bank_claims").upsert_all(rows, pk=("bank", "id"))
        return len(rows)

    def save_narrative_matches(
        self, document_id: str, matches: Sequence[Any], run_id: int | None = None
    ) -> None:
        """Replace the narrative and bank matches of one document's statements."""
        now = _now()
        with self.db.atomic():
            self.db.execute("DELETE FROM narrative_matches WHERE document_id = ?", [document_id])
            self.db.table("narrative_matches").upsert_all(
                (
                    {
                        "statement_id": m.statement_id,
                        "document_id": document_id,
                        "kind": m.kind,
                        "target_id": m.target_id,
                        "label": m.label,
                        "matched_text": m.text,
                        "url": m.url,
                        "relation": m.relation,
                        "score": m.score,
                        "similarity": m.similarity,
                        "cues": _json(m.cues),
                        "method": m.method,
                        "run_id": run_id,
                        "matched_at": now,
                    }
                    for m in matches
                ),
                pk=("statement_id", "kind", "target_id", "method"),
            )

    # -- reading ------------------------------------------------------------------------
    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        return list(self.db.query(sql, params))

    def runs(self) -> list[dict[str, Any]]:
        rows = self.query("SELECT * FROM runs ORDER BY id")
        for row in rows:
            row["settings"] = json.loads(row["settings"] or "{}")
        return rows


def _alive(pid: int) -> bool:
    """Whether a process with this id runs on this host (our own process counts)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _document(row: dict[str, Any]) -> Document:
    return Document(
        id=row["id"],
        text=row["text"],
        name=row["name"],
        url=row["url"],
        outlet=row["outlet"],
        title=row["title"],
        published=_parse_date(row["published"]),
        language=row["language"],
        source=row["source"],
        metadata=json.loads(row["metadata"] or "{}"),
    )
