"""No input text crashes attribution: unbalanced quotes, headline quotes, quote lists, long text.

Hypothesis builds texts from pieces news is made of (quotation marks of every kind, reporting
verbs, names, pronouns, colons, dashes, line breaks). Every statement must point at the text
it claims to, with its content inside the document.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stancewatch.attribution.actors import ActorLinker
from stancewatch.attribution.attribute import attribute
from stancewatch.attribution.quotes import find_quotes
from stancewatch.packs import load_pack

PIECES = [
    '"',
    "“",
    "”",
    "„",
    "«",
    "»",
    "''",
    "``",
    "'",
    "’",
    ":",
    " — ",
    "\n",
    "\n\n",
    ", ",
    ". ",
    "Trump",
    "Zelensky",
    "the president",
    "he",
    "she",
    "they",
    "said",
    "told reporters",
    "according to",
    "Peskov",
    "warned that",
    "a senior official",
    "the Kremlin",
    "says",
    "We will win",
    "no deal",
    "BREAKING",
    "“Peace now”:",
    "- Putin",
    "1.",
    "•",
]
texts = st.lists(st.sampled_from(PIECES) | st.text(max_size=12), max_size=60).map(" ".join)


def _check(doc, statements) -> None:
    text = doc.text
    for s in statements:
        assert 0 <= s.content_start < s.content_end <= len(text)
        assert text[s.content_start : s.content_end] == s.content
        if s.speaker is not None:
            assert text[s.speaker_start : s.speaker_end] == s.speaker
        if s.cue is not None:
            assert text[s.cue_start : s.cue_end] == s.cue


@given(texts)
@settings(max_examples=200, deadline=None)
def test_quote_pairing_never_crashes_and_spans_nest_in_the_text(text):
    quotes = find_quotes(text)
    for q in quotes:
        assert 0 <= q.start < q.end <= len(text)
    assert all(a.end <= b.start for a, b in zip(quotes, quotes[1:], strict=False))


@pytest.mark.models
@given(texts)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_attribution_never_crashes(nlp, text):
    linker = ActorLinker(load_pack().actors)
    doc = nlp(text)
    _check(doc, attribute(doc, document_id="x", linker=linker))


@pytest.mark.models
@pytest.mark.parametrize(
    "text",
    [
        "“Zelensky: ‘No deal without us’” — headline\n\nHe said nothing more.",
        '"We will win," he said. "And they',  # unbalanced at the end
        'He said: "one\n\n"two\n\n"three',  # paragraphs that never close
        "Quotes of the week:\n- “Peace now” — Trump\n- “Never” — Zelensky\n- “Maybe,” Putin said.",
        "“”“”“”said",
        "Trump said",
    ],
)
def test_awkward_quotations_never_crash(nlp, text):
    doc = nlp(text)
    _check(doc, attribute(doc, document_id="x"))


@pytest.mark.models
def test_very_long_article(nlp):
    paragraph = (
        "“We will not give up our land,” Zelensky said on Tuesday. The Kremlin said that talks "
        "could resume, according to Peskov. A senior official warned: “Nothing is agreed.”\n\n"
    )
    text = paragraph * 150  # about 30,000 characters
    doc = nlp(text)
    statements = attribute(doc, document_id="long")
    _check(doc, statements)
    assert len(statements) >= 300
