"""Krippendorff's alpha against published worked examples, plus the edge cases.

Published figures: K. Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability",
Annenberg School for Communication, University of Pennsylvania, Departmental Papers 43
(https://repository.upenn.edu/asc_papers/43):
- section A, binary data, two observers, no missing data: alpha = 0.095;
- section B, nominal data, two observers, no missing data: alpha = 0.692;
- section C/D, four observers, twelve units, missing data: nominal 0.743, ordinal 0.815,
  interval 0.849, ratio 0.797.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stancewatch.analytics.reliability import (
    STANCE_ORDER,
    krippendorff_alpha,
    reliability,
    units_from_codings,
    units_from_matrix,
)

_ = None
FOUR_CODERS = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],
    [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _],
]
BINARY = [[0, 1, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]]
NOMINAL_TWO = [list("aabbdcccedda"), list("babbbccceddd")]


@pytest.mark.parametrize(
    "matrix, level, expected",
    [
        (FOUR_CODERS, "nominal", 0.743),
        (FOUR_CODERS, "ordinal", 0.815),
        (FOUR_CODERS, "interval", 0.849),
        (FOUR_CODERS, "ratio", 0.797),
        (BINARY, "nominal", 0.095),
        (NOMINAL_TWO, "nominal", 0.692),
    ],
)
def test_published_examples(matrix, level, expected):
    assert round(krippendorff_alpha(units_from_matrix(matrix), level), 3) == expected


def test_four_coder_example_counts_only_pairable_units():
    result = reliability(units_from_matrix(FOUR_CODERS), "nominal", resamples=200)
    assert result.units == 11  # unit 12 has one value
    assert result.values == 40
    assert result.low is not None and result.high is not None
    assert result.low <= result.alpha <= result.high


def test_ordinal_uses_the_given_order_not_the_alphabet():
    units = [["oppose", "neutral"], ["support", "support"], ["oppose", "oppose"]] * 3
    ordered = krippendorff_alpha(units, "ordinal", order=STANCE_ORDER)
    # Relabelling the categories so that the order is the same gives the same alpha.
    mapping = {"oppose": 1, "neutral": 2, "support": 3}
    numeric = krippendorff_alpha([[mapping[v] for v in u] for u in units], "ordinal")
    assert ordered == pytest.approx(numeric)
    # A near miss (oppose vs neutral) costs less under ordinal than under nominal.
    assert ordered > krippendorff_alpha(units, "nominal")


@pytest.mark.parametrize(
    "units, alpha, note",
    [
        ([["a", "a"], ["b", "b"], ["c", "c", "c"]], 1.0, ""),  # all agree
        ([["a", "a"], ["a", "a", "a"]], None, "one category"),  # no variation
        ([["a"], ["b"], []], None, "no unit was coded twice"),  # nothing pairable
        ([], None, "no unit was coded twice"),
        ([["a", None], [None, "b"]], None, "no unit was coded twice"),
    ],
)
def test_edge_cases(units, alpha, note):
    result = reliability(units, resamples=50)
    assert result.alpha == alpha
    assert note in result.note
    if alpha is None:
        assert result.verdict == "undefined" and result.low is None


def test_one_category_still_reports_percent_agreement():
    result = reliability([["a", "a"], ["a", "a"]])
    assert result.alpha is None and result.percent_agreement == 1.0


def test_systematic_disagreement_is_negative():
    assert krippendorff_alpha([["a", "b"], ["b", "a"], ["a", "b"]]) < 0


@pytest.mark.parametrize(
    "alpha_units, verdict",
    [
        ([["a", "a"], ["b", "b"]] * 5, "reliable"),
        ([["a", "a"], ["b", "b"]] * 4 + [["a", "b"]], "tentative"),
        ([["a", "b"], ["b", "b"], ["a", "a"]], "unreliable"),
    ],
)
def test_thresholds(alpha_units, verdict):
    assert reliability(alpha_units, resamples=0).verdict == verdict


def test_bootstrap_is_seeded():
    units = units_from_matrix(FOUR_CODERS)
    a = reliability(units, resamples=300, seed=1)
    b = reliability(units, resamples=300, seed=1)
    c = reliability(units, resamples=300, seed=2)
    assert (a.low, a.high) == (b.low, b.high)
    assert (a.low, a.high) != (c.low, c.high)


def test_percent_agreement_counts_pairs():
    result = reliability([["a", "a", "b"], ["c", "c"]], resamples=0)
    # unit 1: pairs aa, ab, ab -> 1 of 3 agree; unit 2: 1 of 1.
    assert result.pairs == 4 and result.percent_agreement == pytest.approx(0.5)


def test_units_from_codings_keeps_each_coders_last_value():
    units = units_from_codings(
        [("u1", "ann", "a"), ("u1", "bob", "b"), ("u1", "ann", "b"), ("u2", "ann", None)]
    )
    assert units == [["b", "b"]]


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: reliability([["a", "b"]], "cardinal"), "Unknown level"),
        (lambda: reliability([["a", "x"]], "ordinal", order=["a", "b"]), "not in the order"),
        (lambda: reliability([["a", "b"]], "interval"), "needs numbers"),
        (lambda: units_from_matrix([[1, 2], [1]]), "one entry per unit"),
        (lambda: reliability([["a", "b"]], confidence=1.5), "confidence"),
    ],
)
def test_errors_say_what_is_valid(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@given(
    st.lists(
        st.lists(st.sampled_from(STANCE_ORDER), min_size=2, max_size=4), min_size=1, max_size=12
    ),
    st.sampled_from(["nominal", "ordinal"]),
)
def test_alpha_is_at_most_one_and_ignores_unit_order(units, level):
    alpha = krippendorff_alpha(units, level, order=STANCE_ORDER)
    again = krippendorff_alpha(list(reversed(units)), level, order=STANCE_ORDER)
    if alpha is None:
        assert again is None
    else:
        assert alpha <= 1.0 + 1e-12 and again == pytest.approx(alpha)
