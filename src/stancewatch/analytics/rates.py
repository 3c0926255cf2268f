"""Rates with honest intervals at small n, and the rule that ranks actors by them.

An alignment rate is a share: of A's sided statements, or of the positions A took one side
on, how many match B's side. With a handful of positions the share alone misleads (1 of 1 is
"100%"), so every rate carries a binomial interval that stays honest at n = 1–5:

- **Wilson score interval** (the default): ``(p + z²/2n ± z·sqrt(p(1−p)/n + z²/4n²)) /
  (1 + z²/n)``. Never outside [0, 1], never of zero width; at 1 of 1 it runs from 0.21
  to 1, at 3 of 3 from 0.44 to 1, at 10 of 10 from 0.72 to 1 (95%).
- **Jeffreys interval**: the quantiles of Beta(x + ½, n − x + ½), with the bound set to 0
  at x = 0 and to 1 at x = n (Brown, Cai and DasGupta 2001).

:func:`rank_key` orders actors by the interval's lower bound, so a rate resting on one
position cannot outrank one resting on ten: ties by the upper bound (of two actors on the
same side of nobody, the one who could still be closest comes first), then by n, larger
first. Actors with no rate (no position shared with B, or split on every one) take no rank.

Pure functions; no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Literal

from stancewatch.errors import InvalidValueError

Method = Literal["wilson", "jeffreys"]
METHODS: tuple[str, ...] = ("wilson", "jeffreys")
CONFIDENCE = 0.95

# Kappa and pi are shown only where each actor took each side (support and oppose) on at
# least this many of the shared positions; below it they say nothing a reader can use.
MIN_VARYING = 2

RANKING_RULE = (
    "Ranked by the lower end of the {confidence:.0%} {method} interval of the share of "
    "positions on which the actor took {b}'s side, so that one or two positions cannot "
    "outrank many; ties by the upper end, then by the number of positions."
)


@dataclass(frozen=True)
class Rate:
    """``x`` of ``n`` with its interval (``low``, ``high``) by ``method`` at ``confidence``."""

    x: int
    n: int
    low: float
    high: float
    method: str = "wilson"
    confidence: float = CONFIDENCE

    @property
    def value(self) -> float:
        return self.x / self.n


def _check(x: int, n: int, confidence: float) -> None:
    if n < 1 or x < 0 or x > n:
        raise InvalidValueError(f"A rate needs 0 <= x <= n and n >= 1 (got x={x}, n={n})")
    if not 0 < confidence < 1:
        raise InvalidValueError(f"confidence must lie between 0 and 1 (got {confidence})")


def wilson(x: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The Wilson score interval of ``x`` successes in ``n`` trials."""
    _check(x, n, confidence)
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p = x / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    scale = 1 + z * z / n
    low = 0.0 if x == 0 else (centre - spread) / scale
    high = 1.0 if x == n else (centre + spread) / scale
    return max(0.0, low), min(1.0, high)


def jeffreys(x: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The Jeffreys interval of ``x`` successes in ``n`` trials (0 at x = 0, 1 at x = n)."""
    _check(x, n, confidence)
    from scipy.stats import beta

    tail = (1 - confidence) / 2
    low = 0.0 if x == 0 else float(beta.ppf(tail, x + 0.5, n - x + 0.5))
    high = 1.0 if x == n else float(beta.ppf(1 - tail, x + 0.5, n - x + 0.5))
    return low, high


def rate(
    x: int, n: int, *, method: Method = "wilson", confidence: float = CONFIDENCE
) -> Rate | None:
    """``x`` of ``n`` with its interval, or None when ``n`` is 0 (nothing to rate)."""
    if method not in METHODS:
        raise InvalidValueError(f"Unknown interval {method!r}; choose one of {', '.join(METHODS)}")
    if n == 0:
        return None
    low, high = (wilson if method == "wilson" else jeffreys)(x, n, confidence)
    return Rate(x, n, low, high, method, confidence)


def rank_key(position_rate: Rate | None) -> tuple[float, float, int]:
    """Sort key (ascending sorts best first) of the ranking rule; see :data:`RANKING_RULE`."""
    if position_rate is None:
        return (math.inf, math.inf, 0)
    return (-position_rate.low, -position_rate.high, -position_rate.n)


def ranking_rule(b: str, method: str = "wilson", confidence: float = CONFIDENCE) -> str:
    """The ranking rule in one sentence, for a table's caption or a report."""
    name = "Wilson" if method == "wilson" else "Jeffreys"
    return RANKING_RULE.format(confidence=confidence, method=name, b=b)


def chance_corrected_note(
    a_sides: list[str], b_sides: list[str], a: str, b: str, minimum: int = MIN_VARYING
) -> str | None:
    """Why kappa and pi are not shown for these paired sides, or None when they are.

    ``a_sides`` and ``b_sides`` are the two actors' sides (``support`` / ``oppose``) on the
    same shared positions, in the same order.
    """
    if not a_sides:
        return f"no position on which both {a} and {b} took one side"
    short = []
    for actor, sides in ((a, a_sides), (b, b_sides)):
        fewest = min(sides.count("support"), sides.count("oppose"))
        if fewest < minimum:
            short.append(f"{actor} {fewest}")
    if not short:
        return None
    count = f"{len(a_sides)} shared position{'' if len(a_sides) == 1 else 's'}"
    if len(set(a_sides) | set(b_sides)) == 1:
        return f"undefined: both took the same single side on every one of the {count}"
    return (
        f"too few positions vary: they need each actor on each side of at least {minimum} "
        f"shared positions; of the {count}, {', '.join(short)} on the rarer side"
    )
