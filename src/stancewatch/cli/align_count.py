"""``align A B --count``: the press count of matches per event, with both lists."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from stancewatch.cli.common import Format, emit, open_project, out


def _times(n: int) -> str:
    return "time" if n == 1 else "times"


def print_count(
    a: str, b: str, db: Path, pack: Path | None, window: dict[str, Any], fmt: Format
) -> None:
    from stancewatch.analytics.counts import EVENT_DAYS, EVENT_OVERLAP, events_frame

    with open_project(db, pack) as project:
        counts = project.count(a, b, **window)
    matches, opposite = events_frame(counts.matches), events_frame(counts.opposite)
    first = counts.first.isoformat() if counts.first else "the first date"
    last = counts.last.isoformat() if counts.last else "the last date"
    if fmt is Format.json:
        payload = {
            "a": a,
            "b": b,
            "since": first if counts.first else None,
            "until": last if counts.last else None,
            "matches": len(counts.matches),
            "opposite": len(counts.opposite),
            "reports": counts.reports,
            "undated": counts.undated,
            "match_list": matches.to_dict(orient="records"),
            "opposite_list": opposite.to_dict(orient="records"),
            "rule": f"one event per position and side: reports the same day, or within "
            f"{EVENT_DAYS} days sharing {EVENT_OVERLAP:.0%} of their words",
        }
        out.print_json(json.dumps(payload, default=str, ensure_ascii=False))
        return
    if fmt is Format.csv:
        emit(
            pd.concat(
                [matches.assign(matched=True), opposite.assign(matched=False)], ignore_index=True
            ),
            fmt,
        )
        return
    acts = sum(1 for e in counts.matches if e.is_act)
    out.print(
        f"[bold]{a}[/bold]'s statements and acts matched [bold]{b}[/bold]'s positions "
        f"[bold]{len(counts.matches)}[/bold] {_times(len(counts.matches))} "
        f"between {first} and {last} "
        f"({acts} of them acts; {counts.reports} reports, one count per event); "
        f"they went against {b}'s positions {len(counts.opposite)} "
        f"{_times(len(counts.opposite))}.",
        highlight=False,
    )
    out.print(
        f"One event per position and side: reports the same day, or within {EVENT_DAYS} days "
        f"sharing {EVENT_OVERLAP:.0%} of their words, count once."
        + (f" {counts.undated} undated reports are not counted." if counts.undated else ""),
        highlight=False,
    )
    for title, frame in ((f"Matched {b}", matches), (f"Against {b}", opposite)):
        if frame.empty:
            continue
        table = frame.assign(
            content=frame["content"].map(lambda t: t if len(t) <= 120 else t[:117] + "..."),
            sources=frame["sources"].map("; ".join),
            statement_ids=frame["statement_ids"].map(", ".join),
        )
        table.insert(0, "#", range(1, len(table) + 1))
        emit(table, fmt, title=title)
