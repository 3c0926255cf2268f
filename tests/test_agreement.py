"""Cohen's kappa and Scott's pi against hand-computed values, and the seeded bootstrap."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stancewatch.analytics.agreement import agreement

S, N = "support", "oppose"  # N for "no": a one-letter name that is not O


@pytest.mark.parametrize(
    "a, b, observed, kappa, pi",
    [
        # no overlap: nothing to compare, every statistic undefined
        ([], [], None, None, None),
        # one category only: p_o = p_e = 1, so kappa and pi are 0/0, undefined
        ([S, S, S], [S, S, S], 1.0, None, None),
        ([N], [N], 1.0, None, None),
        # perfect agreement over both categories
        ([S, N], [S, N], 1.0, 1.0, 1.0),
        ([S, S, N], [S, S, N], 1.0, 1.0, 1.0),
        # perfect disagreement with balanced marginals: p_e = 0.5 for both
        ([S, N], [N, S], 0.0, -1.0, -1.0),
        # perfect disagreement, each actor one category: Cohen p_e = 0 → kappa 0;
        # Scott pools the marginals (0.5, 0.5) → p_e = 0.5 → pi = -1
        ([S, S], [N, N], 0.0, 0.0, -1.0),
        # A always supports, B splits: p_o = .5, Cohen p_e = 1*.5 = .5 → 0;
        # pooled support .75 → p_e = .625 → pi = (.5 - .625) / .375 = -1/3
        ([S, S], [S, N], 0.5, 0.0, -1 / 3),
        # p_o = .75; p_A(S) = .75, p_B(S) = .5 → Cohen p_e = .5 → kappa .5;
        # pooled .625 → p_e = .53125 → pi = .21875 / .46875
        ([S, S, S, N], [S, S, N, N], 0.75, 0.5, 0.21875 / 0.46875),
    ],
)
def test_hand_computed(a, b, observed, kappa, pi):
    result = agreement(a, b, resamples=0)
    assert result.n == len(a)
    assert result.observed == (None if observed is None else pytest.approx(observed))
    assert result.kappa == (None if kappa is None else pytest.approx(kappa))
    assert result.pi == (None if pi is None else pytest.approx(pi))
    assert result.kappa_ci is None and result.resamples == 0


def test_bootstrap_is_seeded_and_brackets_the_estimate():
    a = [S] * 12 + [N] * 8 + [S] * 3 + [N] * 2
    b = [S] * 12 + [N] * 8 + [N] * 3 + [S] * 2
    first = agreement(a, b, resamples=500, seed=7)
    again = agreement(a, b, resamples=500, seed=7)
    other = agreement(a, b, resamples=500, seed=8)
    assert first.kappa_ci == again.kappa_ci and first.pi_ci == again.pi_ci
    assert first.kappa_ci != other.kappa_ci
    assert first.resamples == 500 and first.seed == 7
    low, high = first.kappa_ci
    assert -1 <= low < first.kappa < high <= 1


@pytest.mark.parametrize(
    "a, b, expected_ci",
    [
        ([S], [S], None),  # one unit: no interval
        ([S, S, S], [S, S, S], None),  # every resample has one category: undefined
    ],
)
def test_bootstrap_without_an_interval(a, b, expected_ci):
    result = agreement(a, b, resamples=200)
    assert result.kappa_ci is expected_ci


def test_undefined_resamples_are_counted():
    # 1 oppose among 6: some resamples miss it, leaving one category
    result = agreement([S] * 5 + [N], [S] * 5 + [N], resamples=400, seed=1)
    assert 0 < result.undefined_resamples < 400
    assert result.kappa_ci == (1.0, 1.0)


@pytest.mark.parametrize(
    "a, b, message",
    [
        ([S], [S, N], "differ in length"),
        ([S], ["neutral"], "Unknown side"),
    ],
)
def test_invalid_input(a, b, message):
    with pytest.raises(ValueError, match=message):
        agreement(a, b)


@given(st.lists(st.tuples(st.sampled_from([S, N]), st.sampled_from([S, N])), max_size=30))
def test_kappa_and_pi_are_bounded_and_symmetric(pairs):
    a = [x for x, _ in pairs]
    b = [y for _, y in pairs]
    forward, backward = agreement(a, b, resamples=0), agreement(b, a, resamples=0)
    assert forward.kappa == backward.kappa or (
        forward.kappa is not None and forward.kappa == pytest.approx(backward.kappa)
    )
    for value in (forward.kappa, forward.pi):
        assert value is None or -1 - 1e-9 <= value <= 1 + 1e-9
    if forward.kappa is not None and forward.pi is not None:
        assert forward.pi <= forward.kappa + 1e-9  # pi never exceeds kappa
