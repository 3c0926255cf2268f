"""Quotation marks: pairing them into quoted spans of a document's text.

Pure functions over a string. Double quotation marks are paired, straight (``"``, or two
apostrophes in some plain-text feeds) and typographic (``“ ” „ « »``) alike; single marks are left alone because ``’`` is far more often
an apostrophe than a closing quote. Nested quotes are folded into the outermost one.

Paragraphs are lines. A quote left open at the end of a paragraph is kept only when the next paragraph opens with a
quotation mark: the newspaper convention for a quotation that runs over several paragraphs.
Any other unbalanced mark is ambiguous and is dropped rather than guessed at.
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

_NEWLINE = re.compile(r"\r?\n")
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
    return before.isspace() or before in "([{—–-/" or before in OPENING


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
    i = start
    while i < end:
        kind, width = _mark(text, i)
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
        i += width
    return spans, (stack[0][0] if stack else None)


def find_quotes(text: str) -> list[Quote]:
    """All top-level quoted spans of ``text`` in order, with multi-paragraph quotes grouped."""
    paras = paragraphs(text)
    quotes: list[Quote] = []
    group = 0
    carried: list[Quote] = []  # pieces of a quotation still open at the last paragraph end
    for index, (p_start, p_end) in enumerate(paras):
        spans, open_at = _pair(text, p_start, p_end)
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
        if not next_starts_quoted:
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
