"""Krippendorff's alpha: how far independent coders of the same units agree beyond chance.

Reliability data are *units* (a statement's speaker, a statement × position stance, a claim's
verdict), each coded by any number of coders, with gaps where a coder did not code a unit.
Alpha is computed from the coincidence matrix (Krippendorff 2011, "Computing Krippendorff's
Alpha-Reliability", Annenberg School for Communication, Departmental Papers 43):

- every unit coded by ``m_u >= 2`` coders adds ``1 / (m_u - 1)`` to ``o[c, k]`` for each
  ordered pair of its values ``(c, k)`` from different coders; units with one value are not
  pairable and are left out;
- ``n_c`` is the row total of ``o`` and ``n`` the number of pairable values;
- ``alpha = 1 - (n - 1) * sum(o[c, k] * d2[c, k]) / sum(n_c * n_k * d2[c, k])`` where ``d2``
  is the difference function of the level of measurement: nominal (0 when equal, else 1),
  ordinal (``(sum_{g=c..k} n_g - (n_c + n_k) / 2) ** 2`` over ranked categories), interval
  (``(c - k) ** 2``) and ratio (``((c - k) / (c + k)) ** 2``).

Alpha is undefined (``None``) when no unit is pairable or when every pairable value falls in
one category (no variation: chance cannot be told from agreement). Krippendorff recommends
relying on variables with alpha >= 0.800 and drawing only tentative conclusions for
0.667 <= alpha < 0.800.

Confidence intervals come from a percentile bootstrap over pairable units (units drawn with
replacement, seeded so that a published figure can be reproduced). Percent agreement is the
share of pairs of codings of the same unit that agree exactly. Pure functions; no I/O.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from stancewatch.errors import InvalidValueError

Level = Literal["nominal", "ordinal", "interval", "ratio"]
LEVELS: tuple[Level, ...] = ("nominal", "ordinal", "interval", "ratio")
STANCE_ORDER: tuple[str, ...] = ("oppose", "neutral", "support")
TENTATIVE = 0.667
RELIABLE = 0.800
BOOTSTRAP_RESAMPLES = 1000
BOOTSTRAP_SEED = 20250212
CONFIDENCE = 0.95

Value = Hashable
Unit = Sequence[Value | None]


@dataclass(frozen=True)
class Reliability:
    """Alpha for one variable, with a bootstrap interval and percent agreement.

    ``alpha``, ``low``, ``high`` and ``percent_agreement`` are ``None`` when undefined;
    ``note`` then says why. ``units`` counts pairable units (coded at least twice),
    ``values`` the pairable values and ``pairs`` the pairs of codings of one unit.
    ``below_tentative`` is the share of bootstrap resamples with alpha < 0.667.
    """

    alpha: float | None
    low: float | None
    high: float | None
    percent_agreement: float | None
    level: Level
    units: int
    values: int
    pairs: int
    resamples: int
    confidence: float
    below_tentative: float | None = None
    note: str = ""

    @property
    def verdict(self) -> str:
        """``reliable`` (>= 0.800), ``tentative`` (>= 0.667), ``unreliable`` or ``undefined``."""
        if self.alpha is None:
            return "undefined"
        if self.alpha >= RELIABLE:
            return "reliable"
        return "tentative" if self.alpha >= TENTATIVE else "unreliable"

    def as_dict(self) -> dict[str, object]:
        return {
            "alpha": self.alpha,
            "low": self.low,
            "high": self.high,
            "percent_agreement": self.percent_agreement,
            "level": self.level,
            "units": self.units,
            "values": self.values,
            "pairs": self.pairs,
            "resamples": self.resamples,
            "confidence": self.confidence,
            "below_tentative": self.below_tentative,
            "verdict": self.verdict,
            "note": self.note,
        }


def units_from_matrix(matrix: Sequence[Sequence[Value | None]]) -> list[list[Value]]:
    """Turn a coders × units reliability matrix (``None`` = missing) into per-unit values."""
    widths = {len(row) for row in matrix}
    if len(widths) > 1:
        raise ValueError(f"Every coder's row must have one entry per unit; got lengths {widths}")
    width = widths.pop() if widths else 0
    return [[row[u] for row in matrix if row[u] is not None] for u in range(width)]


def units_from_codings(
    codings: Iterable[tuple[Hashable, Hashable, Value | None]],
) -> list[list[Value]]:
    """Per-unit values from ``(unit, coder, value)`` triples; a coder's last value counts."""
    by_unit: dict[Hashable, dict[Hashable, Value]] = {}
    for unit, coder, value in codings:
        if value is not None:
            by_unit.setdefault(unit, {})[coder] = value
    return [list(values.values()) for values in by_unit.values()]


def _categories(units: Sequence[Sequence[Value]], level: Level, order: Sequence[Value] | None):
    seen = {v for unit in units for v in unit}
    if order is not None:
        unknown = seen - set(order)
        if unknown:
            raise ValueError(
                f"Values {sorted(map(str, unknown))} are not in the order {list(order)}"
            )
        return list(order)
    if level in ("interval", "ratio"):
        bad = [v for v in seen if not isinstance(v, int | float) or isinstance(v, bool)]
        if bad:
            raise ValueError(f"{level} alpha needs numbers; got {sorted(map(repr, bad))}")
    try:
        return sorted(seen)  # type: ignore[type-var]
    except TypeError:
        if level != "nominal":
            raise ValueError(f"{level} alpha needs ordered values; pass order=[...]") from None
        return sorted(seen, key=repr)


def _unit_matrices(units: Sequence[Sequence[Value]], index: Mapping[Value, int]) -> np.ndarray:
    """One coincidence matrix per pairable unit, shape (units, K, K)."""
    size = len(index)
    out = np.zeros((len(units), size, size))
    for u, values in enumerate(units):
        counts = np.bincount([index[v] for v in values], minlength=size).astype(float)
        out[u] = (np.outer(counts, counts) - np.diag(counts)) / (len(values) - 1)
    return out


def _delta2(level: Level, categories: Sequence[Value], totals: np.ndarray) -> np.ndarray:
    """Squared differences, shape (..., K, K); ``totals`` (..., K) matter for ordinal only."""
    size = len(categories)
    if level == "nominal":
        return 1.0 - np.eye(size)
    if level == "ordinal":
        cum = np.cumsum(totals, axis=-1)
        low = np.minimum.outer(np.arange(size), np.arange(size))
        high = np.maximum.outer(np.arange(size), np.arange(size))
        between = cum[..., high] - cum[..., low] + totals[..., low]
        own = (totals[..., :, None] + totals[..., None, :]) / 2
        return (between - own) ** 2
    values = np.asarray(categories, dtype=float)
    diff = values[:, None] - values[None, :]
    if level == "interval":
        return diff**2
    total = values[:, None] + values[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total == 0, 0.0, (diff / np.where(total == 0, 1, total)) ** 2)


def _alpha(coincidence: np.ndarray, level: Level, categories: Sequence[Value]) -> np.ndarray:
    """Alpha for each coincidence matrix in a (..., K, K) stack; NaN where undefined."""
    totals = coincidence.sum(axis=-1)
    n = totals.sum(axis=-1)
    d2 = _delta2(level, categories, totals)
    observed = (coincidence * d2).sum(axis=(-2, -1))
    expected = (totals[..., :, None] * totals[..., None, :] * d2).sum(axis=(-2, -1))
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = 1.0 - (n - 1) * observed / expected
    return np.where((expected > 0) & (n > 1), alpha, np.nan)


def _percent_agreement(units: Sequence[Sequence[Value]]) -> tuple[float | None, int]:
    agree = pairs = 0
    for values in units:
        for i in range(len(values)):
            for j in range(i + 1, len(values)):
                pairs += 1
                agree += values[i] == values[j]
    return (agree / pairs if pairs else None), pairs


def krippendorff_alpha(
    units: Iterable[Sequence[Value | None]],
    level: Level = "nominal",
    *,
    order: Sequence[Value] | None = None,
) -> float | None:
    """Alpha over per-unit values (``None`` entries are missing); ``None`` when undefined.

    >>> round(krippendorff_alpha([["a", "a"], ["b", "b"], ["a", "b"]]), 3)
    0.444
    """
    return reliability(units, level, order=order, resamples=0).alpha


def reliability(
    units: Iterable[Sequence[Value | None]],
    level: Level = "nominal",
    *,
    order: Sequence[Value] | None = None,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
    confidence: float = CONFIDENCE,
) -> Reliability:
    """Alpha at ``level`` with a seeded percentile bootstrap interval and percent agreement.

    ``units`` holds, per unit, the values its coders gave (``None`` = not coded; coder
    identity does not enter alpha). ``order`` ranks the categories for ``ordinal`` alpha
    (e.g. :data:`STANCE_ORDER`); without it values are sorted.
    """
    if level not in LEVELS:
        raise InvalidValueError(f"Unknown level {level!r}; choose one of {', '.join(LEVELS)}")
    if not 0 < confidence < 1:
        raise InvalidValueError(f"confidence must be between 0 and 1, got {confidence}")
    pairable = [[v for v in unit if v is not None] for unit in units]
    pairable = [unit for unit in pairable if len(unit) >= 2]
    percent, pairs = _percent_agreement(pairable)
    values = sum(len(u) for u in pairable)

    def result(
        alpha: float | None,
        low: float | None = None,
        high: float | None = None,
        below: float | None = None,
        *,
        agreement: float | None = percent,
        drawn: int = 0,
        note: str = "",
    ) -> Reliability:
        return Reliability(
            alpha=alpha,
            low=low,
            high=high,
            percent_agreement=agreement,
            level=level,
            units=len(pairable),
            values=values,
            pairs=pairs,
            resamples=drawn,
            confidence=confidence,
            below_tentative=below,
            note=note,
        )

    if not pairable:
        return result(None, agreement=None, note="no unit was coded twice")
    categories = _categories(pairable, level, order)
    index = {c: i for i, c in enumerate(categories)}
    matrices = _unit_matrices(pairable, index)
    value = float(_alpha(matrices.sum(axis=0), level, categories))
    if np.isnan(value):
        note = "every pairable value is in one category, so agreement cannot be told from chance"
        return result(None, note=note)
    low = high = below = None
    if resamples > 0:
        rng = np.random.default_rng(seed)
        draws = rng.integers(0, len(pairable), size=(resamples, len(pairable)))
        weights = np.stack([np.bincount(d, minlength=len(pairable)) for d in draws])
        stacked = np.einsum("bu,ukl->bkl", weights.astype(float), matrices)
        alphas = _alpha(stacked, level, categories)
        alphas = alphas[~np.isnan(alphas)]
        if alphas.size:
            tail = (1 - confidence) / 2 * 100
            low, high = (float(x) for x in np.percentile(alphas, [tail, 100 - tail]))
            below = float(np.mean(alphas < TENTATIVE))
    return result(value, low, high, below, drawn=resamples)
