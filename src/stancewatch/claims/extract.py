"""Checkable numeric claims inside statements.

``extract_claims(statement, text=document_text)`` finds the quantities in the statement's
content (see :mod:`stancewatch.claims.quantities`) and keeps those a fact-checker can check: any
percent, percentage-point, money or multiple figure, counts of at least three attached to a
noun ("93 countries", not "the two leaders" or "1,000 were"), and vote counts ("18 against").
Durations ("three years") are never claims; a duration next to a figure becomes its period
("$5 billion over three years"). Each claim records what is measured, about whom, the period,
the claimant and the sentence, with offsets into the document text.

What is measured comes from :mod:`stancewatch.claims.measures` and whom it is about from
:mod:`stancewatch.claims.subjects`. Two kinds of measure are marked so the checker treats them
apart: a difference between two quantities ("$200 billion more than Europe") has the measure
``"difference: <measure> (<comparative> than <other side>)"`` (see
:mod:`stancewatch.claims.differences`), and a vote count has the measure ``"votes in favour"``,
``"votes against"`` or ``"abstentions"``.
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache
from typing import TYPE_CHECKING

from stancewatch.claims.comparisons import (
    RatioPhrase,
    find_bare_ratios,
    find_ratio,
    first_side,
    ratio_measure,
)
from stancewatch.claims.differences import DIFFERENCE_PREFIX, difference_measure
from stancewatch.claims.lexicon import alternation, lexicon
from stancewatch.claims.measures import find_measure
from stancewatch.claims.quantities import Quantity, parse_quantities
from stancewatch.claims.subjects import Mentions, parse_subject, subject_mentions, window_subject
from stancewatch.claims.syntax import ATTACH_DEPS, NOUNS, WORD, per_doc, stopwords
from stancewatch.records import Claim, Statement, stable_id

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

__all__ = ["extract_claims", "MIN_COUNT", "DIFFERENCE_PREFIX", "MAX_OTHER_WORDS"]

MIN_COUNT = 3  # counts below this ("the two leaders", "one of the") are never claims
MAX_OTHER_WORDS = 6  # words kept of the other side of a comparison ("than last year")

_THAN = re.compile(r"\s*[^\W\d_]+(?:\s+[^\s,.;:!?()]+){0,3}?\s+than\s+(?P<other>[^,.;:!?()\n]+)")
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])|\n\s*\n")


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
    if doc is not None and per_doc(doc, "stancewatch.text", lambda d: d.text) != text:
        raise ValueError(
            f"Statement {statement.id!r}: the spaCy Doc's text differs from `text`; parse the "
            "full document text (nlp(text)) and pass that Doc."
        )
    found_mentions = subject_mentions(content, mentions, doc, base)
    mention_starts = [m[0] for m in found_mentions]
    claims = []
    quantities = parse_quantities(content)
    starts, ends = [x.start for x in quantities], [x.end for x in quantities]
    sentence_end = _NextSentenceEnd(text)
    # Each number looks only at its sentence (and its neighbouring numbers and mentions),
    # found by bisection: the work grows with the number of figures, not its square.
    for k, q in enumerate(quantities):
        start, end = base + q.start, base + q.end
        span = doc.char_span(start, end, alignment_mode="expand") if doc is not None else None
        sent_start, sent_end = _sentence_bounds(text, start, end, span, sentence_end)
        lo, hi = sent_start - base, sent_end - base
        side = _vote_side(q, content, lo, hi)
        if side is None and not _checkable(q, content, span):
            continue
        than = _THAN.match(content, q.end) if q.comparison else None
        first = min(bisect.bisect_right(ends, lo), max(k - 1, 0))
        last = max(bisect.bisect_left(starts, hi), k + 2)
        nearby = quantities[first:last]
        measure = side or find_measure(q, content, span, nearby, base, than)
        if q.comparison:
            other = _other_side(than, doc, base) if than else ""
            words = [w for w in measure.split() if w.lower() != q.comparison]
            measure = difference_measure(" ".join(words), q.comparison, other)
        # Mentions that start in the sentence, or up to the number when it runs past it.
        m_first = bisect.bisect_left(mention_starts, min(lo, q.start))
        m_last = bisect.bisect_right(mention_starts, max(q.end, hi))
        sentence_mentions = found_mentions[m_first:m_last]
        gap = None if (side or q.comparison) else _gap_after(content, q, lo)
        if gap is not None:  # "higher than America's, by about €18 billion"
            word, other_text, at = gap
            drop = {w.lower() for w in WORD.findall(other_text)} | {word}
            base_words = [w for w in measure.split() if w.lower() not in drop]
            measure = difference_measure(" ".join(base_words), word, other_text)
        ratio = None if side or gap else find_ratio(q, content, hi, sentence_mentions)
        if span is not None:
            absolute = [(a + base, b + base, key) for a, b, key in sentence_mentions]
            subject = parse_subject(span, absolute)
        else:
            subject = window_subject(sentence_mentions, q, content, lo, hi)
        if q.comparison and span is None and than is not None:
            # "Europe gave Ukraine €18 billion more than the US": the nearest mention before
            # the number may be the recipient; the first side is the clause's first subject.
            after = [m for m in sentence_mentions if m[0] >= than.start("other")]
            leading = first_side(
                sentence_mentions, content, q.start, lo, after[0][2] if after else ""
            )
            subject = leading or subject
        if gap is not None:
            after = [m for m in sentence_mentions if m[0] >= gap[2]]
            leading = first_side(
                sentence_mentions, content, gap[2], lo, after[0][2] if after else ""
            )
            subject = leading or (None if subject in {m[2] for m in after} else subject)
        if ratio is not None:
            if span is None:
                subject = None  # the nearest mention may be the recipient ("gave Ukraine")
            subject, measure = _ratio_parts(
                ratio, subject, measure, content, (sentence_mentions, q.start, lo)
            )
            if q.unit == "percent" and subject is None:
                ratio = None  # "40% of Ukraine's budget": a share, not two subjects compared
                measure = find_measure(q, content, span, nearby, base, than)
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
    claims.extend(_bare_ratio_claims(statement, text, found_mentions, quantities, doc))
    return sorted(claims, key=lambda c: c.start)


@lru_cache(maxsize=1)
def _gap_pattern() -> re.Pattern[str]:
    words = alternation(list(lexicon().comparatives))
    return re.compile(
        rf"\b(?P<word>{words})\s+than\s+(?P<other>[^,.;:!?()\n]{{1,60}}?),?\s+by\s+$",
        re.IGNORECASE,
    )


def _gap_after(content: str, q: Quantity, lo: int) -> tuple[str, str, int] | None:
    """A difference written after its comparison ("Europe's total is higher than America's,
    by about €18 billion"): (comparative, other side, offset of the comparative), else None."""
    m = _gap_pattern().search(content, max(0, lo), q.start)
    if m is None:
        return None
    other = re.sub(r"['’]s?\b", "", " ".join(m["other"].split()))
    return m["word"].lower(), other, m.start()


def _ratio_parts(
    ratio: RatioPhrase,
    subject: str | None,
    measure: str,
    content: str,
    where: tuple[list[tuple[int, int, str]], int, int],
) -> tuple[str | None, str]:
    """The subject and measure of a ratio claim: the subject is the first side (the first
    mention of the clause when the parse gives none or gives the other side); the measure is
    the noun written in the phrase ("as much aid as"), else the measure words without the
    other side's."""
    other_text = content[ratio.other_start : ratio.other_end]
    if subject is None or subject == ratio.other:
        subject = first_side(where[0], content, where[1], where[2], ratio.other)
    words = ratio.noun
    if not words:
        drop = {w.lower() for w in WORD.findall(other_text)}
        words = " ".join(w for w in measure.split() if w.lower() not in drop)
    return (None if subject == ratio.other else subject), ratio_measure(
        words, ratio.words, other_text
    )


def _bare_ratio_claims(
    statement: Statement,
    text: str,
    found: list[tuple[int, int, str]],
    quantities: list[Quantity],
    doc: Doc | None,
) -> list[Claim]:
    """Comparisons with no number ("the US gave more than all of Europe combined")."""
    content, base = statement.content, statement.content_start
    out = []
    for a, b, word, ratio in find_bare_ratios(content, 0, len(content), found, quantities):
        start, end = base + a, base + b
        span = doc.char_span(start, start + 4, alignment_mode="expand") if doc else None
        sent_start, sent_end = _sentence_bounds(text, start, end, span)
        subject = first_side(found, content, a, sent_start - base, ratio.other)
        other_text = content[ratio.other_start : ratio.other_end]
        out.append(
            Claim(
                id=stable_id(statement.document_id, start, end),
                document_id=statement.document_id,
                statement_id=statement.id,
                text=text[start:end],
                start=start,
                end=end,
                value=1.0,
                unit="multiple",
                approximation=word,  # type: ignore[arg-type]
                measure=ratio_measure(ratio.noun, ratio.words, other_text),
                subject=subject,
                claimant=statement.actor,
                context=" ".join(text[sent_start:sent_end].split()),
            )
        )
    return out


def _checkable(q: Quantity, content: str, span: Span | None) -> bool:
    """Percent, money and multiples always; counts only when ≥ MIN_COUNT and on a noun."""
    if q.unit != "count":
        return True
    if q.value < MIN_COUNT:
        return False
    if span is not None:
        root = span.root
        outside = not span.start <= root.head.i < span.end
        if root.dep_ in ATTACH_DEPS and root.head.pos_ in NOUNS and outside:
            return True
        return any(t.pos_ in NOUNS and not t.like_num for t in span)
    following = WORD.search(content, q.end)
    if following is None or content[q.end : following.start()].strip(" -–"):
        return False
    return following.group().lower() not in stopwords()


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
    stop, temporal = stopwords(), lexicon().temporal_words
    months = {str(m).lower() for m in lexicon().raw["dates"]["months"]}
    kept: list[str] = []
    for w in WORD.findall(than.group("other")):
        low = w.lower()
        if kept and low in stop and low not in temporal | months | _NP_LEAD:
            break
        kept.append(w)
    return _join_words(kept)


def _join_words(words: list[str]) -> str:
    return " ".join(words[:MAX_OTHER_WORDS]).replace(" 's", "'s")


class _NextSentenceEnd:
    """``_SENTENCE_END.search(text, position)``, remembering the last answer: the numbers
    come in text order, so each stretch of text is searched once, not once per number."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.searched_from = -1
        self.found: re.Match[str] | None = None
        self.none_after: int | None = None

    def __call__(self, position: int) -> re.Match[str] | None:
        if self.none_after is not None and position >= self.none_after:
            return None
        found = self.found
        if found is not None and self.searched_from <= position <= found.start():
            return found
        self.searched_from = position
        self.found = _SENTENCE_END.search(self.text, position)
        if self.found is None:
            self.none_after = position
        return self.found


def _sentence_bounds(
    text: str,
    start: int,
    end: int,
    span: Span | None,
    next_end: _NextSentenceEnd | None = None,
) -> tuple[int, int]:
    if span is not None and span.doc.has_annotation("SENT_START"):
        sent = span.sent
        return sent.start_char, sent.end_char
    sent_start = 0
    for m in _SENTENCE_END.finditer(text, max(0, start - 2000), min(len(text), start + 2)):
        if m.end() <= start:
            sent_start = m.end()
    after = next_end(end) if next_end is not None else _SENTENCE_END.search(text, end)
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
