"""The review queue: human codings of speakers, stances and verdicts, adjudication, agreement.

Three variables are reviewed; each item is one unit of reliability data:

- ``speaker``: a statement's actor (an actor id, or ``unknown``), item id = statement id;
- ``stance``: a statement × position label, item id = ``"<statement id>:<position id>"``;
- ``verdict``: a claim's verdict, item id = claim id.

The machine's coding stays in its own table; every human coding is appended to
``review_codings`` with who and when, and the machine's value at that moment, never
overwritten (a coder's latest coding of an item is the one that counts). Adjudications go
to ``adjudications``; which one is an item's final label is decided by the read model,
:mod:`stancewatch.store.results` (the latest).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any, Literal

from stancewatch.analytics.reliability import STANCE_ORDER, reliability
from stancewatch.errors import InputError, NotFoundError
from stancewatch.records import STANCE_LABELS, VERDICT_LABELS
from stancewatch.store import results
from stancewatch.store.database import Store

Kind = Literal["stance", "speaker", "verdict"]
KINDS: tuple[Kind, ...] = ("stance", "speaker", "verdict")
UNKNOWN = results.UNKNOWN_SPEAKER
COMPARISONS = ("coders", "machine_vs_coders", "machine_vs_adjudicated")

# One row per machine-coded item: item_id, machine value, confidence and the statement shown.
_MACHINE_SQL: dict[str, str] = {
    "stance": (
        "SELECT st.statement_id || ':' || st.position_id AS item_id, st.label AS machine, "
        "st.score AS confidence, st.statement_id, st.position_id FROM stances st "
        "WHERE st.coder = 'machine'"
    ),
    "speaker": (
        f"SELECT s.id AS item_id, COALESCE(s.actor, '{UNKNOWN}') AS machine, s.confidence, "
        "s.id AS statement_id, NULL AS position_id FROM statements s"
    ),
    "verdict": (
        "SELECT v.claim_id AS item_id, v.label AS machine, v.match_score AS confidence, "
        "c.statement_id, NULL AS position_id FROM verdicts v JOIN claims c ON c.id = v.claim_id "
        "WHERE v.rowid = (SELECT v2.rowid FROM verdicts v2 WHERE v2.claim_id = v.claim_id "
        "ORDER BY v2.checked_at DESC, v2.rowid DESC LIMIT 1)"
    ),
}


class ReviewError(InputError):
    """A review request names an unknown kind, item or value; the message lists what is valid."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def check_kind(kind: str) -> Kind:
    if kind not in KINDS:
        raise ReviewError(f"Unknown kind {kind!r}; choose one of {', '.join(KINDS)}")
    return kind  # type: ignore[return-value]


def choices(store: Store, kind: str) -> list[str]:
    """The values a coder may give an item of ``kind``."""
    kind = check_kind(kind)
    if kind == "stance":
        return list(STANCE_LABELS)
    if kind == "verdict":
        return list(VERDICT_LABELS)
    return [r["id"] for r in store.query("SELECT id FROM actors ORDER BY id")] + [UNKNOWN]


def queue(
    store: Store, coder: str, kind: str, *, limit: int = 20, offset: int = 0
) -> list[dict[str, Any]]:
    """Items of ``kind`` ``coder`` has not coded yet, lowest machine confidence first."""
    kind = check_kind(kind)
    return store.query(
        f"SELECT * FROM ({_MACHINE_SQL[kind]}) WHERE item_id NOT IN "
        "(SELECT item_id FROM review_codings WHERE item_kind = ? AND coder = ?) "
        "ORDER BY confidence IS NOT NULL, confidence, item_id LIMIT ? OFFSET ?",
        [kind, coder, limit, offset],
    )


def remaining(store: Store, coder: str, kind: str) -> int:
    kind = check_kind(kind)
    rows = store.query(
        f"SELECT count(*) AS n FROM ({_MACHINE_SQL[kind]}) WHERE item_id NOT IN "
        "(SELECT item_id FROM review_codings WHERE item_kind = ? AND coder = ?)",
        [kind, coder],
    )
    return int(rows[0]["n"])


def item(store: Store, kind: str, item_id: str) -> dict[str, Any]:
    """One item with its evidence, the machine's coding, every human coding and the final label."""
    kind = check_kind(kind)
    rows = store.query(f"SELECT * FROM ({_MACHINE_SQL[kind]}) WHERE item_id = ?", [item_id])
    if not rows:
        raise NotFoundError(f"No {kind} item {item_id!r} (it may have been removed by re-analysis)")
    found = dict(rows[0])
    found["kind"] = kind
    statement = store.query(
        "SELECT s.*, a.name AS actor_name, d.title AS document_title, d.outlet, d.url, "
        "d.published FROM statements s JOIN documents d ON d.id = s.document_id "
        "LEFT JOIN actors a ON a.id = s.actor WHERE s.id = ?",
        [found["statement_id"]],
    )
    found["statement"] = statement[0] if statement else None
    if found["statement"]:
        text = store.query(
            "SELECT text FROM documents WHERE id = ?", [found["statement"]["document_id"]]
        )[0]["text"]
        start, end = found["statement"]["content_start"], found["statement"]["content_end"]
        found["context_before"] = text[max(0, start - 300) : start]
        found["context_after"] = text[end : end + 200]
    if kind == "stance":
        position = store.query(
            "SELECT id, topic, proposition FROM positions WHERE id = ?", [found["position_id"]]
        )
        found["position"] = position[0] if position else {"id": found["position_id"]}
    if kind == "verdict":
        found["claim"] = store.query(
            "SELECT c.*, v.explanation, v.ratio, f.value AS fact_value, f.unit AS fact_unit, "
            "f.source AS fact_source, f.url AS fact_url FROM claims c "
            "LEFT JOIN verdicts v ON v.claim_id = c.id LEFT JOIN facts f ON f.id = v.fact_id "
            "WHERE c.id = ? LIMIT 1",
            [item_id],
        )[0]
    found["codings"] = store.query(
        "SELECT value, machine_value, coder, coded_at FROM review_codings "
        "WHERE item_kind = ? AND item_id = ? ORDER BY id",
        [kind, item_id],
    )
    found["adjudications"] = store.query(
        "SELECT value, coder, decided_at FROM adjudications "
        "WHERE item_kind = ? AND item_id = ? ORDER BY id",
        [kind, item_id],
    )
    found["final"] = results.latest_adjudication(store, kind, item_id)
    found["choices"] = choices(store, kind)
    return found


def add_coding(store: Store, kind: str, item_id: str, value: str, coder: str) -> dict[str, Any]:
    """Append ``coder``'s coding of an item (the machine's current value is kept beside it).
    The check and the insert are one write transaction."""
    with store.immediate():
        found = _checked(store, kind, item_id, value)
        row = {
            "item_kind": kind,
            "item_id": item_id,
            "value": value,
            "machine_value": found["machine"],
            "coder": coder,
            "coded_at": _now(),
        }
        _insert(store, "review_codings", row)
    return row


def adjudicate(store: Store, kind: str, item_id: str, value: str, coder: str) -> dict[str, Any]:
    """Record the final label of an item (the latest adjudication counts; none is deleted)."""
    with store.immediate():
        _checked(store, kind, item_id, value)
        row = {"item_kind": kind, "item_id": item_id, "value": value, "coder": coder}
        row["decided_at"] = _now()
        _insert(store, "adjudications", row)
    return row


def _insert(store: Store, table: str, row: dict[str, Any]) -> None:
    """One plain INSERT (no schema introspection: this runs once per coding)."""
    columns = ", ".join(row)
    marks = ", ".join("?" * len(row))
    store.db.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(row.values()))


def _checked(store: Store, kind: str, item_id: str, value: str) -> dict[str, Any]:
    kind = check_kind(kind)
    rows = store.query(f"SELECT * FROM ({_MACHINE_SQL[kind]}) WHERE item_id = ?", [item_id])
    if not rows:
        raise NotFoundError(f"No {kind} item {item_id!r}")
    valid = choices(store, kind)
    if value not in valid:
        raise ReviewError(f"{value!r} is not a valid {kind}; choose one of {', '.join(valid)}")
    return rows[0]


def progress(store: Store) -> list[dict[str, Any]]:
    """Codings per coder and kind."""
    return store.query(
        "SELECT coder, item_kind AS kind, count(DISTINCT item_id) AS items, count(*) AS codings "
        "FROM review_codings GROUP BY coder, item_kind ORDER BY coder, item_kind"
    )


def _units(store: Store, kind: Kind) -> list[dict[str, Any]]:
    """Per coded item: group (position), machine value, human values by coder, final label."""
    machine = {r["item_id"]: r for r in store.query(_MACHINE_SQL[kind])}
    humans: dict[str, dict[str, str]] = defaultdict(dict)
    recorded: dict[str, str] = {}
    for row in store.query(
        "SELECT item_id, coder, value, machine_value FROM review_codings "
        "WHERE item_kind = ? ORDER BY id",
        [kind],
    ):
        humans[row["item_id"]][row["coder"]] = row["value"]
        if row["machine_value"] is not None:
            recorded[row["item_id"]] = row["machine_value"]
    final = results.adjudicated_values(store, kind)
    units = []
    for item_id in sorted(set(humans) | set(final)):
        current = machine.get(item_id)
        units.append(
            {
                "group": item_id.split(":", 1)[1] if kind == "stance" else None,
                "machine": current["machine"] if current else recorded.get(item_id),
                "humans": humans.get(item_id, {}),
                "final": final.get(item_id),
            }
        )
    return units


def _comparison_units(units: list[dict[str, Any]], comparison: str) -> list[list[str | None]]:
    if comparison == "coders":
        return [list(u["humans"].values()) for u in units]
    if comparison == "machine_vs_coders":
        return [[u["machine"], *u["humans"].values()] for u in units if u["humans"]]
    return [[u["machine"], u["final"]] for u in units if u["final"] is not None]


def agreement(store: Store, *, resamples: int = 1000, seed: int = 20250212) -> list[dict[str, Any]]:
    """Alpha and percent agreement per variable (and per position for stances), for each
    comparison: between human coders, machine vs coders, machine vs adjudicated labels."""
    rows: list[dict[str, Any]] = []
    for kind in KINDS:
        units = _units(store, kind)
        groups: dict[str | None, list[dict[str, Any]]] = {None: units}
        if kind == "stance":
            for unit in units:
                groups.setdefault(unit["group"], []).append(unit)
        levels = ("nominal", "ordinal") if kind == "stance" else ("nominal",)
        for group, members in groups.items():
            for comparison in COMPARISONS:
                values = _comparison_units(members, comparison)
                for level in levels:
                    result = reliability(
                        values,
                        level,  # type: ignore[arg-type]
                        order=STANCE_ORDER if level == "ordinal" else None,
                        resamples=resamples,
                        seed=seed,
                    )
                    rows.append(
                        {
                            "variable": kind,
                            "position": group,
                            "comparison": comparison,
                            **result.as_dict(),
                        }
                    )
    return rows


def retraining(store: Store) -> dict[str, Any] | None:
    """The gain of the latest stance model trained from this database (``train-stance
    --from-db``): the stored machine codings' agreement with the reviewers when it was
    trained and now (after a re-analysis, the new model's), over every reviewed pair and over
    the pairs held out from its training; None when no model was trained from it."""
    from stancewatch.store.teacher import model_notes, reviewed_agreement

    notes = model_notes(store)
    if not notes:
        return None
    note = notes[0]
    held = [tuple(item.split(":", 1)) for item in note["heldout"] or []]
    before = note["reviewed"] or {}
    now = {
        "all": reviewed_agreement(store),
        "heldout": reviewed_agreement(store, [(s, p) for s, p in held]),
    }
    rows = [
        {"pairs": pairs, "when": when, **found[pairs]}
        for pairs in ("all", "heldout")
        for when, found in (("before", before), ("now", now))
        if pairs in found
    ]
    return {
        "model": note["name"],
        "previous": note["previous"],
        "model_dir": note["model_dir"],
        "trained_at": note["trained_at"],
        "rows": rows,
        "heldout_model": note["metrics"],
        "reanalysed": note["name"] in now["all"]["methods"],
    }
