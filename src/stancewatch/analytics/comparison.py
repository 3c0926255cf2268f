"""Comparing two actors' sides on the catalog positions: the core of alignment analytics.

For actors A and B, each catalog position either took a side on. B's side
is the side of B's own coded statements in the window, or ``support`` when B made none but
the pack lists B among the position's holders. Positions both took one clear side on are the
*shared* positions; agreement over them is corrected for chance with Cohen's kappa and
Scott's pi (see :mod:`stancewatch.analytics.agreement`). Positions where either actor's statements are
split between the sides (``mixed``) are counted but left out of kappa and pi.

Statements and acts are compared alike: the stance table may hold acts (rows of kind ``act``:
the pack's votes, decisions and aid pauses, and acts stated in the news text), which count
as evidence beside what actors said.

:func:`compare_rows` makes one :class:`Alignment` out of the two actors' rows of a stance
table; :mod:`stancewatch.analytics.alignment` asks it the questions (one pair, by topic, by
period, a ranking, a matrix).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from stancewatch.analytics.agreement import Agreement, agreement
from stancewatch.analytics.rates import CONFIDENCE, Method, Rate, chance_corrected_note, rate

SIDES = ("support", "oppose")
COLUMNS = ["statement_id", "position_id", "label", "actor", "date"]


def sides_in_window(
    stances: pd.DataFrame, since: date | None = None, until: date | None = None
) -> pd.DataFrame:
    """The support / oppose codings dated within [since, until] (undated ones drop out of a
    bounded window); raises ValueError naming any missing column."""
    missing = [c for c in COLUMNS if c not in stances.columns]
    if missing:
        raise ValueError(
            f"The stance table lacks column(s) {missing}; it needs {', '.join(COLUMNS)}"
        )
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


def net_side(support: int, oppose: int) -> str:
    """The side a count of support and oppose codings comes to: ``mixed`` on a tie."""
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
    """How often actor A took actor B's side, with the evidence.

    Position-level: ``agree``, ``disagree``, ``mixed`` (``shared`` is their sum), and
    ``a_silent`` (positions B holds that A never addressed). Statement-level: A's statements
    that support / oppose a position B holds (the "aligned N times" figure and its
    denominator). ``agreement`` holds kappa, pi and their bootstrap intervals over the agree
    and disagree positions.
    """

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
    agreement: Agreement | None = None
    chance_note: str | None = None  # why kappa and pi are not shown; None when they are

    @property
    def agreement_rate(self) -> float | None:
        decided = self.agree + self.disagree
        return self.agree / decided if decided else None

    def position_rate(
        self, method: Method = "wilson", confidence: float = CONFIDENCE
    ) -> Rate | None:
        """Positions on B's side (``agree``) of those both took one side on, with its
        interval; None when there are none."""
        return rate(self.agree, self.agree + self.disagree, method=method, confidence=confidence)

    def statement_rate(
        self, method: Method = "wilson", confidence: float = CONFIDENCE
    ) -> Rate | None:
        """A's sided statements on B's side, of those on positions where B's side is known,
        with its interval; None when there are none."""
        n = self.supports_b_positions + self.opposes_b_positions
        return rate(self.supports_b_positions, n, method=method, confidence=confidence)

    @property
    def ranked(self) -> bool:
        """Whether the alignment has a position rate to rank by."""
        return self.agree + self.disagree > 0

    @property
    def unranked_reason(self) -> str | None:
        """Why the alignment takes no rank, or None when it does."""
        if self.ranked:
            return None
        if self.mixed:
            return (
                f"split on every position shared with {self.b} ({self.mixed}); "
                "no position on one side"
            )
        return f"no position shared with {self.b}"

    @property
    def statements(self) -> tuple[str, ...]:
        """Every statement (A's and B's) behind the figures, without repeats."""
        ids: dict[str, None] = {}
        for c in self.positions:
            ids.update(dict.fromkeys(c.a_statements + c.b_statements))
        return tuple(ids)


def _sides(rows: pd.DataFrame) -> dict[str, tuple[str, tuple[str, ...]]]:
    counts: dict[str, tuple[list[int], list[str]]] = {}
    for position, label, statement_id in zip(
        rows["position_id"], rows["label"], rows["statement_id"], strict=True
    ):
        tally, ids = counts.setdefault(str(position), ([0, 0], []))
        tally[0 if label == "support" else 1] += 1
        ids.append(str(statement_id))
    return {
        position: (net_side(tally[0], tally[1]), tuple(ids))
        for position, (tally, ids) in sorted(counts.items())
    }


def compare_rows(
    a_rows: pd.DataFrame,
    b_rows: pd.DataFrame,
    a: str,
    b: str,
    holders: Mapping[str, Iterable[str]],
    since: date | None,
    until: date | None,
    positions: set[str] | None,
    resamples: int,
    seed: int,
) -> Alignment:
    """Compare A's rows with B's rows (already filtered to the actor and the window)."""
    if positions is not None:
        a_rows = a_rows[a_rows["position_id"].isin(positions)]
        b_rows = b_rows[b_rows["position_id"].isin(positions)]
    a_sides, b_sides = _sides(a_rows), _sides(b_rows)
    for position_id, actors in holders.items():
        if positions is not None and position_id not in positions:
            continue
        if b in set(actors) and position_id not in b_sides:
            b_sides[position_id] = ("holder", ())

    comparisons = []
    counts = {"agree": 0, "disagree": 0, "mixed": 0, "a_silent": 0, "b_silent": 0}
    pairs: list[tuple[str, str]] = []
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
            pairs.append((a_side, b_effective))
        counts[outcome] += 1
        comparisons.append(PositionComparison(position_id, a_side, b_side, outcome, a_ev, b_ev))

    # Statement-level counts: A's statements on positions where B's side is known.
    support_ids: list[str] = []
    oppose_ids: list[str] = []
    for row in a_rows.itertuples():
        b_side = b_sides.get(str(row.position_id), ("silent", ()))[0]
        b_effective = "support" if b_side == "holder" else b_side
        if b_effective not in SIDES:
            continue
        (support_ids if row.label == b_effective else oppose_ids).append(str(row.statement_id))

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
        agreement=agreement(
            [p[0] for p in pairs], [p[1] for p in pairs], resamples=resamples, seed=seed
        ),
        chance_note=chance_corrected_note([p[0] for p in pairs], [p[1] for p in pairs], a, b),
    )
