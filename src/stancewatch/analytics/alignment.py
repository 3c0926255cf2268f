"""Alignment analytics over coded stances: pure functions over pandas DataFrames.

The input is a stance table with one row per (statement, position) coding and at least the
columns ``statement_id, position_id, label, actor, date`` (what :func:`stancewatch.api.
Project.stances` returns; a ``topic`` column is used by :func:`align_by_topic`). Every count
comes with the statement ids behind it, so a report can show the evidence for each number.

What is compared: for actors A and B, each catalog position either took a side on. B's side
is the side of B's own coded statements in the window, or ``support`` when B made none but
the pack lists B among the position's holders. Positions both took one clear side on are the
*shared* positions; agreement over them is corrected for chance with Cohen's kappa and
Scott's pi (see :mod:`stancewatch.analytics.agreement`). Positions where either actor's statements are
split between the sides (``mixed``) are counted but left out of kappa and pi.

Only what actors *said* is compared. Reported actions (votes, decisions, orders) are not
coded separately by the attribution stage yet, so they are not counted here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

import pandas as pd

from stancewatch.analytics.agreement import (
    BOOTSTRAP_RESAMPLES,
    BOOTSTRAP_SEED,
    Agreement,
    agreement,
)
from stancewatch.errors import InvalidValueError

SIDES = ("support", "oppose")
Period = Literal["month", "week"]
PERIODS: tuple[str, ...] = ("month", "week")
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


_filter = sides_in_window


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

    @property
    def agreement_rate(self) -> float | None:
        decided = self.agree + self.disagree
        return self.agree / decided if decided else None

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
        position: (_side(tally[0], tally[1]), tuple(ids))
        for position, (tally, ids) in sorted(counts.items())
    }


def _compare(
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
    )


def align(
    stances: pd.DataFrame,
    a: str,
    b: str,
    *,
    holders: Mapping[str, Iterable[str]] | None = None,
    since: date | None = None,
    until: date | None = None,
    positions: Iterable[str] | None = None,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> Alignment:
    """Compare actor ``a`` with actor ``b`` position by position, within [since, until].

    ``positions`` restricts the comparison to those position ids (one topic, say).
    ``resamples`` and ``seed`` set the bootstrap behind the kappa and pi intervals.
    """
    frame = _filter(stances, since, until)
    return _compare(
        frame[frame["actor"] == a],
        frame[frame["actor"] == b],
        a,
        b,
        holders or {},
        since,
        until,
        None if positions is None else set(positions),
        resamples,
        seed,
    )


def align_by_topic(
    stances: pd.DataFrame,
    a: str,
    b: str,
    *,
    topics: Mapping[str, str] | None = None,
    holders: Mapping[str, Iterable[str]] | None = None,
    since: date | None = None,
    until: date | None = None,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> dict[str, Alignment]:
    """One :class:`Alignment` per topic (position id → topic from ``topics``, or the stance
    table's ``topic`` column), for the topics A or B addressed or B holds a position in."""
    mapping = dict(topics or {})
    if not mapping and "topic" in stances.columns:
        pairs = stances[["position_id", "topic"]].dropna().drop_duplicates("position_id")
        mapping = dict(zip(pairs["position_id"], pairs["topic"], strict=True))
    by_topic: dict[str, set[str]] = {}
    for position_id, topic in mapping.items():
        by_topic.setdefault(str(topic), set()).add(str(position_id))
    results = {}
    for topic in sorted(by_topic):
        result = align(
            stances,
            a,
            b,
            holders=holders,
            since=since,
            until=until,
            positions=by_topic[topic],
            resamples=resamples,
            seed=seed,
        )
        if result.positions:
            results[topic] = result
    return results


def period_of(day: date, by: Period) -> tuple[str, date]:
    """The label and first day of the month (``2025-02``) or ISO week (``2025-W07``)."""
    if by == "month":
        return f"{day.year:04d}-{day.month:02d}", day.replace(day=1)
    if by == "week":
        iso = day.isocalendar()
        return f"{iso.year:04d}-W{iso.week:02d}", day - timedelta(days=day.weekday())
    raise InvalidValueError(f"Unknown period {by!r}; choose one of: {', '.join(PERIODS)}")


def align_by_period(
    stances: pd.DataFrame,
    a: str,
    b: str,
    *,
    by: Period = "month",
    holders: Mapping[str, Iterable[str]] | None = None,
    since: date | None = None,
    until: date | None = None,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> dict[str, Alignment]:
    """One :class:`Alignment` per month or ISO week in which A took a side on anything.

    A's statements are those dated in the period; B's side is taken over the whole window
    [since, until], so a change over time is A's change, not noise in B's reference. Each
    result's ``since`` / ``until`` are the period's first and last day. Undated statements
    fall outside every period.
    """
    frame = _filter(stances, since, until)
    a_rows, b_rows = frame[frame["actor"] == a], frame[frame["actor"] == b]
    dates = pd.to_datetime(a_rows["date"], errors="coerce")
    a_rows = a_rows[dates.notna()]
    labels = [period_of(d.date(), by) for d in dates[dates.notna()]]
    results: dict[str, Alignment] = {}
    for label, start in sorted(set(labels), key=lambda item: item[1]):
        keep = [lab == label for lab, _ in labels]
        end = _period_end(start, by)
        results[label] = _compare(
            a_rows[keep], b_rows, a, b, holders or {}, start, end, None, resamples, seed
        )
    return results


def _period_end(start: date, by: Period) -> date:
    if by == "week":
        return start + timedelta(days=6)
    next_month = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return next_month - timedelta(days=1)


SUMMARY_COLUMNS = [
    "a",
    "b",
    "since",
    "until",
    "shared",
    "agree",
    "disagree",
    "mixed",
    "a_silent",
    "agreement_rate",
    "kappa",
    "kappa_low",
    "kappa_high",
    "pi",
    "pi_low",
    "pi_high",
    "supports_b_positions",
    "opposes_b_positions",
    "support_statements",
    "oppose_statements",
]


def summary_row(result: Alignment) -> dict[str, object]:
    """One flat row per alignment: counts, rates, kappa and pi with intervals, evidence ids."""
    agreed = result.agreement
    kappa_ci = agreed.kappa_ci if agreed else None
    pi_ci = agreed.pi_ci if agreed else None
    return {
        "a": result.a,
        "b": result.b,
        "since": result.since.isoformat() if result.since else None,
        "until": result.until.isoformat() if result.until else None,
        "shared": result.shared,
        "agree": result.agree,
        "disagree": result.disagree,
        "mixed": result.mixed,
        "a_silent": result.a_silent,
        "agreement_rate": result.agreement_rate,
        "kappa": agreed.kappa if agreed else None,
        "kappa_low": kappa_ci[0] if kappa_ci else None,
        "kappa_high": kappa_ci[1] if kappa_ci else None,
        "pi": agreed.pi if agreed else None,
        "pi_low": pi_ci[0] if pi_ci else None,
        "pi_high": pi_ci[1] if pi_ci else None,
        "supports_b_positions": result.supports_b_positions,
        "opposes_b_positions": result.opposes_b_positions,
        "support_statements": list(result.support_statements),
        "oppose_statements": list(result.oppose_statements),
    }


def positions_frame(result: Alignment) -> pd.DataFrame:
    """The position-by-position comparison behind an alignment, with the evidence ids."""
    return pd.DataFrame(
        [
            {
                "position_id": c.position_id,
                "a_side": c.a_side,
                "b_side": c.b_side,
                "outcome": c.outcome,
                "a_statements": list(c.a_statements),
                "b_statements": list(c.b_statements),
            }
            for c in result.positions
        ],
        columns=["position_id", "a_side", "b_side", "outcome", "a_statements", "b_statements"],
    )


def rank(
    stances: pd.DataFrame,
    b: str,
    *,
    actors: Iterable[str] | None = None,
    holders: Mapping[str, Iterable[str]] | None = None,
    since: date | None = None,
    until: date | None = None,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
    by: Literal["pi", "kappa"] = "pi",
) -> pd.DataFrame:
    """Actors ranked by chance-corrected agreement with actor ``b``.

    By default every other actor who took a side in the window is ranked. Order: ``by``
    (``"pi"``, Scott's pi, the default, or ``"kappa"``), highest first; actors for whom it is
    undefined (every shared position on one and the same side, or none shared) come last;
    ties by raw agreement, then by the number of shared positions. Scott's pi is the default
    because Cohen's kappa is 0 for every actor whenever ``b`` took one side throughout (a
    catalog built from ``b``'s own demands), which ranks nothing. Columns: ``rank``,
    ``actor`` and those of :func:`summary_row` (without ``a``).
    """
    if by not in ("pi", "kappa"):
        raise InvalidValueError(f"Unknown ranking statistic {by!r}; choose pi or kappa")
    frame = _filter(stances, since, until)
    if actors is None:
        actors = sorted(str(x) for x in frame["actor"].dropna().unique())
    b_rows = frame[frame["actor"] == b]
    rows = []
    for actor in actors:
        if actor == b:
            continue
        result = _compare(
            frame[frame["actor"] == actor],
            b_rows,
            actor,
            b,
            holders or {},
            since,
            until,
            None,
            resamples,
            seed,
        )
        row = summary_row(result)
        rows.append({"actor": row.pop("a"), **row})
    columns = ["rank", "actor"] + [c for c in SUMMARY_COLUMNS if c != "a"]
    if not rows:
        return pd.DataFrame(columns=columns)

    def key(row: dict[str, object]) -> tuple[float, float, float, str]:
        value, rate = row[by], row["agreement_rate"]
        return (
            -value if isinstance(value, float) else float("inf"),
            -rate if isinstance(rate, float) else float("inf"),
            -float(row["shared"]),  # type: ignore[arg-type]
            str(row["actor"]),
        )

    rows.sort(key=key)
    for number, row in enumerate(rows, start=1):
        row["rank"] = number
    return pd.DataFrame(rows, columns=columns)


def alignment_matrix(
    stances: pd.DataFrame,
    actors: Iterable[str],
    *,
    holders: Mapping[str, Iterable[str]] | None = None,
    since: date | None = None,
    until: date | None = None,
    resamples: int = 0,
    seed: int = BOOTSTRAP_SEED,
) -> pd.DataFrame:
    """Long table of pairwise alignment (directional): a, b, agree, disagree, shared,
    agreement_rate, kappa, pi. No bootstrap by default (``resamples=0``): it is for a
    heatmap; ask :func:`align` for one pair's interval."""
    actors = list(actors)
    frame = _filter(stances, since, until)
    by_actor = {actor: frame[frame["actor"] == actor] for actor in actors}
    rows = []
    for a in actors:
        for b in actors:
            if a == b:
                continue
            result = _compare(
                by_actor[a],
                by_actor[b],
                a,
                b,
                holders or {},
                since,
                until,
                None,
                resamples,
                seed,
            )
            agreed = result.agreement
            rows.append(
                {
                    "a": a,
                    "b": b,
                    "agree": result.agree,
                    "disagree": result.disagree,
                    "shared": result.shared,
                    "agreement_rate": result.agreement_rate,
                    "kappa": agreed.kappa if agreed else None,
                    "pi": agreed.pi if agreed else None,
                }
            )
    columns = ["a", "b", "agree", "disagree", "shared", "agreement_rate", "kappa", "pi"]
    return pd.DataFrame(rows, columns=columns)
