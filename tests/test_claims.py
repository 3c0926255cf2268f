from __future__ import annotations

import re
from datetime import date

import pytest

from stancewatch.claims import extract_claims
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
            "we gave $350 billion in aid to Ukraine since 2022.",
            [("$350 billion", "money", 350e9, "aid Ukraine", "ukraine", "since 2022")],
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
    ],
)
def test_no_checkable_claims(content: str) -> None:
    st, text = statement(content)
    assert extract_claims(st, text=text, mentions=mentions) == []


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
