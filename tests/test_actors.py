"""Linking speaker strings and mentions to pack actors (no models needed)."""

from __future__ import annotations

from datetime import date

import pytest

from stancewatch.attribution.actors import ActorLinker, normalize_name
from stancewatch.records import Actor, Role

FEB_2025 = date(2025, 2, 14)
JUNE_2020 = date(2020, 6, 1)

ACTORS = [
    Actor(
        "trump",
        "Donald Trump",
        aliases=("Trump", "Donald J. Trump"),
        gender="male",
        affiliation="United States",
        roles=(
            Role(
                "President of the United States", ("president", "US president"), date(2025, 1, 20)
            ),
        ),
    ),
    Actor(
        "vance",
        "JD Vance",
        aliases=("Vance", "J.D. Vance"),
        gender="male",
        affiliation="United States",
        roles=(
            Role("Vice President of the United States", ("vice president",), date(2025, 1, 20)),
        ),
    ),
    Actor(
        "hegseth",
        "Pete Hegseth",
        aliases=("Hegseth",),
        gender="male",
        affiliation="United States",
        roles=(
            Role(
                "US Secretary of Defense",
                ("defense secretary", "Pentagon chief"),
                date(2025, 1, 25),
            ),
        ),
    ),
    Actor(
        "zelensky",
        "Volodymyr Zelensky",
        aliases=("Zelensky", "Zelenskyy", "Zelenskiy"),
        gender="male",
        affiliation="Ukraine",
        roles=(
            Role("President of Ukraine", ("president", "Ukrainian president"), date(2019, 5, 20)),
        ),
    ),
    Actor("putin", "Vladimir Putin", aliases=("Putin",), gender="male", affiliation="Russia"),
    Actor(
        "peskov",
        "Dmitry Peskov",
        aliases=("Peskov",),
        gender="male",
        affiliation="Russia",
        roles=(Role("Kremlin spokesman", ("Kremlin spokesman",), date(2012, 5, 22)),),
    ),
    Actor("kremlin", "Kremlin", kind="institution", aliases=("the Kremlin",), affiliation="Russia"),
    Actor("von-der-leyen", "Ursula von der Leyen", aliases=("von der Leyen",), gender="female"),
    Actor("johnson", "Mike Johnson", gender="male"),
    Actor("biden", "Joe Biden", aliases=("Biden",), gender="male"),
    Actor("bayrou", "François Bayrou", aliases=("Bayrou",), gender="male"),
]


@pytest.fixture(scope="module")
def linker() -> ActorLinker:
    return ActorLinker(ACTORS)


@pytest.mark.parametrize(
    "speaker, when, recent, expected",
    [
        # names, aliases and spelling variants, any case
        ("Donald Trump", FEB_2025, (), "trump"),
        ("TRUMP", FEB_2025, (), "trump"),
        ("Zelenskiy", FEB_2025, (), "zelensky"),
        ("Volodymyr Zelenskyy", FEB_2025, (), "zelensky"),
        ("J.D. Vance", FEB_2025, (), "vance"),
        ("Francois Bayrou", FEB_2025, (), "bayrou"),  # diacritics
        ("Ursula von der Leyen", FEB_2025, (), "von-der-leyen"),
        # titles and possessives
        ("US Defense Secretary Pete Hegseth", FEB_2025, (), "hegseth"),
        ("Russian President Vladimir Putin", FEB_2025, (), "putin"),
        ("Mr Putin", FEB_2025, (), "putin"),
        ("President Vladimir V. Putin", FEB_2025, (), "putin"),
        ("Zelensky's", FEB_2025, (), "zelensky"),
        ("Zelenskyy’s", FEB_2025, (), "zelensky"),
        ("Ukraine's Zelensky", FEB_2025, (), "zelensky"),
        ("Kremlin spokesman Dmitry Peskov", FEB_2025, (), "peskov"),
        ("Secretary of Defense Pete Hegseth", FEB_2025, (), "hegseth"),  # "of" inside a title
        ("the Kremlin", FEB_2025, (), "kremlin"),
        # role descriptions only while the role is held
        ("the vice president", FEB_2025, (), "vance"),
        ("the vice president", JUNE_2020, (), None),
        ("the Vice President", None, (), "vance"),  # no date: roles still held
        ("the defence secretary", FEB_2025, (), "hegseth"),  # British spelling
        ("the US defense secretary", FEB_2025, (), "hegseth"),
        ("the Russian defense secretary", FEB_2025, (), None),  # wrong country
        ("the Kremlin spokesman", FEB_2025, (), "peskov"),
        ("the Ukrainian president", JUNE_2020, (), "zelensky"),
        # words that describe the holder without changing who it is ...
        ("the veteran defense secretary", FEB_2025, (), "hegseth"),
        ("the embattled US defense secretary", FEB_2025, (), "hegseth"),
        ("the US embattled defense secretary", FEB_2025, (), "hegseth"),
        # ... but not words that do
        ("the former defense secretary", FEB_2025, (), None),
        ("the acting defense secretary", FEB_2025, (), None),
        # a description several actors hold: the most recently mentioned, else unknown
        ("the president", FEB_2025, (), None),
        ("the president", FEB_2025, ("zelensky",), "zelensky"),
        ("the president", FEB_2025, ("zelensky", "putin", "trump"), "trump"),
        ("the president", FEB_2025, ("putin",), None),
        ("the president", JUNE_2020, (), "zelensky"),
        # a bare surname that is no alias: only after the full name came up
        ("Johnson", FEB_2025, (), None),
        ("Johnson", FEB_2025, ("johnson",), "johnson"),
        ("Speaker Johnson", FEB_2025, ("johnson",), "johnson"),
        # never guess
        ("Hunter Biden", FEB_2025, (), None),
        ("critics of Putin", FEB_2025, (), None),
        ("the wife of Pete Hegseth", FEB_2025, (), None),
        ("Trump and Vance", FEB_2025, (), None),
        ("a Kremlin spokesman", FEB_2025, (), None),
        ("a senior official", FEB_2025, (), None),
        ("Putin's spokesman", FEB_2025, (), None),
        ("the president's envoy", FEB_2025, (), None),
        ("", FEB_2025, (), None),
        ("...", FEB_2025, (), None),
    ],
)
def test_link(linker, speaker, when, recent, expected):
    assert linker.link(speaker, when, recent=recent) == expected


@pytest.mark.parametrize(
    "raw, key",
    [
        ("Zelenskiy’s", "zelenskiy"),
        ("U.S. Defence Secretary", "us defense secretary"),
        ("Vladimir V. Putin", "vladimir putin"),
        ("  Ursula   von der LEYEN ", "ursula von der leyen"),
        ("François", "francois"),
        ("", ""),
    ],
)
def test_normalize_name(raw, key):
    assert normalize_name(raw) == key


@pytest.mark.parametrize(
    "text, when, expected",
    [
        (
            "President Trump met Zelenskyy in Kyiv; Zelenskiy's aides and the Kremlin reacted.",
            FEB_2025,
            [
                ("Trump", "trump"),
                ("Zelenskyy", "zelensky"),
                ("Zelenskiy", "zelensky"),
                ("the Kremlin", "kremlin"),
            ],
        ),
        # lower-case words are not names; longest match wins
        ("He played his trump card. Mike Johnson spoke.", FEB_2025, [("Mike Johnson", "johnson")]),
        # a bare surname counts once the full name was mentioned
        (
            "Johnson spoke. Later Mike Johnson and then Johnson again.",
            FEB_2025,
            [("Mike Johnson", "johnson"), ("Johnson", "johnson")],
        ),
        # definite descriptions held by exactly one actor on the date
        ("The defense secretary flew in.", FEB_2025, [("defense secretary", "hegseth")]),
        ("The defense secretary flew in.", JUNE_2020, []),
        ("The president of the club spoke.", JUNE_2020, []),
        (
            "Francois Bayrou and FRANÇOIS BAYROU",
            FEB_2025,
            [("Francois Bayrou", "bayrou"), ("FRANÇOIS BAYROU", "bayrou")],
        ),
        ("", FEB_2025, []),
        ("No actors here at all.", FEB_2025, []),
    ],
)
def test_find_mentions(linker, text, when, expected):
    mentions = linker.find_mentions(text, when)
    assert [(text[s:e], actor) for s, e, actor in mentions] == expected
    assert mentions == sorted(mentions)


def test_find_mentions_without_actors():
    assert ActorLinker([]).find_mentions("Trump said so.") == []
    assert ActorLinker([]).link("Trump") is None


def test_duplicate_ids_are_refused():
    with pytest.raises(ValueError, match="appears twice"):
        ActorLinker([Actor("a", "A One"), Actor("a", "A Two")])


def test_shared_alias_is_ambiguous():
    linker = ActorLinker(
        [
            Actor("boris", "Boris Johnson", aliases=("Johnson",)),
            Actor("mike", "Mike Johnson", aliases=("Johnson",)),
        ]
    )
    assert linker.link("Johnson") is None
    assert linker.link("Johnson", recent=["mike"]) == "mike"
    assert linker.link("Boris Johnson") == "boris"
    assert linker.find_mentions("Johnson spoke.") == []


def test_a_description_that_opens_with_a_describing_word_is_matched_as_written():
    # "new" only describes in "the new defense secretary"; in "New York governor" it is the
    # description's own word
    hochul = Actor(
        "hochul",
        "Kathy Hochul",
        roles=(Role("Governor", ("New York governor",), date(2021, 8, 24)),),
    )
    hegseth = Actor(
        "hegseth",
        "Pete Hegseth",
        roles=(Role("Secretary", ("defense secretary",), date(2025, 1, 25)),),
    )
    linker = ActorLinker([hochul, hegseth])
    assert linker.link("the New York governor", FEB_2025) == "hochul"
    assert linker.link("the new defense secretary", FEB_2025) == "hegseth"
