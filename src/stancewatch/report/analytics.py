"""The report's analytics sections: alignment per pair (overall, per topic, per month), the
ranking against one actor, the actor × actor heatmap, alignment over time and echo chains.

Each builder returns plain dicts for the templates, every number paired with the evidence
entries (``Evidence.refs``) it rests on, plus Vega-Lite specs for the charts. Pure over the
tables it is handed; the only reading is through the :class:`~stancewatch.api.Project`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from stancewatch.analytics import alignment as _align
from stancewatch.analytics import comparison as _comparison
from stancewatch.analytics import counts as _counts
from stancewatch.analytics import echo as _echo
from stancewatch.analytics import rates as _rates
from stancewatch.analytics.agreement import BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, CONFIDENCE
from stancewatch.report import charts

if TYPE_CHECKING:
    from stancewatch.report.sections import Evidence

HEATMAP_ACTORS = 12  # most active actors in the actor × actor heatmap
ECHO_CHAINS = 20  # position chains (with at least two actors) shown in the report
Names = Mapping[str, str]
Positions = Mapping[str, Mapping[str, Any]]


def parameters() -> dict[str, Any]:
    """The analytics settings the methods section reports."""
    return {
        "resamples": BOOTSTRAP_RESAMPLES,
        "seed": BOOTSTRAP_SEED,
        "confidence": CONFIDENCE,
        "echo_window_days": _echo.ECHO_WINDOW_DAYS,
        "permutations": _echo.PERMUTATIONS,
        "permutation_seed": _echo.PERMUTATION_SEED,
        "cluster_threshold": _echo.CLUSTER_THRESHOLD,
        "heatmap_actors": HEATMAP_ACTORS,
        "event_days": _counts.EVENT_DAYS,
        "event_overlap": _counts.EVENT_OVERLAP,
        "interval": INTERVAL,
        "interval_name": "Wilson score",
        "rate_confidence": _rates.CONFIDENCE,
        "min_varying": _rates.MIN_VARYING,
    }


INTERVAL: _rates.Method = "wilson"  # the interval of every rate in the report


def _rate(found: _rates.Rate | None) -> dict[str, Any] | None:
    if found is None:
        return None
    return {"x": found.x, "n": found.n, "value": found.value, "low": found.low, "high": found.high}


def strongest(stances: pd.DataFrame, statement_ids: Sequence[str]) -> str | None:
    """The strongest evidence among ``statement_ids``: a reviewer's coding before a
    machine's, a direct quote before reported speech, then the highest stance score, then
    the earliest; None when there is none."""
    if not statement_ids or stances.empty:
        return statement_ids[0] if statement_ids else None
    wanted = set(statement_ids)
    rows = stances[stances["statement_id"].isin(wanted)]
    if rows.empty:
        return statement_ids[0]

    def column(name: str, default: Any) -> list[Any]:
        return list(rows[name]) if name in rows.columns else [default] * len(rows)

    best: tuple[Any, ...] | None = None
    chosen = None
    for sid, source, kind, score, day in zip(
        rows["statement_id"],
        column("label_source", "machine"),
        column("kind", None),
        column("score", None),
        column("date", None),
        strict=True,
    ):
        key = (
            0 if source == "adjudicated" else 1,
            0 if kind == "direct" else 1,
            -(float(score) if isinstance(score, int | float) and not pd.isna(score) else 0.0),
            str(day or "9999"),
            str(sid),
        )
        if best is None or key < best:
            best, chosen = key, str(sid)
    return chosen


def _stat(agreed: Any, name: str) -> dict[str, Any]:
    value = getattr(agreed, name) if agreed else None
    ci = getattr(agreed, f"{name}_ci") if agreed else None
    return {"value": value, "low": ci[0] if ci else None, "high": ci[1] if ci else None}


def _by_outcome(result: _comparison.Alignment, evidence: Evidence) -> dict[str, list[Any]]:
    """A's statements on the positions of each outcome, as evidence entries."""
    out: dict[str, list[str]] = {"agree": [], "disagree": [], "mixed": []}
    for c in result.positions:
        if c.outcome in out:
            out[c.outcome].extend(c.a_statements)
    return {k: evidence.refs(v) for k, v in out.items()}


def _figures(result: _comparison.Alignment, evidence: Evidence) -> dict[str, Any]:
    """Counts, rates, kappa and pi of one alignment, each count with its evidence."""
    refs = _by_outcome(result, evidence)
    decided = result.agree + result.disagree
    statements = result.supports_b_positions + result.opposes_b_positions
    return {
        "position_rate": _rate(result.position_rate(INTERVAL)),
        "statement_rate": _rate(result.statement_rate(INTERVAL)),
        "chance_note": result.chance_note,
        "agree": result.agree,
        "disagree": result.disagree,
        "mixed": result.mixed,
        "a_silent": result.a_silent,
        "shared": result.shared,
        "decided": decided,
        "rate": result.agreement_rate,
        "agree_refs": refs["agree"],
        "disagree_refs": refs["disagree"],
        "mixed_refs": refs["mixed"],
        "kappa": _stat(result.agreement, "kappa"),
        "pi": _stat(result.agreement, "pi"),
        "supports": result.supports_b_positions,
        "opposes": result.opposes_b_positions,
        "support_refs": evidence.refs(result.support_statements),
        "oppose_refs": evidence.refs(result.oppose_statements),
        "share": result.supports_b_positions / statements if statements else None,
    }


def _position(positions: Positions, position_id: str) -> dict[str, Any]:
    found = positions.get(position_id) or {}
    return {
        "id": position_id,
        "topic": found.get("topic"),
        "proposition": found.get("proposition") or position_id,
    }


def alignment_pair(
    stances: pd.DataFrame,
    a: str,
    b: str,
    *,
    holders: Mapping[str, Sequence[str]],
    since: date | None,
    until: date | None,
    positions: Positions,
    names: Names,
    evidence: Evidence,
) -> dict[str, Any]:
    """One pair's section: overall figures, the position table, per topic and per month."""
    pair = stances[stances["actor"].isin([a, b])]
    window: dict[str, Any] = {"holders": holders, "since": since, "until": until}
    result = _align.align(pair, a, b, **window)
    topics = {pid: str(p.get("topic") or "") for pid, p in positions.items()}
    by_topic = _align.align_by_topic(pair, a, b, topics=topics, **window)
    by_month = _align.align_by_period(pair, a, b, by="month", **window)
    rows = [
        {
            **_position(positions, c.position_id),
            "a_side": c.a_side,
            "b_side": c.b_side,
            "outcome": c.outcome,
            "a_refs": evidence.refs(c.a_statements),
            "b_refs": evidence.refs(c.b_statements),
        }
        for c in result.positions
    ]
    counted = _counts.count_matches(pair, a, b, **window)
    return {
        "a": a,
        "b": b,
        "a_name": names.get(a, a),
        "b_name": names.get(b, b),
        "count": _count_section(counted, positions, evidence),
        **_figures(result, evidence),
        "n": result.agreement.n if result.agreement else 0,
        "positions": rows,
        "topics": [
            {"topic": topic, **_figures(r, evidence)}
            for topic, r in by_topic.items()
            if r.agree + r.disagree + r.mixed + r.supports_b_positions + r.opposes_b_positions
        ],
        "months": [
            {"period": label, "start": r.since.isoformat() if r.since else None}
            | _figures(r, evidence)
            for label, r in by_month.items()
        ],
    }


def _count_section(
    counted: _counts.Counts, positions: Positions, evidence: Evidence
) -> dict[str, Any]:
    """The press count of one pair: matches per event with their reports, the opposite."""

    def events(found: Sequence[_counts.Event]) -> list[dict[str, Any]]:
        return [
            {
                "date": e.date.isoformat(),
                **_position(positions, e.position_id),
                "side": e.side,
                "act": e.is_act,
                "refs": evidence.refs(e.statement_ids),
            }
            for e in found
        ]

    return {
        "matches": events(counted.matches),
        "opposite": events(counted.opposite),
        "reports": counted.reports,
        "acts": sum(1 for e in counted.matches if e.is_act),
        "undated": counted.undated,
        "first": counted.first.isoformat() if counted.first else None,
        "last": counted.last.isoformat() if counted.last else None,
        "cumulative": _counts.cumulative(counted),
    }


def cumulative_spec(pairs: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    return charts.cumulative_spec(
        [
            {"actor": f"{p['a_name']} → {p['b_name']}", **point}
            for p in pairs
            for point in p["count"]["cumulative"]
        ]
    )


def over_time_spec(pairs: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    return charts.over_time_spec(
        [
            {
                "pair": f"{p['a_name']} → {p['b_name']}",
                "period": m["period"],
                "share": m["share"],
                "statements": m["supports"] + m["opposes"],
            }
            for p in pairs
            for m in p["months"]
        ]
    )


MATRIX_ACTORS = 16  # ranked actors shown as columns of the position × actor matrix


def ranking(
    stances: pd.DataFrame,
    b: str,
    *,
    holders: Mapping[str, Sequence[str]],
    since: date | None,
    until: date | None,
    positions: Positions,
    names: Names,
    evidence: Evidence,
) -> dict[str, Any]:
    """Every actor who took a side, ranked by the rule of
    :func:`stancewatch.analytics.rates.rank_key` against ``b``, each with the rate, its
    interval, n and the strongest evidence; actors with no position on which both took one
    side listed apart; and the position × actor matrix behind it."""
    window = _comparison.sides_in_window(stances, since, until)
    actors = sorted(str(x) for x in window["actor"].dropna().unique() if x != b)
    ranked: list[tuple[tuple[Any, ...], dict[str, Any], _comparison.Alignment]] = []
    apart = []
    for actor in actors:
        result = _align.align(stances, actor, b, holders=holders, since=since, until=until)
        name = names.get(actor, actor)
        if not result.ranked:
            apart.append({"actor": actor, "name": name, "reason": result.unranked_reason})
            continue
        on_side = list(result.support_statements)
        best = strongest(window, on_side or list(result.oppose_statements))
        row = {
            "actor": actor,
            "name": name,
            **_figures(result, evidence),
            "strongest": evidence.ref(best) if best else None,
            "strongest_side": "same" if on_side else "opposite",
        }
        key = (
            *_rates.rank_key(result.position_rate(INTERVAL)),
            *_rates.rank_key(result.statement_rate(INTERVAL)),
            str(name),
        )
        ranked.append((key, row, result))
    ranked.sort(key=lambda item: item[0])
    rows = [row for _, row, _ in ranked]
    return {
        "b": b,
        "b_name": names.get(b, b),
        "rule": _rates.ranking_rule(names.get(b, b), INTERVAL),
        "rows": rows,
        "apart": sorted(apart, key=lambda r: str(r["name"]).lower()),
        "matrix": _position_matrix(
            [result for _, _, result in ranked][:MATRIX_ACTORS], b, positions, names, evidence
        ),
    }


def _position_matrix(
    results: Sequence[_comparison.Alignment],
    b: str,
    positions: Positions,
    names: Names,
    evidence: Evidence,
) -> dict[str, Any]:
    """Positions × ranked actors: each cell is the actor's outcome against ``b`` on the
    position, linked to the actor's statements on it; rows where nobody shared a side drop."""
    cells: dict[str, dict[str, dict[str, Any]]] = {}
    b_side: dict[str, tuple[str, tuple[str, ...]]] = {}
    for result in results:
        for c in result.positions:
            b_side.setdefault(c.position_id, (c.b_side, c.b_statements))
            if c.outcome in ("agree", "disagree", "mixed"):
                cells.setdefault(c.position_id, {})[result.a] = {
                    "outcome": c.outcome,
                    "side": c.a_side,
                    "refs": evidence.refs(c.a_statements),
                }
    rows = []
    for position_id in sorted(cells):
        side, ids = b_side[position_id]
        rows.append(
            {
                **_position(positions, position_id),
                "b_side": side,
                "b_refs": evidence.refs(ids),
                "cells": [cells[position_id].get(r.a) for r in results],
            }
        )
    return {
        "actors": [{"id": r.a, "name": names.get(r.a, r.a)} for r in results],
        "rows": rows,
    }


def heatmap_spec(
    stances: pd.DataFrame,
    *,
    holders: Mapping[str, Sequence[str]],
    since: date | None,
    until: date | None,
    names: Names,
) -> dict[str, Any] | None:
    """Scott's pi between the most active actors, as a heatmap spec."""
    window = _comparison.sides_in_window(stances, since, until)
    counts = window["actor"].dropna().value_counts()
    actors = sorted(counts.index[:HEATMAP_ACTORS], key=lambda x: (-counts[x], str(x)))
    matrix = _align.alignment_matrix(stances, actors, holders=holders, since=since, until=until)
    return charts.alignment_heatmap_spec(
        [
            {
                "a": names.get(r["a"], r["a"]),
                "b": names.get(r["b"], r["b"]),
                "pi": None if pd.isna(r["pi"]) else float(r["pi"]),
                "agree": int(r["agree"]),
                "shared": int(r["agree"] + r["disagree"]),
            }
            for r in matrix.to_dict(orient="records")
        ]
    )


def echoes(
    stances: pd.DataFrame,
    *,
    since: date | None,
    until: date | None,
    pairs: Sequence[tuple[str, str]],
    positions: Positions,
    names: Names,
    evidence: Evidence,
    clusters: Sequence[_echo.Chain] | None = None,
) -> dict[str, Any]:
    """Echo chains (two actors or more) with evidence, their timeline, and a permutation
    test for each pair (does A follow B?)."""
    window = _comparison.sides_in_window(stances, since, until)
    chains = _echo.position_chains(window, min_actors=2)[:ECHO_CHAINS] + list(clusters or ())
    rows = []
    timeline: list[dict[str, Any]] = []
    for chain in chains:
        label = (
            f"{chain.key} ({chain.side})"
            if chain.kind == "position"
            else f"{chain.key}: {chain.text[:40]}"
        )
        rows.append(
            {
                "kind": chain.kind,
                "key": chain.key,
                "side": chain.side,
                "label": label,
                "text": _position(positions, chain.key)["proposition"]
                if chain.kind == "position"
                else chain.text,
                "links": [
                    {
                        "actor": link.actor,
                        "name": names.get(link.actor, link.actor),
                        "date": link.first_date.isoformat(),
                        "days": link.days_after_first,
                        "refs": evidence.refs(link.statement_ids),
                    }
                    for link in chain.links
                ],
            }
        )
        timeline.extend(
            {
                "chain": label,
                "actor": names.get(link.actor, link.actor),
                "date": link.first_date.isoformat(),
                "origin": chain.links[0].first_date.isoformat(),
                "first": link.days_after_first == 0,
            }
            for link in chain.links
        )
    tests = []
    for a, b in pairs:
        result = _echo.echo_test(window, b, a)
        if not result.n:
            continue
        tests.append(
            {
                "leader": names.get(b, b),
                "follower": names.get(a, a),
                "n": result.n,
                "observed": result.observed_mean_lag,
                "shuffled": result.shuffled_mean_lag,
                "p": result.p_value,
                "permutations": result.permutations,
                "exact": result.exact,
                "window": result.window_days,
                "refs": evidence.refs(p.follower_statement for p in result.pairs),
                "leader_refs": evidence.refs(
                    p.leader_statement for p in result.pairs if p.leader_statement
                ),
            }
        )
    return {
        "chains": rows,
        "timeline": charts.echo_timeline_spec(timeline),
        "tests": tests,
        "clusters_searched": clusters is not None,
    }
