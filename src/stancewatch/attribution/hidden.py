"""Speakers the parse hides: who speaks in a recording the sentence describes, and a titled
name the parse hangs on the words before a verb that it leaves without a subject.

:func:`stancewatch.attribution.cues.subject` asks these when a cue verb's own subject is not
the speaker or is missing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stancewatch.attribution.actors import name_words

if TYPE_CHECKING:
    from spacy.tokens import Token

_SUBJECTS = ("nsubj", "nsubjpass", "csubj")

_DEPICTIONS = frozenset(
    {"footage", "video", "clip", "recording", "tape", "audio", "image", "scene", "film"}
)


def depicted(verb: Token) -> Token | None:
    """The speaker a recording shows: "footage of Hillary Clinton asking, “...”", "a video of
    Zelensky saying ..." (the parse hangs the participle on the verb above, whose subject is
    the ad or the spot, not who speaks)."""
    if verb.tag_ != "VBG" or any(c.dep_ in _SUBJECTS for c in verb.children) or verb.i == 0:
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
