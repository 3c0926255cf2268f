"""Frames that name a speaker without a reporting verb, by the layout of a line: a speaker
before a colon (headlines, "Zelensky: No deal"; transcripts, "WALLACE: Governor, ...") and a
quotation signed after a dash ("... ." ― Jane Doe)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from stancewatch.attribution.cues import CueWord, lexicon
from stancewatch.attribution.frames import Cue, Found
from stancewatch.attribution.layout import Layout, overlaps
from stancewatch.attribution.quotes import CLOSING, OPENING, STRAIGHT, Quote
from stancewatch.records import StatementKind

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

_COLON_SPEAKER_MAX = 6  # words before a headline colon that may name the speaker
# Labels a newsroom puts before a colon that name no speaker
_EDITORIAL_LABELS = frozenset(
    [
        "CORRECTION",
        "CORRECTIONS",
        "CLARIFICATION",
        "UPDATE",
        "UPDATED",
        "NOTE",
        "DISCLOSURE",
        "BREAKING",
        "WATCH",
        "ANALYSIS",
        "OPINION",
        "EXCLUSIVE",
        "RELATED",
        "PHOTOS",
        "VIDEO",
        "LIVE",
        "SOURCE",
        "SOURCES",
    ]
) | {"EDITOR'S NOTE", "EDITOR’S NOTE", "READ MORE", "FACT CHECK", "SEE ALSO", "LIVE UPDATES"}
_NAMED_LEAD_WORDS = 3  # capitalised words before a colon that name a speaker named elsewhere
_SUBHEADING_WORDS = 5  # capitalised words that name no person: a subheading, not a speaker
_FINITE = frozenset({"VBZ", "VBD", "VBP"})  # a verb of its own: a subheading, not a name
_INITIAL_END = re.compile(r"(?:\b\w|\bJr|\bSr)\.$")
# A signature after a quotation: a dash, then a name of up to six words, which may be
# followed by a comma and who they are ("― Carlos Ruiz, a teacher in Phoenix").
_DASH_SIGNATURE = re.compile(
    r"[ \t\u00a0]*(?P<dash>\u2015|\u2014|\u2013|--)[ \t\u00a0]*"
    r"(?P<name>\w[\w.'\u2019-]*(?:[ \u00a0]+[\w.'\u2019-]+){0,5}?)"
    r"(?:,(?P<about>[^,\n]+(?:,[^,\n]+){0,2}))?\.?[ \t\u00a0]*$"
)
_SIGNATURE_WORDS = 12  # words of a signature with who they are: more is the writer's prose
# Words that open the writer's own sentence going on after a dash, never a signature
_NOT_SIGNING = frozenset({"CCONJ", "SCONJ", "ADV", "ADP", "PART", "AUX", "VERB", "INTJ"})
_NAMES = frozenset({"PERSON", "ORG", "NORP", "GPE"})


def colon_lines(layout: Layout, taken: list[tuple[int, int]]) -> Iterable[Found]:
    """Lines that name a speaker before a colon: headlines ("Zelensky: No deal") and
    transcripts ("WALLACE: Governor, ...", also inside quotation marks)."""
    names = {t.lower_ for e in layout.doc.ents if e.label_ in ("PERSON", "ORG", "NORP") for t in e}
    for para, (p_start, p_end) in enumerate(layout.paras):
        span = layout.doc.char_span(p_start, p_end, alignment_mode="expand")
        if span is None:
            continue
        first = span.start
        if span[0].text in OPENING or span[0].text in CLOSING or span[0].text == STRAIGHT:
            first += 1  # a quoted transcript line: "PENCE: Well, look, ...
        colon = next(
            (t for t in layout.doc[first : first + _COLON_SPEAKER_MAX + 1] if t.text == ":"), None
        )
        if colon is None or colon.i == first:
            continue
        speaker = layout.doc[first : colon.i]
        tag = speaker[0] if len(speaker) > 1 and _speech_verb(speaker[0]) else None
        if tag is not None:
            speaker = speaker[1:]  # "Stated Stone: “...”": a tag the tagger took for a name
        if speaker.text.upper() in _EDITORIAL_LABELS or any(t.tag_ in _FINITE for t in speaker):
            continue  # "CORRECTION: ...", a subheading ("Sanctions Squeeze Moscow Banks:")
        named = any(t.ent_type_ in ("PERSON", "ORG") for t in speaker) or (
            # "Trump: ‘I’m the worst thing ...’", "Pence: Flowers Won’t Be at Debate": a short
            # capitalised lead is a speaker where the parser missed the name there but the
            # article names that person or body elsewhere
            len(speaker) <= _NAMED_LEAD_WORDS
            and all(t.is_alpha and t.is_title for t in speaker)
            and speaker[-1].lower_ in names
        )
        label = all(t.is_upper or t.is_punct for t in speaker) and any(
            t.is_alpha and len(t) > 1 for t in speaker
        )  # a transcript's speaker label: WALLACE:, SEN. SMITH:
        if not (named or label) or any(
            not (t.is_title or t.is_upper or t.is_punct) for t in speaker
        ):
            continue
        named_speaker = speaker if label else _headline_speaker(speaker)
        if named_speaker is None:
            continue
        rest = layout.doc[colon.i + 1 : span.end]
        if tag is not None and not any(not t.is_space for t in rest):
            # "Stated Stone:" closing its paragraph: the quotation that opens the next
            yield from _next_quotation(
                layout, para + 1, Cue(tag, CueWord("direct"), [tag], named_speaker, None), taken
            )
            continue
        content = layout.char_range(rest)
        if layout.outside_words(rest) + sum(1 for t in rest if layout.quote_of[t.i] >= 0) < 3:
            continue
        if content[1] - content[0] < 2 or overlaps(content, taken):
            continue
        kind: StatementKind = "direct" if first > span.start else "indirect"
        cue = Cue(colon, CueWord("indirect"), [colon], named_speaker, list(rest))
        if tag is not None:
            quoted = layout.quote_of[rest[0].i] >= 0 if len(rest) else False
            kind = "direct" if quoted else "indirect"
            cue = Cue(tag, CueWord(kind), [tag], named_speaker, list(rest))
        yield Found(kind, content, cue, 0.6)


def _next_quotation(
    layout: Layout, para: int, cue: Cue, taken: list[tuple[int, int]]
) -> Iterable[Found]:
    """The pieces of the quotation that opens paragraph ``para``, as ``cue``'s."""
    if para >= len(layout.paras):
        return
    start, end = layout.paras[para]
    opening = start + len(layout.text[start:end]) - len(layout.text[start:end].lstrip())
    first = layout.quote_at(opening)
    if first < 0 or layout.quotes[first].start != opening:
        return
    group = layout.quotes[first].group
    pieces = [(q.start, q.end) for q in layout.quotes if q.group == group]
    if not any(overlaps(piece, taken) for piece in pieces):
        yield from (Found("direct", piece, cue, 0.6) for piece in pieces)


def _speech_verb(word: Token) -> bool:
    """Whether a capitalised word opening a line is the past form of a verb of speech
    ("Stated", "Added", "Replied"), however the tagger took it."""
    if not word.is_title:
        return False
    lower, verbs = word.lower_, lexicon().verbs
    if lower == "said":
        return True
    stems = (lower[:-1], lower[:-2], lower[:-3] + "y") if lower.endswith("ed") else ()
    return any(stem in verbs for stem in stems)


def _headline_speaker(lead: Span) -> Span | None:
    """Who a capitalised lead before a colon names, or None when it names no one.

    "Kremlin Spokesman Dmitry Peskov:" and "European Commission:" name their speaker whole.
    "Elizabeth Warren Hammers Wells Fargo CEO:" is a headline whose subject speaks: a name
    at its start followed by another name is that first name. A lead of five words or more
    that names no person ("Veto Power Impedes Peace Efforts:") is a subheading, even when
    the parser takes it for an organisation.
    """
    people = [e for e in lead.ents if e.label_ == "PERSON"]
    if not people:
        return None if len(lead) >= _SUBHEADING_WORDS else lead
    first = people[0]
    later = [e for e in lead.ents if e.start >= first.end]
    if first.start == lead.start and later:
        return first
    return lead


def dash_signatures(layout: Layout) -> Iterable[Found]:
    """Quotations signed after a dash at the end of their line: "... ." ― Jane Doe"""
    for q in layout.quotes:
        line_end = layout.text.find("\n", q.end)
        line_end = len(layout.text) if line_end < 0 else line_end
        signed = _DASH_SIGNATURE.match(layout.text, q.end, line_end)
        if signed is None or q.words(layout.text) < 2:
            continue
        if len(layout.text[signed.start("name") : signed.end()].split()) > _SIGNATURE_WORDS:
            continue
        start, end = signed.span("name")
        if layout.text[end - 1] == "." and not _INITIAL_END.search(layout.text, start, end):
            end -= 1  # the sentence's full stop, not an initial's
        dash = layout.doc.char_span(*signed.span("dash"), alignment_mode="expand")
        name = layout.doc.char_span(start, end, alignment_mode="expand")
        if dash is None or name is None or len(name) == 0:
            continue
        if not _signs(name, described=bool(signed.group("about"))):
            continue
        cue = Cue(dash[0], CueWord("indirect"), [dash[0]], name, None)
        yield Found("direct", (_signed_from(layout, q), q.end), cue, 0.95)


def _signed_from(layout: Layout, last: Quote) -> int:
    """Where a signed passage starts: the first quotation of the paragraph when the paragraph
    opens with it (a reader's letter in several quotations, the signature after the last),
    else the signed quotation."""
    p_start, _ = layout.paras[layout.para_of(last.start)]
    first = next((q for q in layout.quotes if p_start <= q.start <= last.start), last)
    return first.start if not layout.text[p_start : first.start].strip() else last.start


def _signs(name: Span, *, described: bool = False) -> bool:
    """Whether the words after a dash name who signs the quotation ("Maria Lopez", "a retired
    officer from Kharkiv") rather than go on with the writer's sentence ("and so did others",
    "then he signed it", "nothing more"). ``described``: a comma and who they are follow the
    words, which must then be a name ("Carlos Ruiz, a teacher", not "absent political
    intervention, of course")."""
    if name[0].ent_type_ in _NAMES:
        return True  # "― Will Hurd": a name, whatever its first word's tag
    if described and not (name[0].pos_ == "PROPN" or name[0].ent_type_):
        return False
    if name[0].pos_ in _NOT_SIGNING:
        return False
    if any(t.tag_ in _FINITE or t.tag_ == "MD" for t in name):
        return False  # a verb of its own: a clause
    return any(t.pos_ in ("PROPN", "NOUN") for t in name)
