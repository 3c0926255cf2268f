"""Checking numeric claims against sourced facts.

``check_claims(claims, facts)`` returns exactly one :class:`~stancewatch.records.Verdict` per
claim. A fact can check a claim only when the units agree (percent with percent, money with
money in the same currency, counts with counts) and the claim's measure fits the fact's (its
measure or one of its keywords, leaving out the words that name the subject); among those,
facts are scored by how well their measure and keywords match the claim's measure and
sentence, with a bonus for the same subject, a penalty for a different subject of the same
kind (two places, two actors), and a bonus for a period close to the claim's date (see
:mod:`stancewatch.claims.matching`). The best match is compared within a tolerance per unit
(:mod:`stancewatch.claims.figures`, which also writes the figures in the explanations).

Among facts for the same measure (two polls) the one closest in time to the claim is used.
When facts for different measures match about equally well, the claim is read the way it
holds if one reading does; if the readings disagree and none holds, it is unverifiable:
a wrong "inaccurate" is worse than none. A bound that holds but lies more than
:data:`~stancewatch.claims.figures.FACTOR` from the figure ("up to €800 billion" against €62
billion) says nothing and is unverifiable. A difference ("$200 billion more than Europe", see
:mod:`stancewatch.claims.differences`) is never compared with a total: it is checked
against the difference of two facts for both sides when the fact base has them, else it is
unverifiable and the explanation names the facts it would need.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date

from stancewatch.claims import differences
from stancewatch.claims.comparisons import parse_ratio
from stancewatch.claims.currency import RATE_AT, RateTable
from stancewatch.claims.differences import Difference, parse_difference
from stancewatch.claims.figures import (
    claim_quantity,
    compare_figures,
    format_quantity,
    scoped_verdict,
)
from stancewatch.claims.matching import (
    MEASURE_WEIGHT,
    MIN_MATCH_EMBEDDING,
    MIN_MATCH_KEYWORDS,
    MIN_MEASURE_FIT,
    MIN_MEASURE_FIT_KEYWORDS,
    PERIOD_BONUS,
    PERIOD_SCALE_DAYS,
    SUBJECT_BONUS,
    SUBJECT_PENALTY,
    Scored,
    Similarity,
    score_facts,
)
from stancewatch.claims.relations import (
    Conversions,
    by_fit,
    fact_text,
    in_currency,
    ratio_verdict,
)
from stancewatch.claims.scope import scope_mismatch
from stancewatch.records import Claim, ExchangeRate, Fact, Verdict, VerdictLabel

__all__ = [
    "METHOD",
    "check_claims",
    "MIN_MATCH_EMBEDDING",
    "MIN_MATCH_KEYWORDS",
    "SUBJECT_BONUS",
    "SUBJECT_PENALTY",
    "MIN_MEASURE_FIT",
    "MIN_MEASURE_FIT_KEYWORDS",
    "PERIOD_BONUS",
    "PERIOD_SCALE_DAYS",
    "MATCH_MARGIN",
    "AMBIGUITY_MARGIN",
    "MEASURE_WEIGHT",
]

METHOD = "factcheck.rules.v2"
MATCH_MARGIN = 0.10  # facts for the same measure this close to the best: nearest period wins
AMBIGUITY_MARGIN = 0.05  # different measures this close to the best make the claim ambiguous
NEAREST_SHOWN = 3

_UNIT_NAMES = {
    "percent": "percentage",
    "percentage_point": "percentage-point",
    "money": "money",
    "count": "count",
    "multiple": "multiple",
}
_WORD = re.compile(r"[^\W\d_]+")


def check_claims(
    claims: Sequence[Claim],
    facts: Sequence[Fact],
    *,
    similarity: Similarity | None = None,
    min_match: float | None = None,
    claim_dates: Mapping[str, date] | None = None,
    subject_kinds: Mapping[str, str] | None = None,
    authority: Mapping[str, int] | None = None,
    rates: Sequence[ExchangeRate] = (),
    rate_at: str = "period-end",
) -> list[Verdict]:
    """One verdict per claim, in order.

    ``similarity(a, b)`` returns a len(a) × len(b) matrix of text similarities (the pipeline
    passes MiniLM cosine similarity); without it a keyword-overlap score is used.
    ``min_match`` defaults to :data:`MIN_MATCH_EMBEDDING` or :data:`MIN_MATCH_KEYWORDS`.
    ``claim_dates`` (claim id → date said) picks, among facts that match about equally well,
    the one whose period is closest. ``subject_kinds`` (subject → "person", "institution",
    "place", ...; e.g. a pack's actor kinds) says which subjects are comparable: a claim
    about one person is penalised against a fact about another person, but a person and a
    country are neither matched nor penalised. Without it the ``places`` of ``units.yaml``
    are places and every other subject is an actor. ``authority`` (source name → rank, 1 the
    most authoritative; see :func:`stancewatch.claims.factbase.source_authority`) breaks ties among
    facts for the same measure whose periods are equally close: the best-ranked source wins,
    and sources without a rank come last.

    ``rates`` (a pack's exchange rates) let a comparison set figures in different currencies
    side by side (:mod:`stancewatch.claims.relations`), at the rate of the end of the fact's
    period (``rate_at="period-end"``) or of the claim's date (``"claim-date"``).

    A claim whose scope differs from the fact's (a yearly figure against a total over several
    years, see :mod:`stancewatch.claims.scope`) is "misleading-scope" when its number matches the
    fact and unverifiable otherwise: the fact base then has no figure for what it claims.
    """
    if min_match is None:
        min_match = MIN_MATCH_EMBEDDING if similarity is not None else MIN_MATCH_KEYWORDS
    if not math.isfinite(min_match):
        raise ValueError(f"min_match must be a finite number, got {min_match!r}")
    if rate_at not in RATE_AT:
        raise ValueError(f"rate_at must be one of {', '.join(RATE_AT)}, got {rate_at!r}")
    table = RateTable(rates)
    claims, facts = list(claims), list(facts)
    if not claims:
        return []
    min_fit = MIN_MEASURE_FIT if similarity is not None else MIN_MEASURE_FIT_KEYWORDS
    dates = claim_dates or {}
    ranks = dict(authority or {})
    all_scored = score_facts(claims, facts, similarity, dates, subject_kinds)
    verdicts = []
    for claim, scored in zip(claims, all_scored, strict=True):
        when = dates.get(claim.id)
        difference = parse_difference(claim.measure)
        ratio = parse_ratio(claim.measure)
        if ratio is not None:
            verdicts.append(
                ratio_verdict(
                    claim,
                    ratio,
                    scored,
                    min_match=min_match,
                    when=when,
                    rates=table,
                    rate_at=rate_at,
                    method=METHOD,
                )
            )
        elif difference is not None:
            conversions: Conversions = {}
            notes: list[str] = []
            if claim.unit == "money" and claim.currency:
                extra, conversions, notes = in_currency(
                    [s.fact for s in scored], claim.currency, table, when, rate_at
                )
                by_id = {s.fact.id: s for s in scored}
                scored = [*scored, *(replace(by_id[f.id], fact=f) for f in extra)]
            verdicts.append(
                _difference_verdict(
                    claim, difference, scored, min_match, when, ranks, conversions, notes
                )
            )
        else:
            verdicts.append(_verdict(claim, scored, min_match, when, min_fit, ranks))
    return verdicts


def _compatible(claim: Claim, fact: Fact) -> bool:
    if claim.unit != fact.unit:
        return False
    return claim.unit != "money" or (claim.currency or "") == (fact.currency or "")


def _describe(s: Scored) -> str:
    f = s.fact
    value = format_quantity(f.value, f.unit, value_high=f.value_high, currency=f.currency)
    return f"“{f.measure}” ({f.id}: {value}, score {s.total:.2f})"


def _nearest(scored: list[Scored]) -> str:
    best = sorted(scored, key=lambda s: -s.total)[:NEAREST_SHOWN]
    return "; ".join(_describe(s) for s in best) if best else "none"


def _unverifiable(claim: Claim, why: str, best: float | None) -> Verdict:
    return Verdict(claim.id, "unverifiable", why, METHOD, None, None, _round(best))


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def _fits(s: Scored, min_fit: float) -> bool:
    return s.fit is None or s.fit >= min_fit


def _verdict(
    claim: Claim,
    scored: list[Scored],
    min_match: float,
    when: date | None,
    min_fit: float,
    ranks: Mapping[str, int],
) -> Verdict:
    said = claim_quantity(claim)
    if not scored:
        return _unverifiable(claim, f"Claimed {said}, but no sourced facts were loaded.", None)
    candidates = [s for s in scored if _compatible(claim, s.fact)]
    unit = _UNIT_NAMES.get(claim.unit, claim.unit)
    if not candidates:
        other_money = [s for s in scored if claim.unit == "money" == s.fact.unit]
        if other_money:
            codes = ", ".join(sorted({s.fact.currency or "no currency" for s in other_money}))
            why = (
                f"Claimed {said} in {claim.currency or 'an unknown currency'}, but the money facts "
                f"are in {codes} and currencies are not converted; nearest facts considered: "
                f"{_nearest(other_money)}."
            )
        else:
            why = (
                f"Claimed {said}, but there is no sourced {unit} figure to compare it with; "
                f"nearest facts considered: {_nearest(scored)}."
            )
        return _unverifiable(claim, why, max(s.total for s in scored))
    best = max(candidates, key=lambda s: s.total)
    if best.total < min_match:
        why = (
            f"Claimed {said} ({claim.measure or 'measure unknown'}), but no {unit} fact matches "
            f"closely enough (best score {best.total:.2f}, below the {min_match:.2f} threshold); "
            f"nearest facts considered: {_nearest(candidates)}."
        )
        return _unverifiable(claim, why, best.total)
    fitting = [s for s in candidates if _fits(s, min_fit)]
    if not fitting or max(s.total for s in fitting) < min_match:
        why = (
            f"Claimed {said} ({claim.measure}), but no {unit} fact measures the same thing: "
            f"the closest by sentence, {_describe(best)}, measures something else (measure "
            f"similarity {best.fit or 0:.2f}, below the {min_fit:.2f} threshold)."
        )
        return _unverifiable(claim, why, best.total)
    candidates = fitting
    best = max(candidates, key=lambda s: s.total)
    near = [s for s in candidates if s.total >= max(min_match, best.total - MATCH_MARGIN)]
    same = [s for s in near if _same_measure(s.fact, best.fact)]
    chosen, note = _choose(same, best, when, ranks)
    label, ratio, judgement = compare_figures(claim, chosen.fact)
    rivals = [
        s
        for s in candidates
        if not _same_measure(s.fact, chosen.fact) and s.total >= best.total - AMBIGUITY_MARGIN
    ]
    if rivals and label != "accurate":
        readings = [(s, compare_figures(claim, s.fact)) for s in rivals]
        holds = [(s, r) for s, r in readings if r[0] == "accurate"]
        if holds:
            alt, (label, ratio, judgement) = max(holds, key=lambda sr: sr[0].total)
            note = (
                f"The claim matches {alt.fact.id} and {chosen.fact.id} about equally well; it is "
                f"judged against {alt.fact.id}, the reading under which it holds."
            )
            chosen = alt
        elif any(r[0] != label for _, r in readings):
            options = "; ".join(
                f"{_describe(s)} → {r[0]}" for s, r in [(chosen, (label,)), *readings]
            )
            why = (
                f"Claimed {said} ({claim.measure or 'measure unknown'}), which matches several "
                f"different sourced figures about equally well with different results: {options}. "
                "It is not clear which one the claim refers to."
            )
            return _unverifiable(claim, why, best.total)
    f = chosen.fact
    fact_text = format_quantity(f.value, f.unit, value_high=f.value_high, currency=f.currency)
    period = f", {f.period}" if f.period else _period_dates(f)
    mismatch = scope_mismatch(claim, f)
    if mismatch is not None:
        label, judgement = scoped_verdict(label, ratio, mismatch)
        if label == "unverifiable":
            ratio = None
    explanation = (
        f"Claimed {said} against {fact_text} for {f.measure}{period} ({f.source}): {judgement}"
    )
    if note:
        explanation += f" {note}"
    return Verdict(claim.id, label, explanation, METHOD, f.id, _round(ratio), _round(chosen.total))


def _difference_verdict(
    claim: Claim,
    diff: Difference,
    scored: list[Scored],
    min_match: float,
    when: date | None,
    ranks: Mapping[str, int],
    conversions: Conversions | None = None,
    notes: Sequence[str] = (),
) -> Verdict:
    """A difference checked against the difference of two facts, never against a total. The
    measure fit is not required: a difference's measure is often a bare verb ("spent"), and
    the two facts must give the same measure for both sides anyway."""
    said, subject = claim_quantity(claim), claim.subject
    intro = (
        f"Claimed {said} {diff.compared}: a difference between two quantities, not a total, "
        "so it is not compared with one sourced figure."
    )
    ranked = sorted(
        (
            s
            for s in scored
            if differences.facts_compatible(claim, s.fact)
            and s.total >= min_match
            and subject in (None, s.fact.subject)
        ),
        key=by_fit,
    )
    facts = [s.fact for s in scored]
    other = (
        None if diff.temporal else differences.other_subject(diff.other, {f.subject for f in facts})
    )
    pair = None
    if diff.temporal and ranked:
        same = [s.fact for s in ranked if _same_measure(s.fact, ranked[0].fact)]
        now = _choose([s for s in ranked if s.fact in same], ranked[0], when, ranks)[0].fact
        pair = differences.pair_by_time(now, same, diff.other)
    elif other is not None and subject is not None:
        pair = differences.pair_by_subject([s.fact for s in ranked], facts, other)
    figure = differences.difference_fact(claim, diff, *pair) if pair else None
    if pair is None or figure is None:
        needed = _needed(claim, diff, ranked, facts, other)
        if notes:
            needed += f" Not converted: {'; '.join(notes)}."
        return _unverifiable(claim, f"{intro} {needed}", None)
    a, b = pair
    best = next(s for s in ranked if s.fact is a)
    x, y = (fact_text(f, conversions) for f in pair)
    if diff.temporal:
        sides = f"{x} ({a.id}, {_when(a)}) and {y} ({b.id}, {_when(b)})"
    else:
        sides = f"{a.subject} {x} ({a.id}) and {b.subject} {y} ({b.id}), {_when(a)}"
    high = figure.value if figure.value_high is None else figure.value_high
    label: VerdictLabel
    if high <= 0:  # the gap runs the other way
        flipped = format_quantity(-high, figure.unit, currency=figure.currency)
        label, ratio = "inaccurate", None
        judgement = f": the gap runs the other way, by {flipped}: inaccurate."
    else:
        label, ratio, judgement = compare_figures(claim, figure)
        gap = format_quantity(
            figure.value, figure.unit, value_high=figure.value_high, currency=figure.currency
        )
        judgement = f", a gap of {gap}: {judgement}"
    sources = a.source if a.source == b.source else f"{a.source}; {b.source}"
    explanation = (
        f"Claimed {said} {diff.compared}, a difference, not a total. The sourced figures for "
        f"{a.measure} give {sides} ({sources}){judgement}"
    )
    return Verdict(claim.id, label, explanation, METHOD, a.id, _round(ratio), _round(best.total))


def _when(fact: Fact) -> str:
    return fact.period or _period_dates(fact).removeprefix(", ") or "period not given"


def _needed(
    claim: Claim, diff: Difference, ranked: list[Scored], facts: list[Fact], other: str | None
) -> str:
    """Which facts would check the difference, and what the fact base has."""
    what = f"{claim.currency} " if claim.unit == "money" and claim.currency else ""
    found = ", ".join(s.fact.id for s in ranked[:NEAREST_SHOWN]) or "none that match"
    if diff.temporal:
        who = f" for {claim.subject}" if claim.subject else ""
        return (
            f"It compares two times; checking it needs the same sourced {what}figure{who} for "
            f"both times. Matching facts: {found}."
        )
    if claim.subject is None or other is None:
        left = claim.subject or "the claim's subject (not known)"
        right = other or (f"“{diff.other}”" if diff.other else "the other side (not named)")
        return (
            f"Checking it needs sourced {what}figures for both sides, {left} and {right}, for "
            "the same measure and period."
        )
    theirs = ", ".join(
        f"{f.id} ({f.currency or _UNIT_NAMES[f.unit]})" for f in facts if f.subject == other
    )
    return (
        f"Checking it needs {what}figures for both {claim.subject} and {other} for the same "
        f"measure and period (or a rate in the pack's rates.csv to convert them); facts for "
        f"{claim.subject}: "
        f"{found}; for {other}: {theirs or 'none'}."
    )


def _same_measure(a: Fact, b: Fact) -> bool:
    """Two facts give the same figure for different periods or sources (e.g. two polls)."""
    same_text = " ".join(a.measure.casefold().split()) == " ".join(b.measure.casefold().split())
    return same_text and a.subject == b.subject and a.unit == b.unit and a.currency == b.currency


def _period_dates(fact: Fact) -> str:
    if fact.period_start and fact.period_end and fact.period_start != fact.period_end:
        return f", {fact.period_start.isoformat()} – {fact.period_end.isoformat()}"
    one = fact.period_start or fact.period_end
    return f", {one.isoformat()}" if one else ""


def _recency(fact: Fact) -> date:
    return fact.period_end or fact.period_start or date.min


def _rank(fact: Fact, ranks: Mapping[str, int]) -> int:
    return ranks.get(fact.source, len(ranks) + 1)


def _choose(
    same: list[Scored], best: Scored, when: date | None, ranks: Mapping[str, int]
) -> tuple[Scored, str]:
    """Among facts for the same measure (say two polls), the one closest in time to the claim;
    among equally close ones, the one from the most authoritative source (``ranks``)."""
    if len(same) < 2:
        return best, ""
    dated = [s for s in same if s.days is not None]
    chosen = max(same, key=lambda s: (round(s.total, 6), _recency(s.fact), -_rank(s.fact, ranks)))
    reason = "it matches the claim best (ties go to the most recent period"
    reason += "; the claim date is unknown)" if when is None else ")"
    tied = [s for s in same if round(s.total, 6) == round(chosen.total, 6)]
    tied = [s for s in tied if _recency(s.fact) == _recency(chosen.fact)]
    if when is not None and dated:
        nearest_days = min(s.days or 0 for s in dated)
        tied = [s for s in dated if s.days == nearest_days]
        if any(s.days is None or s.days > nearest_days for s in same):
            chosen = min(tied, key=lambda s: (_rank(s.fact, ranks), -s.total))
            reason = f"its period is closest to the claim date {when.isoformat()}"
    ranked_tie = {_rank(s.fact, ranks) for s in tied}
    if len(tied) > 1 and len(ranked_tie) > 1:
        chosen = min(tied, key=lambda s: (_rank(s.fact, ranks), -s.total))
        reason += (
            f"; of the facts that are equally close, its source ({chosen.fact.source}) ranks "
            f"highest in the pack's source_authority"
        )
    others = "; ".join(_describe(s) for s in same if s is not chosen)
    note = f"Of {len(same)} facts for this measure, used {chosen.fact.id} because {reason}"
    return chosen, f"{note}; also matched: {others}."
