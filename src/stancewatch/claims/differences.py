"""Differences between two quantities: "$200 billion more than Europe", "5 points higher than
in December".

Such a number is a gap, not a total, so it must never be checked against a total. A claim
marks it in its measure, written by :func:`difference_measure` and read by
:func:`parse_difference`::

    difference: US spent (more than Europe)

The checker (:mod:`stancewatch.claims.verdicts`) checks it against the difference of two facts:
two subjects for the same measure and period (:func:`pair_by_subject`: US aid minus European
aid) or one subject at two times (:func:`pair_by_time`: the February poll minus the December
poll). :func:`difference_fact` turns such a pair into the figure the claim is compared with.
Pure functions; the word lists (comparatives, words of time) live in ``units.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from stancewatch.claims.lexicon import find_places, lexicon, stem
from stancewatch.records import Claim, Fact

__all__ = [
    "DIFFERENCE_PREFIX",
    "Difference",
    "difference_measure",
    "parse_difference",
    "other_subject",
    "pair_by_subject",
    "pair_by_time",
    "difference_fact",
    "facts_compatible",
    "measure_stems",
    "same_period",
]

DIFFERENCE_PREFIX = "difference: "
MIN_PAIR_OVERLAP = 0.75  # two facts give the same measure for two subjects (word overlap)

_PATTERN = re.compile(
    r"^difference:\s*(?P<base>.*?)\s*\((?P<word>[^\s()]+)(?: than (?P<other>[^()]*))?\)\s*$"
)
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_WORD = re.compile(r"[^\W\d_]+")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


@dataclass(frozen=True)
class Difference:
    """A difference claim's measure, read back: ``base`` words, the comparative ``word``,
    the ``other`` side ("" when none is named) and the direction (+1 more, -1 less)."""

    base: str
    word: str
    other: str
    sign: int

    @property
    def compared(self) -> str:
        """ "more than Europe", or the comparative alone."""
        return f"{self.word} than {self.other}" if self.other else self.word

    @property
    def temporal(self) -> bool:
        """Whether the other side is a time ("than last year", "than in December")."""
        words = {w.lower() for w in _WORD.findall(self.other)}
        months = set(lexicon().raw["dates"]["months"])
        return bool(
            words & lexicon().temporal_words
            or any(w in months for w in _WORD.findall(self.other))
            or _YEAR.search(self.other)
        )


def difference_measure(base: str, word: str, other: str = "") -> str:
    """ "difference: US spent (more than Europe)"; ``other`` may be empty."""
    compared = f"({word} than {other})" if other else f"({word})"
    return DIFFERENCE_PREFIX + " ".join(p for p in (base.strip(), compared) if p)


def parse_difference(measure: str) -> Difference | None:
    """The parts of a measure written by :func:`difference_measure`, else None."""
    m = _PATTERN.match(measure)
    if m is None:
        return None
    word = m["word"].lower()
    sign = -1 if lexicon().comparatives.get(word) == "less" else 1
    return Difference(m["base"], word, " ".join((m["other"] or "").split()), sign)


def other_subject(other: str, subjects: set[str]) -> str | None:
    """The subject key the other side names: a place ("Europe" → ``europe``) or one of
    ``subjects`` written out ("Zelensky" → ``zelensky``), as the head (last word) of the
    phrase ("America's allies" names no subject); None when it names none."""
    other = other.strip()
    places = find_places(other)
    if places and places[-1][1] == len(other):  # "Europe", not "America's allies"
        return places[-1][2]
    slug = re.sub(r"[^a-z0-9]+", "-", re.sub(r"^the\s+", "", other.lower())).strip("-")
    if slug in subjects:
        return slug
    last = _WORD.findall(other)[-1:]
    return last[0].lower() if last and last[0].lower() in subjects else None


def facts_compatible(claim: Claim, fact: Fact) -> bool:
    """Whether a difference in the claim's unit can come from two such facts: points from
    percentages, a percent from two amounts (a relative gap), else the same unit."""
    if claim.unit == "percentage_point":
        return fact.unit in ("percent", "percentage_point")
    if claim.unit == "percent":
        return fact.unit in ("money", "count")
    if claim.unit != fact.unit:
        return False
    return claim.unit != "money" or (claim.currency or "") == (fact.currency or "")


def measure_stems(fact: Fact) -> set[str]:
    """The words of a fact's measure without its subject's names and asides in brackets."""
    names = {n for n, key in lexicon().places.items() if key == fact.subject}
    skip = {stem(w) for n in names for w in _WORD.findall(n)}
    skip |= {stem(w) for w in re.split(r"[^a-z]+", fact.subject.lower()) if w}
    stop = {str(w) for w in lexicon().raw["measure_stopwords"]}
    text = re.sub(r"\([^()]*\)", " ", fact.measure)
    return {stem(w) for w in _WORD.findall(text) if w.lower() not in stop} - skip


def same_period(a: Fact, b: Fact) -> bool:
    if a.period_start or a.period_end or b.period_start or b.period_end:
        return (a.period_start, a.period_end) == (b.period_start, b.period_end)
    return a.period.strip().lower() == b.period.strip().lower()


def pair_by_subject(ranked: list[Fact], facts: list[Fact], other: str) -> tuple[Fact, Fact] | None:
    """The best fact of ``ranked`` (the claim's side, best first) with a fact for ``other``
    that gives the same measure, unit, currency and period."""
    for a in ranked:
        stem = measure_stems(a)
        partners = []
        for b in facts:
            if b.subject != other or b.unit != a.unit or b.currency != a.currency:
                continue
            if not same_period(a, b) or not stem:
                continue
            overlap = len(stem & measure_stems(b)) / len(stem | measure_stems(b))
            if overlap >= MIN_PAIR_OVERLAP:
                partners.append((overlap, b))
        if partners:
            return a, max(partners, key=lambda p: p[0])[1]
    return None


def _then(other: str, ref: date) -> tuple[int | None, int | None] | None:
    """(year, month) the other side names: "in December", "in 2023", "last year"."""
    months = set(lexicon().raw["dates"]["months"])  # case-sensitive: "May", not "may"
    named = [w for w in _WORD.findall(other) if w in months]
    month = _MONTHS.index(named[0][:3].lower()) + 1 if named else None
    words = [w.lower() for w in _WORD.findall(other)]
    year_match = _YEAR.search(other)
    year = int(year_match.group()) if year_match else None
    if year is None and "last" in words and "year" in words:
        year = ref.year - 1
    return None if year is None and month is None else (year, month)


def _covers(fact: Fact, year: int | None, month: int | None) -> bool:
    start, end = fact.period_start or fact.period_end, fact.period_end or fact.period_start
    if start is None or end is None:
        return False
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        if (year is None or y == year) and (month is None or m == month):
            return True
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return False


def pair_by_time(now: Fact, same: list[Fact], other: str) -> tuple[Fact, Fact] | None:
    """``now`` and the latest earlier fact of ``same`` (facts for the same measure) whose
    period is the time the other side names."""
    ref = now.period_end or now.period_start
    target = _then(other, ref) if ref is not None else None
    if ref is None or target is None:
        return None
    earlier = [
        f
        for f in same
        if f is not now and (f.period_end or f.period_start or ref) < ref and _covers(f, *target)
    ]
    if not earlier:
        return None
    return now, max(earlier, key=lambda f: f.period_end or f.period_start or date.min)


def difference_fact(claim: Claim, diff: Difference, a: Fact, b: Fact) -> Fact | None:
    """The figure the claim states, from ``a`` (its side) and ``b`` (the other side): a − b
    signed by the comparative; for a percent claim, the relative gap a ÷ b − 1 in percent."""
    a_lo, a_hi = sorted((a.value, a.value if a.value_high is None else a.value_high))
    b_lo, b_hi = sorted((b.value, b.value if b.value_high is None else b.value_high))
    if claim.unit == "percent":
        if b_lo <= 0:
            return None
        lo, hi = (a_lo / b_hi - 1) * 100, (a_hi / b_lo - 1) * 100
    else:
        lo, hi = a_lo - b_hi, a_hi - b_lo
    lo, hi = sorted((diff.sign * lo, diff.sign * hi))
    return replace(
        a,
        measure=f"{a.measure} {diff.word} than {b.subject if a.subject != b.subject else b.period}",
        value=lo,
        value_high=None if hi == lo else hi,
        unit=claim.unit,
        currency=claim.currency if claim.unit == "money" else None,
    )
