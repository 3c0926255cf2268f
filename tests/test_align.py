from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from stancewatch.analytics.alignment import actor_positions, align, alignment_matrix

ROWS = [
    # statement, position, label, actor, date
    ("t1", "no-nato", "support", "trump", "2025-02-12"),
    ("t2", "no-nato", "support", "trump", "2025-02-20"),
    ("t3", "elections", "support", "trump", "2025-02-19"),
    ("t4", "sanctions", "oppose", "trump", "2025-03-01"),
    ("t5", "territory", "neutral", "trump", "2025-02-12"),
    ("t6", "ceasefire", "support", "trump", "2024-12-01"),
    ("p1", "no-nato", "support", "putin", "2025-01-01"),
    ("p2", "sanctions", "support", "putin", "2025-01-02"),
    ("p3", "ceasefire", "oppose", "putin", "2025-01-03"),
    ("u1", "no-nato", "oppose", None, "2025-01-03"),
]
STANCES = pd.DataFrame(ROWS, columns=["statement_id", "position_id", "label", "actor", "date"])
HOLDERS = {"elections": ["putin"], "territory": ["putin"], "no-nato": ["putin"]}


def test_actor_positions_counts_and_evidence():
    table = actor_positions(STANCES)
    row = table[(table.actor == "trump") & (table.position_id == "no-nato")].iloc[0]
    assert (row.support, row.oppose, row.side) == (2, 0, "support")
    assert row.statement_ids == ["t1", "t2"]
    assert "territory" not in set(table.position_id)  # neutral codings are not sides
    assert table.actor.notna().all()  # unknown speakers are left out


def test_align_counts_against_hand_computed_values():
    result = align(STANCES, "trump", "putin", holders=HOLDERS)
    outcomes = {c.position_id: c.outcome for c in result.positions}
    # no-nato: both support → agree; elections: putin holds it, trump supports → agree;
    # sanctions: trump oppose vs putin support → disagree; ceasefire: support vs oppose →
    # disagree; territory: putin holds it, trump only neutral → a_silent.
    assert outcomes == {
        "no-nato": "agree",
        "elections": "agree",
        "sanctions": "disagree",
        "ceasefire": "disagree",
        "territory": "a_silent",
    }
    assert (result.agree, result.disagree, result.a_silent, result.shared) == (2, 2, 1, 4)
    assert result.agreement_rate == pytest.approx(0.5)
    assert sorted(result.support_statements) == ["t1", "t2", "t3"]
    assert sorted(result.oppose_statements) == ["t4", "t6"]
    assert (result.supports_b_positions, result.opposes_b_positions) == (3, 2)


def test_align_date_range():
    result = align(STANCES, "trump", "putin", holders=HOLDERS, since=date(2025, 1, 20))
    # t6 (December 2024) drops out; putin's own statements before the range drop out too,
    # so only holder-based sides remain for putin.
    assert sorted(result.support_statements) == ["t1", "t2", "t3"]
    assert result.oppose_statements == ()
    assert {c.position_id: c.b_side for c in result.positions}["no-nato"] == "holder"


def test_align_with_no_overlap():
    result = align(STANCES, "trump", "kallas")
    assert (result.agree, result.disagree, result.shared) == (0, 0, 0)
    assert result.agreement_rate is None
    assert result.support_statements == ()


def test_mixed_sides():
    frame = pd.DataFrame(
        [
            ("a1", "p", "support", "a", "2025-01-01"),
            ("a2", "p", "oppose", "a", "2025-01-02"),
            ("b1", "p", "support", "b", "2025-01-01"),
        ],
        columns=["statement_id", "position_id", "label", "actor", "date"],
    )
    result = align(frame, "a", "b")
    assert (result.mixed, result.shared, result.agree) == (1, 1, 0)
    assert (result.supports_b_positions, result.opposes_b_positions) == (1, 1)


def test_alignment_matrix_is_directional():
    matrix = alignment_matrix(STANCES, ["trump", "putin"], holders=HOLDERS)
    assert len(matrix) == 2
    trump_putin = matrix[(matrix.a == "trump") & (matrix.b == "putin")].iloc[0]
    assert (trump_putin.agree, trump_putin.disagree) == (2, 2)


# -- chance-corrected agreement, topics, periods, ranking ------------------------------------
from stancewatch.analytics.alignment import (  # noqa: E402
    align_by_period,
    align_by_topic,
    period_of,
    positions_frame,
    rank,
    summary_row,
)

TOPICS = {
    "no-nato": "security",
    "ceasefire": "security",
    "elections": "politics",
    "territory": "politics",
    "sanctions": "economy",
}


def test_align_kappa_and_pi_by_hand():
    result = align(STANCES, "trump", "putin", holders=HOLDERS, resamples=0)
    # shared positions in id order: ceasefire, elections, no-nato, sanctions
    # trump: S S S O; putin: O S(holder) S S → p_o = .5, p_A(S) = p_B(S) = .75,
    # p_e = .75² + .25² = .625 for both → kappa = pi = (.5 - .625) / .375 = -1/3
    assert result.agreement.n == 4 and result.agreement.agree == 2
    assert result.agreement.kappa == pytest.approx(-1 / 3)
    assert result.agreement.pi == pytest.approx(-1 / 3)


def test_align_bootstrap_interval_is_reproducible():
    first = align(STANCES, "trump", "putin", holders=HOLDERS, resamples=300, seed=3)
    again = align(STANCES, "trump", "putin", holders=HOLDERS, resamples=300, seed=3)
    assert first.agreement.kappa_ci == again.agreement.kappa_ci
    assert first.agreement.kappa_ci is not None and first.agreement.resamples == 300


def test_no_overlap_gives_undefined_kappa():
    result = align(STANCES, "trump", "kallas")
    assert result.agreement.n == 0 and result.agreement.kappa is None


def test_mixed_positions_stay_out_of_kappa():
    frame = pd.DataFrame(
        [
            ("a1", "p", "support", "a", "2025-01-01"),
            ("a2", "p", "oppose", "a", "2025-01-02"),
            ("b1", "p", "support", "b", "2025-01-01"),
        ],
        columns=["statement_id", "position_id", "label", "actor", "date"],
    )
    assert align(frame, "a", "b").agreement.n == 0


def test_by_topic_hand_computed():
    results = align_by_topic(STANCES, "trump", "putin", topics=TOPICS, holders=HOLDERS)
    counts = {t: (r.agree, r.disagree, r.a_silent) for t, r in results.items()}
    assert counts == {"economy": (0, 1, 0), "politics": (1, 0, 1), "security": (1, 1, 0)}
    # security: ceasefire S vs O, no-nato S vs S → p_o .5, p_A(S) 1 → Cohen p_e .5 → kappa 0
    assert results["security"].agreement.kappa == pytest.approx(0.0)
    # economy: one unit, O vs S → Cohen p_e 0 → kappa 0; Scott pools (.5, .5) → pi -1
    assert (results["economy"].agreement.kappa, results["economy"].agreement.pi) == (0.0, -1.0)


def test_by_topic_uses_the_topic_column():
    frame = STANCES.assign(topic=STANCES["position_id"].map(TOPICS))
    assert set(align_by_topic(frame, "trump", "putin", holders=HOLDERS)) == set(TOPICS.values())


@pytest.mark.parametrize(
    "by, expected",
    [
        (
            "month",
            {"2024-12": (0, 1, 4), "2025-02": (2, 0, 3), "2025-03": (0, 1, 4)},
        ),
        (
            "week",
            {
                "2024-W48": (0, 1, 4),  # 1 December 2024 is a Sunday of ISO week 48
                "2025-W07": (1, 0, 4),
                "2025-W08": (2, 0, 3),
                "2025-W09": (0, 1, 4),  # 1 March 2025 is a Saturday of ISO week 9
            },
        ),
    ],
)
def test_by_period_hand_computed(by, expected):
    results = align_by_period(STANCES, "trump", "putin", by=by, holders=HOLDERS, resamples=0)
    assert {k: (r.agree, r.disagree, r.a_silent) for k, r in results.items()} == expected
    assert list(results) == sorted(results, key=lambda k: results[k].since)


def test_by_period_keeps_b_reference_over_the_window():
    results = align_by_period(STANCES, "trump", "putin", holders=HOLDERS, resamples=0)
    february = results["2025-02"]
    assert (february.since, february.until) == (date(2025, 2, 1), date(2025, 2, 28))
    # putin spoke on no-nato in January: still his side when trump echoes it in February
    no_nato = next(c for c in february.positions if c.position_id == "no-nato")
    assert (no_nato.b_side, no_nato.b_statements) == ("support", ("p1",))
    assert sorted(february.support_statements) == ["t1", "t2", "t3"]


@pytest.mark.parametrize(
    "day, by, expected",
    [
        (date(2025, 2, 12), "month", ("2025-02", date(2025, 2, 1))),
        (date(2025, 2, 12), "week", ("2025-W07", date(2025, 2, 10))),
        (date(2024, 12, 30), "week", ("2025-W01", date(2024, 12, 30))),  # ISO year differs
    ],
)
def test_period_of(day, by, expected):
    assert period_of(day, by) == expected


def test_unknown_period_lists_the_valid_ones():
    with pytest.raises(ValueError, match="month, week"):
        align_by_period(STANCES, "trump", "putin", by="year")  # type: ignore[arg-type]


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match=r"\['date'\]"):
        align(STANCES.drop(columns=["date"]), "trump", "putin")


RANK_ROWS = [
    ("x1", "p1", "support", "x"),
    ("x2", "p2", "support", "x"),
    ("x3", "p3", "oppose", "x"),
    ("x4", "p4", "oppose", "x"),
    ("s1", "p1", "support", "same"),
    ("s2", "p2", "support", "same"),
    ("s3", "p3", "oppose", "same"),
    ("s4", "p4", "oppose", "same"),
    ("o1", "p1", "oppose", "opposite"),
    ("o2", "p2", "oppose", "opposite"),
    ("o3", "p3", "support", "opposite"),
    ("o4", "p4", "support", "opposite"),
    ("h1", "p1", "support", "half"),  # A: S O, B: S S → p_o .5, Cohen p_e .5 → kappa 0
    ("h2", "p3", "support", "half"),
    ("y1", "p1", "support", "yes"),  # A: S S, B: S S → one category: kappa undefined
    ("y2", "p2", "support", "yes"),
]
RANK = pd.DataFrame(
    [(*row, "2025-02-01") for row in RANK_ROWS],
    columns=["statement_id", "position_id", "label", "actor", "date"],
)


@pytest.mark.parametrize(
    "by, expected",
    [
        # pi: same 1; half: pooled support .75 → p_e .625 → (.5 - .625) / .375 = -1/3;
        # opposite -1; yes undefined (all support on both sides)
        ("kappa", ["same", "half", "opposite", "yes"]),
        ("pi", ["same", "half", "opposite", "yes"]),
    ],
)
def test_rank_orders_with_undefined_last(by, expected):
    table = rank(RANK, "x", resamples=0, by=by)
    assert list(table["actor"]) == expected
    assert table.set_index("actor").loc["half", "pi"] == pytest.approx(-1 / 3)
    assert list(table["rank"]) == [1, 2, 3, 4]
    assert table.set_index("actor").loc["opposite", "kappa"] == pytest.approx(-1.0)
    assert pd.isna(table.set_index("actor").loc["yes", "kappa"])
    assert table.set_index("actor").loc["half", "support_statements"] == ["h1"]


def test_rank_by_pi_separates_what_kappa_cannot():
    # b supports everything: kappa is 0 for anyone who ever opposes, pi still ranks them
    frame = pd.DataFrame(
        [
            ("b1", "p1", "support", "b"),
            ("b2", "p2", "support", "b"),
            ("b3", "p3", "support", "b"),
            ("m1", "p1", "support", "most"),  # S S N → p_o 2/3, pooled S 5/6 → pi -0.2
            ("m2", "p2", "support", "most"),
            ("m3", "p3", "oppose", "most"),
            ("f1", "p1", "oppose", "few"),  # N N S → p_o 1/3, pooled S 2/3 → pi -0.5
            ("f2", "p2", "oppose", "few"),
            ("f3", "p3", "support", "few"),
        ],
        columns=["statement_id", "position_id", "label", "actor"],
    ).assign(date="2025-02-01")
    by_kappa = rank(frame, "b", resamples=0, by="kappa").set_index("actor")
    assert list(by_kappa["kappa"]) == [0.0, 0.0]
    by_pi = rank(frame, "b", resamples=0)
    assert list(by_pi["actor"]) == ["most", "few"]
    assert list(by_pi["pi"]) == [pytest.approx(-0.2), pytest.approx(-0.5)]


def test_rank_refuses_an_unknown_statistic():
    with pytest.raises(ValueError, match="pi or kappa"):
        rank(RANK, "x", by="s")  # type: ignore[arg-type]


def test_rank_of_an_actor_nobody_shares_with():
    table = rank(RANK, "nobody", resamples=0)
    assert table["shared"].sum() == 0 and table["kappa"].isna().all()


def test_summary_row_and_positions_frame_carry_the_evidence():
    result = align(RANK, "half", "x", resamples=0)
    row = summary_row(result)
    assert (row["agree"], row["disagree"], row["kappa"]) == (1, 1, 0.0)
    assert row["support_statements"] == ["h1"] and row["oppose_statements"] == ["h2"]
    frame = positions_frame(result)
    assert list(frame["position_id"]) == ["p1", "p2", "p3", "p4"]
    assert frame.set_index("position_id").loc["p3", "b_statements"] == ["x3"]
    assert set(result.statements) == {"h1", "h2", "x1", "x2", "x3", "x4"}


# -- rates with intervals and the ranking rule -------------------------------------------------


def _constructed(pattern: dict[str, list[tuple[str, str]]]) -> pd.DataFrame:
    """A stance table from actor -> [(position, label)]; one statement per entry."""
    rows = [
        (f"{actor}-{i}", position, label, actor, "2025-02-01")
        for actor, entries in pattern.items()
        for i, (position, label) in enumerate(entries)
    ]
    return pd.DataFrame(rows, columns=["statement_id", "position_id", "label", "actor", "date"])


POSITIONS = [f"p{i}" for i in range(1, 11)]
CONSTRUCTED = _constructed(
    {
        "ref": [(p, "support") for p in POSITIONS],
        "agree10": [(p, "support") for p in POSITIONS],
        "agree3": [(p, "support") for p in POSITIONS[:3]],
        "agree1": [("p1", "support")],
        "half10": [(p, "support") for p in POSITIONS[:5]] + [(p, "oppose") for p in POSITIONS[5:]],
        "disagree1": [("p1", "oppose")],
        "disagree3": [(p, "oppose") for p in POSITIONS[:3]],
        "disagree10": [(p, "oppose") for p in POSITIONS],
        "elsewhere": [("q1", "support"), ("q2", "oppose")],  # nothing shared with ref
        "split": [("p1", "support"), ("p1", "oppose")],  # shared, but on neither side
    }
)


@pytest.mark.parametrize(
    "actor, rank_, x, n, low, high",
    [
        # Wilson 95%: hand-computed from (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)
        ("agree10", 1, 10, 10, 0.7225, 1.0),
        ("agree3", 2, 3, 3, 0.4385, 1.0),
        ("half10", 3, 5, 10, 0.2366, 0.7634),
        ("agree1", 4, 1, 1, 0.2065, 1.0),
        ("disagree1", 5, 0, 1, 0.0, 0.7935),
        ("disagree3", 6, 0, 3, 0.0, 0.5615),
        ("disagree10", 7, 0, 10, 0.0, 0.2775),
        ("elsewhere", None, 0, 0, None, None),
        ("split", None, 0, 0, None, None),
    ],
)
def test_ranking_rule_on_constructed_cases(actor, rank_, x, n, low, high):
    table = rank(CONSTRUCTED, "ref", resamples=0).set_index("actor")
    row = table.loc[actor]
    assert (None if pd.isna(row["rank"]) else int(row["rank"])) == rank_
    assert (row["agree"], row["position_n"]) == (x, n)
    if low is None:
        assert pd.isna(row["position_low"]) and row["unranked"]
    else:
        assert row["position_low"] == pytest.approx(low, abs=1e-4)
        assert row["position_high"] == pytest.approx(high, abs=1e-4)
        assert pd.isna(row["unranked"])


def test_unranked_actors_come_last_with_their_reason():
    table = rank(CONSTRUCTED, "ref", resamples=0)
    assert list(table["actor"][-2:]) == ["elsewhere", "split"]
    reasons = dict(zip(table["actor"], table["unranked"], strict=True))
    assert reasons["elsewhere"] == "no position shared with ref"
    assert reasons["split"].startswith("split on every position shared with ref")


def test_ranking_with_nothing_shared_by_anyone():
    table = rank(CONSTRUCTED, "nobody", resamples=0)
    assert table["rank"].isna().all() and table["unranked"].notna().all()


def test_intervals_widen_as_n_shrinks():
    table = rank(CONSTRUCTED, "ref", resamples=0).set_index("actor")
    widths = [
        table.loc[a, "position_high"] - table.loc[a, "position_low"]
        for a in ("agree10", "agree3", "agree1")
    ]
    assert widths[0] < widths[1] < widths[2]


def test_jeffreys_ranks_the_constructed_cases_alike():
    wilson_order = list(rank(CONSTRUCTED, "ref", resamples=0)["actor"])
    jeffreys = rank(CONSTRUCTED, "ref", resamples=0, interval="jeffreys")
    assert list(jeffreys["actor"]) == wilson_order
    assert set(jeffreys["interval"]) == {"jeffreys"}


def test_rank_by_pi_is_still_available():
    table = rank(CONSTRUCTED, "ref", resamples=0, by="pi")
    # ref supports all: pi is -1 for every disagree actor, undefined for every agree actor
    assert table.set_index("actor").loc["disagree10", "pi"] == pytest.approx(-1.0)


@pytest.mark.parametrize(
    "actor, note",
    [
        ("agree10", "undefined: both took the same single side on every one of the 10 shared"),
        ("half10", "of the 10 shared positions, ref 0 on the rarer side"),
        ("elsewhere", "no position on which both elsewhere and ref took one side"),
    ],
)
def test_kappa_and_pi_say_why_they_are_not_shown(actor, note):
    table = rank(CONSTRUCTED, "ref", resamples=0).set_index("actor")
    assert note in table.loc[actor, "chance_note"]


def test_kappa_and_pi_shown_where_both_actors_vary():
    frame = _constructed(
        {
            "a": [("p1", "support"), ("p2", "support"), ("p3", "oppose"), ("p4", "oppose")],
            "b": [("p1", "support"), ("p2", "oppose"), ("p3", "oppose"), ("p4", "support")],
        }
    )
    result = align(frame, "a", "b", resamples=0)
    assert result.chance_note is None and result.agreement.pi == pytest.approx(0.0)


@pytest.mark.parametrize(
    "x, n, method, low, high",
    [
        (1, 1, "wilson", 0.2065, 1.0),
        (0, 1, "wilson", 0.0, 0.7935),
        (5, 10, "wilson", 0.2366, 0.7634),
        # Jeffreys: Beta(x + 1/2, n - x + 1/2) quantiles, bounds pinned at x = 0 and x = n
        (0, 10, "jeffreys", 0.0, 0.2172),
        (5, 10, "jeffreys", 0.2235, 0.7765),
    ],
)
def test_interval_values(x, n, method, low, high):
    from stancewatch.analytics.rates import rate

    found = rate(x, n, method=method)
    assert (found.low, found.high) == (pytest.approx(low, abs=1e-4), pytest.approx(high, abs=1e-4))


def test_rate_refuses_bad_input():
    from stancewatch.analytics.rates import rate, wilson

    assert rate(0, 0) is None
    with pytest.raises(ValueError, match="0 <= x <= n"):
        wilson(3, 2)
    with pytest.raises(ValueError, match="wilson or jeffreys|wilson, jeffreys"):
        rate(1, 2, method="exact")  # type: ignore[arg-type]
