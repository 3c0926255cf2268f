"""Alignment analytics over coded stances: pure functions over pandas DataFrames.

The input is a stance table with one row per (statement, position) coding and at least the
columns ``statement_id, position_id, label, actor, date`` (what :func:`stancewatch.api.
Project.stances` returns; a ``topic`` column is used by :func:`align_by_topic`). Every count
comes with the statement ids behind it, so a report can show the evidence for each number.

How two actors are compared, position by position, is :mod:`stancewatch.analytics.comparison`;
this module asks it for one pair over a window, by topic or by period, for every actor against
one (:func:`rank`) and for every pair (:func:`alignment_matrix`), and turns the results into
tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Literal

import pandas as pd

from stancewatch.analytics.agreement import BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED
from stancewatch.analytics.comparison import Alignment, compare_rows, net_side, sides_in_window
from stancewatch.analytics.rates import METHODS, Method, Rate, rank_key
from stancewatch.errors import InvalidValueError

Period = Literal["month", "week"]
PERIODS: tuple[str, ...] = ("month", "week")


def actor_positions(
    stances: pd.DataFrame, since: date | None = None, until: date | None = None
) -> pd.DataFrame:
    """Per actor and position: support and oppose counts, the net side, and the evidence.

    Columns: actor, position_id, support, oppose, side (support / oppose / mixed),
    statement_ids (a list). Statements with no known actor are left out.
    """
    frame = sides_in_window(stances, since, until)
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
                "side": net_side(support, oppose),
                "statement_ids": list(group["statement_id"]),
            }
        )
    return pd.DataFrame(rows, columns=columns)


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
    frame = sides_in_window(stances, since, until)
    return compare_rows(
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
    frame = sides_in_window(stances, since, until)
    a_rows, b_rows = frame[frame["actor"] == a], frame[frame["actor"] == b]
    dates = pd.to_datetime(a_rows["date"], errors="coerce")
    a_rows = a_rows[dates.notna()]
    labels = [period_of(d.date(), by) for d in dates[dates.notna()]]
    results: dict[str, Alignment] = {}
    for label, start in sorted(set(labels), key=lambda item: item[1]):
        keep = [lab == label for lab, _ in labels]
        end = _period_end(start, by)
        results[label] = compare_rows(
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
    "position_n",
    "position_rate",
    "position_low",
    "position_high",
    "statement_n",
    "statement_rate",
    "statement_low",
    "statement_high",
    "interval",
    "chance_note",
]


def _rate_columns(prefix: str, found: Rate | None) -> dict[str, object]:
    return {
        f"{prefix}_n": found.n if found else 0,
        f"{prefix}_rate": found.value if found else None,
        f"{prefix}_low": found.low if found else None,
        f"{prefix}_high": found.high if found else None,
    }


def summary_row(result: Alignment, method: Method = "wilson") -> dict[str, object]:
    """One flat row per alignment: counts, rates with their ``method`` interval (``position_*``:
    positions on B's side of those both took one side on; ``statement_*``: A's sided
    statements on B's side), kappa and pi with intervals (``chance_note`` says why they should
    not be shown, or is None), evidence ids."""
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
        **_rate_columns("position", result.position_rate(method)),
        **_rate_columns("statement", result.statement_rate(method)),
        "interval": method,
        "chance_note": result.chance_note,
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


RANK_BY: tuple[str, ...] = ("rate", "pi", "kappa")


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
    by: Literal["rate", "pi", "kappa"] = "rate",
    interval: Method = "wilson",
) -> pd.DataFrame:
    """Actors ranked by how often they took actor ``b``'s side.

    By default every other actor who took a side in the window is listed. With ``by="rate"``
    (the default) the order is the rule of :func:`stancewatch.analytics.rates.rank_key`: the
    lower end of the ``interval`` (Wilson or Jeffreys, 95%) of the share of positions on
    ``b``'s side, ties by its upper end, then by the number of positions; then by the same
    for the share of statements, then by name. ``by="pi"`` or ``"kappa"`` orders by that
    statistic instead, highest first, undefined last. Actors with no position on which both
    took one side are never ranked: they come last with ``rank`` None and the reason in
    ``unranked``. Columns: ``rank``, ``actor``, those of :func:`summary_row` (without ``a``)
    and ``unranked``.
    """
    if by not in RANK_BY:
        raise InvalidValueError(f"Unknown ranking {by!r}; choose rate, pi or kappa")
    if interval not in METHODS:
        raise InvalidValueError(f"Unknown interval {interval!r}; choose wilson or jeffreys")
    frame = sides_in_window(stances, since, until)
    if actors is None:
        actors = sorted(str(x) for x in frame["actor"].dropna().unique())
    b_rows = frame[frame["actor"] == b]
    ranked: list[tuple[tuple[object, ...], dict[str, object]]] = []
    apart: list[dict[str, object]] = []
    for actor in actors:
        if actor == b:
            continue
        result = compare_rows(
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
        row = summary_row(result, interval)
        row = {"actor": row.pop("a"), **row, "unranked": result.unranked_reason}
        if not result.ranked:
            apart.append(row)
            continue
        if by == "rate":
            key: tuple[object, ...] = (
                *rank_key(result.position_rate(interval)),
                *rank_key(result.statement_rate(interval)),
                str(actor),
            )
        else:
            value = row[by]
            key = (
                -value if isinstance(value, float) else float("inf"),
                *rank_key(result.position_rate(interval)),
                str(actor),
            )
        ranked.append((key, row))
    columns = ["rank", "actor"] + [c for c in SUMMARY_COLUMNS if c != "a"] + ["unranked"]
    ranked.sort(key=lambda item: item[0])  # type: ignore[arg-type, return-value]
    rows = []
    for number, (_, row) in enumerate(ranked, start=1):
        rows.append({"rank": number, **row})
    rows.extend({"rank": None, **row} for row in sorted(apart, key=lambda r: str(r["actor"])))
    if not rows:
        return pd.DataFrame(columns=columns)
    table = pd.DataFrame(rows, columns=columns)
    table["rank"] = table["rank"].astype("Int64")
    return table


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
    frame = sides_in_window(stances, since, until)
    by_actor = {actor: frame[frame["actor"] == actor] for actor in actors}
    rows = []
    for a in actors:
        for b in actors:
            if a == b:
                continue
            result = compare_rows(
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
