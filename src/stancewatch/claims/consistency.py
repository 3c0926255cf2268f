"""Internal consistency: the same measure for the same subject given two different values.

:func:`find_inconsistencies` compares numeric claims with each other, within one document and
across a corpus: two claims conflict when they have the same unit (and currency), the same
known subject, measures that share most of their words, and values that differ by more than
the checker's tolerance (:data:`stancewatch.claims.figures.ABSOLUTE_TOLERANCE`,
:data:`~stancewatch.claims.figures.RELATIVE_TOLERANCE`). Each pair says why the figures may differ:
``different periods`` (the claims name different periods, were made far apart in time, or
were matched to facts for different periods), ``different sources`` (matched to facts from
different sources), or ``conflict`` (nothing explains the difference). Claims without a
subject are never paired, nor are differences and ratios (they relate two figures, not one):
a wrong pairing is worse than none. Pure functions.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import combinations
from typing import Literal

from stancewatch.claims.comparisons import parse_ratio
from stancewatch.claims.differences import parse_difference
from stancewatch.claims.figures import ABSOLUTE_TOLERANCE, RELATIVE_TOLERANCE, claim_quantity
from stancewatch.claims.lexicon import lexicon, stem
from stancewatch.records import Claim, Fact

__all__ = [
    "Inconsistency",
    "find_inconsistencies",
    "inconsistency_rows",
    "INCONSISTENCY_COLUMNS",
    "MIN_MEASURE_OVERLAP",
    "MAX_DAYS_APART",
]

MIN_MEASURE_OVERLAP = 0.5  # share of the smaller measure's word stems found in the other
MAX_DAYS_APART = 60  # claims made further apart may describe a figure that changed

Reason = Literal["different periods", "different sources", "conflict"]
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Inconsistency:
    """Two claims that give one measure for one subject different values."""

    a: Claim
    b: Claim
    scope: Literal["document", "corpus"]
    reason: Reason
    explanation: str


@lru_cache(maxsize=1)
def _stop() -> frozenset[str]:
    return frozenset(str(w) for w in lexicon().raw["measure_stopwords"])


def _bag(claim: Claim) -> frozenset[str]:
    return _measure_bag(claim.measure, claim.subject)


@lru_cache(maxsize=65536)
def _measure_bag(measure: str, subject: str | None) -> frozenset[str]:
    words = frozenset(stem(w) for w in _WORD.findall(measure) if w.lower() not in _stop())
    return words - {stem(p) for p in (subject or "").split("-")}


def _same_measure(a: Claim, b: Claim) -> bool:
    x, y = _bag(a), _bag(b)
    if not x or not y:
        return False
    return len(x & y) / min(len(x), len(y)) >= MIN_MEASURE_OVERLAP


def _bounds(c: Claim) -> tuple[float, float]:
    lo, hi = sorted((c.value, c.value if c.value_high is None else c.value_high))
    if c.approximation in ("more_than", "at_least"):
        hi = math.inf
    elif c.approximation in ("less_than", "at_most"):
        lo = -math.inf
    return lo, hi


def _differ(a: Claim, b: Claim) -> bool:
    (a_lo, a_hi), (b_lo, b_hi) = _bounds(a), _bounds(b)
    if a_hi < b_lo:
        gap, ref = b_lo - a_hi, b_lo
    elif b_hi < a_lo:
        gap, ref = a_lo - b_hi, a_lo
    else:
        return False
    absolute = ABSOLUTE_TOLERANCE.get(a.unit)
    allowed = absolute if absolute is not None else RELATIVE_TOLERANCE.get(a.unit, 0.1) * abs(ref)
    return gap > allowed


def _comparable(a: Claim, b: Claim) -> bool:
    return (
        a.subject is not None
        and a.subject == b.subject
        and a.unit == b.unit
        and (a.currency or "") == (b.currency or "")
    )  # measures that are differences or ratios are left out before pairing


def _reason(
    a: Claim,
    b: Claim,
    dates: Mapping[str, date],
    facts: Mapping[str, Fact],
) -> tuple[Reason, str]:
    fa, fb = facts.get(a.id), facts.get(b.id)
    if fa is not None and fb is not None and fa.id != fb.id:
        if (fa.period_start, fa.period_end, fa.period) != (
            fb.period_start,
            fb.period_end,
            fb.period,
        ):
            return "different periods", (
                f"they match sourced figures for different periods ({fa.id}: {fa.period}; "
                f"{fb.id}: {fb.period})"
            )
        if fa.source != fb.source:
            return "different sources", (
                f"they match figures from different sources ({fa.source}; {fb.source})"
            )
    pa, pb = (a.period or "").strip().lower(), (b.period or "").strip().lower()
    if pa and pb and pa != pb:
        return "different periods", f"they name different periods (“{a.period}”, “{b.period}”)"
    da, db = dates.get(a.id), dates.get(b.id)
    if da is not None and db is not None and abs((da - db).days) > MAX_DAYS_APART:
        return "different periods", (
            f"they were made {abs((da - db).days)} days apart ({min(da, db)} and {max(da, db)}); "
            "the figure may have changed"
        )
    return "conflict", "nothing in the text or the fact base explains the difference"


def find_inconsistencies(
    claims: Sequence[Claim],
    *,
    dates: Mapping[str, date] | None = None,
    facts: Mapping[str, Fact] | None = None,
) -> list[Inconsistency]:
    """Pairs of claims that give one measure for one subject different values, within a
    document first, then across documents, each with the reason the figures may differ.

    ``dates`` (claim id → date said) and ``facts`` (claim id → the fact its verdict used) tell
    apart figures for different periods or from different sources.
    """
    dates, facts = dates or {}, facts or {}
    groups: dict[tuple[str, str, str], list[Claim]] = {}
    for c in claims:
        if c.subject is not None:
            groups.setdefault((c.subject, c.unit, c.currency or ""), []).append(c)
    found: list[Inconsistency] = []
    for group in groups.values():
        # What each pair test needs is computed once per claim, not once per pair; claims
        # whose measure is a difference ("more than last year") or has no words never pair.
        ordered = [
            c
            for c in sorted(group, key=lambda c: (c.document_id, c.start))
            if parse_difference(c.measure) is None and parse_ratio(c.measure) is None and _bag(c)
        ]
        for a, b in combinations(ordered, 2):
            if not (_comparable(a, b) and _same_measure(a, b) and _differ(a, b)):
                continue
            reason, why = _reason(a, b, dates, facts)
            scope: Literal["document", "corpus"] = (
                "document" if a.document_id == b.document_id else "corpus"
            )
            where = "in the same document" if scope == "document" else "in different documents"
            explanation = (
                f"{claim_quantity(a)} (“{a.text}”) and {claim_quantity(b)} (“{b.text}”) are given for "
                f"{a.measure or 'the same measure'} of {a.subject} {where}: {reason}, because "
                f"{why}."
            )
            found.append(Inconsistency(a, b, scope, reason, explanation))
    found.sort(key=lambda i: (i.scope != "document", i.reason != "conflict", i.a.document_id))
    return found


_SIDE_COLUMNS = ("claim_id", "claim", "value", "value_high", "measure", "period", "claimant",
                 "document_id", "start", "end", "context", "date")  # fmt: skip
#: The columns of :func:`inconsistency_rows`: the pair, then each claim as ``<column>_a`` and
#: ``<column>_b``.
INCONSISTENCY_COLUMNS = ("scope", "reason", "subject", "unit", "explanation") + tuple(
    f"{column}_{side}" for side in ("a", "b") for column in _SIDE_COLUMNS
)


def inconsistency_rows(
    found: Sequence[Inconsistency], dates: Mapping[str, date] | None = None
) -> list[dict[str, object]]:
    """One flat row per pair (:data:`INCONSISTENCY_COLUMNS`), with both claims' spans and the
    date each was said (``dates``: claim id → date, ISO text in the row)."""
    dates = dates or {}
    rows = []
    for item in found:
        row: dict[str, object] = {
            "scope": item.scope,
            "reason": item.reason,
            "subject": item.a.subject,
            "unit": item.a.unit,
            "explanation": item.explanation,
        }
        for side, c in (("a", item.a), ("b", item.b)):
            said = dates.get(c.id)
            values: list[object] = [c.id, c.text, c.value, c.value_high, c.measure, c.period, c.claimant,
                                    c.document_id, c.start, c.end, c.context,
                                    said.isoformat() if said else None]  # fmt: skip
            row.update({f"{k}_{side}": v for k, v in zip(_SIDE_COLUMNS, values, strict=True)})
        rows.append(row)
    return rows
