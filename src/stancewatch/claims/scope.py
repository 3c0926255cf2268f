"""The scope a numeric figure covers, and whether a claim's scope matches a fact's.

A claim may give a rate ("$40 billion a year"), a figure for one year ("in 2023"), or a
running total ("since 2022", "so far"); a fact covers its period, from ``period_start`` to
``period_end``. :func:`scope_mismatch` says, in words a reader can follow, why the two do not
cover the same thing, or returns None when they do or when nothing can be told. Only money
and counts have such scopes: a share (percent) does not add up over time. Pure functions; the
word lists live under ``scope`` in ``units.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Literal

from stancewatch.claims.lexicon import alternation, lexicon
from stancewatch.records import Claim, Fact

__all__ = ["ClaimScope", "claim_scope", "fact_span_days", "scope_mismatch"]

ScopeKind = Literal["rate", "year", "cumulative"]
_SCOPED_UNITS = frozenset({"money", "count"})
_YEAR = re.compile(r"^(?:in|during|for|throughout|over)\s+(?:the\s+)?(?:year\s+)?((?:19|20)\d{2})$")


@dataclass(frozen=True)
class ClaimScope:
    """What a claim's figure covers: ``kind`` with the ``words`` that say so, and the year of
    a one-year figure."""

    kind: ScopeKind
    words: str
    year: int | None = None


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], int, int]:
    raw = lexicon().raw["scope"]
    rate = re.compile(rf"\b(?:{alternation(raw['rate'])})\b", re.IGNORECASE)
    cumulative = re.compile(rf"\b(?:{alternation(raw['cumulative'])})\b", re.IGNORECASE)
    return rate, cumulative, int(raw["max_single_period_days"]), int(raw["rate_window_words"])


def _after(claim: Claim) -> str:
    """The words of the claim's sentence right after its figure, up to clause punctuation."""
    context, figure = claim.context, " ".join(claim.text.split())
    at = context.find(figure) if figure else -1
    if at < 0:
        return ""
    rest = re.split(r"[,;:.!?()\n]", context[at + len(figure) :], maxsplit=1)[0]
    return " ".join(rest.split()[: _patterns()[3] + 3])


def claim_scope(claim: Claim) -> ClaimScope | None:
    """The scope the claim states, or None when it states none (or is not money or a count)."""
    if claim.unit not in _SCOPED_UNITS:
        return None
    rate, cumulative, _, _ = _patterns()
    after, period = _after(claim), (claim.period or "").strip()
    for text in (after, period):
        m = rate.search(text)
        if m is not None:
            return ClaimScope("rate", m.group())
    year = _YEAR.match(period.lower())
    if year is not None:
        return ClaimScope("year", period, int(year.group(1)))
    m = cumulative.search(period) or cumulative.match(after)
    if m is not None:
        return ClaimScope("cumulative", period or m.group())
    return None


def fact_span_days(fact: Fact) -> int | None:
    """Days the fact's period covers (1 for a single day); None without both dates."""
    if fact.period_start is None or fact.period_end is None:
        return None
    return abs((fact.period_end - fact.period_start).days) + 1


def _years(days: int) -> str:
    return f"about {days / 365.25:.1f} years"


def _overlaps_year(fact: Fact, year: int) -> bool:
    start, end = sorted((fact.period_start or date.min, fact.period_end or date.max))
    return start <= date(year, 12, 31) and end >= date(year, 1, 1)


def scope_mismatch(claim: Claim, fact: Fact) -> str | None:
    """Why the claim and the fact cover different things, or None."""
    if claim.unit not in _SCOPED_UNITS or fact.unit != claim.unit:
        return None
    scope = claim_scope(claim)
    days = fact_span_days(fact)
    if scope is None or days is None:
        return None
    longest = _patterns()[2]
    period = fact.period or f"{fact.period_start} – {fact.period_end}"
    if scope.kind == "rate" and days > longest:
        return (
            f"the claim gives a rate (“{scope.words}”), while the sourced figure is a total over "
            f"{period} ({_years(days)})"
        )
    if scope.kind == "year" and scope.year is not None:
        if not _overlaps_year(fact, scope.year):
            return f"the claim is about {scope.year}, while the sourced figure covers {period}"
        if days > longest:
            return (
                f"the claim gives a figure for {scope.year} alone, while the sourced figure is a "
                f"total over {period} ({_years(days)})"
            )
    if scope.kind == "cumulative" and days <= longest:
        return (
            f"the claim gives a running total (“{scope.words}”), while the sourced figure covers "
            f"only {period}"
        )
    return None


_MONTH_YEAR = re.compile(r"\b(?:(?P<month>[A-Z][a-z]+)\.?\s+)?(?P<year>(?:19|20)\d{2})\b")


def period_date(period: str | None) -> date | None:
    """The middle of the single month or year a claim's period names ("in April 2020" →
    2020-04-15, "in 2023" → 2023-07-01); None for a running period ("since 2022"), a range
    or no date. Used to pick, among facts for one measure, the one for the claimed period."""
    if not period:
        return None
    rate, cumulative, _, _ = _patterns()
    if cumulative.search(period) or len(_MONTH_YEAR.findall(period)) != 1:
        return None
    m = _MONTH_YEAR.search(period)
    if m is None:
        return None
    months = [str(x) for x in lexicon().raw["dates"]["months"]]
    name = m.group("month")
    if name is None:
        return date(int(m.group("year")), 7, 1)
    for i, full in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep",
                              "oct", "nov", "dec")):  # fmt: skip
        if name.lower().startswith(full) and name in months:
            return date(int(m.group("year")), i + 1, 15)
    return None
