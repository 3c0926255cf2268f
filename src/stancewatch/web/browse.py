"""Read-only queries behind the browse pages and their JSON twins.

Documents are filtered by free text, actor, position, outlet, published date and verdict
(actor and verdict as reviewed: the final values of :mod:`stancewatch.store.results`);
a document comes back with its statements, their stances, its claims and their verdicts, and
its text cut into segments so that a template can highlight statements by their offsets
(the template escapes every segment: article text is never trusted as HTML).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from stancewatch.errors import NotFoundError
from stancewatch.records import VERDICT_LABELS
from stancewatch.report.formatting import safe_url
from stancewatch.store import results
from stancewatch.store.database import Store


@dataclass(frozen=True)
class Filters:
    q: str | None = None
    actor: str | None = None
    position: str | None = None
    outlet: str | None = None
    verdict: str | None = None
    since: date | None = None
    until: date | None = None

    def as_dict(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.__dict__.items() if v not in (None, "")}


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def documents(
    store: Store, filters: Filters, *, limit: int = 50, offset: int = 0
) -> tuple[list[dict[str, Any]], int]:
    """Documents matching ``filters`` (newest first) and how many match in all."""
    where, params = ["1 = 1"], []
    if filters.q:
        where.append(
            "(d.text LIKE ? ESCAPE '\\' OR d.title LIKE ? ESCAPE '\\' OR d.id IN "
            f"(SELECT s.document_id FROM {results.STATEMENTS} s LEFT JOIN actors a ON a.id = s.actor "
            "WHERE a.name LIKE ? ESCAPE '\\' OR s.speaker LIKE ? ESCAPE '\\'))"
        )
        params += [_like(filters.q)] * 4
    if filters.actor:
        where.append(f"d.id IN (SELECT document_id FROM {results.STATEMENTS} WHERE actor = ?)")
        params.append(filters.actor)
    if filters.position:
        where.append(
            "d.id IN (SELECT s.document_id FROM stances st JOIN statements s "
            "ON s.id = st.statement_id WHERE st.position_id = ?)"
        )
        params.append(filters.position)
    if filters.outlet:
        where.append("d.outlet = ?")
        params.append(filters.outlet)
    if filters.verdict:
        where.append(
            f"d.id IN (SELECT c.document_id FROM claims c JOIN {results.VERDICTS} v "
            "ON v.claim_id = c.id WHERE v.label = ?)"
        )
        params.append(filters.verdict)
    if filters.since:
        where.append("d.published >= ?")
        params.append(filters.since.isoformat())
    if filters.until:
        where.append("d.published <= ?")
        params.append(filters.until.isoformat())
    clause = " AND ".join(where)
    total = store.query(f"SELECT count(*) AS n FROM documents d WHERE {clause}", params)[0]["n"]
    rows = store.query(
        "SELECT d.id, d.name, d.title, d.outlet, d.url, d.published, "
        "(SELECT count(*) FROM statements s WHERE s.document_id = d.id) AS statements, "
        "(SELECT count(*) FROM claims c WHERE c.document_id = d.id) AS claims "
        f"FROM documents d WHERE {clause} ORDER BY d.published DESC, d.rowid LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    for row in rows:
        row["url"] = safe_url(row["url"])
    return rows, int(total)


def filter_options(store: Store) -> dict[str, list[Any]]:
    """The values each filter can take, for the filter form and ``/api/filters``."""
    return {
        "actors": store.query(
            "SELECT a.id, a.name FROM actors a WHERE a.id IN "
            f"(SELECT actor FROM {results.STATEMENTS}) ORDER BY a.name"
        ),
        "positions": store.query("SELECT id, topic, proposition FROM positions ORDER BY id"),
        "outlets": [
            r["outlet"]
            for r in store.query(
                "SELECT DISTINCT outlet FROM documents WHERE outlet IS NOT NULL ORDER BY outlet"
            )
        ],
        "verdicts": list(VERDICT_LABELS),
    }


def document(store: Store, document_id: str) -> dict[str, Any]:
    """A document with statements, stances, claims, verdicts and highlight segments."""
    rows = store.query("SELECT * FROM documents WHERE id = ?", [document_id])
    if not rows:
        raise NotFoundError(f"No document with id {document_id!r}")
    doc = rows[0]
    doc.pop("metadata", None)
    doc["url"] = safe_url(doc["url"])
    # The machine's codings, each with its final label when an adjudicator gave one.
    statements = store.query(
        "SELECT s.id, s.document_id, s.kind, s.content, s.content_start, s.content_end, "
        "s.speaker, s.speaker_start, s.speaker_end, s.cue, s.cue_start, s.cue_end, "
        "s.machine_actor AS actor, s.date, s.confidence, s.method, a.name AS actor_name, "
        f"s.adjudicated_actor FROM {results.STATEMENTS} s "
        "LEFT JOIN actors a ON a.id = s.machine_actor WHERE s.document_id = ? "
        "ORDER BY s.content_start",
        [document_id],
    )
    stances: dict[str, list[dict[str, Any]]] = {}
    for row in store.query(
        "SELECT st.statement_id, st.position_id, p.proposition, st.machine_label AS label, "
        f"st.score, st.coder, st.adjudicated_label AS final FROM {results.STANCES} st "
        "JOIN statements s ON s.id = st.statement_id "
        "LEFT JOIN positions p ON p.id = st.position_id WHERE s.document_id = ? "
        "ORDER BY st.score DESC",
        [document_id],
    ):
        stances.setdefault(row["statement_id"], []).append(row)
    for statement in statements:
        statement["stances"] = stances.get(statement["id"], [])
        statement["final_actor"] = statement.pop("adjudicated_actor")
    claims = store.query(
        'SELECT c.id, c.statement_id, c.text, c.start, c."end", c.value, c.unit, c.measure, '
        "v.label AS verdict, v.explanation, f.source AS fact_source, f.url AS fact_url, "
        "adj.value AS final FROM claims c LEFT JOIN verdicts v ON v.claim_id = c.id "
        f"LEFT JOIN facts f ON f.id = v.fact_id LEFT JOIN {results.latest_adjudications('verdict')} "
        "adj ON adj.item_id = c.id WHERE c.document_id = ? ORDER BY c.start",
        [document_id],
    )
    for claim in claims:
        claim["fact_url"] = safe_url(claim["fact_url"])
    doc["statements"] = statements
    doc["claims"] = claims
    doc["segments"] = segments(doc["text"], statements, claims)
    return doc


def segments(
    text: str, statements: list[dict[str, Any]], claims: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Cut ``text`` at every span boundary; each piece lists the spans that cover it.

    Spans: statement content (``quote``), speaker (``speaker``) and claims (``claim``).
    Spans outside the text are ignored, so bad offsets never break the page.
    """
    spans: list[tuple[int, int, str, str]] = []
    for s in statements:
        spans.append((s["content_start"], s["content_end"], "quote", s["id"]))
        if s.get("speaker_start") is not None and s.get("speaker_end") is not None:
            spans.append((s["speaker_start"], s["speaker_end"], "speaker", s["id"]))
    for c in claims:
        spans.append((c["start"], c["end"], "claim", c["id"]))
    spans = [sp for sp in spans if 0 <= sp[0] < sp[1] <= len(text)]
    cuts = sorted({0, len(text), *(sp[0] for sp in spans), *(sp[1] for sp in spans)})
    pieces = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        covering = [sp for sp in spans if sp[0] <= start and end <= sp[1]]
        quote = next((sp[3] for sp in covering if sp[2] == "quote"), None)
        speaker = next((sp[3] for sp in covering if sp[2] == "speaker"), None)
        pieces.append(
            {
                "text": text[start:end],
                "classes": sorted({sp[2] for sp in covering}),
                "statement": quote or speaker,
            }
        )
    return pieces
