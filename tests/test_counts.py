"""Counts as the press makes them: matches per event, the list, the opposite count."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from stancewatch.analytics.counts import count_matches, cumulative, events_frame

COLUMNS = [
    "statement_id",
    "position_id",
    "label",
    "actor",
    "date",
    "content",
    "kind",
    "document_title",
]
B = [("b1", "p1", "support", "b", "2025-01-01", "P1 must happen", "direct", "Wire")]
NATO = "Ukraine will never join NATO, the alliance must close its door"


def _frame(rows):
    return pd.DataFrame(B + rows, columns=COLUMNS)


def _row(sid, day, content=NATO, label="support", kind="indirect", source=None, position="p1"):
    return (sid, position, label, "a", day, content, kind, source or f"Outlet {sid}")


@pytest.mark.parametrize(
    "rows, matches, reports",
    [
        # the same remark carried by five outlets the same day: one event, five reports
        ([_row(f"s{i}", "2025-02-10") for i in range(5)], 1, [5]),
        # the next day in much the same words: still one event
        ([_row("s1", "2025-02-10"), _row("s2", "2025-02-11", NATO + " soon")], 1, [2]),
        # the next day, other words: another remark
        (
            [_row("s1", "2025-02-10"), _row("s2", "2025-02-11", "Sanctions hurt everyone")],
            2,
            [1, 1],
        ),
        # the same words three days later: a new event (beyond two days)
        ([_row("s1", "2025-02-10"), _row("s2", "2025-02-13")], 2, [1, 1]),
        # an act and a report of the same day on the same position: one event, an act
        (
            [_row("act-v", "2025-02-24", "Voted against", kind="act"), _row("s1", "2025-02-24")],
            1,
            [2],
        ),
        # two acts of the pack the same day: two acts, two events
        (
            [
                _row("act-ga", "2025-02-24", "Voted against", kind="act"),
                _row("act-sc", "2025-02-24", "Put forward a text", kind="act"),
            ],
            2,
            [1, 1],
        ),
        # nothing on B's positions: nothing counted
        ([_row("s1", "2025-02-10", position="p9")], 0, []),
    ],
)
def test_matches_are_counted_per_event(rows, matches, reports):
    counts = count_matches(_frame(rows), "a", "b")
    assert len(counts.matches) == matches
    assert [len(e.statement_ids) for e in counts.matches] == reports
    assert counts.reports == sum(reports)
    listed = events_frame(counts.matches)
    assert sorted(s for ids in listed["statement_ids"] for s in ids) == sorted(
        r[0] for r in rows if r[1] == "p1"
    )


def test_act_events_are_labelled_as_acts():
    rows = [_row("act-v", "2025-02-24", "Voted against", kind="act"), _row("s1", "2025-02-24")]
    [event] = count_matches(_frame(rows), "a", "b").matches
    assert event.is_act and event.statement_ids[0] == "act-v"
    assert events_frame([event]).iloc[0]["kind"] == "act"


def test_the_opposite_count_and_undated_reports():
    rows = [
        _row("s1", "2025-02-10"),
        _row("o1", "2025-02-12", "No, P1 is wrong", label="oppose"),
        _row("o2", "2025-02-20", "P1 is a bad idea", label="oppose"),
        _row("u1", None),
    ]
    counts = count_matches(_frame(rows), "a", "b")
    assert (len(counts.matches), len(counts.opposite), counts.undated) == (1, 2, 1)
    assert (counts.first, counts.last) == (date(2025, 2, 10), date(2025, 2, 20))
    assert [e.statement_ids for e in counts.opposite] == [("o1",), ("o2",)]


def test_the_window_and_the_holders():
    rows = [_row("s1", "2025-01-10", position="p2"), _row("s2", "2025-03-10", position="p2")]
    # b never spoke on p2, but the pack lists b among its holders
    counts = count_matches(_frame(rows), "a", "b", holders={"p2": ["b"]}, since=date(2025, 3, 1))
    assert [e.statement_ids for e in counts.matches] == [("s2",)]
    assert (counts.first, counts.last) == (date(2025, 3, 1), None) or counts.first == date(
        2025, 3, 1
    )
    assert cumulative(counts) == [{"date": "2025-03-10", "matches": 1}]


def test_cumulative_runs_over_event_dates():
    rows = [
        _row("s1", "2025-02-10"),
        _row("s2", "2025-02-10", "Sanctions hurt everyone"),
        _row("s3", "2025-02-20", "Another thing entirely"),
    ]
    counts = count_matches(_frame(rows), "a", "b")
    assert cumulative(counts) == [
        {"date": "2025-02-10", "matches": 1},
        {"date": "2025-02-20", "matches": 2},
    ]
