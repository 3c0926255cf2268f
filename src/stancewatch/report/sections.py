"""The report's sections, each built from a :class:`~stancewatch.api.Project` into plain
dicts and lists: corpus, positions per actor, the actor × position matrix, default pairs,
numeric claims, known narratives, methods, and the :class:`Evidence` list every number links
to. :mod:`stancewatch.report.build` assembles and renders them."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from stancewatch.analytics import comparison as _comparison
from stancewatch.records import FALSE_VERDICTS
from stancewatch.report.charts import matrix_spec
from stancewatch.report.formatting import (
    anchor,
    format_figure,
    format_ratio,
    safe_url,
    unquote,
)

if TYPE_CHECKING:
    from stancewatch.api import Project

DEFAULT_RIVAL = "putin"

MAX_QUOTES = 5  # quotes shown per actor, position and side; the rest are linked

MAX_DEFAULT_PAIRS = 6  # alignment pairs shown when no focus is given and no US/Putin pairs

US_AFFILIATIONS = frozenset({"united states", "united states of america", "us", "usa"})


def _clean(value: Any) -> Any:
    """NaN, NA and NaT become ``None``; everything else is returned unchanged."""
    if value is None or isinstance(value, list | tuple | dict):
        return value
    try:
        return None if pd.isna(value) else value
    except (TypeError, ValueError):
        return value


def frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: _clean(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def in_window(
    frame: pd.DataFrame, column: str, since: date | None, until: date | None
) -> pd.DataFrame:
    """Rows whose ``column`` date lies in [since, until]; undated rows drop out of a window."""
    if frame.empty or (since is None and until is None):
        return frame
    dates = pd.to_datetime(frame[column], errors="coerce")
    keep = dates.notna()
    if since is not None:
        keep &= dates >= pd.Timestamp(since)
    if until is not None:
        keep &= dates <= pd.Timestamp(until)
    return frame[keep]


# -- evidence -------------------------------------------------------------------------------


class Evidence:
    """The statements the report cites; ``cited()`` numbers them E1, E2, ... by date."""

    def __init__(self, statements: pd.DataFrame, actions: pd.DataFrame | None = None) -> None:
        self._rows = (
            {row["id"]: row for row in frame_records(statements)} if not statements.empty else {}
        )
        self._acts = (
            {row["evidence_id"]: row for row in frame_records(actions)}
            if actions is not None and not actions.empty
            else {}
        )
        self._cited: dict[str, dict[str, Any]] = {}

    def _act(self, evidence_id: str) -> dict[str, Any] | None:
        """The evidence entry of a pack act (a vote, a decision): no quote, no offsets."""
        row = self._acts.get(evidence_id)
        if row is None:
            return None
        return {
            "id": evidence_id,
            "anchor": anchor(evidence_id),
            "label": "",
            "content": row.get("description") or "",
            "quote": row.get("description") or "",
            "speaker": row.get("actor_name") or row.get("actor"),
            "actor": row.get("actor"),
            "actor_name": row.get("actor_name"),
            "kind": "act",
            "act_kind": row.get("kind"),
            "act_notes": row.get("notes"),
            "date": row.get("date"),
            "title": row.get("source"),
            "url": safe_url(row.get("url")),
            "raw_url": row.get("url"),
            "outlet": None,
            "document_id": None,
            "start": None,
            "end": None,
            "confidence": None,
            "method": f"pack actions ({row.get('pack') or 'pack'})",
        }

    def ref(self, statement_id: str) -> dict[str, Any] | None:
        """Cite one statement or act: its evidence entry, or None when it is not stored."""
        if statement_id in self._cited:
            return self._cited[statement_id]
        row = self._rows.get(statement_id)
        if row is None:
            act = self._act(statement_id)
            if act is not None:
                self._cited[statement_id] = act
            return act
        entry = {
            "id": statement_id,
            "anchor": anchor(statement_id),
            "label": "",  # numbered by cited(), once every citation is known
            "content": row.get("content") or "",
            "quote": unquote(row.get("content") or ""),
            "speaker": row.get("speaker"),
            "actor": row.get("actor"),
            "actor_name": row.get("actor_name"),
            "kind": row.get("kind"),
            "act_kind": None,
            "act_notes": None,
            "date": row.get("date"),
            "title": row.get("document_title") or row.get("document") or row.get("document_id"),
            "url": safe_url(row.get("document_url")),
            "raw_url": row.get("document_url"),
            "outlet": row.get("outlet"),
            "document_id": row.get("document_id"),
            "start": row.get("content_start"),
            "end": row.get("content_end"),
            "confidence": row.get("confidence"),
            "method": row.get("method"),
        }
        self._cited[statement_id] = entry
        return entry

    def refs(self, statement_ids: Iterable[str]) -> list[dict[str, Any]]:
        seen: set[str] = set()
        out = []
        for statement_id in statement_ids:
            if statement_id in seen:
                continue
            seen.add(statement_id)
            entry = self.ref(statement_id)
            if entry is not None:
                out.append(entry)
        return out

    def cited(self) -> list[dict[str, Any]]:
        """The cited statements in date order, labelled E1, E2, ... (labels set here)."""
        entries = sorted(
            self._cited.values(),
            key=lambda e: (
                e["date"] or "9999",
                str(e["document_id"] or ""),
                e["start"] or 0,
                e["id"],
            ),
        )
        for number, entry in enumerate(entries, start=1):
            entry["label"] = f"E{number}"
        return entries

    def speaker(self, statement_id: str | None) -> str | None:
        row = self._rows.get(statement_id) if statement_id else None
        return row.get("speaker") if row else None


# -- the context ----------------------------------------------------------------------------


def corpus_section(project: Project) -> dict[str, Any]:
    documents = project.documents()
    statements = project.statements()
    published = (
        sorted(str(d) for d in documents["published"].dropna()) if not documents.empty else []
    )
    outlets: dict[str, int] = {}
    if not documents.empty:
        for outlet in documents["outlet"].dropna():
            outlets[str(outlet)] = outlets.get(str(outlet), 0) + 1
    runs = project.store.runs()
    latest = runs[-1] if runs else {}
    return {
        "documents": len(documents),
        "first": published[0] if published else None,
        "last": published[-1] if published else None,
        "undated": len(documents) - len(published),
        "outlets": sorted(outlets.items(), key=lambda kv: (-kv[1], kv[0])),
        "statements": len(statements),
        "with_actor": int(statements["actor"].notna().sum()) if not statements.empty else 0,
        "pack": project.pack.name,
        "pack_version": project.pack.version,
        "run_pack": latest.get("pack"),
        "run_pack_version": latest.get("pack_version"),
    }


def _side(support: int, oppose: int) -> str:
    return "support" if support > oppose else "oppose" if oppose > support else "mixed"


Grouped = list[tuple[str, str, list[str], list[str]]]


def group_stances(stances: pd.DataFrame) -> Grouped:
    """(actor, position, support statement ids, oppose statement ids), sorted, known actors."""
    cells: dict[tuple[str, str], tuple[list[str], list[str]]] = {}
    if stances.empty:
        return []
    columns = ["actor", "position_id", "label", "statement_id"]
    for actor, position, label, statement_id in stances[columns].itertuples(index=False):
        if _clean(actor) is None or label not in _comparison.SIDES:
            continue
        support, oppose = cells.setdefault((str(actor), str(position)), ([], []))
        (support if label == "support" else oppose).append(str(statement_id))
    return [(a, p, s, o) for (a, p), (s, o) in sorted(cells.items())]


def _position(positions: dict[str, dict[str, Any]], position_id: str) -> dict[str, Any]:
    found = positions.get(position_id) or {}
    return {
        "id": position_id,
        "topic": found.get("topic"),
        "proposition": found.get("proposition") or position_id,
    }


def actor_sections(
    grouped: Grouped,
    positions: dict[str, dict[str, Any]],
    names: dict[str, str],
    evidence: Evidence,
) -> list[dict[str, Any]]:
    sections: dict[str, dict[str, Any]] = {}
    for actor, position_id, support, oppose in grouped:
        section = sections.setdefault(
            actor,
            {
                "id": actor,
                "name": names.get(actor, actor),
                "support": [],
                "oppose": [],
                "mixed": [],
            },
        )
        entry = {
            **_position(positions, position_id),
            "support_count": len(support),
            "oppose_count": len(oppose),
            "support_quotes": evidence.refs(support),
            "oppose_quotes": evidence.refs(oppose),
        }
        section[_side(len(support), len(oppose))].append(entry)
    return sorted(sections.values(), key=lambda s: str(s["name"]).lower())


def matrix_section(
    grouped: Grouped,
    positions: dict[str, dict[str, Any]],
    names: dict[str, str],
    evidence: Evidence,
) -> dict[str, Any]:
    position_ids = sorted({g[1] for g in grouped})
    actor_ids = sorted({g[0] for g in grouped}, key=lambda a: str(names.get(a) or a).lower())
    cells = {
        (actor, position): {
            "support": evidence.refs(support),
            "oppose": evidence.refs(oppose),
            "side": _side(len(support), len(oppose)),
        }
        for actor, position, support, oppose in grouped
    }
    rows = [
        {
            "actor": actor,
            "name": names.get(actor, actor),
            "cells": [cells.get((actor, p)) for p in position_ids],
        }
        for actor in actor_ids
    ]
    spec = matrix_spec(
        [
            {
                "actor": names.get(actor, actor),
                "position": position,
                "support": len(support),
                "oppose": len(oppose),
            }
            for actor, position, support, oppose in grouped
        ]
    )
    return {
        "positions": [_position(positions, p) for p in position_ids],
        "rows": rows,
        "spec": spec,
    }


def _is_us(affiliation: object) -> bool:
    return (
        isinstance(affiliation, str)
        and affiliation.replace(".", "").strip().lower() in US_AFFILIATIONS
    )


def default_pairs(project: Project, grouped: Grouped) -> list[tuple[str, str]]:
    """US-affiliated actors vs Putin when both exist, else the pairs sharing most positions."""
    activity: dict[str, int] = {}
    by_actor: dict[str, set[str]] = {}
    for actor, position, support, oppose in grouped:
        activity[actor] = activity.get(actor, 0) + len(support) + len(oppose)
        by_actor.setdefault(actor, set()).add(position)
    known = {a.id for a in project.pack.actors}
    if DEFAULT_RIVAL in known:
        us = sorted(
            a.id
            for a in project.pack.actors
            if _is_us(a.affiliation) and a.id != DEFAULT_RIVAL and a.id in activity
        )
        if us:
            return [(a, DEFAULT_RIVAL) for a in us]
    top = sorted((a for a in activity if a in known), key=lambda a: (-activity[a], a))[:8]
    scored = [
        (len(by_actor[a] & by_actor[b]), a, b) for i, a in enumerate(top) for b in top[i + 1 :]
    ]
    scored = sorted((s for s in scored if s[0] > 0), key=lambda s: (-s[0], s[1], s[2]))
    return [(a, b) for _, a, b in scored[:MAX_DEFAULT_PAIRS]]


def narratives_section(
    project: Project, since: date | None, until: date | None, evidence: Evidence
) -> list[dict[str, Any]]:
    """Statements that repeat a known narrative or bank claim, with the debunk beside them."""
    frame = in_window(project.narrative_report(), "date", since, until)
    rows = []
    for row in frame_records(frame):
        rows.append(
            {
                **row,
                "ref": evidence.ref(row["statement_id"]),
                "debunk_url_safe": safe_url(row.get("debunk_url")),
            }
        )
    return rows


def claims_section(
    project: Project, since: date | None, until: date | None, evidence: Evidence
) -> dict[str, Any]:
    frame = project.claims()
    if frame.empty:
        return {"false": [], "other": [], "own": [], "inconsistent": []}
    documents = project.documents()
    published = dict(zip(documents["id"], documents["published"], strict=True))
    frame = frame.assign(
        date=[
            d if isinstance(d, str) and d else published.get(doc)
            for d, doc in zip(frame["date"], frame["document_id"], strict=True)
        ]
    )
    frame = in_window(frame, "date", since, until)
    frame = frame.sort_values(["date", "document_id", "start"], na_position="last", kind="stable")
    false: list[dict[str, Any]] = []
    other: list[dict[str, Any]] = []
    own: list[dict[str, Any]] = []  # numbers the documents give in their own voice
    for row in frame_records(frame):
        statement_id = row.get("statement_id")
        claim = {
            **row,
            "own": not statement_id,
            "ref": evidence.ref(statement_id) if statement_id else None,
            "who": row.get("claimant_name")
            or row.get("claimant")
            or (evidence.speaker(statement_id) if statement_id else None)
            or ("the document itself" if not statement_id else "unknown"),
            "figure": format_figure(
                row.get("fact_value"),
                row.get("fact_value_high"),
                row.get("fact_unit"),
                row.get("fact_currency"),
            ),
            "ratio_text": format_ratio(row.get("ratio")),
            "source_url": safe_url(row.get("fact_url")),
            "document_url_safe": safe_url(row.get("document_url")),
            "verdict": row.get("verdict") or "not checked",
        }
        if claim["own"]:
            own.append(claim)
            continue
        (false if claim["verdict"] in FALSE_VERDICTS else other).append(claim)
    titles = dict(zip(documents["id"], documents["title"], strict=True))
    urls = dict(zip(documents["id"], documents["url"], strict=True))
    inconsistent = []
    for row in frame_records(project.inconsistencies()):
        dates = [d for d in (row.get("date_a"), row.get("date_b")) if d]
        if dates and not any(
            (since is None or d >= since.isoformat()) and (until is None or d <= until.isoformat())
            for d in dates
        ):
            continue
        for side in ("a", "b"):
            doc_id = row[f"document_id_{side}"]
            row[f"title_{side}"] = titles.get(doc_id) or doc_id
            row[f"raw_url_{side}"] = urls.get(doc_id)
            row[f"url_{side}"] = safe_url(urls.get(doc_id))
        inconsistent.append(row)
    own.sort(key=lambda c: c["verdict"] not in FALSE_VERDICTS)  # the wrong ones first
    return {"false": false, "other": other, "own": own, "inconsistent": inconsistent}


def methods_section(project: Project) -> dict[str, Any]:
    runs = project.store.runs()
    latest = runs[-1] if runs else None
    settings = [
        (key, value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
        for key, value in sorted((latest or {}).get("settings", {}).items())
    ]
    query = project.store.query
    return {
        "run": {k: latest.get(k) for k in ("id", "started_at", "finished_at", "documents")}
        if latest
        else None,
        "runs": len(runs),
        "settings": settings,
        "stance_methods": query(
            "SELECT method, coder, count(*) AS n FROM stances GROUP BY method, coder ORDER BY n DESC"
        ),
        "statement_methods": query(
            "SELECT method, count(*) AS n FROM statements GROUP BY method ORDER BY n DESC"
        ),
        "verdict_methods": query(
            "SELECT method, count(*) AS n FROM verdicts GROUP BY method ORDER BY n DESC"
        ),
    }


# -- rendering ------------------------------------------------------------------------------
