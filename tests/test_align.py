from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from stancewatch.align import actor_positions, align, alignment_matrix

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
