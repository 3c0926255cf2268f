"""Quotation marks: pairing them into quoted spans of a document's text.

Pure functions over a string. Double quotation marks are paired, straight (``"``, or two
apostrophes in some plain-text feeds) and typographic (``“ ” „ « »``) alike. Single curly
marks (``‘…’``, the quotation marks of British and much wire copy) are paired where no double
mark quotes the text: ``‘`` opens when it starts a word, and ``’`` closes only where it cannot
be an apostrophe (not inside a word, and after a plural ``s`` only when no other mark could
close the quotation). Straight single marks (``'…'``, in plain-text copy and headlines) are
paired by the same rules where neither double nor curly marks quote the text; a straight
mark next to another (the two apostrophes some feeds use for a double mark) is never one.
Nested quotes are folded into the outermost one.

Paragraphs are lines. A quote left open at the end of a paragraph is kept only when it opens
the paragraph, a sentence or a colon's lead-in and the next paragraph opens with a quotation
mark: the newspaper convention for a quotation that runs over several paragraphs. Any other
unbalanced mark is ambiguous and is dropped rather than guessed at.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

OPENING = frozenset("“„«‟")
CLOSING = frozenset("”»")
STRAIGHT = '"'
TWO_APOSTROPHES = "''"
QUOTE_MARKS = OPENING | CLOSING | {STRAIGHT}

# what may stand right before an opening mark: a space, a bracket, a dash, a slash, another mark
_BEFORE_OPENING = "([{\u2014\u2013-/" + "".join(sorted(OPENING))
_NEWLINE = re.compile(r"\r?\n")
# the characters a double quotation mark can start with (two apostrophes and two backticks
# included): the pairing reads only these
_CANDIDATES = re.compile("[" + re.escape("".join(sorted(QUOTE_MARKS)) + "'`") + "]")
_WORD = re.compile(r"\w+(?:[’'-]\w+)*")


@dataclass(frozen=True)
class Quote:
    """A quoted span: ``text[start:end]`` starts and ends with its quotation marks.

    ``group`` numbers the quotation a span belongs to: the paragraphs of a quotation that runs
    over several paragraphs share one group. ``closed`` is False for a paragraph that ends
    inside such a quotation (its closing mark comes in a later paragraph).
    """

    start: int
    end: int
    group: int
    closed: bool = True

    def words(self, text: str) -> int:
        """How many words the quotation holds."""
        return len(_WORD.findall(text, self.start, self.end))


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph (each non-blank line), in order."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for match in _NEWLINE.finditer(text):
        spans.append((pos, match.start()))
        pos = match.end()
    spans.append((pos, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _opens(text: str, i: int, width: int = 1) -> bool:
    """Whether the straight quote at ``i`` looks like an opening mark from its neighbours."""
    before = text[i - 1] if i > 0 else " "
    after = text[i + width] if i + width < len(text) else " "
    if after.isspace() or after in ",.;:!?)]}":
        return False
    return before.isspace() or before in _BEFORE_OPENING


def _mark(text: str, i: int) -> tuple[str, int]:
    """The kind of quotation mark at ``i`` ("open", "close", "straight" or "") and its width.

    Two apostrophes and two backticks count as double quotation marks, as some newspapers'
    plain-text feeds write them.
    """
    ch = text[i]
    if ch in OPENING:
        return "open", 1
    if ch in CLOSING:
        return "close", 1
    if ch == STRAIGHT:
        return "straight", 1
    if text.startswith(TWO_APOSTROPHES, i) and not text.startswith("'" * 3, i):
        return "straight", 2
    if text.startswith("``", i):
        return "open", 2
    return "", 1


def _pair(text: str, start: int, end: int) -> tuple[list[tuple[int, int]], int | None]:
    """Top-level quoted spans of one paragraph and the offset of a mark left open, if any."""
    spans: list[tuple[int, int]] = []
    stack: list[tuple[int, str]] = []
    after = start  # where the last mark read ends (a two-character mark takes both)
    for found in _CANDIDATES.finditer(text, start, end):
        i = found.start()
        if i < after:
            continue
        kind, width = _mark(text, i)
        after = i + width
        if not kind:
            continue
        if kind == "close" and not stack and _opens(text, i, width):
            kind = "open"  # a closing mark typed where the quotation opens: ”We ... ”
        closes = kind == "close" or (
            kind == "straight"
            and bool(stack)
            and (stack[-1][1] == kind or not _opens(text, i, width))
        )
        if closes and stack:
            opened, _ = stack.pop()
            if not stack:
                spans.append((opened, min(i + width, end)))
        elif kind in ("open", "straight"):
            stack.append((i, kind))
    return spans, (stack[0][0] if stack else None)


SINGLE_OPENING = "\u2018"
SINGLE_CLOSING = "\u2019"
STRAIGHT_SINGLE = "'"
_STRONG_BEFORE_CLOSING = ".,!?;:\u2026"


def _single_opens(text: str, i: int, start: int) -> bool:
    """Whether the single mark at ``i`` opens a quotation: it starts a word."""
    before = text[i - 1] if i > start else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if text[i] == STRAIGHT_SINGLE and (after == STRAIGHT_SINGLE or before == STRAIGHT_SINGLE):
        return False  # two apostrophes stand for a double mark
    return (before.isspace() or before in _BEFORE_OPENING) and not after.isspace()


def _single_pairs(
    text: str, start: int, end: int, opening: str = SINGLE_OPENING, closing: str = SINGLE_CLOSING
) -> list[tuple[int, int]]:
    """Quoted spans in single marks (curly by default) within ``text[start:end]``.

    A closing mark followed by a letter or digit is an apostrophe (it’s, Ukraine’s). One
    after a plural ``s`` and before a space may be a possessive (the leaders’ summit): it
    closes only when no later mark before the next opening could."""
    openers = [i for i in range(start, end) if text[i] == opening and _single_opens(text, i, start)]
    spans: list[tuple[int, int]] = []
    for n, i in enumerate(openers):
        if spans and i < spans[-1][1]:
            continue
        limit = openers[n + 1] if n + 1 < len(openers) else end
        strong: int | None = None
        weak: list[int] = []
        for j in range(i + 2, limit):
            if text[j] != closing:
                continue
            if closing == STRAIGHT_SINGLE and closing in (text[j - 1], text[j + 1 : j + 2]):
                continue  # two apostrophes stand for a double mark
            after = text[j + 1] if j + 1 < end else " "
            if after.isalnum():
                continue  # an apostrophe inside a word
            before = text[j - 1]
            if before.isspace():
                continue
            if before.lower() == "s" and not (after in _STRONG_BEFORE_CLOSING or j + 1 >= end):
                weak.append(j)
                continue
            strong = j
            break
        close = strong if strong is not None else (weak[-1] if len(weak) == 1 else None)
        if close is not None and sum(ch.isalnum() for ch in text[i + 1 : close]) >= 2:
            spans.append((i, close + 1))  # not the elision of "rock ‘n’ roll"
    return spans


def _with_singles(
    text: str, start: int, end: int, spans: list[tuple[int, int]], open_at: int | None
) -> list[tuple[int, int]]:
    """``spans`` (double marks) with the single-mark quotations outside them added, in order;
    none after a double mark left open (what follows it is inside that quotation)."""
    stop = open_at if open_at is not None else end
    singles: list[tuple[int, int]] = []
    for found in (
        _single_pairs(text, start, stop),
        _single_pairs(text, start, stop, STRAIGHT_SINGLE, STRAIGHT_SINGLE),
    ):
        singles += [
            (s, e) for s, e in found if not any(s < e2 and s2 < e for s2, e2 in spans + singles)
        ]
    return sorted(spans + singles) if singles else spans


def find_quotes(text: str) -> list[Quote]:
    """All top-level quoted spans of ``text`` in order, with multi-paragraph quotes grouped."""
    paras = paragraphs(text)
    quotes: list[Quote] = []
    group = 0
    carried: list[Quote] = []  # pieces of a quotation still open at the last paragraph end
    for index, (p_start, p_end) in enumerate(paras):
        spans, open_at = _pair(text, p_start, p_end)
        spans = _with_singles(text, p_start, p_end, spans, open_at)
        first_mark = _first_non_space(text, p_start, p_end)
        if carried and not (spans and spans[0][0] == first_mark) and open_at != first_mark:
            carried = []  # the previous paragraph's open quote was never continued: drop it
        for s, e in spans:
            if carried and s == first_mark:
                quotes.extend(carried)
                quotes.append(Quote(s, e, carried[0].group))
                carried = []
                continue
            group += 1
            quotes.append(Quote(s, e, group))
        if open_at is None:
            carried = []
            continue
        next_starts_quoted = index + 1 < len(paras) and _mark(
            text, _first_non_space(text, *paras[index + 1])
        )[0] in ("open", "straight")
        if not next_starts_quoted or not _may_run_on(text, p_start, open_at):
            carried = []
            continue
        piece_end = p_end
        while piece_end > open_at and text[piece_end - 1].isspace():
            piece_end -= 1
        if carried and open_at == first_mark:
            carried.append(Quote(open_at, piece_end, carried[0].group, closed=False))
        else:
            group += 1
            carried = [Quote(open_at, piece_end, group, closed=False)]
    return quotes


def _may_run_on(text: str, p_start: int, open_at: int) -> bool:
    """Whether a mark left open at a paragraph's end can open a quotation that runs over
    paragraphs: it opens the paragraph, a sentence or a colon's lead-in ("Obama said: “...").
    A mark opened inside a clause ("ready for “a full ceasefire ...") whose paragraph ends
    without closing it lacks its closing mark; it does not swallow what follows."""
    before = text[p_start:open_at].rstrip()
    while before and (before[-1] in CLOSING or before[-1] in "\"'\u2019"):
        before = before[:-1].rstrip()  # “...,” said Clinton. “...: the sentence ends before it
    return not before or before[-1] in ".!?:\u2026"


class QuoteLookup:
    """Which quotation (by index in ``quotes``) a character offset lies in, or -1."""

    def __init__(self, quotes: Sequence[Quote]) -> None:
        self.quotes = quotes
        self._starts = [q.start for q in quotes]

    def at(self, char: int) -> int:
        i = bisect.bisect_right(self._starts, char) - 1
        return i if i >= 0 and char < self.quotes[i].end else -1

    def each(self, chars: Iterable[int]) -> list[int]:
        """:meth:`at` for every offset, e.g. every token's first character."""
        return [self.at(char) for char in chars]


def _first_non_space(text: str, start: int, end: int) -> int:
    i = start
    while i < end and text[i].isspace():
        i += 1
    return i
