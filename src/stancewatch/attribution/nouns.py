"""Statements on a reporting noun: "X's claim that ...", "a promise by X to ...", and demands
or conditions that a verb lists ("Moscow's demands include ...", "his conditions are ...",
or the items of a list after "Russia's conditions include:").

Used by :mod:`stancewatch.attribution.attribute`; a noun is a reporting noun when the
packaged word lists (``data/reporting_verbs.txt``) name it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from spacy.symbols import NOUN

from stancewatch.attribution.cues import lexicon
from stancewatch.attribution.frames import Cue, Found
from stancewatch.attribution.layout import Layout, overlaps

if TYPE_CHECKING:
    from spacy.tokens import Token

# Verbs that state what a demand or condition consists of ("Moscow's demands include X",
# "his conditions are X", "among Russia's demands is X"): grammar, not vocabulary.
_LISTING = frozenset({"be", "include", "comprise", "involve", "remain"})
_AGENTS = frozenset({"PERSON", "ORG", "GPE", "NORP"})  # who can make demands: "of Russia"


def _listed(token: Token) -> list[Token] | None:
    """For a reporting noun that is the subject of a listing verb (or the object of "among"
    before one), what the verb lists."""
    verb = token.head
    if token.dep_ == "pobj" and verb.lower_ == "among":
        verb = verb.head
        roles: tuple[str, ...] = ("attr", "nsubj", "nsubjpass")
    elif token.dep_ == "nsubj":
        roles = ("attr", "dobj")
    else:
        return None
    if verb.lemma_.lower() not in _LISTING or verb.i == token.i:
        return None
    listed = next((c for c in verb.children if c.dep_ in roles and c.i > verb.i), None)
    return None if listed is None else list(listed.subtree)


def _of_agent(token: Token) -> Token | None:
    """Who "of X" after a reporting noun names, when X can make demands ("the demands of
    Russia")."""
    return next(
        (
            pobj
            for child in token.children
            if child.dep_ == "prep" and child.lower_ == "of"
            for pobj in child.children
            if pobj.dep_ == "pobj" and pobj.ent_type_ in _AGENTS
        ),
        None,
    )


def reporting_nouns(layout: Layout, taken: list[tuple[int, int]]) -> Iterable[Found]:
    """Statements on a reporting noun with a speaker and a clause: "X's claim that ...",
    "a promise by X to ...", and demands or conditions listed by a verb: "Moscow's demands
    include ...", "his conditions are ...", outside the ranges already ``taken``."""
    nouns = lexicon().nouns
    for i in range(len(layout.doc)):
        if layout.pos[i] != NOUN or layout.quote_of[i] >= 0:
            continue
        token = layout.doc[i]
        word = nouns.get(token.lemma_.lower())
        if word is None:
            continue
        speaker = None
        content = None
        for child in token.children:
            if child.dep_ == "poss":
                speaker = child
            elif child.dep_ == "prep" and child.lower_ in ("by", "from"):
                speaker = next((c for c in child.children if c.dep_ == "pobj"), speaker)
            elif child.dep_ in ("acl", "ccomp") and any(
                c.dep_ == "mark" and c.lower_ == "that" or c.dep_ == "aux" and c.lower_ == "to"
                for c in child.children
            ):
                content = list(child.subtree)
        if content is None and word.listing:
            speaker = speaker if speaker is not None else _of_agent(token)
            items = _list_items(layout, token)
            if items and speaker is not None:
                # "Russia's conditions include:" then "• ..." lines: each item a statement
                for item in items:
                    if not overlaps(item, taken):
                        tokens = layout.doc.char_span(*item, alignment_mode="expand")
                        comp = list(tokens) if tokens is not None else None
                        cue = Cue(token, word, [token], layout.speaker_span(speaker), comp)
                        yield Found(word.kind, item, cue, 0.6)
                continue
            content = _listed(token)
        if speaker is None or content is None:
            continue
        span = layout.char_range(content)
        if span[1] - span[0] < 2 or overlaps(span, taken):
            continue
        cue = Cue(token, word, [token], layout.speaker_span(speaker), content)
        yield Found(word.kind, span, cue, 0.65)


def _list_items(layout: Layout, token: Token) -> list[tuple[int, int]]:
    """The list items after a listing verb whose subject is the noun ``token`` and that
    ends its line with a colon ("Moscow's demands include:"); none otherwise."""
    verb = token.head
    if token.dep_ != "nsubj" or verb.lemma_.lower() not in _LISTING:
        return []
    after = verb.idx + len(verb)
    line_end = layout.text.find("\n", after)
    if line_end < 0 or layout.text[after:line_end].strip() != ":":
        return []
    return layout.items_after(after)
