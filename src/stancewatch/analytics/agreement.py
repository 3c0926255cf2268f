"""Chance-corrected agreement between two coders of the same units: Cohen's kappa, Scott's pi.

Here the "coders" are two actors and the units are the positions both took a side on; each
side is one category (``support`` / ``oppose``). Raw agreement counts how often the sides
match; kappa and pi subtract the agreement two actors would reach by chance given how often
each takes each side, as recommended over raw agreement (or Signorino and Ritter's S) in the
foreign-policy similarity literature (Häge 2011, "Choice or Circumstance? Adjusting Measures
of Foreign Policy Similarity for Chance Agreement").

- Cohen's kappa: chance agreement from each actor's own marginal distribution,
  ``p_e = sum_k p_A(k) * p_B(k)``.
- Scott's pi: chance agreement from the pooled distribution,
  ``p_e = sum_k ((p_A(k) + p_B(k)) / 2) ** 2``.
- Both are ``(p_o - p_e) / (1 - p_e)``; they are undefined (``None``) when there are no
  units or when ``p_e == 1`` (both actors used one and the same category throughout).

Confidence intervals come from a percentile bootstrap over units, seeded, so a published
figure can be reproduced exactly. Pure functions; no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from stancewatch.errors import InvalidValueError

CATEGORIES = ("support", "oppose")
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 20250120
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Agreement:
    """Agreement between two actors over ``n`` shared units, with bootstrap intervals.

    ``kappa_ci`` / ``pi_ci`` are ``(low, high)`` percentile intervals at ``confidence``, or
    ``None`` when fewer than two units were shared or no resample gave a defined value.
    ``undefined_resamples`` counts the bootstrap resamples where the statistic was undefined
    (every resampled unit in one category); they are left out of the interval.
    """

    n: int
    agree: int
    observed: float | None
    expected_cohen: float | None
    expected_scott: float | None
    kappa: float | None
    pi: float | None
    kappa_ci: tuple[float, float] | None = None
    pi_ci: tuple[float, float] | None = None
    resamples: int = 0
    seed: int | None = None
    confidence: float = CONFIDENCE
    undefined_resamples: int = 0


def _encode(sides: Sequence[str]) -> np.ndarray:
    unknown = sorted(set(sides) - set(CATEGORIES))
    if unknown:
        raise ValueError(
            f"Unknown side(s) {unknown}: agreement is computed over {', '.join(CATEGORIES)} only"
        )
    return np.array([CATEGORIES.index(s) for s in sides], dtype=np.int8)


def _statistics(a: np.ndarray, b: np.ndarray) -> tuple[Any, Any, Any, Any, Any]:
    """Observed, Cohen's expected, Scott's expected, kappa, pi (NaN where undefined)."""
    n = a.shape[-1]
    observed = (a == b).mean(axis=-1)
    pa = (a == 0).sum(axis=-1) / n  # share of "support"
    pb = (b == 0).sum(axis=-1) / n
    cohen = pa * pb + (1 - pa) * (1 - pb)
    pooled = (pa + pb) / 2
    scott = pooled**2 + (1 - pooled) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        kappa = np.where(np.isclose(cohen, 1.0), np.nan, (observed - cohen) / (1 - cohen))
        pi = np.where(np.isclose(scott, 1.0), np.nan, (observed - scott) / (1 - scott))
    return observed, cohen, scott, kappa, pi


def _none(value: float) -> float | None:
    return None if np.isnan(value) else round(float(value), 12) + 0.0  # no -0.0


def agreement(
    a_sides: Sequence[str],
    b_sides: Sequence[str],
    *,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
    confidence: float = CONFIDENCE,
) -> Agreement:
    """Kappa and pi for paired sides (``a_sides[i]`` and ``b_sides[i]`` are one unit).

    ``resamples=0`` skips the bootstrap. The same inputs and seed always give the same
    interval.

    >>> agreement(["support", "oppose"], ["oppose", "support"], resamples=0).kappa
    -1.0
    """
    if len(a_sides) != len(b_sides):
        raise ValueError(f"Paired sides differ in length: {len(a_sides)} and {len(b_sides)}")
    if resamples < 0:
        raise InvalidValueError(f"resamples must be 0 or more, not {resamples}")
    if not 0 < confidence < 1:
        raise InvalidValueError(f"confidence must lie between 0 and 1, not {confidence}")
    a, b = _encode(a_sides), _encode(b_sides)
    n = len(a)
    if n == 0:
        return Agreement(0, 0, None, None, None, None, None, seed=seed, confidence=confidence)
    observed, cohen, scott, kappa, pi = (float(v) for v in _statistics(a, b))
    result = Agreement(
        n=n,
        agree=int((a == b).sum()),
        observed=observed,
        expected_cohen=cohen,
        expected_scott=scott,
        kappa=_none(kappa),
        pi=_none(pi),
        seed=seed,
        confidence=confidence,
    )
    if resamples == 0 or n < 2:
        return result
    if seed < 0:  # numpy's generator takes no negative seed
        raise InvalidValueError(f"seed must be 0 or more, not {seed}")
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, n, size=(resamples, n))
    *_, kappas, pis = _statistics(a[picks], b[picks])  # arrays: one value per resample
    tail = (1 - confidence) / 2 * 100

    def interval(values: np.ndarray) -> tuple[float, float] | None:
        defined = values[~np.isnan(values)]
        if defined.size == 0:
            return None
        low, high = np.percentile(defined, [tail, 100 - tail])
        return round(float(low), 12) + 0.0, round(float(high), 12) + 0.0

    return Agreement(
        **{
            **result.__dict__,
            "kappa_ci": interval(kappas),
            "pi_ci": interval(pis),
            "resamples": resamples,
            "undefined_resamples": int(np.isnan(kappas).sum()),
        }
    )
