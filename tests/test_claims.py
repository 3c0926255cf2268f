from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stancewatch.claims.differences import difference_measure, parse_difference
from stancewatch.claims.extract import extract_claims
from stancewatch.records import Statement, stable_id

PREAMBLE = "On 19 February 2025 Trump told reporters in Florida that "
ACTORS = {"Zelensky": "zelensky", "Ukraine": "ukraine", "Europe": "eu", "Putin": "putin"}


def mentions(text: str) -> list[tuple[int, int, str]]:
    """Actor mentions by exact name, as the pipeline's linker would report them."""
    pattern = "|".join(ACTORS)
    return [(m.start(), m.end(), ACTORS[m.group()]) for m in re.finditer(pattern, text)]


def statement(content: str, preamble: str = PREAMBLE, after: str = "") -> tuple[Statement, str]:
    text = preamble + content + after
    start = len(preamble)
    st = Statement(
        id="st-1",
        document_id="doc-1",
        kind="indirect",
        content=content,
        content_start=start,
        content_end=start + len(content),
        actor="trump",
        date=date(2025, 2, 19),
    )
    return st, text


def test_claim_fields_and_offsets() -> None:
    st, text = statement("Zelensky has an approval rating of 4%.", after=" He left.")
    [claim] = extract_claims(st, text=text, mentions=mentions)
    assert text[claim.start : claim.end] == claim.text == "4%"
    assert claim.start == len(PREAMBLE) + st.content.index("4%")
    assert claim.id == stable_id("doc-1", claim.start, claim.end)
    assert (claim.document_id, claim.statement_id, claim.claimant) == ("doc-1", "st-1", "trump")
    assert (claim.value, claim.unit, claim.approximation) == (4.0, "percent", "exact")
    assert claim.subject == "zelensky"
    assert claim.measure == "Zelensky approval rating"
    assert claim.context == PREAMBLE + st.content  # the sentence, not the one after


@pytest.mark.parametrize(
    "content, expected",
    [
        # content, [(claim text, unit, value, measure, subject, period)]
        (
            # the giver is "we", not Ukraine (the recipient): no subject rather than a wrong one
            "we gave $350 billion in aid to Ukraine since 2022.",
            [("$350 billion", "money", 350e9, "aid Ukraine", None, "since 2022")],
        ),
        (
            "more than 200 soldiers were killed in February.",
            [("more than 200", "count", 200, "soldiers killed", None, "in February")],
        ),
        (
            "93 countries signed the communique in 2024.",
            [("93", "count", 93, "countries signed communique", None, "in 2024")],
        ),
        (
            "Europe has spent three times less than America.",
            [("three times", "multiple", 3, "Europe spent America", "eu", None)],
        ),
        (
            "about a third of Ukrainians trust Zelensky.",
            [("about a third", "percent", 33.3, "Ukrainians trust Zelensky", "zelensky", None)],
        ),
        (
            "Putin lost 1,000 tanks and 2 ships, the two leaders said.",
            [("1,000", "count", 1000, "Putin lost tanks", "putin", None)],
        ),
    ],
)
def test_extract_claims_without_parse(content: str, expected: list[tuple]) -> None:
    st, text = statement(content)
    got = [
        (c.text, c.unit, c.value, c.measure, c.subject, c.period)
        for c in extract_claims(st, text=text, mentions=mentions)
    ]
    assert got == [(t, u, pytest.approx(v), m, s, p) for t, u, v, m, s, p in expected]


@pytest.mark.parametrize(
    "content",
    [
        "the two leaders met in Riyadh.",
        "it is one of the worst deals.",
        "1,000 were killed.",  # a count not attached to a noun
        "2 soldiers were wounded.",  # below the least count
        "on 12 February he called Putin.",
        "Article 5 applies under resolution 2774.",
        "in 2025 things will change.",
        "",
        # durations and numbers that modify a noun are not counts
        "the sides agreed a 60-day pause in strikes.",
        "her six-year mandate ends in 2026.",
        "talks must conclude within 72 hours.",
        "the war has lasted four years.",
        "no army has fought in 20 or 30 years.",
        "Kyiv rejected the 12-point plan.",
    ],
)
def test_no_checkable_claims(content: str) -> None:
    st, text = statement(content)
    assert extract_claims(st, text=text, mentions=mentions) == []


@pytest.mark.parametrize(
    "content, expected",
    [
        # content, [(claim text, measure, period)]
        (
            "Canada pledged $6 billion over five years.",
            [("$6 billion", "Canada pledged", "over five years")],
        ),
        (
            "Poland will station 8,000 troops for a 90-day mission.",
            [("8,000", "Poland station troops mission", None)],
        ),
        (
            "Norway sent 400 drones in the past two weeks.",
            [("400", "Norway sent drones past", "in the past two weeks")],
        ),
    ],
)
def test_a_duration_is_the_period_of_another_figure(content: str, expected: list[tuple]) -> None:
    st, text = statement(content)
    got = [(c.text, c.measure, c.period) for c in extract_claims(st, text=text, mentions=mentions)]
    assert got == expected


@pytest.mark.parametrize(
    "content, expected",
    [
        # content, [(claim text, unit, measure, subject)]
        (
            "Europe spent €40 billion more than Canada.",
            [("€40 billion", "money", "difference: Europe spent (more than Canada)", "eu")],
        ),
        (
            "Russia fields 90,000 fewer troops than last year.",
            [("90,000", "count", "difference: Russia fields troops (fewer than last year)",
              "russia")],
        ),
        (
            "Putin's rating was 3 points lower than in March.",
            [("3 points", "percentage_point",
              "difference: Putin rating (lower than in March)", "putin")],
        ),
        (
            "the fund cost $2 billion more than planned.",
            [("$2 billion", "money", "difference: fund cost (more than planned)", None)],
        ),
        (
            # the number follows "more than": a bound on a total, not a difference
            "Europe spent more than €40 billion.",
            [("more than €40 billion", "money", "Europe spent", "eu")],
        ),
    ],
)  # fmt: skip
def test_differences_are_marked_in_the_measure(content: str, expected: list[tuple]) -> None:
    st, text = statement(content)
    got = [
        (c.text, c.unit, c.measure, c.subject)
        for c in extract_claims(st, text=text, mentions=mentions)
    ]
    assert got == expected


@pytest.mark.parametrize(
    "content, expected",
    [
        (
            "In the Senate vote, 52 senators voted in favour, 47 against and 3 abstained.",
            [("52", "votes in favour"), ("47", "votes against"), ("3", "abstentions")],
        ),
        (
            "the motion passed with 310 votes for, 12 no votes and 40 abstentions.",
            [("310", "votes in favour"), ("12", "votes against"), ("40", "abstentions")],
        ),
        (
            "among the 18 states that voted against were two neighbours.",
            [("18", "votes against")],
        ),
    ],
)
def test_vote_counts_name_their_side(content: str, expected: list[tuple]) -> None:
    st, text = statement(content)
    assert [(c.text, c.measure) for c in extract_claims(st, text=text)] == expected


@pytest.mark.parametrize(
    "content",
    [
        "they shipped 52 crates for Kyiv and 47 against the rules.",  # no vote: no sides
        "52 senators arrived and 47 left.",
        "141 countries voted to demand a withdrawal.",  # a vote, but no side
        "In the vote, 2 senators voted against.",  # below the least count
    ],
)
def test_counts_without_a_side_are_not_votes(content: str) -> None:
    st, text = statement(content)
    sides = {"votes in favour", "votes against", "abstentions"}
    assert not any(c.measure in sides for c in extract_claims(st, text=text))


@pytest.mark.parametrize(
    "content, subject",
    [
        ("Europe has spent €5 billion on drones.", "eu"),  # a mention before the number
        ("Zelensky said we gave $9 billion.", None),  # a pronoun stands between
        ("we gave Ukraine $9 billion.", None),  # the giver is not named
        ("a third of Ukrainians trust Zelensky.", "zelensky"),  # the number is the subject
        ("Britain pledged £2 billion.", "united-kingdom"),  # a place from the word list
    ],
)
def test_subject_without_a_parse(content: str, subject: str | None) -> None:
    st, text = statement(content)
    [claim] = extract_claims(st, text=text, mentions=mentions)
    assert claim.subject == subject


def test_subject_stays_in_the_claims_sentence() -> None:
    st, text = statement("Zelensky is weak. More than 500 tanks were lost.")
    [claim] = extract_claims(st, text=text, mentions=mentions)
    assert claim.subject is None
    assert claim.context == "More than 500 tanks were lost."


def test_without_mentions_subject_is_none() -> None:
    st, text = statement("Zelensky has 4% approval.")
    [claim] = extract_claims(st, text=text)
    assert claim.subject is None


def test_content_must_match_the_document_text() -> None:
    st, text = statement("Zelensky has 4% approval.")
    with pytest.raises(ValueError, match="content does not match"):
        extract_claims(st, text=text.upper())


@pytest.mark.models
def test_measure_from_parse(nlp) -> None:
    content = (
        "Zelensky has an approval rating of 4%. We gave $350 billion in aid to Ukraine. "
        "Only 57% of Ukrainians trust Zelensky. 93 countries signed the communique. "
        "1,000 were killed."
    )
    st, text = statement(content)
    doc = nlp(text)
    claims = extract_claims(st, text=text, mentions=mentions, doc=doc)
    assert [(c.text, c.measure) for c in claims] == [
        ("4%", "approval rating"),
        ("$350 billion", "gave aid to Ukraine"),
        ("57%", "Ukrainians trust Zelensky"),
        ("93", "countries"),
    ]
    assert claims[1].context == "We gave $350 billion in aid to Ukraine."
    assert all(text[c.start : c.end] == c.text for c in claims)


@pytest.mark.models
def test_doc_must_cover_the_document(nlp) -> None:
    st, text = statement("Zelensky has 4% approval.")
    with pytest.raises(ValueError, match="Doc's text differs"):
        extract_claims(st, text=text, doc=nlp(st.content))


@pytest.mark.models
@pytest.mark.parametrize(
    "content, subject",
    [
        # the agent of the verb the number depends on, not the nearest name
        ("Putin had talked Belarus into spending $3 billion on a base.", "belarus"),
        ("Germany persuaded Poland to spend €9 billion on tanks.", "poland"),
        ("Zelensky said that Japan had sent $12 billion.", "japan"),
        ("Canada's defence budget rose to $30 billion.", "canada"),  # a possessive
        ("About 30% of voters support Putin.", "putin"),  # the number is the subject
        ("The Italian government spent €4 billion.", "italy"),
        # nobody can be told: no subject rather than a guess
        ("Zelensky said we gave $9 billion.", None),
        ("$4 billion was sent to Ukraine.", None),
        ("Italy's allies gave $8 billion.", None),
        ("Putin demands Ukraine's withdrawal from four regions.", None),
    ],
)
def test_subject_from_parse(nlp, content: str, subject: str | None) -> None:
    st, text = statement(content, preamble="")
    [claim] = extract_claims(st, text=text, mentions=mentions, doc=nlp(text))
    assert claim.subject == subject


@pytest.mark.models
@pytest.mark.parametrize(
    "content, expected",
    [
        (
            "The report says the United States had spent $90 billion more than Europe did.",
            [("$90 billion", "difference: United States spent (more than Europe)",
              "united-states")],
        ),
        (
            "Russia now fields 90,000 fewer troops than it did last year.",
            [("90,000", "difference: troops (fewer than last year)", "russia")],
        ),
        (
            "In the Assembly, 120 countries voted in favour, 30 against and 40 abstained.",
            [("120", "votes in favour", None), ("30", "votes against", None),
             ("40", "abstentions", None)],
        ),
        ("A 60-day truce would start within 24 hours.", []),
    ],
)  # fmt: skip
def test_measures_from_parse(nlp, content: str, expected: list[tuple]) -> None:
    st, text = statement(content, preamble="")
    claims = extract_claims(st, text=text, mentions=mentions, doc=nlp(text))
    assert [(c.text, c.measure, c.subject) for c in claims] == expected


@pytest.mark.parametrize(
    "base, word, other, sign",
    [
        ("US spent", "more", "Europe", 1),
        ("troops", "fewer", "last year", -1),
        ("", "higher", "in December", 1),
        ("fund cost", "less", "", -1),
    ],
)
def test_difference_measure_round_trip(base: str, word: str, other: str, sign: int) -> None:
    measure = difference_measure(base, word, other)
    assert measure.startswith("difference: ")
    got = parse_difference(measure)
    assert got is not None
    assert (got.base, got.word, got.other, got.sign) == (base, word, other, sign)
    assert parse_difference(base or "votes against") is None  # a plain measure is no difference


_CLAIM_FRAGMENTS = st.sampled_from(
    ["Europe", "Zelensky", "Putin", "the United States", " spent ", " gave ", "$200 billion",
     "€5bn", "300,000", " troops", " more than ", " fewer ", " higher ", " than ", "last year",
     " in December", "5 points", "93 countries", " voted in favour", ", 18 against", " and ",
     "65 abstained", " a 30-day ", "ceasefire", " within 24 hours", " for three years",
     " up to ", "4%", " of Ukrainians", " trust ", "we", ", ", ". ", " over five years"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_CLAIM_FRAGMENTS, max_size=25).map("".join))
def test_claims_invariants_without_parse(content: str) -> None:
    st_, text = statement(content)
    for c in extract_claims(st_, text=text, mentions=mentions):
        assert text[c.start : c.end] == c.text
        assert c.start >= st_.content_start and c.end <= st_.content_end
        assert c.measure.startswith("difference: ") == (parse_difference(c.measure) is not None)
        assert c.subject in (None, *ACTORS.values()) or c.subject.islower()
        assert not (c.unit == "count" and c.value < 3)
