"""What the stance model reads for a statement: the sentence with its reporting verb and
negation, without the speaker's mention (stancewatch.stance.reading)."""

from __future__ import annotations

import pytest

from stancewatch.packs import load_pack
from stancewatch.pipeline import Analyzer
from stancewatch.records import Document, Statement, content_hash
from stancewatch.stance.base import FunctionStance
from stancewatch.stance.reading import MAX_READING_WORDS, reading


def _statement(text: str, content: str, cue: str | None, speaker: str | None) -> Statement:
    cs = text.index(content)
    qs = text.index(cue) if cue else None
    ss = text.index(speaker) if speaker else None
    return Statement(
        id="s",
        document_id="d",
        kind="indirect",
        content=content,
        content_start=cs,
        content_end=cs + len(content),
        speaker=speaker,
        speaker_start=ss,
        speaker_end=None if ss is None or speaker is None else ss + len(speaker),
        cue=cue,
        cue_start=qs,
        cue_end=None if qs is None or cue is None else qs + len(cue),
    )


def test_the_reporting_verb_stays_and_the_speaker_goes() -> None:
    text = "Moscow on Tuesday rejected any Western security guarantee for Ukraine."
    s = _statement(text, "any Western security guarantee for Ukraine", "rejected", "Moscow")
    read = reading(s, text, (0, len(text)))
    assert read.startswith("on Tuesday rejected any Western security guarantee")
    assert "Moscow" not in read
    # Without the sentence span the cue and a few words before it are still kept.
    assert reading(s, text).startswith("on Tuesday rejected any Western")


def test_negation_before_the_cue_is_kept() -> None:
    text = "Earlier talks failed. The Kremlin did not rule out a ceasefire in spring."
    s = _statement(text, "a ceasefire in spring", "rule out", "The Kremlin")
    read = reading(s, text)
    assert read == "did not rule out a ceasefire in spring"
    # The words before the cue stop at the sentence before.
    assert "failed" not in read


def test_quoted_speech_keeps_the_quote_and_drops_the_speaker() -> None:
    text = "“We will never accept foreign troops,” Lavrov told reporters."
    s = _statement(text, "We will never accept foreign troops", "told", "Lavrov")
    read = reading(s, text, (0, len(text)))
    assert "Lavrov" not in read
    assert read.startswith("“We will never accept foreign troops,” told reporters")


def test_an_orphaned_according_to_is_dropped() -> None:
    text = "According to Peskov, talks can begin only after a truce."
    s = _statement(text, "talks can begin only after a truce", "According to", "Peskov")
    assert reading(s, text, (0, len(text))) == "talks can begin only after a truce."


def test_content_falls_back_when_offsets_do_not_fit() -> None:
    text = "Moscow rejected any guarantee."
    s = _statement(text, "any guarantee", "rejected", "Moscow")
    assert reading(s, "a different version of the text") == "any guarantee"
    assert reading(s, None) == "any guarantee"


def test_a_long_sentence_is_cut_down_to_the_cue_and_content() -> None:
    filler = " ".join(["and the delegations met again in Geneva"] * 12)
    text = f"After long talks {filler}, Moscow rejected any Western guarantee for Ukraine."
    s = _statement(text, "any Western guarantee for Ukraine", "rejected", "Moscow")
    read = reading(s, text, (0, len(text)))
    assert len(read.split()) < MAX_READING_WORDS
    assert "rejected any Western guarantee for Ukraine" in read
    assert "Moscow" not in read


@pytest.mark.models
def test_analyze_codes_the_statement_with_its_verb_not_the_fragment() -> None:
    """The spot-check's fragment case: attribution stores the object of "rejected"; the
    stance model must still see "rejected"."""
    seen: list[str] = []

    def record(text: str, position: object) -> tuple[float, float, float]:
        seen.append(text)
        return (0.0, 0.0, 1.0)

    analyzer = Analyzer(load_pack(), backend=FunctionStance(record))
    text = "The Kremlin on Tuesday rejected any Western security guarantee for Ukraine."
    [result] = analyzer.analyze([Document(id=content_hash(text), text=text, language="en")])
    assert result.statements, "attribution found no statement"
    assert seen, "nothing reached the stance backend"
    assert all("rejected" in t for t in seen if "guarantee" in t)
    assert any("guarantee" in t for t in seen)
    assert not any(t.startswith("The Kremlin") for t in seen)


@pytest.mark.models
def test_statement_readings_of_labelled_sentences() -> None:
    analyzer = Analyzer(load_pack())
    texts = [
        "Officials in Kyiv rejected calls for an immediate truce.",
        "No one here said anything.",
    ]
    first, second = analyzer.statement_readings(texts)
    assert "rejected calls for an immediate truce" in first
    assert "Kyiv" not in first
    assert second == texts[1]
