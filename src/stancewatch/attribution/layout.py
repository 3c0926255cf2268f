"""The layout of a parsed document as attribution reads it: sentences, paragraphs, quotations.

:class:`Layout` indexes a spaCy ``Doc`` once: the sentence and the quotation
(:mod:`stancewatch.attribution.quotes`) each token is in, where paragraphs and blank-line blocks
start, and the tokens' character offsets and parts of speech as plain lists. Its helpers turn
tokens into what a statement records: the noun phrase a speaker token heads, and a content
range trimmed of edge punctuation and widened to whole quotations.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from spacy.attrs import IDX, POS, SENT_START

from stancewatch.attribution.quotes import Quote, QuoteLookup, find_quotes, paragraphs

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

_SPEAKER_CUT = frozenset({"relcl", "appos", "acl", "punct", "advcl", "parataxis", "ccomp", "case"})
_EDGE_PUNCT = frozenset(",;:—–-()[]")
# what a quotation can end with before its tag: curly and straight marks, two apostrophes, and
# a single mark that closes a quotation inside it
_CLOSING_MARKS = frozenset({"\u201d", '"', "''", "\u2019", "'"})
_BLANK_LINE = re.compile(r"\n[ \t\u00a0]*\n")
# A list item's marker at the start of a line: a bullet or dash, or "1." / "2)" / "a)".
_MARKS = "\"'\u2018\u2019\u201c\u201d\u00ab\u00bb"  # quotation marks a paragraph may open with
_ITEM = re.compile(r"[ \t\u00a0]*(?:[•·▪◦‣∙*●○■□➢►–—-]|\(?(?:\d{1,2}|[a-z])[.)])[ \t\u00a0]*")


class Layout:
    """A parsed document with its quotations, sentences, paragraphs and blank-line blocks
    looked up by token or character offset."""

    def __init__(self, doc: Doc, text: str | None = None) -> None:
        self.doc = doc
        self.text = doc.text if text is None else text
        self.quotes = find_quotes(self.text)
        self._quote_lookup = QuoteLookup(self.quotes)
        self.paras = paragraphs(self.text)
        self._p_starts = [s for s, _ in self.paras]
        self._blank_lines = [m.start() for m in _BLANK_LINE.finditer(self.text)]
        # sentences from the sentence-start column (doc.sents builds a Token for every word)
        starts = [i for i, v in enumerate(doc.to_array(SENT_START).tolist()) if v == 1 or i == 0]
        ends = starts[1:] + [len(doc)]
        self.sents = [doc[s:e] for s, e in zip(starts, ends, strict=True)] if len(doc) else []
        self.sent_of = [0] * len(doc)
        for i, (s, e) in enumerate(zip(starts, ends, strict=True)):
            self.sent_of[s:e] = [i] * (e - s)
        # token attributes read as arrays: building spaCy Token objects is the slow part
        self.idx = doc.to_array(IDX).tolist()  # each token's character offset
        self.pos = doc.to_array(POS).tolist()  # each token's coarse part of speech (an id)
        self.quote_of = self._quote_lookup.each(self.idx)

    def list_lead(self, token: Token) -> Token | None:
        """For a verb that opens a list item ("• claimed that ..."), the subject of the line
        that introduces the list ("The minister has:"); None anywhere else.

        The lead-in is the nearest line above the items that is not an item itself, and it
        must end with a colon; its subject is the first noun or pronoun subject on it.
        """
        text = self.text
        start = text.rfind("\n", 0, token.idx) + 1
        if not _ITEM.fullmatch(text, start, token.idx) or start == token.idx:
            return None
        while start > 0:
            end = start - 1  # the newline before this line
            start = text.rfind("\n", 0, end) + 1
            line = text[start:end]
            if not line.strip():
                return None  # a blank line: the list has no lead-in
            marker = _ITEM.match(line)
            if marker is not None and marker.end() > 0:
                continue
            if not line.rstrip().endswith(":"):
                return None
            first = bisect.bisect_left(self.idx, start)
            last = bisect.bisect_left(self.idx, end)
            return next(
                (
                    t
                    for t in self.doc[first:last]
                    if t.dep_ in ("nsubj", "nsubjpass")
                    and t.pos_ in ("NOUN", "PROPN", "PRON")
                    and self.quote_of[t.i] < 0
                ),
                None,
            )
        return None

    def items_after(self, char: int) -> list[tuple[int, int]]:
        """The list items on the lines right after the line holding ``char``: each item's
        text without its marker and without trailing ";" or ",", as character ranges."""
        text = self.text
        items = []
        end = text.find("\n", char)
        while end >= 0:
            start = end + 1
            end = text.find("\n", start)
            stop = len(text) if end < 0 else end
            marker = _ITEM.match(text, start, stop)
            if marker is None or marker.end() == start:
                break
            body = text[marker.end() : stop].rstrip().rstrip(";,").rstrip()
            if len(body.split()) >= 2:
                items.append((marker.end(), marker.end() + len(body)))
        return items

    def paragraph_after(self, char: int) -> list[tuple[int, int]]:
        """The paragraph after the one holding ``char``, as one range, when it is plain text
        that a lead-in ending in a colon introduces ("Limbaugh added:" then the words he
        added): none when it opens with a quotation mark (the quotation is paired with its
        cue), names a speaker before a colon, or has fewer than four words."""
        p = self.para_of(char) + 1
        if p >= len(self.paras):
            return []
        start, end = self.paras[p]
        body = self.text[start:end].rstrip()
        first = body.split(maxsplit=1)[0] if body else ""
        if len(body.split()) < 4 or body[0] in _MARKS or first.endswith(":"):
            return []
        return [(start, start + len(body))]

    def block_of(self, char: int) -> int:
        """The blank-line-separated block a character is in (hard-wrapped lines stay one)."""
        return bisect.bisect_right(self._blank_lines, char)

    def para_of(self, char: int) -> int:
        return bisect.bisect_right(self._p_starts, char) - 1

    def quote_at(self, char: int) -> int:
        """The index in :attr:`quotes` of the quotation holding character ``char``, or -1."""
        return self._quote_lookup.at(char)

    def speaker_span(self, head: Token) -> Span:
        """The noun phrase a speaker token heads, without relative clauses or appositions.

        A role description followed by a name in apposition ("the president's envoy, Jane
        Doe, said") gives the name: a name links to its actor whatever the date, a role
        description only through the pack's dated roles.
        """
        if head.dep_ == "appos" and head.ent_type_ != "PERSON" and head.head.ent_type_ == "PERSON":
            head = head.head  # "McConnell, now the majority leader, who said": the name
        if head.ent_type_ != "PERSON":
            named = next(
                (
                    c
                    for c in head.children
                    if c.dep_ == "appos"
                    and c.i > head.i
                    and c.ent_type_ == "PERSON"
                    and not any(n.dep_ == "neg" for n in c.children)  # "envoy, not Trump,"
                ),
                None,
            )
            if named is not None:
                head = named
        start = end = head.i
        for child in head.children:
            if child.dep_ in _SPEAKER_CUT:
                continue
            if child.pos_ == "VERB" and child.i == self.doc[child.i].sent.start:
                continue  # the tag of "Said Ellis: “...”" opens the sentence, not the name
            if child.i < head.i and all(t.i < head.i for t in child.subtree):
                start = min(start, child.left_edge.i)
            elif child.i > head.i and child.dep_ in ("prep", "case", "compound", "flat"):
                end = max(end, child.right_edge.i)
        for i in range(head.i - 1, start - 1, -1):
            if "\n" in self.doc[i].text or self.sent_of[i] != self.sent_of[head.i]:
                start = i + 1  # a speaker never runs over a line or sentence break
                break
        for i in range(head.i + 1, end + 1):
            if "\n" in self.doc[i].text or self.sent_of[i] != self.sent_of[head.i]:
                end = i - 1
                break
        while start < end and (
            _edge(self.doc[start]) or self.doc[start].is_punct or self.quote_of[start] >= 0
        ):
            start += 1
        while end > start and (
            _edge(self.doc[end]) or self.doc[end].is_punct or self.quote_of[end] >= 0
        ):
            end -= 1
        return self.doc[start : end + 1]

    def char_range(self, tokens: Iterable[Token]) -> tuple[int, int]:
        """Character range of tokens, trimmed of edge punctuation, widened to whole quotes."""
        toks = sorted(tokens, key=lambda t: t.i)
        while toks and (_edge(toks[0]) or (toks[0].lower_ == "that" and toks[0].dep_ == "mark")):
            toks = toks[1:]
        while toks and (_edge(toks[-1]) or toks[-1].text == "."):
            toks = toks[:-1]
        if not toks:
            return (0, 0)
        start, end = toks[0].idx, toks[-1].idx + len(toks[-1])
        first, last = self.quote_at(start), self.quote_at(end - 1)
        if first >= 0:
            start = self.quotes[first].start
        if last >= 0:
            end = max(end, self.quotes[last].end)
        return start, end

    def outside_words(self, tokens: Iterable[Token]) -> int:
        """Words of a token list that are not inside quotation marks."""
        return sum(
            1
            for t in tokens
            if not (t.is_punct or t.is_space) and self.quote_of[t.i] < 0 and t.dep_ != "mark"
        )

    def closed_before(self, start: int, ends: tuple[str, ...] = (",", "?", "!")) -> int | None:
        """The closing mark of the quotation that ends right before token ``start`` with one
        of ``ends`` before its mark (a quotation closed inside it may close with it: “... he
        said, ‘We want to work with you,’”); None when no quotation ends there so."""
        doc = self.doc
        i = start - 1
        while i > 0 and doc[i].is_space:
            i -= 1
        if i < 1 or self.quote_of[i] < 0 or doc[i].text not in _CLOSING_MARKS:
            return None
        j = i - 1
        while j > 0 and doc[j].text in _CLOSING_MARKS:
            j -= 1
        return i if doc[j].text in ends or doc[j].text.endswith(ends) else None

    def quote_tokens(self, q: Quote) -> tuple[int, int]:
        """First and last token index inside a quotation."""
        span = self.doc.char_span(q.start, q.end, alignment_mode="expand")
        if span is None or len(span) == 0:
            return -1, -1
        return span.start, span.end - 1


def _edge(token: Token) -> bool:
    """Punctuation or white space that a content span should not start or end with."""
    return token.is_space or token.text in _EDGE_PUNCT


def overlaps(span: tuple[int, int], others: Sequence[tuple[int, int]]) -> bool:
    """Whether a character range overlaps any of ``others``."""
    return any(s < span[1] and span[0] < e for s, e in others)
