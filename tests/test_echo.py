"""Echo chains and the permutation test, on hand-made tables with hand-computed answers."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from stancewatch.analytics.echo import chains_frame, cluster_chains, echo_test, position_chains

COLUMNS = ["statement_id", "position_id", "label", "actor", "date"]
ROWS = [
    ("a1", "p", "support", "putin", "2025-01-01"),
    ("c1", "p", "support", "vance", "2025-01-01"),  # same day as putin: both first
    ("b1", "p", "support", "trump", "2025-01-11"),
    ("b2", "p", "support", "trump", "2025-01-20"),
    ("d1", "p", "oppose", "zelensky", "2025-01-05"),
    ("u1", "p", "support", None, "2024-12-01"),  # no known actor: no part in chains
    ("n1", "p", "neutral", "rubio", "2024-12-01"),  # neutral: not a side
    ("x1", "q", "support", "trump", None),  # undated: no part
]
STANCES = pd.DataFrame(ROWS, columns=COLUMNS)


def _summary(chains):
    return [
        (c.key, c.side, [(k.actor, k.days_after_first, k.statement_ids) for k in c.links])
        for c in chains
    ]


@pytest.mark.parametrize(
    "options, expected",
    [
        (
            {},
            [
                (
                    "p",
                    "support",
                    [("putin", 0, ("a1",)), ("vance", 0, ("c1",)), ("trump", 10, ("b1", "b2"))],
                ),
                ("p", "oppose", [("zelensky", 0, ("d1",))]),
            ],
        ),
        (
            {"min_actors": 2},
            [
                (
                    "p",
                    "support",
                    [("putin", 0, ("a1",)), ("vance", 0, ("c1",)), ("trump", 10, ("b1", "b2"))],
                )
            ],
        ),
        ({"position": "q"}, []),  # only an undated statement
        ({"position": "nowhere"}, []),
    ],
)
def test_position_chains(options, expected):
    assert _summary(position_chains(STANCES, **options)) == expected


def test_first_and_repeaters():
    chain = position_chains(STANCES, min_actors=2)[0]
    assert [k.actor for k in chain.first] == ["putin", "vance"]
    assert [k.actor for k in chain.repeaters] == ["trump"]
    frame = chains_frame([chain])
    assert list(frame["actor"]) == ["putin", "vance", "trump"]
    assert list(frame["first"]) == [True, True, False]
    assert frame.iloc[2]["statement_ids"] == ["b1", "b2"]


STATEMENTS = pd.DataFrame(
    [
        ("s1", "putin", "2025-01-01", "Ukraine is run by a neo-Nazi regime."),
        ("s2", "trump", "2025-01-05", "Ukraine is run by a Nazi regime."),
        ("s3", "trump", "2025-01-02", "Something else entirely."),
        ("s4", "trump", "2025-01-03", "Something else, once more."),  # same actor only
        ("s5", None, "2025-01-01", "An unattributed line."),
        ("s6", "lavrov", None, "Ukraine is run by neo-Nazis."),  # undated
    ],
    columns=["id", "actor", "date", "content"],
)
VECTORS = np.array(
    [
        [1.0, 0.0, 0.0],
        [0.99, 0.14, 0.0],  # cosine with s1 ≈ 0.99
        [0.0, 1.0, 0.0],
        [0.0, 0.99, 0.14],  # near s3 but the same actor
        [1.0, 0.0, 0.0],  # identical to s1 but no actor
        [1.0, 0.0, 0.0],  # identical to s1 but no date
    ]
)


@pytest.mark.parametrize(
    "threshold, min_actors, expected",
    [
        (0.85, 2, [("cluster-1", None, [("putin", 0, ("s1",)), ("trump", 4, ("s2",))])]),
        (0.999, 2, []),  # nothing is that close across actors
        (
            0.85,
            1,
            [
                ("cluster-1", None, [("putin", 0, ("s1",)), ("trump", 4, ("s2",))]),
                ("cluster-2", None, [("trump", 0, ("s3", "s4"))]),
            ],
        ),
    ],
)
def test_cluster_chains(threshold, min_actors, expected):
    chains = cluster_chains(STATEMENTS, VECTORS, threshold=threshold, min_actors=min_actors)
    assert _summary(chains) == expected
    if chains:
        assert chains[0].text == "Ukraine is run by a neo-Nazi regime."
        assert chains[0].kind == "cluster"


@pytest.mark.parametrize(
    "vectors, threshold, message",
    [
        (VECTORS[:2], 0.85, "6 statements but 2 embeddings"),
        (VECTORS, 1.5, "threshold"),
    ],
)
def test_cluster_chains_refuses_bad_input(vectors, threshold, message):
    with pytest.raises(ValueError, match=message):
        cluster_chains(STATEMENTS, vectors, threshold=threshold)


def _frame(rows):
    day0 = date(2025, 1, 1)
    return pd.DataFrame(
        [
            (sid, pos, "support", actor, (day0 + timedelta(days=d)).isoformat())
            for sid, pos, actor, d in rows
        ],
        columns=COLUMNS,
    )


def test_echo_test_exact_by_hand():
    frame = _frame(
        [
            ("a1", "p", "A", 0),
            ("a2", "q", "A", 20),
            ("b1", "p", "B", 1),
            ("b2", "q", "B", 21),
            ("b3", "r", "B", 5),  # A never voiced r: not tested
        ]
    )
    result = echo_test(frame, "A", "B", window_days=30)
    # observed: lags 1 and 1 → mean 1. The one other ordering puts b1 (p) on day 21, 21 days
    # after a1, and b2 (q) on day 1, before A voiced q → capped at 30: mean 25.5.
    # Exact p = share of the 2 orderings with mean ≤ 1 = 1/2.
    assert (result.n, result.observed_mean_lag, result.p_value) == (2, 1.0, 0.5)
    assert result.exact and result.permutations == 2
    assert result.shuffled_mean_lag == pytest.approx((1 + 25.5) / 2)
    assert [(p.follower_statement, p.leader_statement, p.lag_days) for p in result.pairs] == [
        ("b1", "a1", 1),
        ("b2", "a2", 1),
    ]


def test_echo_test_monte_carlo_is_seeded():
    # A voices p0..p6 ten days apart; B repeats each a day later. Only the observed ordering
    # has mean lag 1, so p = (1 + k) / (1 + 2000) with k the shuffles that hit it again.
    rows = [(f"a{i}", f"p{i}", "A", 10 * i) for i in range(7)]
    rows += [(f"b{i}", f"p{i}", "B", 10 * i + 1) for i in range(7)]
    frame = _frame(rows)
    first = echo_test(frame, "A", "B", permutations=2000, seed=5)
    assert not first.exact and first.permutations == 2000
    assert first.observed_mean_lag == 1.0
    assert first.p_value <= 3 / 2001
    assert echo_test(frame, "A", "B", permutations=2000, seed=5) == first
    reverse = echo_test(frame, "B", "A", permutations=2000, seed=5)
    assert reverse.p_value > 0.5  # A does not follow B: always 9 days later, or capped


@pytest.mark.parametrize(
    "rows, n, observed",
    [
        ([("a1", "p", "A", 10), ("b1", "p", "B", 1)], 1, 30.0),  # B spoke first: capped
        ([("a1", "p", "A", 0), ("b1", "q", "B", 1)], 0, None),  # nothing in common
        ([], 0, None),
    ],
)
def test_echo_test_without_a_p_value(rows, n, observed):
    result = echo_test(_frame(rows), "A", "B")
    assert (result.n, result.observed_mean_lag, result.p_value) == (n, observed, None)


def test_echo_test_refuses_bad_settings():
    with pytest.raises(ValueError, match="at least 1"):
        echo_test(STANCES, "A", "B", window_days=0)


@pytest.mark.models
def test_cluster_chains_with_minilm(embedder):
    statements = pd.DataFrame(
        [
            ("m1", "lavrov", "2025-02-18", "They have no place at the negotiating table."),
            (
                "m2",
                "zakharova",
                "2025-03-06",
                "They have no place at the negotiating table at all.",
            ),
            ("m3", "macron", "2025-03-01", "The weather in Paris was pleasant this spring."),
            ("m4", "kallas", "2025-03-02", "Europe will keep supporting Ukraine."),
        ],
        columns=["id", "actor", "date", "content"],
    )
    chains = cluster_chains(statements, embedder.encode(list(statements["content"])))
    assert _summary(chains) == [
        ("cluster-1", None, [("lavrov", 0, ("m1",)), ("zakharova", 16, ("m2",))])
    ]
