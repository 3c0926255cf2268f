"""The read model: stored results as their readers see them, after review.

Reviewers correct the machine's codings in the review app (:mod:`stancewatch.web.review`):
a statement's speaker, a stance label, a claim's verdict. Each correction is a row of the
``adjudications`` table, and the final value of a coding is decided here, and only here:

- the latest adjudication of an item (the highest ``adjudications.id`` for its kind and item
  id) is its final value; an item nobody adjudicated keeps the machine's value;
- a speaker adjudicated ``unknown`` leaves the statement without an actor, and the claims in
  it without a claimant.

Item ids: a statement id for ``speaker``, ``"<statement id>:<position id>"`` for ``stance``,
a claim id for ``verdict``.

:data:`STATEMENTS`, :data:`STANCES`, :data:`CLAIMS` and :data:`VERDICTS` are the final tables
as SQL subqueries to select from (``FROM {STATEMENTS} s``). Each has the stored table's
columns with the final value under the usual name (``actor``, ``label``, ``claimant``), the
machine's beside it (``machine_actor``, ``machine_label``, ``machine_claimant``), where the
final one came from (``actor_source``, ``label_source``: ``machine`` or ``adjudicated``) and
the adjudicated value as decided (``adjudicated_actor``, ``adjudicated_label``; null without
one; a speaker's may be ``unknown``). :class:`~stancewatch.api.Project`, the review app, the
report (through Project) and the exports read through them.

The row functions below are the queries behind Project's reading methods;
:func:`stored_claims` reads claims back as records for the consistency checks.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from stancewatch.records import ACTION_PREFIX, BankClaim, Claim, Fact, as_date
from stancewatch.store.database import Store

__all__ = [
    "ACTION_PREFIX",
    "ADJUDICATED",
    "ADJUDICATED_KINDS",
    "CLAIMS",
    "MACHINE",
    "STANCES",
    "STATEMENTS",
    "UNKNOWN_SPEAKER",
    "VERDICTS",
    "action_rows",
    "adjudicated_values",
    "bank_claims",
    "check_worthy_rows",
    "claim_rows",
    "document_rows",
    "holders",
    "latest_adjudication",
    "latest_adjudications",
    "narrative_match_rows",
    "pack_rows",
    "stance_rows",
    "statement_rows",
    "stored_claims",
    "unattributed_statement_rows",
    "unmatched_statement_rows",
]

ADJUDICATED_KINDS = ("speaker", "stance", "verdict")
MACHINE, ADJUDICATED = "machine", "adjudicated"  # the values of the *_source columns
UNKNOWN_SPEAKER = "unknown"  # a speaker adjudicated so: the statement has no actor


# -- the rule -------------------------------------------------------------------------------
def latest_adjudications(kind: str) -> str:
    """The latest adjudication of each item of ``kind``, as an SQL table ``(item_id, value)``."""
    if kind not in ADJUDICATED_KINDS:
        raise ValueError(f"Unknown kind {kind!r}; choose one of {', '.join(ADJUDICATED_KINDS)}")
    return (
        "(SELECT item_id, value FROM adjudications WHERE id IN "
        f"(SELECT max(id) FROM adjudications WHERE item_kind = '{kind}' GROUP BY item_id))"
    )


def _final(machine: str, adjudicated: str) -> str:
    return f"COALESCE({adjudicated}, {machine})"


def _final_speaker(machine: str, adjudicated: str) -> str:
    return (
        f"(CASE WHEN {adjudicated} IS NULL THEN {machine} "
        f"WHEN {adjudicated} = '{UNKNOWN_SPEAKER}' THEN NULL ELSE {adjudicated} END)"
    )


def _source(adjudicated: str) -> str:
    return f"(CASE WHEN {adjudicated} IS NULL THEN '{MACHINE}' ELSE '{ADJUDICATED}' END)"


def latest_adjudication(store: Store, kind: str, item_id: str) -> str | None:
    """The final label an adjudicator gave one item, or None."""
    rows = store.query(
        f"SELECT value FROM {latest_adjudications(kind)} WHERE item_id = ?", [item_id]
    )
    return rows[0]["value"] if rows else None


def adjudicated_values(store: Store, kind: str) -> dict[str, str]:
    """Item id → the final label an adjudicator gave it, for every adjudicated item of ``kind``."""
    rows = store.query(f"SELECT item_id, value FROM {latest_adjudications(kind)} ORDER BY item_id")
    return {row["item_id"]: row["value"] for row in rows}


# -- the final tables -----------------------------------------------------------------------
STATEMENTS = (
    "(SELECT s.id, s.document_id, s.kind, s.content, s.content_start, s.content_end, "
    "s.speaker, s.speaker_start, s.speaker_end, s.cue, s.cue_start, s.cue_end, "
    f"{_final_speaker('s.actor', 'sp.value')} AS actor, s.actor AS machine_actor, "
    f"{_source('sp.value')} AS actor_source, sp.value AS adjudicated_actor, "
    "s.date, s.confidence, s.method FROM statements s "
    f"LEFT JOIN {latest_adjudications('speaker')} sp ON sp.item_id = s.id)"
)
STANCES = (
    "(SELECT st.statement_id, st.position_id, "
    f"{_final('st.label', 'adj.value')} AS label, st.label AS machine_label, "
    f"{_source('adj.value')} AS label_source, adj.value AS adjudicated_label, "
    "st.score, st.similarity, st.method, st.coder, st.coded_at FROM stances st "
    f"LEFT JOIN {latest_adjudications('stance')} adj "
    "ON adj.item_id = st.statement_id || ':' || st.position_id)"
)
CLAIMS = (
    '(SELECT c.id, c.document_id, c.statement_id, c.text, c.start, c."end", c.value, '
    "c.value_high, c.unit, c.currency, c.scale, c.approximation, c.measure, c.subject, "
    f"c.period, {_final_speaker('c.claimant', 'sp.value')} AS claimant, "
    "c.claimant AS machine_claimant, c.context FROM claims c "
    f"LEFT JOIN {latest_adjudications('speaker')} sp ON sp.item_id = c.statement_id)"
)
VERDICTS = (
    "(SELECT v.claim_id, "
    f"{_final('v.label', 'adj.value')} AS label, v.label AS machine_label, "
    f"{_source('adj.value')} AS label_source, adj.value AS adjudicated_label, "
    "v.fact_id, v.ratio, v.match_score, v.explanation, v.method, v.checked_at FROM verdicts v "
    f"LEFT JOIN {latest_adjudications('verdict')} adj ON adj.item_id = v.claim_id)"
)


# -- Project's reading queries --------------------------------------------------------------
# The pack's tables as stored with the analysis: their order, and their JSON list columns.
_PACK_TABLES = {
    "actors": ("id", ("aliases", "roles")),
    "positions": ("topic, id", ("holders", "supports", "opposes")),
    "facts": ("measure, period_start", ()),
}


def document_rows(store: Store) -> list[dict[str, Any]]:
    """Documents without their text (its length instead), by publication date."""
    return store.query(
        "SELECT id, name, title, outlet, url, published, language, length(text) AS characters "
        "FROM documents ORDER BY published, rowid"
    )


def pack_rows(store: Store, table: str) -> list[dict[str, Any]]:
    """Every row of a pack table (``actors``, ``positions``, ``facts``), JSON lists decoded."""
    order, lists = _PACK_TABLES[table]
    rows = store.query(f"SELECT * FROM {table} ORDER BY {order}")
    for row in rows:
        for column in lists:
            row[column] = json.loads(row[column] or "[]")
    return rows


def holders(store: Store) -> dict[str, list[str]]:
    """Position id → actor ids that advanced it, as stored with the analysis."""
    return {
        row["id"]: json.loads(row["holders"] or "[]")
        for row in store.query("SELECT id, holders FROM positions")
    }


def statement_rows(store: Store, actor: str | None = None) -> list[dict[str, Any]]:
    """Statements with their final actor and their document, by date (``actor``: only those
    whose final actor it is)."""
    sql = (
        "SELECT s.id, s.document_id, s.kind, s.content, s.content_start, s.content_end, "
        "s.speaker, s.speaker_start, s.speaker_end, s.cue, s.cue_start, s.cue_end, s.actor, "
        "s.machine_actor, s.actor_source, s.date, s.confidence, s.method, "
        "a.name AS actor_name, d.title AS document_title, d.name AS document, "
        f"d.url AS document_url, d.outlet FROM {STATEMENTS} s "
        "JOIN documents d ON d.id = s.document_id LEFT JOIN actors a ON a.id = s.actor"
    )
    params: list[Any] = []
    if actor is not None:
        sql += " WHERE s.actor = ?"
        params.append(actor)
    return store.query(sql + " ORDER BY s.date, s.document_id, s.content_start", params)


def action_rows(store: Store) -> list[dict[str, Any]]:
    """The stored acts (votes, decisions, aid pauses from the pack), by date, with the actor's
    name and ``evidence_id`` (``act-<id>``), the id they carry among statements."""
    return store.query(
        f"SELECT '{ACTION_PREFIX}' || a.id AS evidence_id, a.id, a.actor, ac.name AS actor_name, "
        "a.date, a.kind, a.position_id, p.proposition, a.side, a.description, a.source, a.url, "
        "a.notes, a.origin, a.pack FROM actions a LEFT JOIN actors ac ON ac.id = a.actor "
        "LEFT JOIN positions p ON p.id = a.position_id ORDER BY a.date, a.id"
    )


def action_stance_rows(store: Store) -> list[dict[str, Any]]:
    """The stored acts as rows of the stance table: one coding each, ``kind`` ``act``, the
    act's description as ``content``, its source as the document."""
    return [
        {
            "statement_id": row["evidence_id"],
            "position_id": row["position_id"],
            "topic": None,
            "proposition": row["proposition"],
            "label": row["side"],
            "machine_label": row["side"],
            "label_source": "pack",
            "score": None,
            "similarity": None,
            "method": f"pack.actions.{row['kind']}",
            "coder": "pack",
            "actor": row["actor"],
            "actor_name": row["actor_name"],
            "speaker": row["actor_name"] or row["actor"],
            "kind": "act",
            "content": row["description"],
            "date": row["date"],
            "document_id": None,
            "content_start": None,
            "content_end": None,
            "document_title": row["source"],
            "document_url": row["url"],
        }
        for row in action_rows(store)
    ]


def stance_rows(store: Store, *, include_neutral: bool = True) -> list[dict[str, Any]]:
    """Stances with their final label, the statement's final actor and its evidence."""
    sql = (
        "SELECT st.statement_id, st.position_id, p.topic, p.proposition, st.label, "
        "st.machine_label, st.label_source, st.score, st.similarity, st.method, st.coder, "
        "s.actor, a.name AS actor_name, s.speaker, s.kind, s.content, s.date, s.document_id, "
        "s.content_start, s.content_end, d.title AS document_title, d.url AS document_url "
        f"FROM {STANCES} st JOIN {STATEMENTS} s ON s.id = st.statement_id "
        "JOIN documents d ON d.id = s.document_id "
        "LEFT JOIN positions p ON p.id = st.position_id LEFT JOIN actors a ON a.id = s.actor"
    )
    if not include_neutral:
        sql += " WHERE st.label != 'neutral'"
    return store.query(sql + " ORDER BY s.date, st.position_id")


def claim_rows(store: Store) -> list[dict[str, Any]]:
    """Claims with their final claimant and verdict and the fact each was checked against.

    The verdict item is the claim: its adjudication is joined on the claim id (not through
    :data:`VERDICTS`), so a claim whose machine verdict is gone keeps its adjudicated one.
    """
    return store.query(
        "SELECT c.id AS claim_id, c.statement_id, c.text AS claim, c.value, c.value_high, "
        "c.unit, c.currency, c.approximation, c.measure, c.subject, c.claimant, "
        'a.name AS claimant_name, c.context, c.document_id, c.start, c."end", s.date, '
        "d.title AS document_title, d.url AS document_url, "
        f"{_final('v.label', 'adj.value')} AS verdict, v.label AS machine_verdict, "
        f"{_source('adj.value')} AS verdict_source, v.ratio, v.explanation, v.fact_id, "
        "f.value AS fact_value, f.value_high AS fact_value_high, f.unit AS fact_unit, "
        "f.currency AS fact_currency, f.period AS fact_period, f.source AS fact_source, "
        f"f.url AS fact_url FROM {CLAIMS} c JOIN documents d ON d.id = c.document_id "
        "LEFT JOIN statements s ON s.id = c.statement_id LEFT JOIN actors a ON a.id = c.claimant "
        f"LEFT JOIN verdicts v ON v.claim_id = c.id LEFT JOIN {latest_adjudications('verdict')} "
        "adj ON adj.item_id = c.id LEFT JOIN facts f ON f.id = v.fact_id "
        "ORDER BY s.date, c.document_id, c.start"
    )


def unmatched_statement_rows(store: Store) -> list[dict[str, Any]]:
    """Statements by known actors that support or oppose no position (final values)."""
    return store.query(
        f"SELECT s.id, s.actor, s.date, s.content FROM {STATEMENTS} s "
        f"WHERE s.actor IS NOT NULL AND s.id NOT IN (SELECT statement_id FROM {STANCES} "
        "WHERE label IN ('support', 'oppose')) ORDER BY s.date, s.id"
    )


def unattributed_statement_rows(store: Store) -> list[dict[str, Any]]:
    """Speaker, actor and document (name, else id) of statements linked to no actor (after
    review), for finding actors the pack lacks."""
    return store.query(
        f"SELECT s.speaker, s.actor, coalesce(d.name, d.id) AS document FROM {STATEMENTS} s "
        "JOIN documents d ON d.id = s.document_id WHERE s.actor IS NULL"
    )


def check_worthy_rows(store: Store) -> list[dict[str, Any]]:
    """Every statement with its evidence (and final actor), for ranking by check-worthiness."""
    return store.query(
        "SELECT s.id AS statement_id, s.actor, s.speaker, s.content, s.date, s.document_id, "
        "s.content_start, s.content_end, d.title AS document_title, d.url AS document_url "
        f"FROM {STATEMENTS} s JOIN documents d ON d.id = s.document_id "
        "ORDER BY s.date, s.document_id, s.content_start"
    )


def narrative_match_rows(
    store: Store, *, relation: str | None = "repeats", kind: str | None = None
) -> list[dict[str, Any]]:
    """Statements matched to a known narrative or bank claim, with the evidence and the
    narrative's debunks (JSON text), by date and best score first; ``actor`` is final."""
    sql = (
        "SELECT m.statement_id, m.kind, m.target_id, m.label, "
        "COALESCE(n.title, m.label) AS narrative_title, m.matched_text, m.relation, m.score, "
        "m.similarity, m.method, m.url AS debunk_url, n.debunks, b.verdict, s.actor, "
        "a.name AS actor_name, s.speaker, s.content, s.date, s.document_id, "
        "s.content_start, s.content_end, d.title AS document_title, d.url AS document_url "
        f"FROM narrative_matches m JOIN {STATEMENTS} s ON s.id = m.statement_id "
        "JOIN documents d ON d.id = s.document_id LEFT JOIN actors a ON a.id = s.actor "
        "LEFT JOIN narratives n ON m.kind = 'narrative' AND n.id = m.target_id "
        "LEFT JOIN bank_claims b ON m.kind = 'bank' AND b.id = m.target_id"
    )
    where, params = [], []
    if relation is not None:
        where.append("m.relation = ?")
        params.append(relation)
    if kind is not None:
        where.append("m.kind = ?")
        params.append(kind)
    if where:
        sql += " WHERE " + " AND ".join(where)
    return store.query(sql + " ORDER BY s.date, s.document_id, m.score DESC", params)


def bank_claims(store: Store) -> tuple[BankClaim, ...]:
    """The stored claim-bank claims, by bank and in the order they were imported."""
    return tuple(
        BankClaim(
            id=row["id"],
            text=row["text"],
            label=row["label"],
            verdict=row["verdict"],
            url=row["url"],
            date=as_date(row["date"]),
            bank=row["bank"],
        )
        for row in store.query("SELECT * FROM bank_claims ORDER BY bank, rowid")
    )


# -- claims as records ----------------------------------------------------------------------
_CLAIM_FIELDS = ("id", "document_id", "statement_id", "text", "start", "end", "value", "unit",
                 "value_high", "currency", "scale", "approximation", "measure", "subject",
                 "period", "claimant", "context")  # fmt: skip


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def stored_claims(store: Store) -> tuple[list[Claim], dict[str, date], dict[str, Fact]]:
    """(claims, claim id → date said (else the document's date), claim id → fact used)."""
    rows = store.query(
        "SELECT c.*, coalesce(s.date, d.published) AS said, v.fact_id, f.measure AS f_measure, "
        "f.subject AS f_subject, f.value AS f_value, f.value_high AS f_value_high, "
        "f.unit AS f_unit, f.currency AS f_currency, f.period AS f_period, "
        "f.period_start AS f_period_start, f.period_end AS f_period_end, f.source AS f_source, "
        "f.url AS f_url, f.retrieved AS f_retrieved FROM claims c "
        "JOIN documents d ON d.id = c.document_id "
        "LEFT JOIN statements s ON s.id = c.statement_id "
        "LEFT JOIN verdicts v ON v.claim_id = c.id LEFT JOIN facts f ON f.id = v.fact_id "
        "ORDER BY c.document_id, c.start"
    )
    claims: dict[str, Claim] = {}
    dates: dict[str, date] = {}
    facts: dict[str, Fact] = {}
    for row in rows:
        fields = {k: row.get(k) for k in _CLAIM_FIELDS}
        fields["scale"] = fields["scale"] if fields["scale"] is not None else 1.0
        fields["approximation"] = fields["approximation"] or "exact"
        fields["measure"] = fields["measure"] or ""
        fields["context"] = fields["context"] or ""
        claim = Claim(**fields)  # type: ignore[arg-type]  # columns mirror the record
        claims.setdefault(claim.id, claim)
        said = _date(row.get("said"))
        if said is not None:
            dates[claim.id] = said
        if row.get("fact_id") and row.get("f_unit"):
            facts[claim.id] = Fact(
                id=row["fact_id"],
                measure=row["f_measure"] or "",
                subject=row["f_subject"] or "",
                value=float(row["f_value"]),
                value_high=row["f_value_high"],
                unit=row["f_unit"],
                currency=row["f_currency"],
                period=row["f_period"] or "",
                period_start=_date(row["f_period_start"]),
                period_end=_date(row["f_period_end"]),
                source=row["f_source"] or "",
                url=row["f_url"] or "",
                retrieved=_date(row["f_retrieved"]) or date.min,
            )
    return list(claims.values()), dates, facts
