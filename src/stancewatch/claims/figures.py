"""Figures: a claimed figure judged against a sourced one, and figures written out.

:func:`compare_figures` labels a claim against one fact. Within the tolerance of its unit
(:data:`ABSOLUTE_TOLERANCE` points for percentages, :data:`RELATIVE_TOLERANCE` of the fact
otherwise) it is accurate; beyond it, exaggerated or understated when within a :data:`FACTOR`
of the fact, inaccurate further off. A bound that holds but lies more than :data:`FACTOR` from
the figure is unverifiable. :func:`scoped_verdict` gives the label for a claim whose scope
differs from the fact's. :func:`format_quantity` and :func:`claim_quantity` write a figure the
way a reader does ("about €114 billion", "4%"). The thresholds are module constants so
reports can print them.
"""

from __future__ import annotations

import math

from stancewatch.claims.lexicon import lexicon
from stancewatch.records import Claim, Fact, VerdictLabel

ABSOLUTE_TOLERANCE = {"percent": 3.0, "percentage_point": 1.0}  # in points
RELATIVE_TOLERANCE = {"money": 0.10, "count": 0.10, "multiple": 0.10}  # share of the fact
FACTOR = 2.0  # beyond this ratio a wrong figure is "inaccurate", not exaggerated/understated

_BOUND_WORDS = {
    "about": "about ",
    "more_than": "more than ",
    "less_than": "less than ",
    "at_least": "at least ",
    "at_most": "at most ",
}


def scoped_verdict(
    label: VerdictLabel, ratio: float | None, mismatch: str
) -> tuple[VerdictLabel, str]:
    """The verdict when the claim's scope differs from the fact's: the right number for the
    wrong scope misleads; any other number cannot be checked against this fact."""
    shown = f"the claim is {_ratio_text(ratio)} the sourced figure, but " if ratio else ""
    if label == "accurate":
        return "misleading-scope", (
            f"{shown}{mismatch}: the number matches a figure of a different scope, "
            "so the claim misstates what it covers: misleading-scope."
        )
    return "unverifiable", (
        f"{mismatch}, so the two cannot be compared; the fact base has no figure for the "
        "scope the claim states: unverifiable."
    )


def compare_figures(claim: Claim, fact: Fact) -> tuple[VerdictLabel, float | None, str]:
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
    lower = claim.approximation in ("more_than", "at_least") and ratio and 0 < ratio < 1 / FACTOR
    upper = claim.approximation in ("less_than", "at_most") and ratio and ratio > FACTOR
    if gap <= (absolute if absolute is not None else relative * abs(ref)) and (lower or upper):
        label = "unverifiable"
        why = (
            f"true only as {'a lower' if lower else 'an upper'} bound, more than a factor of "
            f"{FACTOR:g} {'below' if lower else 'above'} the sourced figure: a bound that loose "
            "says nothing checkable about the figure and may mislead"
        )
    elif gap <= (absolute if absolute is not None else relative * abs(ref)):
        label, why = "accurate", f"within the {tolerance} tolerance"
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


def claim_quantity(claim: Claim) -> str:
    """A claim's figure as people write it: "about €114 billion", "4%"."""
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
