"""The subject of a numeric claim: who or what its figure is about.

Candidates are the actor mentions a caller finds, then the place names of ``units.yaml`` and
spaCy's GPE entities that do not overlap them (:func:`subject_mentions`). In a parse
(:func:`parse_subject`) the subject is the grammatical agent of the verb the number depends
on ("Zelensky talked the United States into spending $350 billion" → ``united-states``), or
the object when the number is itself the subject ("57% of Ukrainians trust Zelensky" →
``zelensky``). A pronoun, a passive without an agent or a number nested in another noun
phrase leaves the subject ``None``: a wrong subject is worse than none. Without a parse
(:func:`window_subject`) it is the nearest mention before the number in its clause.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from stancewatch.claims.lexicon import find_places, lexicon
from stancewatch.claims.quantities import Quantity
from stancewatch.claims.syntax import ATTACH_DEPS, CLAUSE_BREAK, WORD, per_doc

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

# finds the actors a string mentions: (start, end, actor id) for each
Mentions = Callable[[str], list[tuple[int, int, str]]]
Mention = tuple[int, int, str]

_VERBS = frozenset({"VERB", "AUX"})
_VALUE_PREPS = frozenset({"of", "at", "worth", "to", "around", "about"})  # "a rating of 4%"
_OBJECT_CONTROL_PREPS = frozenset({"into", "from"})  # "talked the US into spending"
_RELATIVE = frozenset({"that", "which", "who"})


def subject_mentions(
    content: str, mentions: Mentions | None, doc: Doc | None, base: int
) -> list[Mention]:
    """Actor mentions, then place names (the ``places`` list, then spaCy GPE entities) that do
    not overlap them; offsets into ``content``."""
    found = list(mentions(content)) if mentions is not None and content else []
    extra = find_places(content)
    if doc is not None:
        places = lexicon().places
        starts, entities = per_doc(doc, "stancewatch.gpe", _gpe_entities)
        for k in range(bisect.bisect_left(starts, base), len(entities)):
            start, end, text = entities[k]
            a, b = start - base, end - base
            if b > len(content):
                break
            name = re.sub(r"^the\s+", "", text, flags=re.IGNORECASE)
            key = places.get(name) or re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
            extra.append((a, b, key))
    # Characters already named by a mention: a place is kept only where none is (a linear
    # check, however many mentions and places the text has).
    covered = bytearray(len(content) + 1)
    for start, end, _ in found:
        covered[max(0, start) : max(0, end)] = b"\x01" * max(0, end - max(0, start))
    for a, b, key in extra:
        if key and covered.find(1, max(0, a), max(0, b)) < 0:
            found.append((a, b, key))
            covered[max(0, a) : max(0, b)] = b"\x01" * max(0, b - max(0, a))
    return sorted(found)


def _gpe_entities(doc: Doc) -> tuple[list[int], list[tuple[int, int, str]]]:
    """The document's GPE entities as (start, end, text), by start, with their starts."""
    entities = [(e.start_char, e.end_char, e.text) for e in doc.ents if e.label_ == "GPE"]
    return [e[0] for e in entities], entities


def window_subject(found: list[Mention], q: Quantity, content: str, lo: int, hi: int) -> str | None:
    """Without a parse: the nearest mention before the number in its clause ("Europe has spent
    €5 billion"), unless the clause has a pronoun before the number ("we gave Ukraine $9
    billion"); when the clause opens with the number, the first mention after it that is not
    its partitive ("a third of Ukrainians trust Zelensky")."""
    left = content[max(0, lo) : q.start]
    begin = max(0, lo) + max(left.rfind(c) + 1 for c in CLAUSE_BREAK | {","})
    stop = max(q.end, hi)
    breaks = [i for i in (content.find(c, q.end, stop) for c in CLAUSE_BREAK | {","}) if i >= 0]
    end = min([*breaks, stop])
    before = [m for m in found if begin <= m[0] and m[1] <= q.start]
    if before:
        pronouns = lexicon().subject_pronouns
        words = WORD.findall(content[begin : q.start])
        return None if any(w.lower() in pronouns for w in words) else before[-1][2]
    if WORD.search(content, begin, q.start):
        return None  # "we gave $350 billion to Ukraine": the giver is not named
    for m in found:
        if (
            q.end <= m[0]
            and m[1] <= end
            and not re.fullmatch(r"\s*of\s+(?:the\s+)?", content[q.end : m[0]])
        ):
            return m[2]
    return None


def parse_subject(span: Span, found: list[Mention]) -> str | None:
    """The mention that is the agent of the verb the number depends on, else None."""
    verb = _governing_verb(span.root)
    agent = _agent(verb) if verb is not None else None
    if verb is None or agent is None:
        return None
    if agent.left_edge.i <= span.root.i <= agent.right_edge.i:
        # The number is (in) the subject: "57% of Ukrainians trust Zelensky" is about Zelensky.
        own = _mention_of(agent, found, span)
        if own is not None:
            return own
        for child in verb.children:
            if child.dep_ in ("dobj", "attr", "oprd", "dative"):
                return _mention_of(child, found, span)
        return None
    return _mention_of(agent, found, span)


def _governing_verb(tok: Token) -> Token | None:
    """The verb whose argument the number's phrase is; None when it is nested in another noun
    phrase ("withdrawal from four regions")."""
    for _ in range(6):
        head = tok.head
        if head.i == tok.i:
            return None
        if head.pos_ in _VERBS:
            return head
        if tok.dep_ == "pobj":
            if head.head.pos_ in _VERBS:
                return head.head
            if head.lower_ not in _VALUE_PREPS:
                return None
            tok = head.head  # "an approval rating of 4%" → "rating"
        elif tok.dep_ in ATTACH_DEPS or tok.dep_ in ("det", "advmod", "prep"):
            tok = head  # "93 countries", "$200 billion more", "5 points higher"
        else:
            return None
    return None


def _agent(verb: Token) -> Token | None:
    """Who does what ``verb`` says: its subject, a passive's "by" phrase, or the controller of
    an infinitive or gerund ("persuaded France to spend", "talked the US into spending")."""
    for _ in range(4):
        kids = list(verb.children)
        by = [g for c in kids if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
        if by:
            return by[0]
        subject = next((c for c in kids if c.dep_ in ("nsubj", "csubj")), None)
        if subject is not None:
            relative = verb.dep_ == "relcl" and subject.lower_ in _RELATIVE
            return verb.head if relative else subject
        if any(c.dep_ == "nsubjpass" for c in kids):
            return None  # "$5 billion was sent": who sent it is not said
        head, dep = verb.head, verb.dep_
        if head.i == verb.i:
            return None
        control = dep == "xcomp"
        if dep == "pcomp" and head.head.pos_ in _VERBS:
            control, head = head.lower_ in _OBJECT_CONTROL_PREPS, head.head
        if dep not in ("conj", "xcomp", "pcomp", "advcl") or head.pos_ not in _VERBS:
            return None
        obj = next((c for c in head.children if c.dep_ == "dobj"), None) if control else None
        if obj is not None:
            return obj
        verb = head
    return None


def _mention_of(tok: Token, found: list[Mention], span: Span) -> str | None:
    """The mention naming ``tok``'s phrase: one covering the head word, or a possessive or
    modifier of a singular common noun ("Zelensky's approval rating", "US aid")."""
    if tok.pos_ == "PRON" or tok.lower_ in lexicon().subject_pronouns:
        return None
    heads = [tok]
    if tok.tag_ == "NN":
        heads += [c for c in tok.lefts if c.dep_ in ("poss", "compound", "amod", "nmod")]
    for t in heads:
        if span.start <= t.i < span.end:
            continue
        for a, b, key in found:
            if a <= t.idx < b:
                return key
    return None
