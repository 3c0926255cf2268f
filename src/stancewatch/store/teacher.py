"""Teacher codings and stance-model notes in the store (``stancewatch label``,
``train-stance --from-db``), and the reviewers' stance labels read as training labels.

A teacher's codings live in their own table, ``teacher_codings``, one row per (statement,
position, teacher) with the label, the three probabilities, what the teacher read and when:
they are never review codings and never count as a coder's or an adjudicator's. The final
value of a coding is still decided only by the read model (:mod:`stancewatch.store.results`).

``stance_models`` keeps a note of each stance model trained from the database: where it was
written, its name, the model before it, the held-out items and the agreement before and
after (the review app's agreement page shows the gain from them).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from stancewatch.records import Statement, as_date
from stancewatch.store.database import Store
from stancewatch.store.results import adjudicated_values

__all__ = [
    "human_stance_labels",
    "machine_codings",
    "machine_labels",
    "model_notes",
    "reviewed_agreement",
    "save_model_note",
    "save_teacher_codings",
    "statement_ids",
    "stored_statements",
    "teacher_coded",
    "teacher_labels",
]

Key = tuple[str, str]  # (statement id, position id)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def save_teacher_codings(store: Store, rows: Iterable[dict[str, Any]]) -> int:
    """Store teacher codings (one transaction); a pair the same teacher coded before is
    replaced, never duplicated. Each row has ``statement_id``, ``position_id``, ``teacher``,
    ``label``, ``p_support``, ``p_oppose``, ``p_neutral``, ``text`` and optionally
    ``stratum``, ``machine_label``, ``pack``; ``coded_at`` is set here."""
    now = _now()
    stamped = [{**row, "coded_at": now} for row in rows]
    with store.db.atomic():
        store.db.table("teacher_codings").upsert_all(
            stamped, pk=("statement_id", "position_id", "teacher")
        )
    return len(stamped)


def teacher_coded(store: Store, teacher: str) -> set[Key]:
    """The pairs ``teacher`` has coded."""
    rows = store.db.execute(
        "SELECT statement_id, position_id FROM teacher_codings WHERE teacher = ?", [teacher]
    )
    return {(s, p) for s, p in rows}


def teacher_labels(store: Store, position_ids: Iterable[str]) -> dict[Key, tuple[str, str]]:
    """``{(statement id, position id): (label, text read)}`` for every pair a teacher coded
    against one of ``position_ids``; where several teachers coded a pair, the latest."""
    wanted = set(position_ids)
    out: dict[Key, tuple[str, str]] = {}
    for row in store.query(
        "SELECT statement_id, position_id, label, text FROM teacher_codings "
        "ORDER BY coded_at, rowid"
    ):
        if row["position_id"] in wanted:
            out[(row["statement_id"], row["position_id"])] = (row["label"], row["text"])
    return out


def machine_codings(store: Store) -> list[tuple[str, str, str]]:
    """The machine's stance codings as ``(statement id, position id, label)``."""
    rows = store.db.execute(
        "SELECT statement_id, position_id, label FROM stances WHERE coder = 'machine' "
        "ORDER BY statement_id, position_id"
    )
    return [(s, p, label) for s, p, label in rows]


def machine_labels(store: Store) -> dict[Key, tuple[str, str]]:
    """``{(statement id, position id): (label, method)}`` of the machine's stance codings."""
    rows = store.db.execute(
        "SELECT statement_id, position_id, label, method FROM stances WHERE coder = 'machine'"
    )
    return {(s, p): (label, method) for s, p, label, method in rows}


def statement_ids(store: Store) -> list[str]:
    return [row[0] for row in store.db.execute("SELECT id FROM statements ORDER BY id")]


def stored_statements(store: Store, ids: Iterable[str]) -> dict[str, list[Statement]]:
    """The stored statements among ``ids`` as records, grouped by document id (statements
    no longer stored are left out)."""
    wanted = sorted(set(ids))
    out: dict[str, list[Statement]] = defaultdict(list)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = store.query(
            f"SELECT * FROM statements WHERE id IN ({','.join('?' * len(chunk))})", chunk
        )
        for row in rows:
            row["date"] = as_date(row["date"])
            row["confidence"] = row["confidence"] or 0.0
            row["method"] = row["method"] or ""
            out[row["document_id"]].append(Statement(**row))
    return dict(out)


def human_stance_labels(store: Store) -> dict[Key, str]:
    """The reviewers' label of each stance item they coded: the latest adjudication where
    there is one, else the label most of the coders gave (each coder's latest coding counts;
    a tie leaves the item out)."""
    latest: dict[str, dict[str, str]] = defaultdict(dict)
    for row in store.query(
        "SELECT item_id, coder, value FROM review_codings WHERE item_kind = 'stance' ORDER BY id"
    ):
        latest[row["item_id"]][row["coder"]] = row["value"]
    labels: dict[str, str] = {}
    for item_id, by_coder in latest.items():
        ranked = Counter(by_coder.values()).most_common()
        if len(ranked) == 1 or ranked[0][1] > ranked[1][1]:
            labels[item_id] = ranked[0][0]
    labels.update(adjudicated_values(store, "stance"))
    out = {}
    for item_id, value in labels.items():
        statement_id, colon, position_id = item_id.partition(":")
        if colon:
            out[(statement_id, position_id)] = value
    return out


def save_model_note(
    store: Store,
    *,
    pack: str,
    model_dir: str,
    name: str,
    previous: str | None,
    heldout: Sequence[str],
    metrics: dict[str, Any],
    reviewed: dict[str, Any],
) -> int:
    """Note a stance model trained from this database; returns the note's id."""
    with store.db.atomic():
        cursor = store.db.execute(
            "INSERT INTO stance_models (trained_at, pack, model_dir, name, previous, heldout, "
            "metrics, reviewed) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                _now(),
                pack,
                model_dir,
                name,
                previous,
                json.dumps(list(heldout)),
                json.dumps(metrics),
                json.dumps(reviewed),
            ],
        )
    return int(cursor.lastrowid or 0)


def model_notes(store: Store) -> list[dict[str, Any]]:
    """The notes of stance models trained from this database, newest first."""
    rows = store.query("SELECT * FROM stance_models ORDER BY id DESC")
    for row in rows:
        for column in ("heldout", "metrics", "reviewed"):
            row[column] = json.loads(row[column] or "null")
    return rows


def reviewed_agreement(store: Store, items: Iterable[Key] | None = None) -> dict[str, Any]:
    """Agreement of the stored machine codings with the reviewers' labels, over the reviewed
    pairs the machine coded (only ``items`` when given): items, accuracy, Cohen's kappa,
    macro-F1, and how many codings each stance method made (``methods``)."""
    from stancewatch.stance.distill import agreement_scores

    human = human_stance_labels(store)
    machine = machine_labels(store)
    keys = sorted(set(human) & set(machine) & (set(items) if items is not None else set(human)))
    scores = agreement_scores([human[k] for k in keys], [machine[k][0] for k in keys])
    return {**scores, "methods": dict(Counter(machine[k][1] for k in keys))}
