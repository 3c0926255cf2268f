"""What a reporting verb does not report: an act set aside ("rather than complain", "denied
saying"), an unnamed source's boilerplate ("who declined to be identified"), "call" as
telephoning, the writer's supposition ("Let's say ..."), and what was not said (negated,
still to come, supposed, asked, said by no one)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Token

_DENIALS = frozenset({"deny", "refuse", "decline", "avoid"})


def declined(verb: Token) -> bool:
    """A verb after "rather than" or "instead of", or under a denial or refusal ("denied
    saying that ...", "refused to say whether ..."): an act set aside, not done."""
    before = " ".join(t.lower_ for t in verb.doc[max(0, verb.i - 2) : verb.i])
    if before.endswith(("rather than", "instead of")):
        return True
    return (
        verb.dep_ in ("xcomp", "dobj", "pcomp")
        and verb.head.i < verb.i
        and verb.head.lemma_.lower() in _DENIALS
    )


_WITHHELD = frozenset({"decline", "refuse", "ask", "request", "want", "prefer", "agree"})
_NAMED = frozenset({"identify", "name", "quote"})
_ON_RECORD = frozenset({"speak", "talk", "comment", "discuss"})


def anonymous(verb: Token) -> bool:
    """The boilerplate of an unnamed source: "who declined to be identified", "asked not to
    be named", "requested anonymity", "was not authorized to speak publicly": who the source
    is, not something the source said. ("Asked to name a decision" and "spoke on condition of
    anonymity about the raids" still report.)"""
    lemma = verb.lemma_.lower()
    if lemma in _WITHHELD:
        if any(c.dep_ == "xcomp" and _kept_unnamed(c) for c in verb.children):
            return True
        if any(c.dep_ == "dobj" and c.lower_ == "anonymity" for c in verb.children):
            return True
    if _kept_unnamed(verb) and verb.dep_ == "xcomp" and verb.head.lemma_.lower() in _WITHHELD:
        return True
    return (
        lemma in _ON_RECORD
        and verb.dep_ == "xcomp"
        and verb.head.lemma_.lower() == "authorize"
        and any(c.dep_ == "neg" for c in verb.head.children)
    )


def _kept_unnamed(verb: Token) -> bool:
    """ "to be identified", "to be named", "to be quoted": a passive of naming."""
    return verb.lemma_.lower() in _NAMED and any(c.dep_ == "auxpass" for c in verb.children)


_PHONE_PARTICLES = frozenset({"into", "in", "back", "up"})


def phoned(verb: Token) -> bool:
    """ "called into a radio show", "called in to the programme", "called back": "call" as
    telephoning, which reports nothing (unlike "called X a liar", "called for", "called on");
    nor does "call" with one of these particles and an object: "called up reservists",
    "called in the army", "called back the ambassador" summon people."""
    if verb.lemma_.lower() != "call" or verb.i + 1 >= len(verb.doc):
        return False
    after = verb.doc[verb.i + 1]
    if after.lower_ not in _PHONE_PARTICLES or after.head.i != verb.i:
        return False
    return after.dep_ in ("prt", "advmod") or not any(
        c.dep_ in ("dobj", "oprd", "ccomp", "xcomp") for c in verb.children
    )


def supposed(verb: Token) -> bool:
    """A verb under "let's" or "let us" ("Let's say you think ...", "Let us assume ..."):
    the writer's supposition or exhortation, nobody's statement."""
    head = verb.head
    return (
        verb.dep_ in ("ccomp", "xcomp")
        and head.lower_ == "let"
        and any(c.dep_ == "nsubj" and c.lower_ in ("'s", "\u2019s", "us") for c in verb.children)
    )


_NOBODY = frozenset({"nobody", "none", "neither", "noone"})
_HYPOTHETICAL = frozenset({"if", "unless"})
_MAYBE = frozenset({"could", "might", "may"})  # "Zelensky could argue that ...": not argued


def unsaid(verb: Token, subj: Token | None) -> bool:
    """Whether a cue reports what was not said: negated with a clause for content ("never
    said that Ukraine started the war"), still to come ("has yet to say whether ..."), only
    supposed ("If Putin says he wants peace, ...", "Zelensky could argue that ..."), asked
    about ("Will Trump tell Zelensky to ...?") or said by no one ("No one in the Kremlin has
    said ..."). A negated act with an object ("did not address the issue") is reported."""
    children = list(verb.children)
    auxiliaries = [c for c in children if c.dep_ == "aux"]
    if any(c.lower_ in _MAYBE for c in auxiliaries) and not any(
        c.lower_ == "have" for c in auxiliaries
    ):
        return True
    if (
        subj is not None
        and any(c.i < subj.i for c in auxiliaries)
        and verb.sent.text.rstrip().rstrip("\"'\u201d\u2019").endswith("?")
    ):
        return True  # an auxiliary before the subject and a question mark: a question
    if any(c.dep_ == "neg" for c in children) and any(c.dep_ == "ccomp" for c in children):
        return True
    frame = verb.head if verb.dep_ == "xcomp" else verb  # "has yet to say": the frame or the cue
    if any(c.dep_ == "advmod" and c.lower_ == "yet" for c in frame.children) and any(
        c.dep_ == "xcomp" for c in frame.children
    ):
        return True
    if any(c.dep_ == "mark" and c.lower_ in _HYPOTHETICAL for c in children):
        return True
    return subj is not None and (
        subj.lower_ in _NOBODY or any(c.dep_ == "det" and c.lower_ == "no" for c in subj.children)
    )
