"""Checking numeric claims against sourced facts.

``check_claims(claims, facts)`` returns exactly one :class:`~stancewatch.records.Verdict` per
claim. A fact can check a claim only when the units agree (percent with percent, money with
money in the same currency, counts with counts); among those, facts are scored by how well
their measure and keywords match the claim's measure and sentence, with a bonus for the same
subject and for a period close to the claim's date. The best match is compared within a
tolerance per unit; the thresholds are module constants so reports can print them.

Among facts for the same measure (two polls) the one closest in time to the claim is used.
When facts for different measures match about equally well, the claim is read the way it
holds if one reading does; if the readings disagree and none holds, it is unverifiable:
a wrong "inaccurate" is worse than none.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np

from stancewatch.quantities import lexicon
from stancewatch.records import Claim, Fact, Verdict, VerdictLabel

__all__ = [
    "METHOD",
    "check_claims",
    "format_quantity",
    "MIN_MATCH_EMBEDDING",
    "MIN_MATCH_KEYWORDS",
    "SUBJECT_BONUS",
    "PERIOD_BONUS",
    "PERIOD_SCALE_DAYS",
    "MATCH_MARGIN",
    "AMBIGUITY_MARGIN",
    "MEASURE_WEIGHT",
    "ABSOLUTE_TOLERANCE",
    "RELATIVE_TOLERANCE",
    "FACTOR",
]

METHOD = "factcheck.rules.v1"
MIN_MATCH_EMBEDDING = 0.45  # least score to use a fact, with MiniLM cosine similarity
MIN_MATCH_KEYWORDS = 0.34  # least score with the keyword-overlap fallback
SUBJECT_BONUS = 0.10  # added when the claim's subject is the fact's subject
PERIOD_BONUS = 0.05  # at most this much for a fact period close to the claim date
PERIOD_SCALE_DAYS = 365.0  # the period bonus halves roughly every 250 days
MATCH_MARGIN = 0.10  # facts for the same measure this close to the best: nearest period wins
AMBIGUITY_MARGIN = 0.05  # different measures this close to the best make the claim ambiguous
MEASURE_WEIGHT = 0.6  # weight of the claim's measure words against its sentence
ABSOLUTE_TOLERANCE = {"percent": 3.0, "percentage_point": 1.0}  # in points
RELATIVE_TOLERANCE = {"money": 0.10, "count": 0.10, "multiple": 0.10}  # share of the fact
FACTOR = 2.0  # beyond this ratio a wrong figure is "inaccurate", not exaggerated/understated
NEAREST_SHOWN = 3

Similarity = Callable[[list[str], list[str]], np.ndarray]

_UNIT_NAMES = {
    "percent": "percentage",
    "percentage_point": "percentage-point",
    "money": "money",
    "count": "count",
    "multiple": "multiple",
}
_BOUND_WORDS = {
    "about": "about ",
    "more_than": "more than ",
    "less_than": "less than ",
    "at_least": "at least ",
    "at_most": "at most ",
}
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class _Scored:
    fact: Fact
    text: float
    total: float
    days: int | None


def check_claims(
    claims: Sequence[Claim],
    facts: Sequence[Fact],
    *,
    similarity: Similarity | None = None,
    min_match: float | None = None,
    claim_dates: Mapping[str, date] | None = None,
) -> list[Verdict]:
    """One verdict per claim, in order.

    ``similarity(a, b)`` returns a len(a) × len(b) matrix of text similarities (the pipeline
    passes MiniLM cosine similarity); without it a keyword-overlap score is used.
    ``min_match`` defaults to :data:`MIN_MATCH_EMBEDDING` or :data:`MIN_MATCH_KEYWORDS`.
    ``claim_dates`` (claim id → date said) picks, among facts that match about equally well,
    the one whose period is closest.
    """
    if min_match is None:
        min_match = MIN_MATCH_EMBEDDING if similarity is not None else MIN_MATCH_KEYWORDS
    if not math.isfinite(min_match):
        raise ValueError(f"min_match must be a finite number, got {min_match!r}")
    claims, facts = list(claims), list(facts)
    if not claims:
        return []
    text_scores = _text_scores(claims, facts, similarity)
    dates = claim_dates or {}
    verdicts = []
    for row, claim in enumerate(claims):
        when = dates.get(claim.id)
        scored = [
            _score(claim, fact, float(text_scores[row, col]), when)
            for col, fact in enumerate(facts)
        ]
        verdicts.append(_verdict(claim, scored, min_match, when))
    return verdicts


def _fact_text(fact: Fact) -> str:
    keywords = ", ".join(fact.keywords)
    return f"{fact.measure}: {keywords}" if keywords else fact.measure


def _text_scores(
    claims: list[Claim], facts: list[Fact], similarity: Similarity | None
) -> np.ndarray:
    if not facts:
        return np.zeros((len(claims), 0))
    fact_texts = [_fact_text(f) for f in facts]
    contexts = [c.context or c.measure or c.text for c in claims]
    measures = [c.measure or c.context or c.text for c in claims]
    if similarity is None:
        return np.array(
            [
                [_overlap(m, ctx, f) for f in facts]
                for m, ctx in zip(measures, contexts, strict=True)
            ]
        )
    by_context = np.asarray(similarity(contexts, fact_texts), dtype=float)
    by_measure = np.asarray(similarity(measures, fact_texts), dtype=float)
    expected = (len(claims), len(facts))
    for got in (by_context, by_measure):
        if got.shape != expected:
            raise ValueError(
                f"similarity returned an array of shape {got.shape}; expected {expected} "
                "(one row per text in the first list, one column per text in the second)"
            )
    has_measure = np.array([bool(c.measure) for c in claims])[:, None]
    weighted = MEASURE_WEIGHT * by_measure + (1 - MEASURE_WEIGHT) * by_context
    return np.where(has_measure, weighted, by_context)


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    return frozenset(str(w) for w in lexicon().raw["measure_stopwords"])


def _lemma(word: str) -> str:
    """A crude stem that puts "Ukrainians" with "Ukraine" and "European" with "Europe"."""
    w = word.lower().removesuffix("'s").removesuffix("’s")
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith("s") and len(w) > 3 and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    for ending in ("ian", "ean", "an", "ia", "ea", "a", "e"):
        if w.endswith(ending) and len(w) - len(ending) >= 4:
            return w[: -len(ending)]
    return w


def _bag(text: str) -> set[str]:
    stop = _stopwords()
    return {_lemma(w) for w in _WORD.findall(text) if w.lower() not in stop}


def _overlap(measure: str, context: str, fact: Fact) -> float:
    """Share of the smaller word bag found in the other (the overlap coefficient)."""
    claim_bag = _bag(f"{measure} {context}")
    fact_bag = _bag(_fact_text(fact))
    if not claim_bag or not fact_bag:
        return 0.0
    return len(claim_bag & fact_bag) / min(len(claim_bag), len(fact_bag))


def _days_apart(when: date | None, fact: Fact) -> int | None:
    start, end = fact.period_start or fact.period_end, fact.period_end or fact.period_start
    if when is None or start is None or end is None:
        return None
    start, end = min(start, end), max(start, end)
    if when < start:
        return (start - when).days
    return (when - end).days if when > end else 0


def _score(claim: Claim, fact: Fact, text: float, when: date | None) -> _Scored:
    total = text
    if claim.subject is not None and claim.subject == fact.subject:
        total += SUBJECT_BONUS
    days = _days_apart(when, fact)
    if days is not None:
        total += PERIOD_BONUS * math.exp(-days / PERIOD_SCALE_DAYS)
    return _Scored(fact, text, total, days)


def _compatible(claim: Claim, fact: Fact) -> bool:
    if claim.unit != fact.unit:
        return False
    return claim.unit != "money" or (claim.currency or "") == (fact.currency or "")


def _describe(s: _Scored) -> str:
    f = s.fact
    value = format_quantity(f.value, f.unit, value_high=f.value_high, currency=f.currency)
    return f"“{f.measure}” ({f.id}: {value}, score {s.total:.2f})"


def _nearest(scored: list[_Scored]) -> str:
    best = sorted(scored, key=lambda s: -s.total)[:NEAREST_SHOWN]
    return "; ".join(_describe(s) for s in best) if best else "none"


def _unverifiable(claim: Claim, why: str, best: float | None) -> Verdict:
    return Verdict(claim.id, "unverifiable", why, METHOD, None, None, _round(best))


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def _verdict(claim: Claim, scored: list[_Scored], min_match: float, when: date | None) -> Verdict:
    said = _claim_text(claim)
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
    near = [s for s in candidates if s.total >= max(min_match, best.total - MATCH_MARGIN)]
    chosen, note = _choose([s for s in near if _same_measure(s.fact, best.fact)], best, when)
    label, ratio, judgement = _compare(claim, chosen.fact)
    rivals = [
        s
        for s in candidates
        if not _same_measure(s.fact, chosen.fact) and s.total >= best.total - AMBIGUITY_MARGIN
    ]
    if rivals and label != "accurate":
        readings = [(s, _compare(claim, s.fact)) for s in rivals]
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
    explanation = (
        f"Claimed {said} against {fact_text} for {f.measure}{period} ({f.source}): {judgement}"
    )
    if note:
        explanation += f" {note}"
    return Verdict(claim.id, label, explanation, METHOD, f.id, _round(ratio), _round(chosen.total))


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


def _choose(same: list[_Scored], best: _Scored, when: date | None) -> tuple[_Scored, str]:
    """Among facts for the same measure (say two polls), the one closest in time to the claim."""
    if len(same) < 2:
        return best, ""
    dated = [s for s in same if s.days is not None]
    chosen = max(same, key=lambda s: (round(s.total, 6), _recency(s.fact)))
    reason = "it matches the claim best (ties go to the most recent period"
    reason += "; the claim date is unknown)" if when is None else ")"
    if when is not None and dated:
        closest = min(dated, key=lambda s: (s.days or 0, -s.total))
        nearest_days = closest.days or 0
        if any(s.days is None or s.days > nearest_days for s in same if s is not closest):
            chosen = closest
            reason = f"its period is closest to the claim date {when.isoformat()}"
    others = "; ".join(_describe(s) for s in same if s is not chosen)
    note = f"Of {len(same)} facts for this measure, used {chosen.fact.id} because {reason}"
    return chosen, f"{note}; also matched: {others}."


def _compare(claim: Claim, fact: Fact) -> tuple[VerdictLabel, float | None, str]:
    """Label, ratio (claim ÷ fact, midpoints) and the sentence that explains them."""
    f_lo, f_hi = sorted((fact.value, fact.value if fact.value_high is None else fact.value_high))
    c_lo, c_hi = sorted(
        (claim.value, claim.value if claim.value_high is None else claim.value_high)
    )
    fact_mid, claim_mid = (f_lo + f_hi) / 2, (c_lo + c_hi) / 2
    ratio = claim_mid / fact_mid if fact_mid else None
    shown = f"the claim is {_ratio_text(ratio)} the sourced figure" if ratio else "the claim"
    if claim.approximation in ("more_than", "at_least"):
        c_hi = math.inf
    elif claim.approximation in ("less_than", "at_most"):
        c_lo = -math.inf
    absolute = ABSOLUTE_TOLERANCE.get(claim.unit)
    relative = RELATIVE_TOLERANCE.get(claim.unit, 0.10)
    tolerance = f"±{absolute:g} points" if absolute is not None else f"±{relative:.0%}"
    if c_hi < f_lo:
        gap, ref, above = f_lo - c_hi, f_lo, False
    elif c_lo > f_hi:
        gap, ref, above = c_lo - f_hi, f_hi, True
    else:
        gap, ref, above = 0.0, fact_mid, False
    label: VerdictLabel
    if gap <= (absolute if absolute is not None else relative * abs(ref)):
        label, why = "accurate", f"within the {tolerance} tolerance"
        if claim.approximation in ("more_than", "at_least") and ratio and ratio < 1 / FACTOR:
            why = "true as a lower bound, though the sourced figure is far higher"
        elif claim.approximation in ("less_than", "at_most") and ratio and ratio > FACTOR:
            why = "true as an upper bound, though the sourced figure is far lower"
    elif ratio is None or ratio <= 0:
        label, why = "inaccurate", f"off by more than the {tolerance} tolerance"
    elif above and ratio <= FACTOR:
        label = "exaggerated"
        why = f"above it by more than the {tolerance} tolerance but within a factor of {FACTOR:g}"
    elif not above and ratio >= 1 / FACTOR:
        label = "understated"
        why = f"below it by more than the {tolerance} tolerance but within a factor of {FACTOR:g}"
    else:
        label, why = "inaccurate", f"off by more than a factor of {FACTOR:g}"
    return label, ratio, f"{shown}, {why}: {label}."


def _ratio_text(ratio: float) -> str:
    if ratio >= 10:
        return f"{ratio:,.0f}×"
    return f"{ratio:.1f}×" if ratio >= 0.095 else f"{ratio:.2g}×"


def _claim_text(claim: Claim) -> str:
    return format_quantity(
        claim.value,
        claim.unit,
        value_high=claim.value_high,
        currency=claim.currency,
        scale=claim.scale,
        approximation=claim.approximation,
    )


def format_quantity(
    value: float,
    unit: str,
    *,
    value_high: float | None = None,
    currency: str | None = None,
    scale: float = 1.0,
    approximation: str = "exact",
) -> str:
    """A quantity as a reader writes it: "4%", "$118–120 billion", "more than 200", "3×"."""
    prefix = _BOUND_WORDS.get(approximation, "")
    numbers = [value] if value_high is None else [value, value_high]
    if unit == "percent":
        return prefix + "–".join(_num(n) for n in numbers) + "%"
    if unit == "percentage_point":
        return prefix + "–".join(_num(n) for n in numbers) + " percentage points"
    if unit == "multiple":
        return prefix + "–".join(_num(n) for n in numbers) + "×"
    scales = lexicon().scale_words
    if scale <= 1:
        top = max(abs(n) for n in numbers)
        scale = max((s for s in (1e6, 1e9, 1e12) if top >= s), default=1.0)
    name = next((w for w, s in scales.items() if s == scale), "")
    body = "–".join(_num(n / scale) for n in numbers) + (f" {name}" if name else "")
    if unit == "money":
        code = currency or ""
        symbol = lexicon().raw["currencies"]["display"].get(code)
        body = f"{symbol}{body}" if symbol else f"{code} {body}".strip()
    return prefix + body


def _num(x: float) -> str:
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.2f}".rstrip("0").rstrip(".")
