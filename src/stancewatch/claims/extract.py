"""Checkable numeric claims inside statements.

``extract_claims(statement, text=document_text)`` finds the quantities in the statement's
content (see :mod:`stancewatch.claims.quantities`) and keeps those a fact-checker can check: any
percent, percentage-point, money or multiple figure, counts of at least three attached to a
noun ("93 countries", not "the two leaders" or "1,000 were"), and vote counts ("18 against").
Durations ("three years") are never claims; a duration next to a figure becomes its period
("$5 billion over three years"). Each claim records what is measured, about whom, the period,
the claimant and the sentence, with offsets into the document text.

Two kinds of measure are marked so the checker treats them apart: a difference between two
quantities ("$200 billion more than Europe") has the measure
``"difference: <measure> (<comparative> than <other side>)"`` (see
:mod:`stancewatch.claims.differences`), and a vote count has the measure ``"votes in favour"``,
``"votes against"`` or ``"abstentions"``.

The subject is who or what the figure is about: in a parse, the grammatical agent of the verb
the number depends on ("Zelensky talked the United States into spending $350 billion" →
``united-states``), or the object when the number is itself the subject ("57% of Ukrainians
trust Zelensky" → ``zelensky``). A pronoun, a passive without an agent or a number nested in
another noun phrase leaves the subject ``None``: a wrong subject is worse than none.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

from stancewatch.claims.differences import DIFFERENCE_PREFIX, difference_measure
from stancewatch.claims.lexicon import alternation, find_places, lexicon
from stancewatch.claims.quantities import Quantity, parse_quantities
from stancewatch.records import Claim, Statement, stable_id

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

__all__ = ["extract_claims", "MIN_COUNT", "DIFFERENCE_PREFIX", "MAX_OTHER_WORDS"]

MIN_COUNT = 3  # counts below this ("the two leaders", "one of the") are never claims
MAX_MEASURE_WORDS = 8
MAX_OTHER_WORDS = 6  # words kept of the other side of a comparison ("than last year")
WINDOW_BEFORE, WINDOW_AFTER = 3, 4  # content words around the number without a parse

Mentions = Callable[[str], list[tuple[int, int, str]]]

_ATTACH_DEPS = frozenset({"nummod", "compound", "amod", "quantmod", "nmod", "appos", "npadvmod"})
_NOUNS = frozenset({"NOUN", "PROPN"})
_MODIFIER_DEPS = frozenset({"compound", "amod", "poss", "nmod"})
_NOUN_PREPS = frozenset({"of", "in", "for", "to", "on", "among", "from", "against", "with"})
_VERB_ARGS = frozenset({"nsubj", "nsubjpass", "dobj", "attr", "dative", "prep", "agent", "oprd"})
_KEEP_PREP = frozenset({"to", "for", "of", "on", "against", "among"})
_SKIP_ENTS = frozenset({"DATE", "TIME"})
_VERBS = frozenset({"VERB", "AUX"})
_VALUE_PREPS = frozenset({"of", "at", "worth", "to", "around", "about"})  # "a rating of 4%"
_OBJECT_CONTROL_PREPS = frozenset({"into", "from"})  # "talked the US into spending"
_RELATIVE = frozenset({"that", "which", "who"})
_THAN = re.compile(r"\s*[^\W\d_]+(?:\s+[^\s,.;:!?()]+){0,3}?\s+than\s+(?P<other>[^,.;:!?()\n]+)")
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
    preps = alternation(raw["period_prepositions"])
    relative = "|".join(re.escape(p) for p in raw["relative_periods"])
    year = r"(?:19|20)\d{2}"
    when = (
        rf"(?:(?:the\s+)?(?:first|second|third|fourth|last)\s+(?:half|quarter)\s+of\s+{year}"
        rf"|(?:\d{{1,2}}\s+)?(?:{months})\b\.?(?:\s+\d{{1,2}}\b)?(?:,?\s+{year})?"
        rf"|{year}(?:\s*[-–/]\s*(?:{year}|\d{{2}}))?)"
    )
    durations = raw["durations"]
    words = alternation(list(raw["number_words"]["units"]) + list(raw["number_words"]["tens"]))
    number = rf"(?:\d+(?:[.,]\d+)?|(?:{words})(?:[\s-]+(?:{words}))?|an?|a\s+few|several)"
    duration = (
        rf"(?:{alternation(durations['prepositions'])})\s+"
        rf"(?:(?:{alternation(durations['lead_words'])})\s+)*"
        rf"{number}(?:\s+(?:or|to|and)\s+{number})?[\s-]+(?:{alternation(durations['units'])})"
    )
    return re.compile(
        rf"\b(?:{duration}|(?:{preps})\s+(?:the\s+)?{when}(?:\s+(?:and|to|-|–)\s+{when})?"
        rf"|(?:{relative}))\b",
        re.IGNORECASE,
    )


@lru_cache(maxsize=1)
def _vote_patterns() -> tuple[re.Pattern[str], re.Pattern[str], list[str]]:
    """(vote word anywhere, side straight after a number, side names in group order)."""
    votes = lexicon().raw["votes"]
    sides = list(votes["sides"])
    groups = "|".join(f"(?P<side{i}>{alternation(votes['sides'][s])})" for i, s in enumerate(sides))
    after = re.compile(
        rf"\s*(?:(?:{alternation(votes['voters'])})\s+)?"
        rf"(?:(?:{alternation(votes['links'])})\s+)*(?:{groups})\b",
        re.IGNORECASE,
    )
    anywhere = re.compile(rf"\b(?:{alternation(votes['words'])})\b", re.IGNORECASE)
    return anywhere, after, sides


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
    ``(start, end, actor_id)`` for actor mentions in a string; with the place names of
    ``units.yaml`` they give each claim its subject. ``doc``, a spaCy parse of the whole
    document, lets the measure come from the noun the number attaches to and the subject from
    the verb's agent; without it a window of content words is used.
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
    found_mentions = _subject_mentions(content, mentions, doc, base)
    claims = []
    quantities = parse_quantities(content)
    for q in quantities:
        start, end = base + q.start, base + q.end
        span = doc.char_span(start, end, alignment_mode="expand") if doc is not None else None
        sent_start, sent_end = _sentence_bounds(text, start, end, span)
        lo, hi = sent_start - base, sent_end - base
        side = _vote_side(q, content, lo, hi)
        if side is None and not _checkable(q, content, span):
            continue
        than = _THAN.match(content, q.end) if q.comparison else None
        measure = side or _measure(q, content, span, quantities, base, than)
        if q.comparison:
            other = _other_side(than, doc, base) if than else ""
            words = [w for w in measure.split() if w.lower() != q.comparison]
            measure = difference_measure(" ".join(words), q.comparison, other)
        if span is not None:
            absolute = [(a + base, b + base, key) for a, b, key in found_mentions]
            subject = _parse_subject(span, absolute)
        else:
            subject = _window_subject(found_mentions, q, content, lo, hi)
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
                measure=measure,
                subject=subject,
                period=_period(content, q, lo, hi, than.span("other") if than else None),
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


def _vote_side(q: Quantity, content: str, lo: int, hi: int) -> str | None:
    """ "votes in favour", "votes against" or "abstentions" for a count of votes, else None."""
    if q.unit != "count" or q.value < MIN_COUNT:
        return None
    anywhere, after, sides = _vote_patterns()
    if not anywhere.search(content, max(0, lo), max(0, hi)):
        return None
    m = after.match(content, q.end, max(q.end, hi))
    if m is None or m.lastgroup is None:
        return None
    return sides[int(m.lastgroup.removeprefix("side"))]


_NP_POS = frozenset({"DET", "ADJ", "PROPN", "NOUN", "NUM", "PART"})
_NP_LEAD = frozenset({"the", "a", "an", "in", "at", "on", "of", "by"})


def _other_side(than: re.Match[str], doc: Doc | None, base: int) -> str:
    """The noun phrase after "than": "Europe", "the United States", "last year", "in
    December"; "" when none can be told ("than expected")."""
    start = base + than.start("other")
    if doc is not None:
        span = doc.char_span(start, base + than.end("other"), alignment_mode="expand")
        if span is None:
            return ""
        words: list[str] = []
        for tok in span:
            if tok.pos_ in _NP_POS or (not words and tok.pos_ == "ADP"):
                words.append(tok.text)
            else:
                break
        if any(w.lower() not in _NP_LEAD for w in words):
            return _join_words(words)
        dates = [e for e in doc.ents if e.label_ == "DATE" and span.start <= e.start < span.end]
        return _join_words(dates[0].text.split()) if dates else ""
    stop, temporal = _stopwords(), lexicon().temporal_words
    months = {str(m).lower() for m in lexicon().raw["dates"]["months"]}
    kept: list[str] = []
    for w in _WORD.findall(than.group("other")):
        low = w.lower()
        if kept and low in stop and low not in temporal | months | _NP_LEAD:
            break
        kept.append(w)
    return _join_words(kept)


def _join_words(words: list[str]) -> str:
    return " ".join(words[:MAX_OTHER_WORDS]).replace(" 's", "'s")


Mention = tuple[int, int, str]


def _subject_mentions(
    content: str, mentions: Mentions | None, doc: Doc | None, base: int
) -> list[Mention]:
    """Actor mentions, then place names (the ``places`` list, then spaCy GPE entities) that do
    not overlap them; offsets into ``content``."""
    found = list(mentions(content)) if mentions is not None and content else []
    extra = find_places(content)
    if doc is not None:
        places = lexicon().places
        for ent in doc.ents:
            a, b = ent.start_char - base, ent.end_char - base
            if ent.label_ == "GPE" and a >= 0 and b <= len(content):
                name = re.sub(r"^the\s+", "", ent.text, flags=re.IGNORECASE)
                key = places.get(name) or re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
                extra.append((a, b, key))
    for a, b, key in extra:
        if key and not any(a < end and start < b for start, end, _ in found):
            found.append((a, b, key))
    return sorted(found)


def _window_subject(
    found: list[Mention], q: Quantity, content: str, lo: int, hi: int
) -> str | None:
    """Without a parse: the nearest mention before the number in its clause ("Europe has spent
    €5 billion"), unless the clause has a pronoun before the number ("we gave Ukraine $9
    billion"); when the clause opens with the number, the first mention after it that is not
    its partitive ("a third of Ukrainians trust Zelensky")."""
    left = content[max(0, lo) : q.start]
    begin = max(0, lo) + max(left.rfind(c) + 1 for c in _CLAUSE_BREAK | {","})
    breaks = [i for i in (content.find(c, q.end) for c in _CLAUSE_BREAK | {","}) if i >= 0]
    end = min([*breaks, max(q.end, hi)])
    before = [m for m in found if begin <= m[0] and m[1] <= q.start]
    if before:
        pronouns = lexicon().subject_pronouns
        words = _WORD.findall(content[begin : q.start])
        return None if any(w.lower() in pronouns for w in words) else before[-1][2]
    if _WORD.search(content, begin, q.start):
        return None  # "we gave $350 billion to Ukraine": the giver is not named
    for m in found:
        if (
            q.end <= m[0]
            and m[1] <= end
            and not re.fullmatch(r"\s*of\s+(?:the\s+)?", content[q.end : m[0]])
        ):
            return m[2]
    return None


def _parse_subject(span: Span, found: list[Mention]) -> str | None:
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
        elif tok.dep_ in _ATTACH_DEPS or tok.dep_ in ("det", "advmod", "prep"):
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


def _period(
    content: str, q: Quantity, lo: int, hi: int, skip: tuple[int, int] | None = None
) -> str | None:
    """The period phrase in the claim's sentence closest to the number ("since 2022", "over
    three years"); ``skip`` is the other side of a comparison ("than last year")."""
    best: tuple[int, str] | None = None
    for m in _period_pattern().finditer(content, max(0, lo), max(0, min(len(content), hi))):
        if m.start() < q.end and q.start < m.end():
            continue  # the number itself ("between 30 and 40")
        if skip is not None and m.start() < skip[1] and skip[0] < m.end():
            continue
        gap = max(m.start() - q.end, q.start - m.end(), 0)
        if best is None or gap < best[0]:
            best = (gap, " ".join(m.group().split()))
    return best[1] if best else None


def _measure(
    q: Quantity,
    content: str,
    span: Span | None,
    quantities: list[Quantity],
    base: int,
    than: re.Match[str] | None = None,
) -> str:
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
