"""Publication dates from metadata and datelines (stancewatch.ingest.dates)."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stancewatch.ingest.dates import find_dateline, find_published, parse_date


@pytest.mark.parametrize(
    "value, expected",
    [
        (date(2025, 2, 12), date(2025, 2, 12)),
        (datetime(2025, 2, 12, 23, 59), date(2025, 2, 12)),
        (time.strptime("2025-02-12", "%Y-%m-%d"), date(2025, 2, 12)),
        ("2025-02-12", date(2025, 2, 12)),
        ("2025-02-12T09:30:00Z", date(2025, 2, 12)),
        # the calendar day where it was published, not in UTC
        ("2025-02-12T23:30:00-05:00", date(2025, 2, 12)),
        ("Wed, 12 Feb 2025 10:00:00 GMT", date(2025, 2, 12)),
        ("Feb. 19, 2025", date(2025, 2, 19)),
        ("19 February 2025", date(2025, 2, 19)),
        ("19th February 2025", date(2025, 2, 19)),
        ("Sept. 3, 2024", date(2024, 9, 3)),
        ("13/03/2025", date(2025, 3, 13)),  # 13 cannot be a month
        ("03/13/2025", date(2025, 3, 13)),
        ("12.03.2025", date(2025, 3, 12)),  # dotted dates are day-first
        ("  2025-02-12  ", date(2025, 2, 12)),
        # no day, no year, ambiguous, impossible or not a date: None rather than a guess
        ("02/03/2025", None),
        ("February 2025", None),
        ("2025", None),
        ("Feb 12", None),
        ("2025-02-30", None),
        ("Feb 30, 2025", None),
        ("yesterday", None),
        ("not a date at all", None),
        ("", None),
        ("0001-01-01", None),
        (20250212, None),
        (None, None),
        (["2025-02-12"], None),
    ],
)
def test_parse_date(value: object, expected: date | None) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    "text, metadata, expected",
    [
        # metadata, under its many names
        ("Text.", {"published": "2025-02-12"}, date(2025, 2, 12)),
        ("Text.", {"date": date(2025, 2, 12)}, date(2025, 2, 12)),
        ("Text.", {"pubDate": "Wed, 12 Feb 2025 10:00:00 GMT"}, date(2025, 2, 12)),
        ("Text.", {"datePublished": "2025-02-12T09:30:00+01:00"}, date(2025, 2, 12)),
        ("Text.", {"published_at": "2025-02-12"}, date(2025, 2, 12)),
        ("Text.", {"article:published_time": "2025-02-12"}, date(2025, 2, 12)),
        # "published" wins over "date"; an unreadable one falls through to the next
        ("Text.", {"date": "2025-01-01", "published": "2025-02-12"}, date(2025, 2, 12)),
        ("Text.", {"published": "soon", "date": "2025-01-05"}, date(2025, 1, 5)),
        # metadata beats the dateline
        ("KYIV, 12 February 2025 — Text.", {"published": "2025-02-13"}, date(2025, 2, 13)),
        # datelines
        ("KYIV, 12 February 2025 — The president said.", {}, date(2025, 2, 12)),
        ("Feb. 19, 2025\n\nThe president said.", {}, date(2025, 2, 19)),
        ("Feb. 19, 2025 — The president said.", {}, date(2025, 2, 19)),
        ("BRUSSELS, Feb 12 (Reuters) — The minister said.", {"year": 2025}, date(2025, 2, 12)),
        ("BRUSSELS, Feb 12 (Reuters) - The minister said.", {"year": "2025"}, date(2025, 2, 12)),
        ("KYIV, FEB 12 (Reuters) — Text.", {"published": "February 2025"}, date(2025, 2, 12)),
        ("RIO DE JANEIRO, Wednesday, March 5, 2025 — Text.", {}, date(2025, 3, 5)),
        ("KYIV, Ukraine, 12 February 2025 — Text.", {}, date(2025, 2, 12)),
        ("WASHINGTON, Feb. 19, 2025 /PRNewswire/ -- Text.", {}, date(2025, 2, 19)),
        (
            "Minister rejects plan\nBy Jane Doe\nKYIV, 12 February 2025 — Text.",
            {},
            date(2025, 2, 12),
        ),
        ("LONDON, 2025-02-12 — Text.", {}, date(2025, 2, 12)),
        # a dateline without a year and no year known: ignored, not guessed
        ("BRUSSELS, Feb 12 (Reuters) — The minister said.", {}, None),
        ("BRUSSELS, Feb 12 (Reuters) — Text.", {"published": "not a date"}, None),
        # dates that are not datelines
        ("Talks are set for Feb. 19, 2025 in Riyadh.", {}, None),
        ("The meeting on 12 February 2025 — was tense.", {}, None),
        ("Officials met.\n" * 6 + "Feb. 19, 2025 — late dateline.", {}, None),
        ("KYIV, Feb 30, 2025 — Text.", {}, None),
        ("No date anywhere in this text.", {}, None),
        ("", {}, None),
        ("Text.", {"title": "2025-02-12"}, None),
        # a "year" of digits int() cannot read (a superscript) is no year, and no error
        ("BRUSSELS, Feb 12 (Reuters) — Text.", {"year": "\u00b9"}, None),
    ],
)
def test_find_published(text: str, metadata: dict[str, object], expected: date | None) -> None:
    assert find_published(text, metadata) == expected


@pytest.mark.parametrize(
    "text, year, expected",
    [
        ("BRUSSELS, Feb 12 (Reuters) — Text.", 2024, date(2024, 2, 12)),
        ("BRUSSELS, Feb 12 (Reuters) — Text.", None, None),
        ("BRUSSELS, Feb 29 (Reuters) — Text.", 2025, None),  # not a leap year
        ("KYIV, 12 February 2025 — Text.", 1999, date(2025, 2, 12)),  # its own year wins
    ],
)
def test_find_dateline_year(text: str, year: int | None, expected: date | None) -> None:
    assert find_dateline(text, year) == expected


_metadata_values = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.integers(),
    st.dates(),
    st.datetimes(timezones=st.just(timezone(timedelta(hours=-5)))),
)


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(max_size=300),
    metadata=st.dictionaries(
        st.sampled_from(["published", "date", "pubDate", "year", "title", "x"]),
        _metadata_values,
        max_size=4,
    ),
)
def test_find_published_never_raises(text: str, metadata: dict[str, object]) -> None:
    found = find_published(text, metadata)
    assert found is None or (isinstance(found, date) and 1800 <= found.year <= 2100)
