from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stancewatch.claims.lexicon import find_places, lexicon, vote_side
from stancewatch.claims.quantities import Quantity, parse_quantities

B, M = 1e9, 1e6

# text, [(value, value_high, unit, currency, scale, approximation, span text), ...]
CASES = [
    ("Support fell to 4%.", [(4, None, "percent", None, 1, "exact", "4%")]),
    ("only 4 per cent", [(4, None, "percent", None, 1, "exact", "4 per cent")]),
    ("four percent of voters", [(4, None, "percent", None, 1, "exact", "four percent")]),
    ("57 percent trust him", [(57, None, "percent", None, 1, "exact", "57 percent")]),
    (
        "a 2.5 percentage point rise",
        [(2.5, None, "percentage_point", None, 1, "exact", "2.5 percentage point")],
    ),
    (
        "a cut of 50 basis points",
        [(0.5, None, "percentage_point", None, 1, "exact", "50 basis points")],
    ),
    ("We gave $350 billion.", [(350 * B, None, "money", "USD", B, "exact", "$350 billion")]),
    ("Europe gave €114bn", [(114 * B, None, "money", "EUR", B, "exact", "€114bn")]),
    ("350 billion dollars", [(350 * B, None, "money", "USD", B, "exact", "350 billion dollars")]),
    ("US$120 billion in aid", [(120 * B, None, "money", "USD", B, "exact", "US$120 billion")]),
    ("a £2.3m grant", [(2.3 * M, None, "money", "GBP", M, "exact", "£2.3m")]),
    ("EUR 62 billion", [(62 * B, None, "money", "EUR", B, "exact", "EUR 62 billion")]),
    ("114 billion euros", [(114 * B, None, "money", "EUR", B, "exact", "114 billion euros")]),
    ("UAH 5 billion", [(5 * B, None, "money", "UAH", B, "exact", "UAH 5 billion")]),
    ("5 billion roubles", [(5 * B, None, "money", "RUB", B, "exact", "5 billion roubles")]),
    ("Rs 11 lakh crore", [(11e12, None, "money", "INR", 1e12, "exact", "Rs 11 lakh crore")]),
    (
        "three hundred fifty billion dollars",
        [(350 * B, None, "money", "USD", B, "exact", "three hundred fifty billion dollars")],
    ),
    ("a $350-billion package", [(350 * B, None, "money", "USD", B, "exact", "$350-billion")]),
    ("$118–120 billion", [(118 * B, 120 * B, "money", "USD", B, "exact", "$118–120 billion")]),
    (
        "$900 million to $1.2 billion",
        [(0.9 * B, 1.2 * B, "money", "USD", B, "exact", "$900 million to $1.2 billion")],
    ),
    (
        "between 30 and 40 percent",
        [(30, 40, "percent", None, 1, "exact", "between 30 and 40 percent")],
    ),
    ("30 to 40 per cent", [(30, 40, "percent", None, 1, "exact", "30 to 40 per cent")]),
    ("1.5-2.5% growth", [(1.5, 2.5, "percent", None, 1, "exact", "1.5-2.5%")]),
    ("30 to 40 drones", [(30, 40, "count", None, 1, "exact", "30 to 40")]),
    ("1,000 people", [(1000, None, "count", None, 1, "exact", "1,000")]),
    ("93 countries signed", [(93, None, "count", None, 1, "exact", "93")]),
    ("10k protesters", [(10_000, None, "count", None, 1e3, "exact", "10k")]),
    (
        "roughly 12 million people",
        [(12 * M, None, "count", None, M, "about", "roughly 12 million")],
    ),
    ("half a million people", [(0.5 * M, None, "count", None, M, "exact", "half a million")]),
    (
        "one and a half million",
        [(1.5 * M, None, "count", None, M, "exact", "one and a half million")],
    ),
    ("a dozen countries", [(12, None, "count", None, 1, "exact", "a dozen")]),
    ("more than 200 soldiers", [(200, None, "count", None, 1, "more_than", "more than 200")]),
    ("nearly 5,000 troops", [(5000, None, "count", None, 1, "about", "nearly 5,000")]),
    ("almost 10% of them", [(10, None, "percent", None, 1, "about", "almost 10%")]),
    ("at least 40 dead", [(40, None, "count", None, 1, "at_least", "at least 40")]),
    ("up to 100,000 troops", [(100_000, None, "count", None, 1, "at_most", "up to 100,000")]),
    ("over 50% said no", [(50, None, "percent", None, 1, "more_than", "over 50%")]),
    ("fewer than 20 cases", [(20, None, "count", None, 1, "less_than", "fewer than 20")]),
    ("200 or more tanks", [(200, None, "count", None, 1, "at_least", "200 or more")]),
    ("a third of voters", [(33.3, None, "percent", None, 1, "exact", "a third")]),
    ("about a third", [(33.3, None, "percent", None, 1, "about", "about a third")]),
    ("two-thirds of the budget", [(66.7, None, "percent", None, 1, "exact", "two-thirds")]),
    ("half of Ukrainians", [(50, None, "percent", None, 1, "exact", "half")]),
    ("one in five Ukrainians", [(20, None, "percent", None, 1, "exact", "one in five")]),
    ("9 out of 10 doctors", [(90, None, "percent", None, 1, "exact", "9 out of 10")]),
    ("three times as many", [(3, None, "multiple", None, 1, "exact", "three times")]),
    ("twice as much aid", [(2, None, "multiple", None, 1, "exact", "twice")]),
    ("half as much aid", [(0.5, None, "multiple", None, 1, "exact", "half")]),
    ("spending doubled", [(2, None, "multiple", None, 1, "exact", "doubled")]),
    ("a 3-fold rise", [(3, None, "multiple", None, 1, "exact", "3-fold")]),
    (
        "rose from 30% to 40%",  # a change, not a range
        [
            (30, None, "percent", None, 1, "exact", "30%"),
            (40, None, "percent", None, 1, "exact", "40%"),
        ],
    ),
    ("2,025 people", [(2025, None, "count", None, 1, "exact", "2,025")]),
    ("a 20,000-strong force", [(20_000, None, "count", None, 1, "exact", "20,000")]),
    (
        "£3 billion over four years",  # the duration scopes the money; it is not a count
        [(3 * B, None, "money", "GBP", B, "exact", "£3 billion")],
    ),
    (
        "4,000 soldiers in 48 hours",
        [(4000, None, "count", None, 1, "exact", "4,000")],
    ),
    (
        "2 points ahead",  # "points" alone is a count unless a comparative follows
        [(2, None, "count", None, 1, "exact", "2")],
    ),
    ("a budget of 2025 billion", [(2025 * B, None, "count", None, B, "exact", "2025 billion")]),
]

NOTHING = [
    "in 2025",
    "on 12 February",
    "on February 12, 2025",
    "Feb. 12",
    "the poll of 4–9 February 2025",
    "between 2022 and 2024",
    "the 2016-17 season",
    "Article 5",
    "resolution 2774",
    "No. 12",
    "the two leaders met",
    "one of the",
    "the 1st time",
    "the 1990s",
    "F-16 jets and MH17",
    "5G masts",
    "call +380 44 123 4567",
    "call 555-123-4567",
    "at 10:30",
    "at 5 pm",
    "the second half of 2024",
    "a third term",
    "doubling down",
    "12/02/2025",
    "adopted 10–0 by the council",
    # durations and numbers that modify a noun are not counts
    "a 60-day pause",
    "her six-year mandate",
    "a 12-point peace plan",
    "a ten-member panel",
    "within 72 hours",
    "the war has lasted four years",
    "for 20 or 30 years",
    "two to three weeks",
    "the first 100 days",
    "a 90-minute call",
    "",
    "no numbers here",
]


def _as_tuple(q: Quantity) -> tuple:
    return (q.value, q.value_high, q.unit, q.currency, q.scale, q.approximation, q.text)


@pytest.mark.parametrize("text, expected", CASES)
def test_parse_quantities(text: str, expected: list[tuple]) -> None:
    got = [_as_tuple(q) for q in parse_quantities(text)]
    assert len(got) == len(expected), got
    for g, e in zip(got, expected, strict=True):
        assert g[0] == pytest.approx(e[0])
        assert g[1] == (None if e[1] is None else pytest.approx(e[1]))
        assert g[2:] == (e[2], e[3], pytest.approx(e[4]), e[5], e[6])


@pytest.mark.parametrize("text", NOTHING)
def test_not_quantities(text: str) -> None:
    assert parse_quantities(text) == []


# text, [(span text, unit, comparison), ...]
COMPARISONS = [
    ("Canada spent €40 billion more than Norway", [("€40 billion", "money", "more")]),
    ("12,000 fewer soldiers than in 2023", [("12,000", "count", "fewer")]),
    ("3 points lower than last month", [("3 points", "percentage_point", "lower")]),
    ("prices were 20% higher than planned", [("20%", "percent", "higher")]),
    ("5 billion euros less than promised", [("5 billion euros", "money", "less")]),
    ("$2 billion above the target", [("$2 billion", "money", "above")]),
    # the number follows the comparative: a bound, not a difference
    ("more than 200 soldiers", [("more than 200", "count", None)]),
    ("fewer than 20 cases", [("fewer than 20", "count", None)]),
    ("200 or more tanks", [("200 or more", "count", None)]),
    ("above 5% of output", [("above 5%", "percent", None)]),
    # a multiple already compares two quantities
    ("three times more than Spain", [("three times", "multiple", None)]),
    ("7,000 troops", [("7,000", "count", None)]),
]


@pytest.mark.parametrize("text, expected", COMPARISONS)
def test_comparatives_after_the_number_mark_a_difference(text: str, expected: list) -> None:
    assert [(q.text, q.unit, q.comparison) for q in parse_quantities(text)] == expected


def test_offsets_point_into_the_text() -> None:
    text = "On 12 February he said aid reached $118–120 billion, about a third of it military."
    found = parse_quantities(text)
    assert [q.text for q in found] == ["$118–120 billion", "about a third"]
    for q in found:
        assert text[q.start : q.end] == q.text


def test_rejects_non_strings() -> None:
    with pytest.raises(TypeError, match="expects a str"):
        parse_quantities(42)  # type: ignore[arg-type]


# --- round trips -------------------------------------------------------------------------

_UNITS = ["", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
          "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
          "eighteen", "nineteen"]  # fmt: skip
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def _words(n: int) -> str:
    """0 < n < 1000 in words, the way a test writes them (independent of the parser's data)."""
    hundreds, rest = divmod(n, 100)
    parts = [f"{_UNITS[hundreds]} hundred"] if hundreds else []
    if rest >= 20:
        parts.append(_TENS[rest // 10] + (f"-{_UNITS[rest % 10]}" if rest % 10 else ""))
    elif rest:
        parts.append(_UNITS[rest])
    return " ".join(parts)


_hundredths = st.integers(min_value=0, max_value=100_000)


def _decimal(cents: int) -> tuple[str, float]:
    whole, frac = divmod(cents, 100)
    return (f"{whole}.{frac:02d}" if frac else str(whole)), cents / 100


@settings(max_examples=200, deadline=None)
@given(_hundredths, st.sampled_from(["%", " percent", " per cent", " pct"]))
def test_percent_round_trip(cents: int, suffix: str) -> None:
    shown, value = _decimal(cents)
    found = parse_quantities(f"Support stood at {shown}{suffix} in the poll.")
    assert len(found) == 1
    assert (found[0].unit, found[0].value) == ("percent", pytest.approx(value))


@settings(max_examples=200, deadline=None)
@given(
    _hundredths.filter(lambda c: c > 0),
    st.sampled_from([("$", "USD"), ("€", "EUR"), ("£", "GBP"), ("US$", "USD"), ("EUR ", "EUR")]),
    st.sampled_from([(" thousand", 1e3), (" million", M), ("m", M), (" billion", B),
                     ("bn", B), (" trillion", 1e12), ("tn", 1e12), ("", 1.0)]),
)  # fmt: skip
def test_money_round_trip(cents: int, currency: tuple[str, str], scale: tuple[str, float]) -> None:
    shown, value = _decimal(cents)
    found = parse_quantities(f"They pledged {currency[0]}{shown}{scale[0]} to Kyiv.")
    assert len(found) == 1
    q = found[0]
    assert (q.unit, q.currency, q.scale) == ("money", currency[1], scale[1])
    assert q.value == pytest.approx(value * scale[1])


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**12))
def test_count_round_trip(n: int) -> None:
    found = parse_quantities(f"Officials counted {n:,} people at the border.")
    assert [(q.unit, q.value) for q in found] == [("count", n)]


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=999), st.sampled_from([" percent", " billion dollars"]))
def test_written_number_round_trip(n: int, unit: str) -> None:
    found = parse_quantities(f"He said {_words(n)}{unit} last week.")
    assert len(found) == 1
    expected = n if unit == " percent" else n * B
    assert found[0].value == pytest.approx(expected)


_FRAGMENTS = st.sampled_from(
    list("0123456789 ,.-–$€£%+/:()kmbx\n")
    + ["billion", "bn", " per cent", "between ", " and ", "more than ", "a third", "half",
       " of ", "twenty-", "one", " in ", "out of ", " times ", "as ", "US$", "Feb ", "2025",
       "Article ", "a ", "hundred", "or more", "percentage points", " more", " fewer than ",
       " points", "-day", " years", " or "]
)  # fmt: skip


def _check_invariants(text: str) -> None:
    for q in parse_quantities(text):
        assert 0 <= q.start < q.end <= len(text)
        assert text[q.start : q.end] == q.text
        assert q.unit in ("percent", "percentage_point", "money", "count", "multiple")
        assert q.approximation in (
            "exact",
            "about",
            "more_than",
            "less_than",
            "at_least",
            "at_most",
        )
        assert q.value_high is None or q.value_high > q.value
        assert (q.currency is not None) == (q.unit == "money")
        assert q.comparison is None or q.comparison in lexicon().comparatives
        assert q.comparison is None or q.unit != "multiple"


@settings(max_examples=500, deadline=None)
@given(st.lists(_FRAGMENTS, max_size=40).map("".join))
def test_never_crashes_on_number_like_text(text: str) -> None:
    _check_invariants(text)


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_never_crashes_on_any_text(text: str) -> None:
    _check_invariants(text)


# --- the word lists ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Aid from the United States and the EU", [("the United States", "united-states"),
                                                   ("EU", "europe")]),
        ("Britain's budget", [("Britain", "united-kingdom")]),
        ("they told us", []),  # "us" is a pronoun, "US" a place
        ("US$5 billion", []),  # a currency, not a place
        ("Warsaw and Polish troops", [("Warsaw", "poland"), ("Polish", "poland")]),
    ],
)  # fmt: skip
def test_find_places(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(text[a:b], key) for a, b, key in find_places(text)] == expected


@pytest.mark.parametrize(
    "measure, side",
    [
        ("votes against", "votes against"),
        ("Senate votes in favour of the bill", "votes in favour"),
        ("abstentions in the council", "abstentions"),
        ("countries that voted no", "votes against"),
        ("aid for Ukraine", None),  # "for" without a vote is no side
        ("votes cast", None),
    ],
)
def test_vote_side(measure: str, side: str | None) -> None:
    assert vote_side(measure) == side
