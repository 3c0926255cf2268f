"""Pieces of one statement: a quotation that its cue interrupts (“X,” said Caddell. “Y.”)
or that runs on over paragraphs, joined into one statement; and when pieces of one speaker
must stay apart (the writer's own words between them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stancewatch.attribution.frames import Found

if TYPE_CHECKING:
    from spacy.tokens import Token


def joined(found: list[Found]) -> list[Found]:
    """One statement per quotation: the pieces of a quotation that its cue interrupts
    (“X,” said Caddell. “Y.”) or that runs on over paragraphs are joined into one
    statement whose content runs from the first piece to the last.

    Pieces join when they hang on the same cue and no other statement's content lies between
    them; the content then holds the cue and speaker between the pieces, as a reader quoting
    the passage would. Counting each piece apart would count one remark several times.
    """
    continued = {id(f.cue) for f in found if f.inherited and f.cue is not None}
    pieces: dict[int, list[Found]] = {}
    out: list[Found] = []
    for f in found:
        if f.cue is not None and (f.kind == "direct" or id(f.cue) in continued):
            pieces.setdefault(id(f.cue), []).append(f)
        else:
            out.append(f)
    for group in pieces.values():
        group.sort(key=lambda f: f.content)
        current = group[0]
        for f in group[1:]:
            gap = (current.content[1], f.content[0])
            between = any(
                o.content[0] < gap[1] and gap[0] < o.content[1] and not second_act(o, f)
                for o in found
                if o.cue is not f.cue and gap[0] < gap[1]
            )
            if between or _prose_between(current, f):
                out.append(current)
                current = f
                continue
            current = Found(
                "direct" if "direct" in (current.kind, f.kind) else current.kind,
                (current.content[0], max(current.content[1], f.content[1])),
                current.cue,
                max(current.confidence, f.confidence),
                inherited=current.inherited and f.inherited,
            )
        out.append(current)
    return out


def _prose_between(first: Found, then: Found) -> bool:
    """Whether the writer's own words part two pieces of one speaker: words between them
    that are neither the cue's clause nor the speaker ("Zelensky has insisted that X. In an
    interview he went further: “Y.”" holds two statements, not one running over the
    writer's sentence)."""
    cue = first.cue
    if cue is None or first.content[1] >= then.content[0]:
        return False
    doc = cue.verb.doc
    gap = doc.char_span(first.content[1], then.content[0], alignment_mode="contract")
    if gap is None:
        return False
    own = {t.i for t in cue.verb.subtree} | {t.i for t in cue.tokens}
    if cue.speaker is not None:
        own |= set(range(cue.speaker.start, cue.speaker.end))
    words = [t for t in gap if not (t.is_punct or t.is_space) and t.i not in own]
    # "“I love Larry,” he said, but “when it comes to ...”": a conjunction that only joins
    # the second piece to the first
    if len(words) == 1 and joins_quotations(words[0]):
        return not all(t.is_punct or t.is_space for t in doc[words[0].i + 1 : gap.end])
    return bool(words)


def second_act(other: Found, piece: Found) -> bool:
    """Whether a statement between two pieces of a quotation is an aside in the quotation's
    tag: a second act of the same speaker (“X,” she said, referring to Y. “Z.”) or a belief
    or act, not speech, inside the tag's sentence (“X,” he said after Doe declined to
    testify. “Z.”). It does not part the quotation."""
    if other.cue is None or piece.cue is None:
        return False
    a, b = other.cue.speaker, piece.cue.speaker
    if a is not None and b is not None and a.start == b.start and a.end == b.end:
        return True
    return other.kind == "other" and other.cue.verb.sent.start == piece.cue.verb.sent.start


def joins_quotations(word: Token) -> bool:
    """Whether a word between two quotations of one tag only joins them: the "but" of "“I
    love Larry,” he said, but “when it comes to ...”"."""
    return word.dep_ == "cc" and word.lower_ in ("but", "and")
