"""Verdicts on claims that relate two subjects' figures: ratios ("twice as much aid as the
United States", see :mod:`stancewatch.claims.comparisons`) and, through currency conversion,
differences ("$100 billion more than Europe", see :mod:`stancewatch.claims.differences`).

A ratio is checked on the ratio of two sourced facts: one for the claim's subject and one for
the other side, giving the same measure for the same period (their measures overlap, as for
differences). Ranges propagate: €132 billion ÷ $118–120 billion gives a ratio range, and the
claim is judged against all of it (:func:`judge_ratio`). Figures in different currencies are
set side by side at a published rate of the pack (:mod:`stancewatch.claims.currency`): at the
end of the fact's period by default, or on the claim's date (``rate_at``); the rate, its day,
why that day and its source are named in the explanation. A fact is converted only when the
pack has no figure for the same subject, measure and period in the currency wanted.

A side whose fact is missing, or a rate that is missing, makes the verdict unverifiable, and
the explanation names what the fact base would need. Pure functions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

from stancewatch.claims.comparisons import Ratio, claimed_ratio
from stancewatch.claims.currency import Conversion, RateTable, convert_fact, rate_day
from stancewatch.claims.differences import (
    MIN_PAIR_OVERLAP,
    measure_stems,
    other_subject,
    same_period,
)
from stancewatch.claims.figures import FACTOR, RELATIVE_TOLERANCE, format_quantity
from stancewatch.claims.lexicon import lexicon
from stancewatch.claims.matching import Scored
from stancewatch.records import Claim, Fact, Verdict, VerdictLabel

__all__ = ["ratio_verdict", "judge_ratio", "in_currency", "fact_text", "by_fit", "AMBIGUITY_MARGIN"]

AMBIGUITY_MARGIN = 0.05  # readings of other measures this close to the best are weighed too
FIT_STEP = 0.25  # facts whose measure fits the claim's words by this much more are tried first
Conversions = dict[tuple[str, str], Conversion]


def fact_text(fact: Fact, conversions: Conversions | None = None) -> str:
    """ "€132 billion" or, for a converted fact, "€132 billion, converted at the rate of ...
    to about $137.13 billion"."""
    conv = (conversions or {}).get((fact.id, fact.currency or ""))
    shown = format_quantity(
        fact.value, fact.unit, value_high=fact.value_high, currency=fact.currency
    )
    if conv is None:
        return shown
    original = format_quantity(
        _undo(fact.value, conv), fact.unit, value_high=_undo_high(fact, conv), currency=conv.base
    )
    return f"{original}, converted at {conv.describe()} to about {shown}"


def _undo(value: float, conv: Conversion) -> float:
    return round(value / float(conv.rate), 6)


def _undo_high(fact: Fact, conv: Conversion) -> float | None:
    return None if fact.value_high is None else _undo(fact.value_high, conv)


def _same_figure(a: Fact, b: Fact, *, same_subject: bool = True) -> bool:
    """Two facts give the same measure for the same period (of the same subject, unless
    ``same_subject`` is False); the words naming each one's subject are left out."""
    if (same_subject and a.subject != b.subject) or a.unit != b.unit:
        return False
    if not same_period(a, b):
        return False
    sa, sb = measure_stems(a), measure_stems(b)
    return bool(sa and sb) and len(sa & sb) / len(sa | sb) >= MIN_PAIR_OVERLAP


def in_currency(
    facts: Sequence[Fact],
    currency: str,
    rates: RateTable,
    when: date | None,
    rate_at: str,
) -> tuple[list[Fact], Conversions, list[str]]:
    """The money facts of another currency converted to ``currency``, for those whose
    subject, measure and period have no figure in ``currency`` already; the conversions used
    (by (fact id, new currency)); and a line for each fact that could not be converted."""
    have = [f for f in facts if f.unit == "money" and f.currency == currency]
    out: list[Fact] = []
    used: Conversions = {}
    problems: list[str] = []
    for f in facts:
        if f.unit != "money" or f.currency in (None, currency):
            continue
        if any(_same_figure(f, g) for g in have):
            continue
        day = rate_day(f, when, rate_at)
        if day is None:
            problems.append(f"{f.id} has no period end and the claim no date to convert at")
            continue
        conv = rates.find(f.currency, currency, *day)
        if conv is None:
            problems.append(f"{f.id}: {rates.missing(f.currency, currency, day[0])}")
            continue
        converted = convert_fact(f, conv)
        out.append(converted)
        used[(converted.id, currency)] = conv
    return out, used, problems


def judge_ratio(
    claimed: tuple[float, float], approximation: str, actual: tuple[float, float]
) -> tuple[VerdictLabel, str]:
    """The label of a claimed ratio against the sourced one, and why.

    Within :data:`~stancewatch.claims.figures.RELATIVE_TOLERANCE` of the sourced ratio it is
    accurate. Otherwise it is judged on how much one side exceeds (or falls short of) the
    other, the part of a ratio a reader takes in: "twice as much" says one gave 100% more;
    if the sources give 16% more, the claim is six times too big and inaccurate, while
    "twice" against 1.8 is exaggerated (within a factor of
    :data:`~stancewatch.claims.figures.FACTOR`). A comparison that runs the other way is
    inaccurate. A bound ("more than all of Europe combined") is accurate when the whole
    sourced range lies beyond it, inaccurate when it lies on the other side, and
    unverifiable when the range straddles it."""
    c_lo, c_hi = claimed
    r_lo, r_hi = actual
    tol = RELATIVE_TOLERANCE["multiple"]
    if approximation in ("more_than", "at_least"):
        if r_lo > c_hi or (approximation == "at_least" and r_lo >= c_hi):
            return "accurate", "above the claimed bound"
        if r_hi > c_lo:
            return "unverifiable", "the sourced range straddles the claimed bound"
        approximation, claimed = "exact", (c_lo, c_lo)
        if c_lo == 1:
            return "inaccurate", "the comparison runs the other way"
    if approximation in ("less_than", "at_most"):
        if r_hi < c_lo or (approximation == "at_most" and r_hi <= c_lo):
            return "accurate", "below the claimed bound"
        if r_lo < c_hi:
            return "unverifiable", "the sourced range straddles the claimed bound"
        claimed = (c_hi, c_hi)
        if c_hi == 1:
            return "inaccurate", "the comparison runs the other way"
    c_lo, c_hi = claimed
    if c_lo <= r_hi * (1 + tol) and c_hi >= r_lo * (1 - tol):
        return "accurate", f"within the ±{tol:.0%} tolerance"
    c_mid, r_mid = (c_lo + c_hi) / 2, (r_lo + r_hi) / 2
    if (c_mid - 1) * (r_mid - 1) < 0:
        return "inaccurate", "the comparison runs the other way"
    e_c, e_r = abs(c_mid - 1), abs(r_mid - 1)
    word = "more" if c_mid > 1 else "less"
    gap = (
        f"the claim says {_share(e_c)} {word}, the sources {_share(e_r)} {word}"
        if e_c and e_r
        else ""
    )
    if e_c and e_r and 1 / FACTOR <= e_c / e_r <= FACTOR:
        label: VerdictLabel = "exaggerated" if e_c > e_r else "understated"
        return label, f"{gap}, within a factor of {FACTOR:g}"
    return "inaccurate", (f"{gap}, " if gap else "") + f"off by more than a factor of {FACTOR:g}"


def subject_name(key: str) -> str:
    """A subject as a reader writes it: a place's first name in ``units.yaml`` ("United
    States" for ``united-states``), else its key."""
    return next((name for name, k in lexicon().places.items() if k == key), key)


def by_fit(s: Scored) -> tuple[int, float]:
    """Sort key: facts whose measure fits the claim's measure words clearly better first
    ("military aid" → the military-aid fact, not the total), then by match score."""
    return -math.floor((s.fit or 0.0) / FIT_STEP), -s.total


def _share(x: float) -> str:
    return f"{x:.0%}"


def _ratio_text(lo: float, hi: float) -> str:
    a, b = f"{lo:.2f}", f"{hi:.2f}"
    return f"about {a}" if a == b else f"about {a}–{b}"


def _claimed_text(claim: Claim, ratio: Ratio) -> str:
    lo, hi = claimed_ratio(claim)
    if claim.approximation in ("more_than", "less_than") and lo == hi == 1:
        return f"{ratio.words} {ratio.other}"
    value = f"{lo:.3g}×" if lo == hi else f"{lo:.3g}–{hi:.3g}×"
    return (
        f"{value} {ratio.words} {ratio.other}"
        if ratio.words != "of"
        else (f"{value} (a share) of {ratio.other}")
    )


def _actual(a: Fact, b: Fact) -> tuple[float, float] | None:
    a_lo, a_hi = a.value, a.value if a.value_high is None else a.value_high
    b_lo, b_hi = b.value, b.value if b.value_high is None else b.value_high
    if b_lo <= 0 or a_lo < 0:
        return None
    return a_lo / b_hi, a_hi / b_lo


def _partners(
    a: Fact, facts: Sequence[Fact], other: str, rates: RateTable, when: date | None, rate_at: str
) -> tuple[list[tuple[Fact, Conversion | None]], list[str]]:
    """Facts for ``other`` giving ``a``'s measure for its period, in ``a``'s currency (as
    published, else converted), and why any could not be used."""
    same = [b for b in facts if b.subject == other and _same_figure(a, b, same_subject=False)]
    if a.unit != "money":
        return [(b, None) for b in same], []
    direct = [(b, None) for b in same if b.currency == a.currency]
    if direct:
        return list(direct), []
    out: list[tuple[Fact, Conversion | None]] = []
    problems = []
    for b in same:
        day = rate_day(b, when, rate_at)
        conv = rates.find(b.currency or "", a.currency or "", *day) if day else None
        if conv is None:
            problems.append(
                rates.missing(b.currency or "", a.currency or "", day[0])
                if day
                else f"{b.id} has no period end and the claim no date to convert at"
            )
            continue
        out.append((convert_fact(b, conv), conv))
    return out, problems


def ratio_verdict(
    claim: Claim,
    ratio: Ratio,
    scored: list[Scored],
    *,
    min_match: float,
    when: date | None,
    rates: RateTable,
    rate_at: str,
    method: str,
) -> Verdict:
    """The verdict on a ratio claim: the ratio of the claim's subject's fact to the other
    side's, for the same measure and period."""
    facts = [s.fact for s in scored]
    said = _claimed_text(claim, ratio)
    who = claim.subject
    other = other_subject(ratio.other, {f.subject for f in facts})
    shown = subject_name(who) if who else "the subject"
    intro = f"Claimed {shown} {said}: a ratio of two figures, not a figure."

    def unverifiable(why: str, best: float | None = None) -> Verdict:
        return Verdict(claim.id, "unverifiable", f"{intro} {why}", method, None, None, best)

    if who is None:
        return unverifiable(
            "The sentence does not name whose figure is compared, so it cannot be checked: unverifiable."
        )
    if other is None:
        return unverifiable(
            f"The other side, “{ratio.other}”, names no subject of the fact base: unverifiable."
        )
    ranked = sorted(
        (s for s in scored if s.fact.subject == who and s.total >= min_match), key=by_fit
    )
    measure = ratio.base or "the measure"
    if not ranked:
        return unverifiable(
            f"Checking it needs sourced figures for both {shown} and {subject_name(other)} for the same measure "
            f"and period; the fact base has no figure for {shown} that matches “{measure}”: "
            "unverifiable."
        )
    readings = []
    problems: list[str] = []
    for s in ranked:
        partners, why = _partners(s.fact, facts, other, rates, when, rate_at)
        problems += why
        for b, conv in partners:
            actual = _actual(s.fact, b)
            if actual is not None:
                readings.append((s, b, conv, actual))
                break
    if not readings:
        top = ranked[0].fact
        rate_note = f" ({'; '.join(dict.fromkeys(problems))})" if problems else ""
        return unverifiable(
            f"The fact base has {top.id} for {shown} ({top.measure}, {top.period}) but no figure "
            f"for {subject_name(other)} giving “{top.measure}” for the same period{rate_note}: unverifiable.",
            round(ranked[0].total, 3),
        )
    best = readings[0]
    close = [r for r in readings if r[0].total >= best[0].total - AMBIGUITY_MARGIN]
    lo, hi = claimed_ratio(claim)
    judged = [(r, *judge_ratio((lo, hi), claim.approximation, r[3])) for r in close]
    chosen = judged[0]
    if chosen[1] == "accurate":
        pass  # as for single figures: the claim is read the way it holds if one reading does
    elif any(j[1] == "accurate" for j in judged):
        chosen = next(j for j in judged if j[1] == "accurate")
    elif len({j[1] for j in judged}) > 1:
        options = "; ".join(
            f"{r[0].fact.id} ÷ {r[1].id} = {_ratio_text(*r[3])} → {label}" for r, label, _ in judged
        )
        return unverifiable(
            f"It matches several measures about equally well, with different results: {options}. "
            "It is not clear which one the claim refers to.",
            round(best[0].total, 3),
        )
    (s, b, conv, actual), label, reason = chosen
    a = s.fact
    conversions: Conversions = {(b.id, b.currency or ""): conv} if conv is not None else {}
    period = a.period or "period not given"
    sources = a.source if a.source == b.source else f"{a.source}; {b.source}"
    explanation = (
        f"{intro} The sourced figures for {a.measure} ({period}; {sources}): {shown} "
        f"{fact_text(a)} ({a.id}) ÷ {subject_name(other)} {fact_text(b, conversions)} ({b.id}) = "
        f"{_ratio_text(*actual)}, against the claimed {said}: {reason}: {label}."
    )
    mid = (actual[0] + actual[1]) / 2
    claimed_mid = (lo + hi) / 2
    ratio_value = claimed_mid / mid if mid and math.isfinite(mid) else None
    return Verdict(
        claim.id,
        label,
        explanation,
        method,
        a.id,
        None if ratio_value is None else round(ratio_value, 3),
        round(s.total, 3),
    )
