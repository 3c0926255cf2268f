"""The ``align``, ``rank`` and ``echo`` commands: a thin skin over the analytics in the API."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer

from stancewatch.cli.common import (
    DbOption,
    Format,
    FormatOption,
    PackOption,
    SinceOption,
    UntilOption,
    app,
    date_option,
    emit,
    errors_to_exit,
    open_project,
    out,
)

ACTS_NOTE = (
    "Statements and acts count together: acts (votes, decisions, aid pauses) come from the "
    "pack's actions file and from acts stated in the news text, each labelled as an act."
)

ResamplesOption = Annotated[
    int, typer.Option(help="Bootstrap resamples for the kappa and pi intervals (0: none).")
]
SeedOption = Annotated[int, typer.Option(help="Random seed of the bootstrap / permutations.")]


class By(StrEnum):
    month = "month"
    week = "week"


class Interval(StrEnum):
    wilson = "wilson"
    jeffreys = "jeffreys"


IntervalOption = Annotated[
    Interval,
    typer.Option(
        "--interval", help="Binomial interval of the rates (95%): wilson (default) or jeffreys."
    ),
]


def _pct(value: Any) -> str:
    return "—" if value is None or pd.isna(value) else f"{value:.0%}"


def _rate(row: dict[str, Any], prefix: str, x_key: str) -> str:
    """``2 of 3 (67%, 21–94%)`` or ``none``."""
    n = row.get(f"{prefix}_n") or 0
    if not n:
        return "none"
    low, high = row[f"{prefix}_low"], row[f"{prefix}_high"]
    return f"{row[x_key]} of {n} ({_pct(row[f'{prefix}_rate'])}, {low:.0%}–{high:.0%})"


def _chance(row: dict[str, Any]) -> str:
    """Pi and kappa with their intervals where they are shown, else why not."""
    note = row.get("chance_note")
    if isinstance(note, str) and note:
        return "not shown: " + note.split(":")[0]
    return f"pi {_fmt(row['pi'])} {_ci(row, 'pi')}, kappa {_fmt(row['kappa'])} {_ci(row, 'kappa')}"


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "undefined"
    return f"{value:.{digits}f}"


def _ci(row: dict[str, Any], name: str) -> str:
    low, high = row.get(f"{name}_low"), row.get(f"{name}_high")
    if low is None or pd.isna(low):
        return ""
    return f"[{_fmt(low)}, {_fmt(high)}]"


def _evidence(
    statements: pd.DataFrame, ids: list[str], side: str, actions: pd.DataFrame | None = None
) -> list[dict[str, Any]]:
    rows = []
    for sid in ids:
        if actions is not None and sid in actions.index:
            act = actions.loc[sid]
            rows.append(
                {
                    "statement_id": sid,
                    "side": side,
                    "date": act["date"],
                    "speaker": act["actor_name"] or act["actor"],
                    "kind": "act",
                    "act": act["kind"],
                    "content": act["description"],
                    "document": act["source"],
                    "url": act["url"],
                    "start": None,
                    "end": None,
                }
            )
            continue
        if sid not in statements.index:
            continue
        s = statements.loc[sid]
        rows.append(
            {
                "statement_id": sid,
                "side": side,
                "date": s["date"],
                "speaker": s["speaker"],
                "kind": s["kind"],
                "act": None,
                "content": s["content"],
                "document": s["document_title"] or s["document"],
                "url": s["document_url"],
                "start": int(s["content_start"]),
                "end": int(s["content_end"]),
            }
        )
    return rows


@app.command()
@errors_to_exit
def align(
    a: Annotated[str, typer.Argument(help="Actor id, e.g. trump.")],
    b: Annotated[str, typer.Argument(help="Actor id, e.g. putin.")],
    db: DbOption = Path("stancewatch.db"),
    since: SinceOption = None,
    until: UntilOption = None,
    by: Annotated[By | None, typer.Option("--by", help="Also break down by month or week.")] = None,
    by_topic: Annotated[bool, typer.Option("--by-topic", help="Also break down by topic.")] = False,
    resamples: ResamplesOption = 2000,
    seed: SeedOption = 20250120,
    interval: IntervalOption = Interval.wilson,
    count: Annotated[
        bool,
        typer.Option(
            "--count",
            help="Count as the press does: how many times A's statements and acts matched B's "
            "positions, one per event (the same remark in five outlets is one), with the list "
            "and the opposite count.",
        ),
    ] = False,
    fmt: FormatOption = Format.table,
    pack: PackOption = None,
) -> None:
    """How often actor A took actor B's side: shares with their intervals, the counts, kappa
    and pi where enough positions vary, and the evidence. With --count: the matches per event.

    Example: `stancewatch align trump putin --since 2025-01-20 --by month --db corpus.db`
    """
    from stancewatch.analytics.alignment import positions_frame, summary_row

    window = {"since": date_option(since), "until": date_option(until)}
    options = {**window, "resamples": resamples, "seed": seed}
    if count:
        from stancewatch.cli.align_count import print_count

        print_count(a, b, db, pack, window, fmt)
        return
    with open_project(db, pack) as project:
        result = project.align(a, b, **options)
        groups = []
        if by is not None:
            groups.append(project.alignment(a, b, by=by.value, **options).assign(grouping=by.value))
        if by_topic:
            groups.append(project.alignment(a, b, by="topic", **options).assign(grouping="topic"))
        statements = project.statements().set_index("id")
        actions = project.actions().set_index("evidence_id")
    summary: dict[str, Any] = summary_row(result, interval.value)
    positions = positions_frame(result)
    evidence = _evidence(statements, summary["support_statements"], "supports", actions) + (
        _evidence(statements, summary["oppose_statements"], "opposes", actions)
    )
    grouped = pd.concat(groups, ignore_index=True) if groups else None
    agreed = result.agreement
    if fmt is Format.json:
        payload = {
            **summary,
            "resamples": agreed.resamples if agreed else 0,
            "seed": seed,
            "positions": positions.to_dict(orient="records"),
            "evidence": evidence,
            "groups": [] if grouped is None else grouped.to_dict(orient="records"),
            "note": ACTS_NOTE,
        }
        out.print_json(json.dumps(payload, default=str, ensure_ascii=False))
        return
    if fmt is Format.csv:
        emit(positions if grouped is None else grouped, fmt)
        return
    name = "Wilson" if interval is Interval.wilson else "Jeffreys"

    def share(prefix: str) -> str:
        if not summary[f"{prefix}_n"]:
            return "no share to give"
        return (
            f"{_pct(summary[f'{prefix}_rate'])} (95% {name} interval "
            f"{summary[f'{prefix}_low']:.0%}–{summary[f'{prefix}_high']:.0%})"
        )

    out.print(
        f"[bold]{a}[/bold] took [bold]{b}[/bold]'s side on {result.agree} of "
        f"{summary['position_n']} positions both took one side on: {share('position')}; "
        f"{result.disagree} opposite, {result.mixed} more where either was split, "
        f"{result.a_silent} positions {b} holds where {a} was silent.",
        highlight=False,
    )
    out.print(
        f"{a}'s statements and acts on positions where {b}'s side is known: "
        f"{result.supports_b_positions} of {summary['statement_n']} on {b}'s side: "
        f"{share('statement')}.",
        highlight=False,
    )
    if summary["chance_note"]:
        out.print(
            f"Cohen's kappa and Scott's pi not shown ({summary['chance_note']}).",
            highlight=False,
        )
    else:
        out.print(
            f"Cohen's kappa {_fmt(summary['kappa'])} {_ci(summary, 'kappa')}, Scott's pi "
            f"{_fmt(summary['pi'])} {_ci(summary, 'pi')} over {agreed.n if agreed else 0} "
            f"shared positions (95% percentile bootstrap, {resamples} resamples, seed {seed}).",
            highlight=False,
        )
    out.print(ACTS_NOTE, highlight=False)
    table = positions.assign(
        a_statements=positions["a_statements"].map(", ".join),
        b_statements=positions["b_statements"].map(", ".join),
    ).rename(columns={"a_side": a, "b_side": b})
    emit(table, fmt, title="Positions")
    if grouped is not None:
        emit(_group_table(grouped), fmt, title="Breakdown (B's side over the whole range)")
    for e in evidence:
        if e["kind"] == "act":
            out.print(
                f"- [{e['side']}] {e['date'] or 'undated'} ACT ({e['act']}) {e['speaker'] or ''}: "
                f"{e['content']} (source: {e['document']}, {e['url']}; act {e['statement_id']})",
                highlight=False,
                markup=False,
            )
            continue
        out.print(
            f"- [{e['side']}] {e['date'] or 'undated'} {e['speaker'] or ''}: “{e['content']}” "
            f"({e['document']}, characters {e['start']}–{e['end']}, statement {e['statement_id']})",
            highlight=False,
            markup=False,
        )


def _group_table(frame: pd.DataFrame) -> pd.DataFrame:
    rows = frame.to_dict(orient="records")
    return pd.DataFrame(
        [
            {
                "grouping": r["grouping"],
                "group": r["group"],
                "agree": r["agree"],
                "disagree": r["disagree"],
                "mixed": r["mixed"],
                "a_silent": r["a_silent"],
                "kappa": f"{_fmt(r['kappa'])} {_ci(r, 'kappa')}".strip(),
                "pi": f"{_fmt(r['pi'])} {_ci(r, 'pi')}".strip(),
                "supporting": r["supports_b_positions"],
                "opposing": r["opposes_b_positions"],
            }
            for r in rows
        ]
    )


@app.command()
@errors_to_exit
def rank(
    with_actor: Annotated[
        str, typer.Option("--with", help="The actor everyone is compared with, e.g. putin.")
    ],
    db: DbOption = Path("stancewatch.db"),
    since: SinceOption = None,
    until: UntilOption = None,
    resamples: ResamplesOption = 2000,
    seed: SeedOption = 20250120,
    by: Annotated[
        str,
        typer.Option(
            "--by",
            help="rate (default: the lower end of the interval of the share of positions on "
            "the actor's side), pi (Scott's) or kappa (Cohen's).",
        ),
    ] = "rate",
    interval: IntervalOption = Interval.wilson,
    fmt: FormatOption = Format.table,
    pack: PackOption = None,
) -> None:
    """Rank actors by how often they took one actor's side, a rate with its interval;
    actors who share no position with that actor are listed apart, unranked.

    Example: `stancewatch rank --with putin --since 2025-01-20 --db corpus.db`
    """
    from stancewatch.analytics.rates import MIN_VARYING, ranking_rule

    window = {"since": date_option(since), "until": date_option(until)}
    with open_project(db, pack) as project:
        table = project.rank(
            with_actor,
            **window,
            resamples=resamples,
            seed=seed,
            by=by,
            interval=interval.value,
        )
    if fmt is not Format.table:
        emit(table, fmt)
        return
    rows = table.to_dict(orient="records")
    ranked = [r for r in rows if not pd.isna(r["rank"])]
    apart = [r for r in rows if pd.isna(r["rank"])]
    rule = (
        ranking_rule(with_actor, interval.value)
        if by == "rate"
        else f"Ranked by {by}, highest first, undefined last; ties by the rate rule."
    )
    emit(
        pd.DataFrame(
            [
                {
                    "rank": int(r["rank"]),
                    "actor": r["actor"],
                    f"positions on {with_actor}'s side": _rate(r, "position", "agree"),
                    "split": r["mixed"],
                    f"statements on {with_actor}'s side": _rate(
                        r, "statement", "supports_b_positions"
                    ),
                    "pi, kappa": _chance(r),
                }
                for r in ranked
            ],
            columns=[
                "rank",
                "actor",
                f"positions on {with_actor}'s side",
                "split",
                f"statements on {with_actor}'s side",
                "pi, kappa",
            ],
        ),
        fmt,
        title=f"Alignment with {with_actor}",
    )
    out.print(rule, highlight=False)
    out.print(
        f"Rates are x of n with the share and its 95% {interval.value.capitalize()} interval. "
        f"Kappa and pi are shown only where each actor took each side on at least "
        f"{MIN_VARYING} shared positions.",
        highlight=False,
    )
    if apart:
        emit(
            pd.DataFrame(
                [
                    {
                        "actor": r["actor"],
                        "why not ranked": r["unranked"],
                        f"statements on {with_actor}'s side": _rate(
                            r, "statement", "supports_b_positions"
                        ),
                    }
                    for r in apart
                ]
            ),
            fmt,
            title=f"Not ranked: no position on which both they and {with_actor} took one side",
        )


@app.command()
@errors_to_exit
def echo(
    db: DbOption = Path("stancewatch.db"),
    position: Annotated[
        str | None, typer.Option("--position", help="Only this position id.")
    ] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    min_actors: Annotated[
        int, typer.Option("--min-actors", help="Only chains with at least this many actors.")
    ] = 2,
    clusters: Annotated[
        bool,
        typer.Option(
            "--clusters",
            help="Also chain near-identical statements that match no position (loads MiniLM).",
        ),
    ] = False,
    threshold: Annotated[
        float, typer.Option("--threshold", help="Cosine similarity for near-identical.")
    ] = 0.85,
    leader: Annotated[
        str | None,
        typer.Option(
            "--leader", help="Test whether others follow this actor more closely than chance."
        ),
    ] = None,
    follower: Annotated[
        str | None, typer.Option("--follower", help="With --leader: test only this actor.")
    ] = None,
    permutations: Annotated[
        int, typer.Option("--permutations", help="Shuffles for the permutation test.")
    ] = 2000,
    seed: SeedOption = 20250120,
    fmt: FormatOption = Format.table,
    pack: PackOption = None,
) -> None:
    """Who voiced each position first, who repeated it and how many days later.

    Example: `stancewatch echo --position no-nato-membership --leader putin --db corpus.db`
    """
    window = {"since": date_option(since), "until": date_option(until)}
    tests: list[dict[str, Any]] = []
    with open_project(db, pack) as project:
        chains = project.echo_chains(position=position, min_actors=min_actors, **window)
        if clusters:
            found = project.echo_clusters(threshold=threshold, min_actors=max(2, min_actors))
            chains = pd.concat([chains, found], ignore_index=True)
        if leader is not None:
            project.pack.actor(leader)
            others = (
                [follower]
                if follower
                else sorted(a for a in project.stances()["actor"].dropna().unique() if a != leader)
            )
            for other in others:
                result = project.echo_test(
                    leader, other, permutations=permutations, seed=seed, **window
                )
                if result.n:
                    tests.append(_test_row(result))
    if fmt is Format.json:
        payload = {"chains": chains.to_dict(orient="records"), "tests": tests}
        out.print_json(json.dumps(payload, default=str, ensure_ascii=False))
        return
    if fmt is Format.csv:
        emit(chains, fmt)
        return
    table = chains.assign(statement_ids=chains["statement_ids"].map(", ".join))
    emit(table.drop(columns=["first"]), fmt, title="Echo chains (days after the first voice)")
    if tests:
        emit(pd.DataFrame(tests).drop(columns=["pairs"]), fmt, title=f"Following {leader}")


def _test_row(result: Any) -> dict[str, Any]:
    return {
        "leader": result.leader,
        "follower": result.follower,
        "statements": result.n,
        "mean lag (days, capped)": _fmt(result.observed_mean_lag, 1),
        "shuffled mean lag": _fmt(result.shuffled_mean_lag, 1),
        "p": _fmt(result.p_value, 3),
        "shuffles": f"{result.permutations}{' (all)' if result.exact else ''}",
        "pairs": [
            {
                "follower_statement": p.follower_statement,
                "leader_statement": p.leader_statement,
                "position_id": p.position_id,
                "side": p.side,
                "lag_days": p.lag_days,
            }
            for p in result.pairs
        ],
    }
