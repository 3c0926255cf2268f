"""Which cue a quotation belongs to: the speech tag beside it, the lead-in before it, or the
reported clause it sits inside (:class:`Attacher`, the part of attribution that reads a
quotation's neighbours)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from stancewatch.attribution.frames import Cue
from stancewatch.attribution.layout import Layout
from stancewatch.attribution.pieces import joins_quotations

if TYPE_CHECKING:
    from spacy.tokens import Token

_ADJACENT_MAX = 10  # words allowed between a quotation and its cue ("said on Tuesday in Kyiv")


class Attacher(Layout):
    """A parsed document's layout with the rules that tie each quotation to its cue."""

    def attach(
        self, qi: int, cues: Sequence[Cue], used: set[int] | None = None
    ) -> Cue | None | bool:
        """The cue a quotation belongs to; True when it sits inside reported speech. A cue in
        ``used`` (verbs already given a quotation) no longer reports its clause, so a
        quotation inside that clause goes to the cue beside it ("Blige sings “...,” to Clinton
        before asking her, “...”")."""
        q = self.quotes[qi]
        qs, qe = self.quote_tokens(q)
        if qs < 0:
            return None
        first, last = self.sent_of[qs], self.sent_of[qe]
        tag = next((c for c in cues if self._tag_of(c, qs, qe)), None)
        if tag is not None:
            return tag
        best: tuple[int, Cue | bool] | None = None
        for cue in cues:
            v = cue.verb
            sent = self.sent_of[v.i]
            if not first - 1 <= sent <= last + 1:
                continue
            inside = cue.comp is not None and cue.comp[0].i <= min(qs + 1, qe) <= cue.comp[-1].i
            if inside and not (used and v.i in used):
                if first <= sent <= last and (best is None or best[0] > 0):
                    best = (0, True)
                continue
            score = self._adjacency(cue, qs, qe, first, last)
            if score is not None and (best is None or score < best[0]):
                best = (score, cue)
        return None if best is None else best[1]

    def _adjacency(self, cue: Cue, qs: int, qe: int, first: int, last: int) -> int | None:
        """How far a cue is from a quotation it may introduce or follow; None if unrelated."""
        if cue.word.oprd:
            return None  # "called the plan a disaster" takes no quotation beside it
        if cue.speaker is None:
            return None  # a quotation beside a cue needs someone to have said it
        frame = [t.i for t in cue.tokens] + [t.i for t in cue.speaker]
        lo, hi = min(frame), max(frame)
        if qs <= hi and lo <= qe:
            return None  # a quotation inside the speaker phrase
        if qe < lo and self.block_of(self.doc[lo].idx) != self.block_of(self.doc[qe].idx):
            return None  # a cue after a paragraph break speaks for its own paragraph
        between = range(qe + 1, lo) if qe < lo else range(hi + 1, qs)
        if any(self.quote_of[i] >= 0 for i in between):
            return None
        words = [self.doc[i] for i in between if not (self.doc[i].is_punct or self.doc[i].is_space)]
        if cue.comp is not None and any(cue.comp[0].i <= t.i <= cue.comp[-1].i for t in words):
            return None  # the cue's own reported clause stands between them
        sent = self.sent_of[cue.verb.i]
        # a cue with a clause of its own is a weaker match, unless it tags the quotation
        # right after its closing comma ("“...,” Melanie said, and soon ...")
        end = self.doc[qe].idx + len(self.doc[qe])
        quoted = self.text[self.doc[qs].idx : end].rstrip("\u201d\"' ")
        tagged = qe < lo and not words and quoted.endswith(",")
        score = len(between) + (100 if cue.comp is not None and not tagged else 0)
        if first <= sent <= last:
            own = {t.i for t in cue.verb.subtree}
            if self._goes_on(cue, lo, qs, words):
                words = []  # "“A,” he said, but “B.”": the tag serves both quotations
            if any(t.i not in own for t in words):
                return None
            if len(words) > _ADJACENT_MAX and not (
                cue.reports_quote and qs > cue.verb.i and qs in own
            ):
                # the limit does not hold for the quotation a cue reports ("He told one of
                # his young protégés on a regular basis that “terrorism is the answer.”")
                return None
            return score
        if cue.comp is not None or words and not self._lead_in(cue, qs, words):
            return None
        if self.para_of(self.doc[qs].idx) - self.para_of(cue.verb.idx) > 1:
            return None
        # "X said:" or "X said on Tuesday." before the quotation is likelier than "X said." after
        return score + (50 if cue.verb.i < qs else 60)

    def _tag_of(self, cue: Cue, qs: int, qe: int) -> bool:
        """Whether a cue is the speech tag right after a quotation that opens its sentence or
        follows a colon and ends in a comma ("Rhimes declared the need for drive: “A,” she
        said."): the quotation is what the tag reports, even where the parse makes the lead-in
        part of the tag's clause. A quotation inside the writer's clause ("He was “a
        respected colleague,” the statement added") leaves the tag the whole clause."""
        if cue.speaker is None or cue.comp is None or cue.comp[-1].i > qe:
            return False
        if not (
            qs == self.sents[self.sent_of[qs]].start or qs > 0 and self.doc[qs - 1].text == ":"
        ):
            return False
        return self.closed_before(min(cue.verb.i, cue.speaker.start), (",",)) == qe

    def _goes_on(self, cue: Cue, lo: int, qs: int, words: list[Token]) -> bool:
        """Whether a quotation after a tag joins the quotation the tag follows through a
        conjunction alone: "“I love Larry,” he said, but “when it comes to ...”"."""
        if len(words) != 1 or not joins_quotations(words[0]):
            return False
        if not lo < qs or cue.verb.i > qs:
            return False
        before = lo - 1
        while before >= 0 and self.doc[before].is_space:
            before -= 1
        return before > 0 and self.quote_of[before] >= 0 and self.doc[before - 1].text == ","

    def _lead_in(self, cue: Cue, qs: int, words: list[Token]) -> bool:
        """Whether the words between a cue and the quotation after it belong to a lead-in
        that ends in a colon ("Peskov said on Tuesday:" then the quotation)."""
        if cue.verb.i > qs or len(words) > _ADJACENT_MAX:
            return False
        before = self.text[: self.doc[qs].idx].rstrip()
        own = {t.i for t in cue.verb.subtree}
        return before.endswith(":") and all(t.i in own for t in words)
