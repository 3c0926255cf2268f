"""Known narratives and their repetitions as tables: the frames behind Project's views.

:func:`narratives_frame` lists a pack's narratives. :func:`matches_frame` turns the stored
matches (one row per statement and narrative or bank claim, from
:func:`stancewatch.store.results.narrative_match_rows`) into a DataFrame; :func:`counts`,
:func:`timeline` and :func:`report` summarise such a frame per actor, per period, and as the
report shows it. Pure functions over DataFrames.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pandas as pd

from stancewatch.errors import InputError
from stancewatch.records import Narrative

__all__ = ["PERIODS", "counts", "matches_frame", "narratives_frame", "report", "timeline"]

PERIODS = {"month": "M", "week": "W", "day": "D"}


def narratives_frame(narratives: Sequence[Narrative]) -> pd.DataFrame:
    """Known narratives with their example claims and debunks, one row each."""
    columns = ["id", "title", "description", "claims", "debunks"]
    rows = [
        {
            "id": n.id,
            "title": n.title,
            "description": n.description,
            "claims": list(n.claims),
            "debunks": [{"source": d.source, "url": d.url} for d in n.debunks],
        }
        for n in narratives
    ]
    return pd.DataFrame(rows, columns=columns)


def matches_frame(rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """The matches as a DataFrame, each narrative's ``debunks`` as a list of objects."""
    frame = pd.DataFrame(rows)
    if frame.empty:
        return pd.DataFrame(columns=["statement_id", "kind", "label", "actor", "date"])
    frame["debunks"] = frame["debunks"].map(lambda v: json.loads(v) if isinstance(v, str) else [])
    return frame


def counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Per actor and narrative (or bank label): repetitions, statements, first and last date;
    unattributed statements are counted under actor None."""
    columns = ["actor", "label", "repetitions", "first_date", "last_date", "statement_ids"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    frame = frame.assign(actor=frame["actor"].astype(object).where(frame["actor"].notna()))
    grouped = frame.groupby(["actor", "label"], dropna=False, sort=True)
    out = grouped.agg(
        repetitions=("statement_id", "nunique"),
        first_date=("date", "min"),
        last_date=("date", "max"),
        statement_ids=("statement_id", lambda ids: sorted(set(ids))),
    ).reset_index()
    return out.sort_values(["label", "first_date", "actor"], na_position="last")[columns]


def timeline(frame: pd.DataFrame, freq: str = "month") -> pd.DataFrame:
    """Repetitions per narrative and period (``"month"``, ``"week"`` or ``"day"``)."""
    if freq not in PERIODS:
        raise InputError(f"Unknown period {freq!r}; choose month, week or day")
    columns = ["period", "label", "repetitions", "actors"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    dates = pd.to_datetime(frame["date"], errors="coerce")
    frame = frame[dates.notna()].assign(period=dates[dates.notna()].dt.to_period(PERIODS[freq]))
    out = frame.groupby(["period", "label"], sort=True).agg(
        repetitions=("statement_id", "nunique"), actors=("actor", "nunique")
    )
    out = out.reset_index()
    out["period"] = out["period"].astype(str)
    return out[columns]


def report(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per statement and target kind (its best match): actor, date, the quote and its
    document, the narrative title, score, and the first debunk (source and URL)."""
    columns = ["statement_id", "actor", "actor_name", "date", "content", "kind", "label"]
    columns += ["narrative_title", "matched_text", "score", "debunk_source", "debunk_url"]
    columns += ["document_title", "document_url", "method"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    frame = frame.sort_values("score", ascending=False, kind="stable")
    frame = frame.drop_duplicates(["statement_id", "kind"]).sort_values(["date", "actor"])
    first = frame["debunks"].map(lambda d: d[0] if d else {})
    frame = frame.assign(
        debunk_source=[d.get("source") for d in first],
        debunk_url=[d.get("url") or u for d, u in zip(first, frame["debunk_url"], strict=True)],
    )
    return frame[columns].reset_index(drop=True)
