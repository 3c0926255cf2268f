"""Acts stated in news text: a known actor as the subject of a voting or deciding verb gives
a statement of kind ``act`` with offsets; speech, negation, modality, conditions, intentions,
questions and unknown subjects give none."""

from __future__ import annotations

import pytest

from stancewatch.attribution.actors import ActorLinker
from stancewatch.attribution.acts import act_words, extract_acts
from stancewatch.packs import load_pack

pytestmark = pytest.mark.models


@pytest.fixture(scope="module")
def linker():
    return ActorLinker(load_pack(None).actors)


# text -> [(content, speaker, cue, actor)]
CASES = [
    (
        "The United States voted against the resolution on Monday.",
        [
            (
                "The United States voted against the resolution on Monday",
                "The United States",
                "voted",
                "united-states",
            )
        ],
    ),
    (
        "Washington paused intelligence sharing with Kyiv.",
        [
            (
                "Washington paused intelligence sharing with Kyiv",
                "Washington",
                "paused",
                "united-states",
            )
        ],
    ),
    (
        "The United States has paused military aid to Ukraine.",
        [
            (
                "The United States has paused military aid to Ukraine",
                "The United States",
                "paused",
                "united-states",
            )
        ],
    ),
    (
        "Military aid was paused by Washington on Monday.",
        [
            (
                "Military aid was paused by Washington on Monday",
                "Washington",
                "paused",
                "united-states",
            )
        ],
    ),
    (
        "Trump signed an executive order on Tuesday.",
        [("Trump signed an executive order on Tuesday", "Trump", "signed", "trump")],
    ),
    (
        "The Kremlin lifted sanctions on Belarusian imports.",
        [
            (
                "The Kremlin lifted sanctions on Belarusian imports",
                "The Kremlin",
                "lifted",
                "kremlin",
            )
        ],
    ),
    (
        "Washington resumed security assistance to Ukraine on Tuesday and lifted the pause.",
        [
            (
                "Washington resumed security assistance to Ukraine on Tuesday",
                "Washington",
                "resumed",
                "united-states",
            )
        ],
    ),
    (
        "Washington has said little, questioned the talks, and voted with Russia at the UN.",
        [("voted with Russia at the UN", "Washington", "voted", "united-states")],
    ),
    (
        "The United States has paused military aid to Ukraine, days after the meeting.",
        [
            (
                "The United States has paused military aid to Ukraine, days after the meeting",
                "The United States",
                "paused",
                "united-states",
            )
        ],
    ),
    # no act: reported speech, quotation, negation, condition, intention, modal, question,
    # passive without agent, unknown subject, relative clause, noun "vote", object that does
    # not make the verb an act
    ("Trump said the United States paused aid.", []),
    ('"We paused aid," Rubio said.', []),
    ("The United States did not vote for the resolution.", []),
    ("If Washington pauses aid, Kyiv will struggle.", []),
    ("The United States threatened to cut aid to Ukraine.", []),
    ("The United States would vote against any such text.", []),
    ("Did the United States vote against the resolution?", []),
    ("The resolution was adopted by 93 votes.", []),
    ("Analysts voted the plan the worst of the year.", []),
    ("Russia voted against the resolution.", []),  # not an actor of the pack
    ("The vote was 93 to 18.", []),
    ("Kellogg imposed a deadline on the talks.", []),
    ("It paused aid on Monday.", []),  # a pronoun is not resolved into an act
]


@pytest.mark.parametrize("text, expected", CASES)
def test_acts_in_text(nlp, linker, text, expected):
    doc = nlp(text)
    acts = extract_acts(doc, document_id="doc", linker=linker)
    got = [(a.content, a.speaker, a.cue, a.actor) for a in acts]
    assert got == expected
    for act in acts:
        assert act.kind == "act"
        assert text[act.content_start : act.content_end] == act.content
        assert text[act.speaker_start : act.speaker_end] == act.speaker
        assert text[act.cue_start : act.cue_end] == act.cue


def test_acts_inside_attributed_content_are_left_to_the_statement(nlp, linker):
    text = "Officials said that Washington paused intelligence sharing."
    doc = nlp(text)
    span = (text.index("Washington"), len(text) - 1)
    assert extract_acts(doc, document_id="d", linker=linker, outside=[span]) == []


def test_no_linker_no_acts(nlp):
    doc = nlp("The United States voted against the resolution.")
    assert extract_acts(doc, document_id="d", linker=None) == []


def test_the_verb_list_lives_in_the_data_file():
    words = act_words()
    assert words.verbs["vote"].kind == "vote"
    assert (
        words.verbs["pause"].kind == "aid-pause" and "intelligence" in words.verbs["pause"].objects
    )
    assert "would" in words.modals and "if" in words.conditions and "threaten" in words.intentions


ARTICLE = """---
title: The vote in New York
published: 2025-02-24
url: https://example.org/un-vote
---

NEW YORK — The United States voted against the resolution on Monday, siding with Russia.
Kaja Kallas said that a deal made without Ukraine and Europe would not work.
Washington paused intelligence sharing with Kyiv a week later.
"""


def test_analyze_stores_acts_from_a_folder_with_offsets(tmp_path):
    from stancewatch.api import Project

    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "vote.md").write_text(ARTICLE, encoding="utf-8")
    with Project(tmp_path / "acts.db") as project:
        project.ingest([folder])
        project.analyze()
        statements = project.statements()
        acts = statements[statements["kind"] == "act"]
        assert list(acts["actor"]) == ["united-states", "united-states"]
        text = project.store.document(acts.iloc[0]["document_id"]).text
        for row in acts.itertuples():
            assert text[row.content_start : row.content_end] == row.content
        assert acts.iloc[0]["content"].startswith("The United States voted against")
        # the speech beside them stays speech
        assert (statements["kind"] != "act").any()
        assert project.store.runs()[-1]["settings"]["act_method"] == "acts.verbs.v1"
