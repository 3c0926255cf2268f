"""Speakers the parse hides: who speaks in a recording the sentence describes, a titled name
the parse hangs on the words before a verb that it leaves without a subject, and the speaker
after an inverted tag ("Said Ellis: “...”", "Added the minister: ...") that the parse reads as
a noun phrase or as the verb's object.

:func:`stancewatch.attribution.cues.subject` asks these when a cue verb's own subject is not
the speaker or is missing.
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from typing import TYPE_CHECKING

from stancewatch.attribution.actors import name_words

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

SUBJECTS = ("nsubj", "nsubjpass", "csubj")  # the dependency labels of a subject

_DEPICTIONS = frozenset(
    {"footage", "video", "clip", "recording", "tape", "audio", "image", "scene", "film"}
)


def depicted(verb: Token) -> Token | None:
    """The speaker a recording shows: "footage of Hillary Clinton asking, “...”", "a video of
    Zelensky saying ..." (the parse hangs the participle on the verb above, whose subject is
    the ad or the spot, not who speaks)."""
    if verb.tag_ != "VBG" or any(c.dep_ in SUBJECTS for c in verb.children) or verb.i == 0:
        return None
    shown = verb.doc[verb.i - 1]
    if shown.dep_ != "pobj" or shown.pos_ not in ("PROPN", "NOUN", "PRON"):
        return None
    of = shown.head
    if of.lower_ != "of" or of.head.lemma_.lower() not in _DEPICTIONS:
        return None
    return shown


def stranded_name(verb: Token) -> Token | None:
    """The titled name right before a finite verb the parse left without a subject: "Saturday
    at the convention Sen. Elizabeth Warren (D-MA) said ..." hangs it on the words before it."""
    doc, i = verb.doc, verb.i - 1
    if i > 0 and doc[i].text == ")":
        i = next((j for j in range(i - 1, max(i - 8, 0), -1) if doc[j].text == "("), 0) - 1
    if verb.tag_ not in ("VBD", "VBZ") or i < 0 or doc[i].ent_type_ != "PERSON":
        return None
    name, first = doc[i], i
    while first > 0 and doc[first].ent_iob_ == "I":
        first -= 1
    # only a titled name, and nothing else in its phrase: "in Florida Trump said" or "the
    # team of Steve Witkoff Umerov said" would give a speaker of the wrong words
    left = min((c.left_edge.i for c in name.children if c.i < name.i), default=name.i)
    titles = name_words().titles
    if left >= first or any(t.lower_.rstrip(".") not in titles for t in doc[left:first]):
        return None
    return name


def inverted_speaker(verb: Token, quoted: Sequence[int], verbs: Container[str]) -> Token | None:
    """The speaker after a tag that opens its sentence and ends in a colon or comma before a
    quotation ("Said Ellis: “...”", "Added the minister, “...”"), which the parser reads as
    a noun phrase the verb modifies, or as the verb's object; with ``verbs``, the words lists'
    verbs of speech, also before a colon and plain words ("Added the minister: the plan is
    dead"), when the object is someone or an office."""
    if not verb.is_sent_start or not verb.is_title:
        return None
    if verb.dep_ in ("compound", "amod"):
        head = verb.head
        if head.i <= verb.i or head.pos_ not in ("PROPN", "NOUN") or not quoted:
            return None
        if quoted[head.i] >= 0:
            return None
        return head if opens_quotation(verb.doc, head.i + 1, quoted) else None
    if verb.tag_ != "VBD" or any(c.dep_ in SUBJECTS for c in verb.children):
        return None
    obj = next((c for c in verb.children if c.dep_ == "dobj"), None)  # "Added the minister:"
    if obj is None or obj.left_edge.i != verb.i + 1 or obj.pos_ not in ("NOUN", "PROPN"):
        return None
    if opens_quotation(verb.doc, obj.right_edge.i + 1, quoted):
        return obj
    after = obj.right_edge.i + 1  # "Added the minister: the plan is dead", a speaker's word
    if after < len(obj.doc) and obj.doc[after].text == ":" and verb.lemma_.lower() in verbs:
        return obj if someone(obj) or obj.lower_ in name_words().titles else None
    return None


def told(speaker: Token, quoted: Sequence[int]) -> list[Token] | None:
    """What an inverted tag reports after the colon that follows its speaker ("Added the
    minister: the plan is dead"); None when a quotation follows, which its own rules take."""
    doc, start = speaker.doc, speaker.right_edge.i + 2
    while start < len(doc) and doc[start].is_space:
        start += 1
    if start >= len(doc) or quoted[start] >= 0:
        return None
    words = list(doc[start : doc[start].sent.end])
    while words and (words[-1].is_punct or words[-1].is_space):
        words.pop()
    return words or None


def opens_quotation(doc: Doc, after: int, quoted: Sequence[int]) -> bool:
    """Whether token ``after`` is a comma or colon right before a quotation; after a colon,
    a paragraph break may stand between them ("Said Ellis:" ending its paragraph)."""
    if not quoted or after + 1 >= len(doc) or doc[after].text not in (",", ":"):
        return False
    opening = after + 1
    while doc[after].text == ":" and opening + 1 < len(doc) and doc[opening].is_space:
        opening += 1
    return quoted[opening] >= 0


def someone(token: Token) -> bool:
    """Whether an object names someone who can speak: a personal pronoun or a named person,
    organisation, group or country (not "language" in "used blunt language to denounce")."""
    if token.pos_ == "PRON":
        return token.lower_ in _PERSONAL
    return token.ent_type_ in ("PERSON", "ORG", "NORP", "GPE")


_PERSONAL = frozenset({"him", "her", "them", "us", "me", "you"})
