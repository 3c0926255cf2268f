"""Counts as the press makes them: "A's words or actions matched B's positions N times".

A *match* is one of A's sided statements or acts on a position where B's side is known (B's
own statements in the window, or the pack's holders) on B's side; the *opposite* count is
those on the other side. Matches are counted per **event**, not per report: the same remark
carried by five outlets is one. Reports of A on the same position and side are one event
when they are dated the same day, or within :data:`EVENT_DAYS` days of each other and worded
alike (at least :data:`EVENT_OVERLAP` of their content words shared); the pack's acts are
each an event of their own (a report in the news may join one). Every event keeps the
ids of all its reports, so the count can be checked by hand against its list.

Undated reports cannot be placed in time: they are left out of the count and counted apart.
Pure functions over the stance table (:func:`stancewatch.api.Project.stances`); no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from stancewatch.analytics.comparison import SIDES, compare_rows, sides_in_window
from stancewatch.records import ACTION_PREFIX

EVENT_DAYS = 2  # reports this many days apart or fewer may be one event
EVENT_OVERLAP = 0.5  # ... when they share this share of their content words
_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)


@dataclass(frozen=True)
class Event:
    """One match (or opposite match): A's reports of one remark or act on one position."""

    date: date
    position_id: str
    side: str  # A's side on the position: support / oppose
    statement_ids: tuple[str, ...]  # every report of it, first first
    kinds: tuple[str, ...]  # their kinds (direct, indirect, other, act)
    content: str  # the first report's words
    sources: tuple[str, ...] = ()  # document titles (or an act's source), without repeats

    @property
    def is_act(self) -> bool:
        return "act" in self.kinds


@dataclass(frozen=True)
class Counts:
    a: str
    b: str
    since: date | None
    until: date | None
    matches: tuple[Event, ...] = field(default=())
    opposite: tuple[Event, ...] = field(default=())
    undated: int = 0  # sided reports on B's positions without a date: not counted

    @property
    def first(self) -> date | None:
        days = [e.date for e in (*self.matches, *self.opposite)]
        return self.since or (min(days) if days else None)

    @property
    def last(self) -> date | None:
        days = [e.date for e in (*self.matches, *self.opposite)]
        return self.until or (max(days) if days else None)

    @property
    def reports(self) -> int:
        """Reports behind the matches (more than ``len(matches)`` when outlets repeat)."""
        return sum(len(e.statement_ids) for e in self.matches)


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text or "")}


def _same_event(first: dict[str, object], row: dict[str, object]) -> bool:
    if str(first["statement_id"]).startswith(ACTION_PREFIX) and str(row["statement_id"]).startswith(
        ACTION_PREFIX
    ):
        return False  # the pack lists each act once: two entries are two acts
    days = abs((row["day"] - first["day"]).days)  # type: ignore[operator]
    if days == 0:
        return True
    if days > EVENT_DAYS:
        return False
    a, b = first["words"], row["words"]
    if not a or not b:
        return False
    return len(a & b) / min(len(a), len(b)) >= EVENT_OVERLAP  # type: ignore[arg-type,operator]


def _events(rows: list[dict[str, object]]) -> list[Event]:
    groups: dict[tuple[str, str], list[list[dict[str, object]]]] = {}
    for row in sorted(rows, key=lambda r: (r["day"], str(r["statement_id"]))):  # type: ignore[return-value]
        key = (str(row["position_id"]), str(row["label"]))
        events = groups.setdefault(key, [])
        for event in events:
            if _same_event(event[0], row):
                event.append(row)
                break
        else:
            events.append([row])
    out = []
    for (position_id, side), events in groups.items():
        for reports in events:
            first = reports[0]
            sources: dict[str, None] = {}
            for r in reports:
                if r["source"]:
                    sources[str(r["source"])] = None
            out.append(
                Event(
                    date=first["day"],  # type: ignore[arg-type]
                    position_id=position_id,
                    side=side,
                    statement_ids=tuple(str(r["statement_id"]) for r in reports),
                    kinds=tuple(str(r["kind"] or "") for r in reports),
                    content=str(first["content"] or ""),
                    sources=tuple(sources),
                )
            )
    return sorted(out, key=lambda e: (e.date, e.position_id, e.statement_ids[0]))


def count_matches(
    stances: pd.DataFrame,
    a: str,
    b: str,
    *,
    holders: Mapping[str, Iterable[str]] | None = None,
    since: date | None = None,
    until: date | None = None,
) -> Counts:
    """A's statements and acts that matched B's positions, and those opposed to them, per
    event, within [since, until]. B's side on each position is taken over the same window,
    as in :func:`stancewatch.analytics.alignment.align`. Uses the stance table's ``content``,
    ``kind`` and ``document_title`` columns when present."""
    frame = sides_in_window(stances, since, until)
    a_rows, b_rows = frame[frame["actor"] == a], frame[frame["actor"] == b]
    result = compare_rows(a_rows, b_rows, a, b, holders or {}, since, until, None, 0, 0)
    b_side = {
        c.position_id: ("support" if c.b_side == "holder" else c.b_side) for c in result.positions
    }
    dates = pd.to_datetime(a_rows["date"], errors="coerce")
    matched: list[dict[str, object]] = []
    opposed: list[dict[str, object]] = []
    undated = 0
    for (_, row), day in zip(a_rows.iterrows(), dates, strict=True):
        side = b_side.get(str(row["position_id"]))
        if side not in SIDES:
            continue
        if pd.isna(day):
            undated += 1
            continue
        content = str(row.get("content") or "")
        entry: dict[str, object] = {
            "statement_id": row["statement_id"],
            "position_id": row["position_id"],
            "label": row["label"],
            "day": day.date(),
            "kind": row.get("kind"),
            "content": content,
            "words": _words(content),
            "source": row.get("document_title"),
        }
        (matched if row["label"] == side else opposed).append(entry)
    return Counts(
        a=a,
        b=b,
        since=since,
        until=until,
        matches=tuple(_events(matched)),
        opposite=tuple(_events(opposed)),
        undated=undated,
    )


def events_frame(events: Iterable[Event]) -> pd.DataFrame:
    """Events as a table: date, position_id, side, kind (act / statement), content, sources,
    reports (how many), statement_ids."""
    columns = [
        "date",
        "position_id",
        "side",
        "kind",
        "content",
        "sources",
        "reports",
        "statement_ids",
    ]
    return pd.DataFrame(
        [
            {
                "date": e.date.isoformat(),
                "position_id": e.position_id,
                "side": e.side,
                "kind": "act" if e.is_act else "statement",
                "content": e.content,
                "sources": list(e.sources),
                "reports": len(e.statement_ids),
                "statement_ids": list(e.statement_ids),
            }
            for e in events
        ],
        columns=columns,
    )


def cumulative(counts: Counts) -> list[dict[str, object]]:
    """Cumulative matches over time, one row per event date: date, matches (running total)."""
    rows: list[dict[str, object]] = []
    total = 0
    for day in sorted({e.date for e in counts.matches}):
        total += sum(1 for e in counts.matches if e.date == day)
        rows.append({"date": day.isoformat(), "matches": total})
    return rows
