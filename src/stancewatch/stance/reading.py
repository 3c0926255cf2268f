"""What the stance model reads for a statement: the statement as a reader sees it.

Attribution stores a statement's *content* (what was said) apart from its *cue* (the
reporting verb or noun) and its *speaker*. The content alone can lose the words that carry
the direction: in "Moscow rejected any Western security guarantee" the content is "any
Western security guarantee", which reads as support for guarantees if anything. So the
model reads the sentence the statement stands in, with the cue and any negation around it
("did not deny", "refused to rule out", "dismissed as") kept, and the speaker's mention taken
out. With the speaker out, the reporting verb reads as the speaker's own act: "rejected any
Western security guarantee" opposes guarantees, which is the stance stancewatch attributes
to the speaker. (With the speaker in, a model trained on real texts would read "X said Y" as
a neutral report.)

The stored content span and its offsets are not changed; this only shapes the model's input.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from stancewatch.records import Statement

__all__ = ["MAX_READING_WORDS", "reading", "readings"]

# A sentence longer than this is cut down to the cue and content with a few words around
# them, so the direction-carrying words are not truncated away by the model's input limit.
MAX_READING_WORDS = 60
# Words kept before a cue when the sentence is too long: enough for "did not", "refused to".
WORDS_BEFORE_CUE = 4

_SPACES = re.compile(r"\s+")
_LEADING = re.compile(r"^[\s,;:\-\u2013\u2014]+")
_DANGLING_COMMA = re.compile(r"\s+([,;:.!?])")
_EMPTY_PAIRS = re.compile(r"\(\s*\)|,\s*,")
# "According to <speaker>," loses its speaker: drop the orphaned preposition too.
_ORPHAN_SOURCE = re.compile(r"\b(?:[Aa]ccording to|[Ii]n the words of)\s*(?=[,;:.]|$)[,;:]?")


def _valid(start: int | None, end: int | None, size: int) -> bool:
    return start is not None and end is not None and 0 <= start < end <= size


def _words_before(text: str, start: int, floor: int, n: int) -> int:
    """The offset ``n`` words before ``start``, not before ``floor``."""
    cut = start
    for _ in range(n):
        head = text[floor:cut].rstrip()
        if not head:
            break
        space = head.rfind(" ")
        word_start = floor + space + 1 if space >= 0 else floor
        if text[word_start:cut].rstrip()[-1:] in (".", "!", "?", "\n"):
            break  # the previous sentence
        cut = word_start
        if cut == floor:
            break
    return cut


def reading(statement: Statement, text: str | None, sentence: tuple[int, int] | None = None) -> str:
    """The text the stance model reads for ``statement`` of document ``text``.

    ``sentence`` is the character span of the sentence (or sentences) the statement stands
    in; without it the window is the cue and content with a few words before the cue. The
    speaker's mention is removed. Falls back to the stored content when the offsets do not
    fit ``text``.
    """
    content = statement.content
    if not text or not _valid(statement.content_start, statement.content_end, len(text)):
        return content
    if text[statement.content_start : statement.content_end].strip() != content.strip():
        return content  # offsets from another version of the document
    has_cue = _valid(statement.cue_start, statement.cue_end, len(text))
    cue_start, cue_end = statement.cue_start or 0, statement.cue_end or 0
    start, end = statement.content_start, statement.content_end
    if has_cue:
        start, end = min(start, cue_start), max(end, cue_end)
    floor, top = sentence if sentence is not None else (0, -1)
    if (
        floor <= start
        and end <= top <= len(text)
        and len(text[floor:top].split()) <= MAX_READING_WORDS
    ):
        start, end = floor, top
    elif has_cue and cue_start == start:
        start = _words_before(text, cue_start, floor, WORDS_BEFORE_CUE)
    pieces = [(start, end)]
    if _valid(statement.speaker_start, statement.speaker_end, len(text)):
        s, e = statement.speaker_start or 0, statement.speaker_end or 0
        if (
            start <= s
            and e <= end
            and not (statement.content_start <= s and e <= statement.content_end)
        ):
            pieces = [(start, s), (e, end)]
    out = " ".join(text[a:b] for a, b in pieces if b > a)
    out = _SPACES.sub(" ", out)
    out = _ORPHAN_SOURCE.sub("", out)
    out = _EMPTY_PAIRS.sub(",", _DANGLING_COMMA.sub(r"\1", out))
    out = _LEADING.sub("", out).strip()
    return out or content


def readings(
    statements: Sequence[Statement],
    text: str | None,
    sentences: Sequence[tuple[int, int] | None] | None = None,
) -> list[str]:
    """:func:`reading` for each statement of one document."""
    spans = sentences if sentences is not None else [None] * len(statements)
    return [reading(s, text, span) for s, span in zip(statements, spans, strict=True)]
