"""Alignment analytics over coded stances: pure functions over pandas DataFrames.

The input is a stance table with one row per (statement, position) coding and at least the
columns ``statement_id, position_id, label, actor, date`` (what :func:`stancewatch.api.
Project.stances` returns). Every count comes with the statement ids behind it, so a report
can show the evidence for each number.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

SIDES = ("support", "oppose")


def _filter(
    stances: pd.DataFrame, since: date | None = None, until: date | None = None
) -> pd.DataFrame:
    frame = stances[stances["label"].isin(SIDES)]
    if since is not None or until is not None:
        dates = pd.to_datetime(frame["date"], errors="coerce")
        keep = dates.notna()
        if since is not None:
            keep &= dates >= pd.Timestamp(since)
        if until is not None:
            keep &= dates <= pd.Timestamp(until)
        frame = frame[keep]
    return frame


def actor_positions(
    stances: pd.DataFrame, since: date | None = None, until: date | None = None
) -> pd.DataFrame:
    """Per actor and position: support and oppose counts, the net side, and the evidence.

    Columns: actor, position_id, support, oppose, side (support / oppose / mixed),
    statement_ids (a list). Statements with no known actor are left out.
    """
    frame = _filter(stances, since, until)
    frame = frame[frame["actor"].notna()]
    columns = ["actor", "position_id", "support", "oppose", "side", "statement_ids"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    for (actor, position), group in frame.groupby(["actor", "position_id"], sort=True):
        support = int((group["label"] == "support").sum())
        oppose = int((group["label"] == "oppose").sum())
        rows.append(
            {
                "actor": actor,
                "position_id": position,
                "support": support,
                "oppose": oppose,
                "side": _side(support, oppose),
                "statement_ids": list(group["statement_id"]),
            }
        )
    return pd.DataFrame(rows, columns=columns)


def _side(support: int, oppose: int) -> str:
    if support > oppose:
        return "support"
    if oppose > support:
        return "oppose"
    return "mixed"


@dataclass(frozen=True)
class PositionComparison:
    position_id: str
    a_side: str  # support / oppose / mixed / silent
    b_side: str  # support / oppose / mixed / holder (advanced it in the pack) / silent
    outcome: str  # agree / disagree / mixed / a_silent / b_silent
    a_statements: tuple[str, ...] = ()
    b_statements: tuple[str, ...] = ()


@dataclass(frozen=True)
class Alignment:
    """How often actor A took actor B's side, with the evidence."""

    a: str
    b: str
    since: date | None
    until: date | None
    agree: int
    disagree: int
    mixed: int
    a_silent: int
    shared: int
    supports_b_positions: int
    opposes_b_positions: int
    positions: tuple[PositionComparison, ...] = field(default=())
    support_statements: tuple[str, ...] = ()
    oppose_statements: tuple[str, ...] = ()

    @property
    def agreement_rate(self) -> float | None:
        decided = self.agree + self.disagree
        return self.agree / decided if decided else None


def align(
    stances: pd.DataFrame,
    a: str,
    b: str,
    *,
    holders: Mapping[str, Iterable[str]] | None = None,
    since: date | None = None,
    until: date | None = None,
) -> Alignment:
    """Compare actor ``a`` with actor ``b`` position by position.

    B's side on a position is the side B's own coded statements take; where B has none but
    the pack lists B among the position's ``holders``, B's side is support. Positions both
    took a side on are counted as agree or disagree (``mixed`` when either is split);
    positions B holds that A never addressed count as ``a_silent``.

    ``supports_b_positions`` / ``opposes_b_positions`` count A's statements (not positions)
    that support / oppose a position B holds: the "aligned N times" figure, with its
    denominator beside it.
    """
    frame = _filter(stances, since, until)
    per = actor_positions(frame)
    holders = holders or {}

    def sides(actor: str) -> dict[str, tuple[str, tuple[str, ...]]]:
        rows = per[per["actor"] == actor]
        return {r.position_id: (r.side, tuple(r.statement_ids)) for r in rows.itertuples()}

    a_sides, b_sides = sides(a), sides(b)
    for position_id, actors in holders.items():
        if b in set(actors) and position_id not in b_sides:
            b_sides[position_id] = ("holder", ())

    comparisons = []
    counts = {"agree": 0, "disagree": 0, "mixed": 0, "a_silent": 0, "b_silent": 0}
    for position_id in sorted(set(a_sides) | set(b_sides)):
        a_side, a_ev = a_sides.get(position_id, ("silent", ()))
        b_side, b_ev = b_sides.get(position_id, ("silent", ()))
        b_effective = "support" if b_side == "holder" else b_side
        if a_side == "silent":
            outcome = "a_silent"
        elif b_side == "silent":
            outcome = "b_silent"
        elif "mixed" in (a_side, b_effective):
            outcome = "mixed"
        else:
            outcome = "agree" if a_side == b_effective else "disagree"
        counts[outcome] += 1
        comparisons.append(PositionComparison(position_id, a_side, b_side, outcome, a_ev, b_ev))

    # Statement-level counts: A's statements on positions where B's side is known.
    support_ids: list[str] = []
    oppose_ids: list[str] = []
    a_rows = frame[frame["actor"] == a]
    for row in a_rows.itertuples():
        b_side = b_sides.get(row.position_id, ("silent", ()))[0]
        b_effective = "support" if b_side == "holder" else b_side
        if b_effective not in SIDES:
            continue
        (support_ids if row.label == b_effective else oppose_ids).append(row.statement_id)

    return Alignment(
        a=a,
        b=b,
        since=since,
        until=until,
        agree=counts["agree"],
        disagree=counts["disagree"],
        mixed=counts["mixed"],
        a_silent=counts["a_silent"],
        shared=counts["agree"] + counts["disagree"] + counts["mixed"],
        supports_b_positions=len(support_ids),
        opposes_b_positions=len(oppose_ids),
        positions=tuple(comparisons),
        support_statements=tuple(support_ids),
        oppose_statements=tuple(oppose_ids),
    )


def alignment_matrix(
    stances: pd.DataFrame,
    actors: Iterable[str],
    *,
    holders: Mapping[str, Iterable[str]] | None = None,
    since: date | None = None,
    until: date | None = None,
) -> pd.DataFrame:
    """Long table of pairwise alignment: a, b, agree, disagree, shared, agreement_rate."""
    actors = list(actors)
    rows = []
    for a in actors:
        for b in actors:
            if a == b:
                continue
            result = align(stances, a, b, holders=holders, since=since, until=until)
            rows.append(
                {
                    "a": a,
                    "b": b,
                    "agree": result.agree,
                    "disagree": result.disagree,
                    "shared": result.shared,
                    "agreement_rate": result.agreement_rate,
                }
            )
    return pd.DataFrame(rows, columns=["a", "b", "agree", "disagree", "shared", "agreement_rate"])
