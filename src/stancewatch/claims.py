"""Checkable numeric claims inside statements.

``extract_claims(statement, text=document_text)`` finds the quantities in the statement's
content (see :mod:`stancewatch.quantities`) and keeps those a fact-checker can check: any
percent, percentage-point, money or multiple figure, and counts of at least three attached to
a noun ("93 countries", not "the two leaders" or "1,000 were"). Each claim records what is
measured, about whom, the period, the claimant and the sentence, with offsets into the
document text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

from stancewatch.quantities import Quantity, lexicon, parse_quantities
from stancewatch.records import Claim, Statement, stable_id

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

__all__ = ["extract_claims", "MIN_COUNT"]

MIN_COUNT = 3  # counts below this ("the two leaders", "one of the") are never claims
MAX_MEASURE_WORDS = 8
WINDOW_BEFORE, WINDOW_AFTER = 3, 4  # content words around the number without a parse

Mentions = Callable[[str], list[tuple[int, int, str]]]

_ATTACH_DEPS = frozenset({"nummod", "compound", "amod", "quantmod", "nmod", "appos", "npadvmod"})
_NOUNS = frozenset({"NOUN", "PROPN"})
_MODIFIER_DEPS = frozenset({"compound", "amod", "poss", "nmod"})
_NOUN_PREPS = frozenset({"of", "in", "for", "to", "on", "among", "from", "against", "with"})
_VERB_ARGS = frozenset({"nsubj", "nsubjpass", "dobj", "attr", "dative", "prep", "agent", "oprd"})
_KEEP_PREP = frozenset({"to", "for", "of", "on", "against", "among"})
_SKIP_ENTS = frozenset({"DATE", "TIME"})
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])|\n\s*\n")
_CLAUSE_BREAK = frozenset(".;:!?()[]\n")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    return frozenset(str(w) for w in lexicon().raw["measure_stopwords"])


@lru_cache(maxsize=1)
def _period_pattern() -> re.Pattern[str]:
    raw = lexicon().raw
    months = "|".join(sorted(raw["dates"]["months"], key=len, reverse=True))
    preps = "|".join(
        sorted((re.escape(p) for p in raw["period_prepositions"]), key=len, reverse=True)
    )
    relative = "|".join(re.escape(p) for p in raw["relative_periods"])
    year = r"(?:19|20)\d{2}"
    when = (
        rf"(?:(?:the\s+)?(?:first|second|third|fourth|last)\s+(?:half|quarter)\s+of\s+{year}"
        rf"|(?:\d{{1,2}}\s+)?(?:{months})\b\.?(?:\s+\d{{1,2}}\b)?(?:,?\s+{year})?"
        rf"|{year}(?:\s*[-–/]\s*(?:{year}|\d{{2}}))?)"
    )
    return re.compile(
        rf"\b(?:(?:{preps})\s+(?:the\s+)?{when}(?:\s+(?:and|to|-|–)\s+{when})?|(?:{relative}))\b",
        re.IGNORECASE,
    )


def extract_claims(
    statement: Statement,
    *,
    text: str,
    mentions: Mentions | None = None,
    doc: Doc | None = None,
) -> list[Claim]:
    """The checkable numeric claims in ``statement.content``.

    ``text`` is the full document text, of which the content is the slice
    ``text[content_start:content_end]``; claim offsets point into it. ``mentions`` returns
    ``(start, end, actor_id)`` for actor mentions in a string and gives each claim its
    subject. ``doc``, a spaCy parse of the whole document, lets the measure come from the
    noun the number attaches to; without it a window of content words is used.
    """
    content = statement.content
    base = statement.content_start
    if text[base : base + len(content)] != content:
        raise ValueError(
            f"Statement {statement.id!r}: content does not match text[{base}:"
            f"{base + len(content)}]. Pass the full text of document {statement.document_id!r}, "
            "the same text the statement's offsets were computed on."
        )
    if doc is not None and doc.text != text:
        raise ValueError(
            f"Statement {statement.id!r}: the spaCy Doc's text differs from `text`; parse the "
            "full document text (nlp(text)) and pass that Doc."
        )
    found_mentions = mentions(content) if mentions is not None and content else []
    claims = []
    quantities = parse_quantities(content)
    for q in quantities:
        start, end = base + q.start, base + q.end
        span = doc.char_span(start, end, alignment_mode="expand") if doc is not None else None
        if not _checkable(q, content, span):
            continue
        sent_start, sent_end = _sentence_bounds(text, start, end, span)
        claims.append(
            Claim(
                id=stable_id(statement.document_id, start, end),
                document_id=statement.document_id,
                statement_id=statement.id,
                text=text[start:end],
                start=start,
                end=end,
                value=q.value,
                unit=q.unit,
                value_high=q.value_high,
                currency=q.currency,
                scale=q.scale,
                approximation=q.approximation,
                measure=_measure(q, content, span, quantities, base),
                subject=_nearest(found_mentions, q, sent_start - base, sent_end - base),
                period=_period(content, q, sent_start - base, sent_end - base),
                claimant=statement.actor,
                context=" ".join(text[sent_start:sent_end].split()),
            )
        )
    return claims


def _checkable(q: Quantity, content: str, span: Span | None) -> bool:
    """Percent, money and multiples always; counts only when ≥ MIN_COUNT and on a noun."""
    if q.unit != "count":
        return True
    if q.value < MIN_COUNT:
        return False
    if span is not None:
        root = span.root
        outside = not span.start <= root.head.i < span.end
        if root.dep_ in _ATTACH_DEPS and root.head.pos_ in _NOUNS and outside:
            return True
        return any(t.pos_ in _NOUNS and not t.like_num for t in span)
    following = _WORD.search(content, q.end)
    if following is None or content[q.end : following.start()].strip(" -–"):
        return False
    return following.group().lower() not in _stopwords()


def _nearest(found: list[tuple[int, int, str]], q: Quantity, lo: int, hi: int) -> str | None:
    """The actor id of the mention closest to the quantity within its sentence, if any."""
    best: tuple[int, int, str] | None = None
    for m_start, m_end, actor in found:
        if m_start < lo or m_end > hi:
            continue
        gap = max(m_start - q.end, q.start - m_end, 0)
        if best is None or gap < best[0]:
            best = (gap, m_start, actor)
    return best[2] if best else None


def _sentence_bounds(text: str, start: int, end: int, span: Span | None) -> tuple[int, int]:
    if span is not None and span.doc.has_annotation("SENT_START"):
        sent = span.sent
        return sent.start_char, sent.end_char
    sent_start = 0
    for m in _SENTENCE_END.finditer(text, max(0, start - 2000), min(len(text), start + 2)):
        if m.end() <= start:
            sent_start = m.end()
    after = _SENTENCE_END.search(text, end)
    sent_end = after.start() + len(after.group().rstrip()) if after else len(text)
    return sent_start, sent_end


def _period(content: str, q: Quantity, lo: int, hi: int) -> str | None:
    """The period phrase in the claim's sentence closest to the number ("since 2022")."""
    best: tuple[int, str] | None = None
    for m in _period_pattern().finditer(content, max(0, lo), max(0, min(len(content), hi))):
        if m.start() < q.end and q.start < m.end():
            continue  # the number itself ("between 30 and 40")
        gap = max(m.start() - q.end, q.start - m.end(), 0)
        if best is None or gap < best[0]:
            best = (gap, " ".join(m.group().split()))
    return best[1] if best else None


def _measure(
    q: Quantity, content: str, span: Span | None, quantities: list[Quantity], base: int
) -> str:
    others = [(o.start, o.end) for o in quantities if o is not q]
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
    left = content[: q.start]
    begin = max(
        [left.rfind(c) + 1 for c in _CLAUSE_BREAK | {","}] + [b for a, b in others if b <= q.start]
    )
    right_end = min(
        [i for i in (content.find(c, q.end) for c in _CLAUSE_BREAK | {","}) if i >= 0]
        + [a for a, b in others if a >= q.end]
        + [len(content)]
    )
    before = _content_words(content[begin : q.start])
    after = _content_words(content[q.end : right_end])
    return " ".join(before[-WINDOW_BEFORE:] + after[:WINDOW_AFTER])


def _content_words(text: str) -> list[str]:
    """Words that are not stopwords; acronyms such as "US" or "EU" are kept."""
    stop = _stopwords()
    words = (_strip_possessive(w) for w in _WORD.findall(text))
    return [w for w in words if w.lower() not in stop or (len(w) > 1 and w.isupper())]


def _strip_possessive(word: str) -> str:
    return re.sub(r"['’]s$", "", word)


def _parse_measure(span: Span, others: list[tuple[int, int]]) -> str:
    """Words for what the number measures, from the dependency parse around ``span``."""
    inside = {t.i for t in span}
    root = span.root
    head = root.head
    groups: list[list[Token]] = []
    if root.dep_ in _ATTACH_DEPS and head.i not in inside and head.pos_ in _NOUNS:
        groups.append(_compact(head, inside))  # "93 countries", "4% approval"
    elif root.dep_ == "pobj" and head.head.pos_ in _NOUNS and head.head.i not in inside:
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
