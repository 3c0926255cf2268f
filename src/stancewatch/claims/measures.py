"""What a numeric claim's figure measures: "93 countries", "an approval rating of 4%".

With a parse (:func:`find_measure` given the number's span), the measure is the noun the number
attaches to, with its compounds, adjectives and one prepositional phrase; when the number
attaches to no noun, the nouns after it ("57% of Ukrainians") and the verb of its clause with
the verb's subject, objects and prepositional phrases. Without a parse, or when the parse
gives nothing, it is the content words just before and after the number within its clause.
Other quantities in the sentence, and the other side of a comparison, are never part of it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from stancewatch.claims.quantities import Quantity
from stancewatch.claims.syntax import ATTACH_DEPS, CLAUSE_BREAK, NOUNS, WORD, stopwords

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

MAX_MEASURE_WORDS = 8
WINDOW_BEFORE, WINDOW_AFTER = 3, 4  # content words around the number without a parse

_MODIFIER_DEPS = frozenset({"compound", "amod", "poss", "nmod"})
_NOUN_PREPS = frozenset({"of", "in", "for", "to", "on", "among", "from", "against", "with"})
_VERB_ARGS = frozenset({"nsubj", "nsubjpass", "dobj", "attr", "dative", "prep", "agent", "oprd"})
_KEEP_PREP = frozenset({"to", "for", "of", "on", "against", "among"})
_SKIP_ENTS = frozenset({"DATE", "TIME"})
_BREAKS = tuple(sorted(CLAUSE_BREAK | {","}))


def find_measure(
    q: Quantity,
    content: str,
    span: Span | None,
    quantities: list[Quantity],
    base: int,
    than: re.Match[str] | None = None,
) -> str:
    """What the number ``q`` measures: from the parse around ``span`` when there is one and
    it gives words, else the content words around the number. The other quantities and, for a
    comparison, the "than ..." match ``than`` are left out. ``quantities`` need hold only
    those of ``q``'s sentence and its neighbours on either side (what bounds the window)."""
    others = [(o.start, o.end) for o in quantities if o is not q]
    if than is not None:
        others.append((content.rfind("than", q.end, than.start("other")), than.end()))
    if span is not None:
        words = _parse_measure(span, [(a + base, b + base) for a, b in others])
        if words:
            return words
    return _window_measure(q, content, others)


def _window_measure(q: Quantity, content: str, others: list[tuple[int, int]]) -> str:
    """Content words just before and after the number, within its clause.

    The window stops at clause punctuation and at other quantities, which have their own
    measure.
    """
    # The searches stop at the nearest other quantity on each side, which bounds the window
    # anyway: the work per number is its own clause, not the whole text.
    previous = max([b for a, b in others if b <= q.start], default=0)
    following = min([a for a, b in others if a >= q.end], default=len(content))
    begin = max([content.rfind(c, previous, q.start) + 1 for c in _BREAKS] + [previous])
    right_end = min(
        [i for i in (content.find(c, q.end, following) for c in _BREAKS) if i >= 0] + [following]
    )
    before = _content_words(content[begin : q.start])
    after = _content_words(content[q.end : right_end])
    return " ".join(before[-WINDOW_BEFORE:] + after[:WINDOW_AFTER])


def _content_words(text: str) -> list[str]:
    """Words that are not stopwords; acronyms such as "US" or "EU" are kept."""
    stop = stopwords()
    words = (_strip_possessive(w) for w in WORD.findall(text))
    return [w for w in words if w.lower() not in stop or (len(w) > 1 and w.isupper())]


def _strip_possessive(word: str) -> str:
    return re.sub(r"['’]s$", "", word)


def _parse_measure(span: Span, others: list[tuple[int, int]]) -> str:
    """Words for what the number measures, from the dependency parse around ``span``."""
    inside = {t.i for t in span}
    root = span.root
    head = root.head
    groups: list[list[Token]] = []
    if root.dep_ in ATTACH_DEPS and head.i not in inside and head.pos_ in NOUNS:
        groups.append(_compact(head, inside))  # "93 countries", "4% approval"
    elif root.dep_ == "pobj" and head.head.pos_ in NOUNS and head.head.i not in inside:
        groups.append(_compact(head.head, inside))  # "an approval rating of 4%"
    else:
        for child in root.rights:  # "57% of Ukrainians ..."
            if child.dep_ == "prep" and child.lower_ in _NOUN_PREPS:
                groups.extend(_compact(g, inside) for g in child.children if g.dep_ == "pobj")
        verb = _clause_verb(root)
        if verb is not None:
            groups.extend(_verb_groups(verb, root, inside))
    tokens = sorted({t.i: t for g in groups for t in g}.values(), key=lambda t: t.i)
    words = [
        t.text
        for t in tokens
        if not (t.is_punct or t.like_num or t.is_currency or t.dep_ == "case" or t.pos_ == "SYM")
        and not any(a <= t.idx < b for a, b in others)
    ]
    return " ".join(words[:MAX_MEASURE_WORDS])


def _compact(tok: Token, inside: set[int], depth: int = 0) -> list[Token]:
    """A noun with its compounds and adjectives, and (once) its prepositional phrase."""
    if tok.i in inside or tok.ent_type_ in _SKIP_ENTS:
        return []
    out = [tok]
    for child in tok.lefts:
        if child.dep_ in _MODIFIER_DEPS and not child.like_num and child.i not in inside:
            out.extend(_compact(child, inside, depth + 1))
    if depth == 0:
        for child in tok.rights:
            if child.dep_ == "prep" and child.lower_ in _NOUN_PREPS:
                objs = [_compact(g, inside, 1) for g in child.children if g.dep_ == "pobj"]
                objs = [o for o in objs if o]
                if objs:
                    out.append(child)
                    out.extend(objs[0])
                break
    return out


def _clause_verb(tok: Token) -> Token | None:
    for _ in range(4):
        if tok.pos_ in ("VERB", "AUX"):
            return tok
        if tok.head.i == tok.i:
            return None
        tok = tok.head
    return None


def _verb_groups(verb: Token, root: Token, inside: set[int]) -> list[list[Token]]:
    """The verb (unless an auxiliary) with its subject, objects and prepositional phrases."""
    under_root = {t.i for t in root.subtree}
    groups: list[list[Token]] = [[verb]] if verb.pos_ == "VERB" else []
    for child in verb.children:
        if child.dep_ not in _VERB_ARGS or child.i in under_root or root.i in _ids(child):
            continue
        if child.pos_ == "PRON" or child.lower_ == "according":
            continue
        if child.dep_ in ("prep", "dative", "agent"):
            objs = [g for g in child.children if g.dep_ == "pobj" and g.ent_type_ not in _SKIP_ENTS]
            if not objs:
                continue
            phrase = _compact(objs[0], inside, 1)
            if phrase and child.lower_ in _KEEP_PREP:
                phrase = [child, *phrase]
            groups.append(phrase)
        else:
            groups.append(_compact(child, inside))
    return groups


def _ids(tok: Token) -> set[int]:
    return {t.i for t in tok.subtree}
