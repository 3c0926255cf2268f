"""Check-worthiness: which statements a fact-checker should look at first.

:func:`score_statement` rates one statement from 0 to 1 by how checkable and consequential
it is: a checkable quantity (percent, money, multiple, or a count of at least three), more
than one, a large figure (money, or a million or more), a comparison ("than", "record",
"doubled"), a causal claim ("because", "led to", "due to"), a known speaker and a named
actor or place. The features and their weights live under ``check_worthiness`` in
``units.yaml``; every score comes with the reasons that make it up. Pure functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from stancewatch.claims.extract import MIN_COUNT
from stancewatch.claims.lexicon import alternation, find_places, lexicon
from stancewatch.claims.quantities import Quantity, parse_quantities

__all__ = ["Worthiness", "score_statement", "weights"]


@dataclass(frozen=True)
class Worthiness:
    """A statement's check-worthiness score (0–1) and the reasons for it."""

    score: float
    reasons: tuple[str, ...]


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    raw = lexicon().raw["check_worthiness"]
    comparison = re.compile(rf"\b(?:{alternation(raw['comparison_words'])})\b", re.IGNORECASE)
    causal = re.compile(rf"\b(?:{alternation(raw['causal_words'])})\b", re.IGNORECASE)
    return comparison, causal


def weights() -> dict[str, float]:
    """The feature weights of ``units.yaml``."""
    return {k: float(v) for k, v in lexicon().raw["check_worthiness"]["weights"].items()}


def _checkable(q: Quantity) -> bool:
    return q.unit != "count" or q.value >= MIN_COUNT


def score_statement(
    content: str, *, actor: str | None = None, mentions: int | None = None
) -> Worthiness:
    """How check-worthy ``content`` is. ``actor`` is the speaker's actor id (None when not
    known); ``mentions`` the number of actors named in it (places are found here)."""
    w = weights()
    score, reasons = 0.0, []
    quantities = [q for q in parse_quantities(content) if _checkable(q)]
    if quantities:
        score += w["number"]
        shown = ", ".join(q.text for q in quantities[:3])
        reasons.append(f"{len(quantities)} checkable figure(s): {shown}")
        score += w["more_numbers"] * min(2, len(quantities) - 1)
        if any(q.unit == "money" or (q.unit == "count" and q.value >= 1e6) for q in quantities):
            score += w["large"]
            reasons.append("a large or money figure")
    comparison, causal = _patterns()
    if (m := comparison.search(content)) is not None or any(q.comparison for q in quantities):
        score += w["comparison"]
        reasons.append(f"a comparison (“{m.group()}”)" if m else "a comparison")
    if (m := causal.search(content)) is not None:
        score += w["causal"]
        reasons.append(f"a causal claim (“{m.group()}”)")
    if actor:
        score += w["named_actor"]
        reasons.append(f"said by a known actor ({actor})")
    named = (mentions or 0) + len(find_places(content))
    if named:
        score += w["named_subject"]
        reasons.append(f"names {named} actor(s) or place(s)")
    return Worthiness(round(min(score, 1.0), 3), tuple(reasons))


def rank(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Statement rows (``content``, ``actor``, optional ``mentions``) with ``score`` and
    ``reasons`` added, best first; ties keep their order."""
    scored = []
    for row in rows:
        w = score_statement(row["content"], actor=row.get("actor"), mentions=row.get("mentions"))
        scored.append({**row, "score": w.score, "reasons": "; ".join(w.reasons)})
    return sorted(scored, key=lambda r: -r["score"])
