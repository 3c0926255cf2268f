"""The SQLite store: one file that opens as-is in Datasette, pandas and DuckDB.

The schema is versioned (``PRAGMA user_version``) and migrated forward on open. Every write
runs in one transaction, so an interrupted run leaves what was stored before untouched.
Documents are keyed by a hash of their text: ingesting the same article twice stores it once.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from .packs import Pack
from .records import Claim, Document, Stance, Statement, Verdict, to_row

# Each entry migrates the schema from version i to i + 1. Never edit a released entry:
# append a new one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE documents (
        id TEXT PRIMARY KEY,
        name TEXT,
        title TEXT,
        outlet TEXT,
        url TEXT,
        published TEXT,
        language TEXT,
        source TEXT,
        text TEXT NOT NULL,
        metadata TEXT,
        ingested_at TEXT NOT NULL
    );
    CREATE TABLE actors (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT,
        affiliation TEXT,
        gender TEXT,
        wikidata TEXT,
        aliases TEXT,
        roles TEXT,
        pack TEXT
    );
    CREATE TABLE positions (
        id TEXT PRIMARY KEY,
        topic TEXT,
        proposition TEXT NOT NULL,
        holders TEXT,
        supports TEXT,
        opposes TEXT,
        version TEXT,
        pack TEXT
    );
    CREATE TABLE facts (
        id TEXT PRIMARY KEY,
        measure TEXT NOT NULL,
        subject TEXT,
        value REAL NOT NULL,
        value_high REAL,
        unit TEXT NOT NULL,
        currency TEXT,
        period TEXT,
        period_start TEXT,
        period_end TEXT,
        source TEXT,
        url TEXT,
        retrieved TEXT,
        keywords TEXT,
        notes TEXT,
        pack TEXT
    );
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        pack TEXT,
        pack_version TEXT,
        settings TEXT,
        documents INTEGER
    );
    CREATE TABLE analyses (
        document_id TEXT PRIMARY KEY REFERENCES documents(id),
        run_id INTEGER REFERENCES runs(id),
        analyzed_at TEXT NOT NULL
    );
    CREATE TABLE statements (
        id TEXT PRIMARY KEY,
        document_id TEXT NOT NULL REFERENCES documents(id),
        kind TEXT NOT NULL,
        content TEXT NOT NULL,
        content_start INTEGER NOT NULL,
        content_end INTEGER NOT NULL,
        speaker TEXT,
        speaker_start INTEGER,
        speaker_end INTEGER,
        cue TEXT,
        cue_start INTEGER,
        cue_end INTEGER,
        actor TEXT,
        date TEXT,
        confidence REAL,
        method TEXT
    );
    CREATE INDEX statements_document ON statements(document_id);
    CREATE INDEX statements_actor ON statements(actor);
    CREATE TABLE stances (
        statement_id TEXT NOT NULL REFERENCES statements(id),
        position_id TEXT NOT NULL,
        label TEXT NOT NULL,
        score REAL,
        similarity REAL,
        method TEXT NOT NULL,
        coder TEXT NOT NULL,
        coded_at TEXT NOT NULL,
        PRIMARY KEY (statement_id, position_id, coder)
    );
    CREATE INDEX stances_position ON stances(position_id);
    CREATE TABLE claims (
        id TEXT PRIMARY KEY,
        document_id TEXT NOT NULL REFERENCES documents(id),
        statement_id TEXT REFERENCES statements(id),
        text TEXT NOT NULL,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        value REAL,
        value_high REAL,
        unit TEXT,
        currency TEXT,
        scale REAL,
        approximation TEXT,
        measure TEXT,
        subject TEXT,
        period TEXT,
        claimant TEXT,
        context TEXT
    );
    CREATE INDEX claims_document ON claims(document_id);
    CREATE TABLE verdicts (
        claim_id TEXT NOT NULL REFERENCES claims(id),
        label TEXT NOT NULL,
        fact_id TEXT,
        ratio REAL,
        match_score REAL,
        explanation TEXT,
        method TEXT NOT NULL,
        checked_at TEXT NOT NULL,
        PRIMARY KEY (claim_id, method)
    );
    CREATE VIEW statement_evidence AS
        SELECT s.id AS statement_id, s.actor, a.name AS actor_name, s.speaker, s.kind,
               s.content, s.date, d.title AS document_title, d.outlet, d.url, d.name AS document,
               s.document_id, s.content_start, s.content_end, s.confidence
        FROM statements s
        JOIN documents d ON d.id = s.document_id
        LEFT JOIN actors a ON a.id = s.actor;
    CREATE VIEW stance_evidence AS
        SELECT st.position_id, p.proposition, st.label, st.score, st.coder, st.method,
               e.*
        FROM stances st
        JOIN statement_evidence e ON e.statement_id = st.statement_id
        LEFT JOIN positions p ON p.id = st.position_id;
    """,
    # Review (stancewatch.web): coder accounts, login sessions, human codings of a
    # statement's speaker, a stance or a verdict (append-only: every coding is kept with who
    # and when, beside the machine's value at that time), and adjudicated final labels.
    """
    CREATE TABLE coders (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        password_hash TEXT,
        token_hash TEXT,
        adjudicator INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
    );
    CREATE TABLE coder_sessions (
        id TEXT PRIMARY KEY,
        coder_id INTEGER NOT NULL REFERENCES coders(id),
        csrf TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
    );
    CREATE TABLE review_codings (
        id INTEGER PRIMARY KEY,
        item_kind TEXT NOT NULL,
        item_id TEXT NOT NULL,
        value TEXT NOT NULL,
        machine_value TEXT,
        coder TEXT NOT NULL,
        coded_at TEXT NOT NULL
    );
    CREATE INDEX review_codings_item ON review_codings(item_kind, item_id);
    CREATE TABLE adjudications (
        id INTEGER PRIMARY KEY,
        item_kind TEXT NOT NULL,
        item_id TEXT NOT NULL,
        value TEXT NOT NULL,
        coder TEXT NOT NULL,
        decided_at TEXT NOT NULL
    );
    CREATE INDEX adjudications_item ON adjudications(item_kind, item_id);
    """,
    # Known narratives (from the pack), imported claim banks, and which statements repeat or
    # rebut them (stancewatch.narratives).
    """
    CREATE TABLE narratives (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        description TEXT,
        claims TEXT,
        debunks TEXT,
        version TEXT,
        pack TEXT
    );
    CREATE TABLE bank_claims (
        bank TEXT NOT NULL,
        id TEXT NOT NULL,
        text TEXT NOT NULL,
        label TEXT,
        verdict TEXT,
        url TEXT,
        date TEXT,
        imported_at TEXT NOT NULL,
        PRIMARY KEY (bank, id)
    );
    CREATE TABLE narrative_matches (
        statement_id TEXT NOT NULL,
        document_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        target_id TEXT NOT NULL,
        label TEXT,
        matched_text TEXT,
        url TEXT,
        relation TEXT NOT NULL,
        score REAL,
        similarity REAL,
        cues TEXT,
        method TEXT NOT NULL,
        run_id INTEGER,
        matched_at TEXT NOT NULL,
        PRIMARY KEY (statement_id, kind, target_id, method)
    );
    CREATE INDEX narrative_matches_document ON narrative_matches(document_id);
    CREATE INDEX narrative_matches_label ON narrative_matches(label);
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)


_UNANALYZED = " WHERE id NOT IN (SELECT document_id FROM analyses)"


class StoreError(RuntimeError):
    """The database file cannot be used. The message names the file."""


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

    def close(self) -> None:
        self.db.conn.close()

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
                for statement in _split_sql(MIGRATIONS[version]):
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

        for doc in documents:
            batch.append(doc)
            if len(batch) >= batch_size:
                flush()
        if batch:
            flush()
        return AddResult(added, skipped)

    def add_document(self, document: Document) -> bool:
        """Store one document; False when it was already there."""
        return self.add_documents([document]).added == 1

    def document(self, document_id: str) -> Document:
        rows = list(self.db.query("SELECT * FROM documents WHERE id = ?", [document_id]))
        if not rows:
            raise KeyError(f"No document with id {document_id!r} in {self.path}")
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
        """Replace the stored actors, positions and facts with the pack's, atomically."""
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

    # -- analysis results ---------------------------------------------------------------
    def start_run(self, pack: Pack, settings: dict[str, Any]) -> int:
        with self.db.atomic():
            cursor = self.db.execute(
                "INSERT INTO runs (started_at, pack, pack_version, settings, documents) "
                "VALUES (?, ?, ?, ?, 0)",
                [_now(), pack.name, pack.version, _json(settings)],
            )
        return int(cursor.lastrowid or 0)

    def finish_run(self, run_id: int, documents: int) -> None:
        with self.db.atomic():
            self.db.execute(
                "UPDATE runs SET finished_at = ?, documents = ? WHERE id = ?",
                [_now(), documents, run_id],
            )

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

    # -- narratives and claim banks (stancewatch.narratives) -----------------------------
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


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements (no semicolons inside our DDL strings)."""
    return [s.strip() for s in script.split(";") if s.strip()]
