"""The database schema: numbered migrations, applied in order on open.

Each entry migrates the schema from version i to i + 1; ``PRAGMA user_version`` records how
many ran. Every table is documented in docs/exports.md.
"""

from __future__ import annotations

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
    # rebut them (stancewatch.narratives.matching).
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
    # Teacher and student (stancewatch label, train-stance --from-db): a stronger model's
    # codings of sampled statement × position pairs, kept apart from the reviewers' (one row
    # per pair and teacher, with what the teacher read), and a note of each stance model
    # trained from the database with its agreement before and after.
    """
    CREATE TABLE teacher_codings (
        statement_id TEXT NOT NULL,
        position_id TEXT NOT NULL,
        teacher TEXT NOT NULL,
        label TEXT NOT NULL,
        p_support REAL,
        p_oppose REAL,
        p_neutral REAL,
        text TEXT NOT NULL,
        stratum TEXT,
        machine_label TEXT,
        pack TEXT,
        coded_at TEXT NOT NULL,
        PRIMARY KEY (statement_id, position_id, teacher)
    );
    CREATE INDEX teacher_codings_position ON teacher_codings(position_id);
    CREATE TABLE stance_models (
        id INTEGER PRIMARY KEY,
        trained_at TEXT NOT NULL,
        pack TEXT,
        model_dir TEXT NOT NULL,
        name TEXT NOT NULL,
        previous TEXT,
        heldout TEXT,
        metrics TEXT,
        reviewed TEXT
    );
    """,
    # Hardening: every login attempt (failures are the audit trail, and the source of the
    # per-account and per-address back-off), single-use login-form nonces, and a run's
    # status and owner so that the next run can close a killed one with its true counts.
    """
    CREATE TABLE login_attempts (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        name TEXT NOT NULL,
        client TEXT NOT NULL,
        ok INTEGER NOT NULL,
        reason TEXT
    );
    CREATE INDEX login_attempts_name ON login_attempts(name, id);
    CREATE INDEX login_attempts_client ON login_attempts(client, id);
    CREATE TABLE login_nonces (
        digest TEXT PRIMARY KEY,
        expires_at TEXT NOT NULL
    );
    ALTER TABLE runs ADD COLUMN status TEXT;
    ALTER TABLE runs ADD COLUMN host TEXT;
    ALTER TABLE runs ADD COLUMN pid INTEGER;
    UPDATE runs SET status = 'finished' WHERE finished_at IS NOT NULL
    """,
    # Acts that are not speech (votes, decisions, aid pauses) from the pack's actions.yaml,
    # each coded on one position and side with its source; saved with the pack. They count
    # as evidence beside statements (stancewatch.store.results.action_rows). Acts found in
    # news text are statements of kind 'act' instead, with offsets.
    """
    CREATE TABLE actions (
        id TEXT PRIMARY KEY,
        actor TEXT NOT NULL,
        date TEXT NOT NULL,
        kind TEXT NOT NULL,
        position_id TEXT NOT NULL,
        side TEXT NOT NULL,
        description TEXT NOT NULL,
        source TEXT,
        url TEXT,
        notes TEXT,
        origin TEXT NOT NULL,
        pack TEXT
    );
    CREATE INDEX actions_actor ON actions(actor);
    """,
    # One coder's codings of one kind, in item order: the review queue ("not coded by me
    # yet") and the progress table read only these instead of every coding of the kind.
    """
    CREATE INDEX review_codings_coder ON review_codings(coder, item_kind, item_id);
    """,
    # An actor's birth date from the pack (settles "the 78-year-old" at a document's date).
    """
    ALTER TABLE actors ADD COLUMN born TEXT;
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)


def split_sql(script: str) -> list[str]:
    """Split a migration into statements (no semicolons inside our DDL strings)."""
    return [s.strip() for s in script.split(";") if s.strip()]
