"""Attribution: who said what, from a parsed spaCy ``Doc``.

``attribute(doc)`` returns a :class:`~stancewatch.records.Statement` for every quotation,
piece of reported speech and reported belief it can tie to a cue, using the dependency parse
(a verb that the learned cue model (:mod:`stancewatch.attribution.cue_model`) or the word lists in
``data/reporting_verbs.txt`` take as a cue; its subject is the speaker, the dependents the
model picks, its clausal complement or an adjacent quotation the content), quotation-mark
pairing (:mod:`stancewatch.attribution.quotes`) and the frames "according to X", "X: ...", "... ― X" and
"X's claim that ...". Pronoun and role-description speakers are resolved through the
actors mentioned earlier (:mod:`stancewatch.attribution.coref`); anything that cannot be resolved keeps
``actor=None``. The function is pure: it reads the ``Doc``, the packaged word lists and the
cue model only.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from spacy.attrs import IDX, POS
from spacy.symbols import NOUN, VERB

from stancewatch.attribution.coref import Resolver
from stancewatch.attribution.cue_model import CueModel, candidate, default_model
from stancewatch.attribution.cues import (
    RELATIVE,
    CueWord,
    complement,
    cue_of,
    lexicon,
    open_question,
    subject,
)
from stancewatch.attribution.quotes import (
    CLOSING,
    OPENING,
    STRAIGHT,
    Quote,
    QuoteLookup,
    find_quotes,
    paragraphs,
)
from stancewatch.records import Statement, StatementKind, stable_id

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

    from stancewatch.attribution.actors import ActorLinker

METHOD = "attribution.learned-cues.v2"

_SPEAKER_CUT = frozenset({"relcl", "appos", "acl", "punct", "advcl", "parataxis", "ccomp", "case"})
_EDGE_PUNCT = frozenset(",;:—–-()[]")
_ADJACENT_MAX = 10  # words allowed between a quotation and its cue ("said on Tuesday in Kyiv")
_INDIRECT: dict[str, float] = {"indirect": 0.75, "other": 0.65}  # confidence by kind
_SENTENCE_END = (".", "!", "?", ":", "…")
_ACCORDING = re.compile(r"\baccording\b", re.IGNORECASE)
_SURE = 0.8  # a learned cue this probable keeps its kind's full confidence
_SECOND_ACT = frozenset({"advcl", "conj", "parataxis"})
_LEARNED = CueWord("other", obj=True, xcomp=True)  # a verb the cue model takes as a cue
_COLON_SPEAKER_MAX = 6  # words before a headline colon that may name the speaker
_TITLE_WORDS = 8  # a quoted title in capitals is at most this long
_BLANK_LINE = re.compile(r"\n[ \t\u00a0]*\n")
_INITIAL_END = re.compile(r"(?:\b\w|\bJr|\bSr)\.$")
# A signature after a quotation: a dash, then a name of up to six capitalised words.
_DASH_SIGNATURE = re.compile(
    r"[ \t\u00a0]*(?P<dash>\u2015|\u2014|\u2013|--)[ \t\u00a0]*"
    r"(?P<name>\w[\w.'\u2019-]*(?:[ \u00a0]+[\w.'\u2019-]+){0,5}?)\.?[ \t\u00a0]*$"
)


@dataclass
class _Found:
    """A statement under construction: its content range and the cue it hangs on."""

    kind: StatementKind
    content: tuple[int, int]
    cue: _Cue | None
    confidence: float
    inherited: bool = False
    actor: str | None = None


class _Attributor:
    def __init__(
        self,
        doc: Doc,
        linker: ActorLinker | None,
        when: date | None,
        model: CueModel | None = None,
        text: str | None = None,
    ) -> None:
        self.doc = doc
        self.model = model
        self.text = doc.text if text is None else text
        self.lex = lexicon()
        self.quotes = find_quotes(self.text)
        self._quote_lookup = QuoteLookup(self.quotes)
        self.paras = paragraphs(self.text)
        self._p_starts = [s for s, _ in self.paras]
        self._blank_lines = [m.start() for m in _BLANK_LINE.finditer(self.text)]
        self.sents = list(doc.sents)
        self.sent_of = [0] * len(doc)
        for i, sent in enumerate(self.sents):
            for t in range(sent.start, sent.end):
                self.sent_of[t] = i
        # token attributes read as arrays: building spaCy Token objects is the slow part
        self._idx = doc.to_array(IDX).tolist()
        self._pos = doc.to_array(POS).tolist()
        self.quote_of = self._quote_lookup.each(self._idx)
        self.resolver = Resolver(doc, linker, when, self.quote_of, self.text)

    # ------------------------------------------------------------------ helpers
    def block_of(self, char: int) -> int:
        """The blank-line-separated block a character is in (hard-wrapped lines stay one)."""
        return bisect.bisect_right(self._blank_lines, char)

    def para_of(self, char: int) -> int:
        return bisect.bisect_right(self._p_starts, char) - 1

    def speaker_span(self, head: Token) -> Span:
        """The noun phrase a speaker token heads, without relative clauses or appositions."""
        start = end = head.i
        for child in head.children:
            if child.dep_ in _SPEAKER_CUT:
                continue
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
        first, last = self._quote_lookup.at(start), self._quote_lookup.at(end - 1)
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

    def quote_tokens(self, q: Quote) -> tuple[int, int]:
        """First and last token index inside a quotation."""
        span = self.doc.char_span(q.start, q.end, alignment_mode="expand")
        if span is None or len(span) == 0:
            return -1, -1
        return span.start, span.end - 1

    # ------------------------------------------------------------------ cues
    def cues(self) -> list[_Cue]:
        """Every reporting verb outside quotations that has a speaker."""
        found = []
        model = self.model
        hits: dict[int, tuple[CueWord, list[Token]]] = {}
        weights: dict[int, float] = {}
        for i in range(len(self.doc)):
            if self._pos[i] != VERB:
                continue  # cues are verbs (a reporting noun has a pass of its own)
            token = self.doc[i]
            hit = cue_of(token, self.quote_of)
            if model is not None and candidate(token, self.quote_of):
                p = model.probability(token, hit is not None)
                if p < model.threshold:
                    continue
                if hit is None:
                    hit = (_LEARNED, [token])
                    weights[token.i] = min(1.0, p / _SURE)
            if hit is not None:
                hits[token.i] = hit
        for i, hit in hits.items():
            token = self.doc[i]
            if _declined(token):
                continue  # "... rather than complain": what the speaker does not do
            subj = subject(token, self.quote_of)
            if subj is None or subj.ent_type_ in ("TIME", "DATE") or subj.dep_ == "nsubjpass":
                continue  # a passive subject is what was said, not who said it
            comp = complement(token, hit[0])
            if (
                model is not None
                and model.content_weights
                and not (token.dep_ == "parataxis" and comp is not None)
            ):  # "The plan, he said, is dead": the rules take both sides of the cue
                comp = self.learned_content(token, model, hits, hit[1]) or comp
            if model is not None and _object_relative(token, subj):
                # "the rate he has proposed", "an explosion that de Blasio described as ...":
                # what was said is the noun the clause describes
                comp = list(token.head.subtree)
            if comp is not None:
                # a parse can run over a paragraph break; what a cue reports stays in its
                # paragraph
                block = self.block_of(token.idx)
                comp = [t for t in comp if self.block_of(t.idx) == block] or None
            if comp is not None and self.outside_words(comp) <= 1:
                comp = None  # the complement is the quotation itself
            if comp is not None and hit[0].kind == "other" and open_question(comp[0]):
                continue  # "did not know whether ...": no belief is reported
            speaker: Span | None = self.speaker_span(subj)
            if model is not None and not model.is_source(token, subj):
                speaker = None  # "Republicans seem confident": reported, but by no one named
            elif subj.head.i != token.i and _bare_participle(token):
                speaker = None  # "Asked about X, Clinton said ...": Clinton was asked
            found.append(_Cue(token, hit[0], hit[1], speaker, comp, weights.get(i, 1.0)))
        return found

    def learned_content(
        self,
        verb: Token,
        model: CueModel,
        cues: Container[int] = (),
        cue_tokens: Sequence[Token] = (),
    ) -> list[Token] | None:
        """The content the cue model picks among a verb's dependents: the span of those on
        its right (or, when none is, on its left). A dependent that is a cue of its own and
        a second act of the speaker ("said X, arguing Y"; "said X and added Y") reports its
        own content, so the span stops before it."""
        chosen = model.content(verb)
        own = [c for c in chosen if c.i in cues and c.dep_ in _SECOND_ACT and c.i > verb.i]
        if own:
            first = min(c.left_edge.i for c in own)
            chosen = [c for c in chosen if c.right_edge.i < first or c.i < verb.i]
        side = [c for c in chosen if c.i > verb.i] or [c for c in chosen if c.i < verb.i]
        if not side:
            return None
        start = min(c.left_edge.i for c in side)
        end = max(c.right_edge.i for c in side)
        own_words = {t.i for t in cue_tokens}
        while start <= end and start in own_words:
            start += 1  # "called for new talks": the cue's preposition is not what was said
        return list(self.doc[start : end + 1]) or None

    # ------------------------------------------------------------------ quotations
    def attach(self, qi: int, cues: Sequence[_Cue]) -> _Cue | None | bool:
        """The cue a quotation belongs to; True when it sits inside reported speech."""
        q = self.quotes[qi]
        qs, qe = self.quote_tokens(q)
        if qs < 0:
            return None
        first, last = self.sent_of[qs], self.sent_of[qe]
        best: tuple[int, _Cue | bool] | None = None
        for cue in cues:
            v = cue.verb
            sent = self.sent_of[v.i]
            if not first - 1 <= sent <= last + 1:
                continue
            if cue.comp is not None and cue.comp[0].i <= min(qs + 1, qe) <= cue.comp[-1].i:
                if first <= sent <= last and (best is None or best[0] > 0):
                    best = (0, True)
                continue
            score = self._adjacency(cue, qs, qe, first, last)
            if score is not None and (best is None or score < best[0]):
                best = (score, cue)
        return None if best is None else best[1]

    def _adjacency(self, cue: _Cue, qs: int, qe: int, first: int, last: int) -> int | None:
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
        score = len(between) + (100 if cue.comp is not None else 0)
        if first <= sent <= last:
            own = {t.i for t in cue.verb.subtree}
            if len(words) > _ADJACENT_MAX or any(t.i not in own for t in words):
                return None
            return score
        if cue.comp is not None or words:
            return None
        if self.para_of(self.doc[qs].idx) - self.para_of(cue.verb.idx) > 1:
            return None
        # "X said:" or "X said on Tuesday." before the quotation is likelier than "X said." after
        return score + (50 if cue.verb.i < qs else 60)

    def standalone(self, q: Quote) -> bool:
        """Whether a quotation is a sentence of its own: nothing but sentence breaks around it."""
        p_start, p_end = self.paras[self.para_of(q.start)]
        before = self.text[p_start : q.start].rstrip()
        if before and not (
            before.endswith(_SENTENCE_END)
            or before[-1] in "”\"'"
            and before[:-1].endswith(_SENTENCE_END)
        ):
            return False
        after = self.text[q.end : p_end].lstrip()
        if not after:
            return True
        inner = self.text[q.start : q.end].rstrip("”\"' ")
        return inner.endswith(_SENTENCE_END) and (after[0].isupper() or after[0] in '“"')

    # ------------------------------------------------------------------ passes
    def run(self) -> list[_Found]:
        cues = self.cues()
        found: list[_Found] = []
        used: set[int] = set()
        unresolved: list[list[int]] = []
        for group in self._groups():
            targets = {qi: self.attach(qi, cues) for qi in group}
            pieces = [qi for qi in group if targets[qi] is not True]  # True: inside reported speech
            cue = next((t for t in targets.values() if isinstance(t, _Cue)), None)
            if cue is None:
                if pieces:
                    unresolved.append(pieces)
                continue
            for qi in pieces:
                own = targets[qi]
                if not isinstance(own, _Cue):
                    own = cue  # a piece with no cue of its own: the quotation's cue
                if self._short_scare(qi):
                    continue  # scare quotes leave their cue free to report its clause
                used.add(cue.verb.i)
                used.add(own.verb.i)
                q = self.quotes[qi]
                found.append(_Found("direct", (q.start, q.end), own, 0.9))
        direct = [f.content for f in found]
        for cue in cues:
            if cue.verb.i in used or cue.word.quote_only or cue.comp is None:
                continue
            content = self.char_range(cue.comp)
            if content[1] - content[0] < 2 or _overlaps(content, direct):
                continue
            confidence = _INDIRECT[cue.word.kind] * cue.weight
            found.append(_Found(cue.word.kind, content, cue, confidence))
        found.extend(self._according_to(direct))
        labelled = list(self._colon_lines(direct))
        found.extend(labelled)
        found.extend(self._dash_signatures())
        found.extend(self._nouns(direct))
        taken = [f.content for f in labelled]
        unresolved = [g for g in unresolved if not _overlaps(self._group_span(g), taken)]
        found.extend(self._continuations(unresolved, found))
        return found

    def _group_span(self, group: list[int]) -> tuple[int, int]:
        return self.quotes[group[0]].start, self.quotes[group[-1]].end

    def _groups(self) -> list[list[int]]:
        groups: dict[int, list[int]] = {}
        for i, q in enumerate(self.quotes):
            groups.setdefault(q.group, []).append(i)
        return list(groups.values())

    def _short_scare(self, qi: int) -> bool:
        """A quotation of three words or fewer, or a title in capitals ("The Steve Harvey
        Morning Show"), inside a sentence: scare quotes or a name, not speech.

        Such quotations count only where an utterance can stand: opening the sentence
        (\u201cNo,\u201d he said) or after a colon.
        """
        q = self.quotes[qi]
        words = q.words(self.text)
        title = words <= _TITLE_WORDS and _title_case(self.text[q.start : q.end])
        if words > 3 and not title:
            return False
        qs, _ = self.quote_tokens(q)
        before = self.doc[self.sents[self.sent_of[qs]].start : qs]
        if all(t.is_punct or t.is_space for t in before):
            return False
        return not (qs > 0 and self.doc[qs - 1].text == ":")

    def _continuations(self, groups: list[list[int]], found: list[_Found]) -> list[_Found]:
        """Quotation paragraphs with no cue of their own: the previous speaker's, or unknown."""
        out: list[_Found] = []
        for group in groups:
            q = self.quotes[group[0]]
            if not self.standalone(q):
                continue
            previous = [
                f
                for f in found + out
                if f.cue is not None and f.cue.speaker is not None and f.content[0] < q.start
            ]
            previous.sort(key=lambda f: f.content[0])
            para = self.para_of(q.start)
            source = previous[-1] if previous else None
            if source is not None and para - self.para_of(source.content[1] - 1) <= 1:
                for qi in group:
                    piece = self.quotes[qi]
                    out.append(
                        _Found("direct", (piece.start, piece.end), source.cue, 0.6, inherited=True)
                    )
            elif q.words(self.text) >= 4:
                for qi in group:
                    piece = self.quotes[qi]
                    out.append(_Found("direct", (piece.start, piece.end), None, 0.3))
        return out

    def _according_to(self, taken: list[tuple[int, int]]) -> Iterable[_Found]:
        for found in _ACCORDING.finditer(self.text):
            i = bisect.bisect_left(self._idx, found.start())
            if i + 1 >= len(self.doc) or self._idx[i] != found.start():
                continue
            token, nxt = self.doc[i], self.doc[i + 1]
            if nxt.lower_ != "to" or self.quote_of[token.i] >= 0:
                continue
            pobj = [c for c in nxt.children if c.dep_ == "pobj"]
            if not pobj:
                continue
            phrase = {t.i for t in token.subtree} | {t.i for t in nxt.subtree}
            clause = [t for t in token.head.subtree if t.i not in phrase]
            if not clause:
                continue
            after = [t for t in clause if t.i > token.i]
            if token.i < clause[0].i:
                clause = after  # "According to X, ..."
            elif all(t.is_punct for t in after):
                clause = [t for t in clause if t.i < token.i]  # "..., according to X."
            content = self.char_range(clause)
            if content[1] - content[0] < 2 or _overlaps(content, taken):
                continue
            cue = _Cue(token, CueWord("other"), [token, nxt], self.speaker_span(pobj[0]), clause)
            yield _Found("other", content, cue, 0.7)

    def _colon_lines(self, taken: list[tuple[int, int]]) -> Iterable[_Found]:
        """Lines that name a speaker before a colon: headlines ("Zelensky: No deal") and
        transcripts ("WALLACE: Governor, ...", also inside quotation marks)."""
        for p_start, p_end in self.paras:
            span = self.doc.char_span(p_start, p_end, alignment_mode="expand")
            if span is None:
                continue
            first = span.start
            if span[0].text in OPENING or span[0].text in CLOSING or span[0].text == STRAIGHT:
                first += 1  # a quoted transcript line: "PENCE: Well, look, ...
            colon = next(
                (t for t in self.doc[first : first + _COLON_SPEAKER_MAX + 1] if t.text == ":"), None
            )
            if colon is None or colon.i == first:
                continue
            speaker = self.doc[first : colon.i]
            named = any(t.ent_type_ in ("PERSON", "ORG") for t in speaker)
            label = all(t.is_upper or t.is_punct for t in speaker) and any(
                t.is_alpha and len(t) > 1 for t in speaker
            )  # a transcript's speaker label: WALLACE:, SEN. SMITH:
            if not (named or label) or any(
                not (t.is_title or t.is_upper or t.is_punct) for t in speaker
            ):
                continue
            rest = self.doc[colon.i + 1 : span.end]
            content = self.char_range(rest)
            if self.outside_words(rest) + sum(1 for t in rest if self.quote_of[t.i] >= 0) < 3:
                continue
            if content[1] - content[0] < 2 or _overlaps(content, taken):
                continue
            kind: StatementKind = "direct" if first > span.start else "indirect"
            cue = _Cue(colon, CueWord("indirect"), [colon], speaker, list(rest))
            yield _Found(kind, content, cue, 0.6)

    def _dash_signatures(self) -> Iterable[_Found]:
        """Quotations signed after a dash at the end of their line: "... ." ― Jane Doe"""
        for q in self.quotes:
            line_end = self.text.find("\n", q.end)
            line_end = len(self.text) if line_end < 0 else line_end
            signed = _DASH_SIGNATURE.match(self.text, q.end, line_end)
            if signed is None or q.words(self.text) < 2:
                continue
            start, end = signed.span("name")
            if self.text[end - 1] == "." and not _INITIAL_END.search(self.text, start, end):
                end -= 1  # the sentence's full stop, not an initial's
            dash = self.doc.char_span(*signed.span("dash"), alignment_mode="expand")
            name = self.doc.char_span(start, end, alignment_mode="expand")
            if dash is None or name is None or len(name) == 0:
                continue
            cue = _Cue(dash[0], CueWord("indirect"), [dash[0]], name, None)
            yield _Found("direct", (q.start, q.end), cue, 0.95)

    def _nouns(self, taken: list[tuple[int, int]]) -> Iterable[_Found]:
        for i in range(len(self.doc)):
            if self._pos[i] != NOUN or self.quote_of[i] >= 0:
                continue
            token = self.doc[i]
            word = self.lex.nouns.get(token.lemma_.lower())
            if word is None:
                continue
            speaker = None
            content = None
            for child in token.children:
                if child.dep_ == "poss":
                    speaker = child
                elif child.dep_ == "prep" and child.lower_ in ("by", "from"):
                    speaker = next((c for c in child.children if c.dep_ == "pobj"), speaker)
                elif child.dep_ in ("acl", "ccomp") and any(
                    c.dep_ == "mark" and c.lower_ == "that" or c.dep_ == "aux" and c.lower_ == "to"
                    for c in child.children
                ):
                    content = list(child.subtree)
            if speaker is None or content is None:
                continue
            span = self.char_range(content)
            if span[1] - span[0] < 2 or _overlaps(span, taken):
                continue
            cue = _Cue(token, word, [token], self.speaker_span(speaker), content)
            yield _Found(word.kind, span, cue, 0.65)


@dataclass(frozen=True)
class _Cue:
    verb: Token
    word: CueWord
    tokens: list[Token]
    speaker: Span | None  # None: reported, but the text names no source
    comp: list[Token] | None
    weight: float = 1.0  # how sure the cue model is of a cue the word lists lack


def _object_relative(verb: Token, subj: Token) -> bool:
    """A relative clause whose verb lacks its object: the noun it modifies is that object."""
    return (
        verb.dep_ == "relcl"
        and subj.head.i == verb.i
        and subj.lower_ not in RELATIVE
        and verb.head.pos_ in ("NOUN", "PROPN", "PRON")
        and not any(c.dep_ in ("dobj", "ccomp", "xcomp", "attr", "oprd") for c in verb.children)
    )


def _declined(verb: Token) -> bool:
    """A verb after "rather than" or "instead of": an act set aside, not done."""
    before = " ".join(t.lower_ for t in verb.doc[max(0, verb.i - 2) : verb.i])
    return before.endswith(("rather than", "instead of"))


def _title_case(text: str) -> bool:
    """Whether nearly every word is capitalised, as in the title of a show, book or law."""
    words = re.findall(r"[^\W\d_][\w'\u2019-]*", text)
    if len(words) < 2:
        return False
    capitals = sum(1 for w in words if w[0].isupper())
    return capitals >= len(words) - 1 and capitals * 4 >= len(words) * 3


def _bare_participle(token: Token) -> bool:
    """A participle clause without auxiliary ("Asked about ...", "Pressed on ..."): the
    subject it borrows from the main clause is who it happened to, not who did it."""
    return (
        token.tag_ == "VBN"
        and token.dep_ in ("advcl", "acl")
        and not any(c.dep_ in ("aux", "auxpass") for c in token.children)
    )


def _edge(token: Token) -> bool:
    """Punctuation or white space that a content span should not start or end with."""
    return token.is_space or token.text in _EDGE_PUNCT


def _overlaps(span: tuple[int, int], others: Sequence[tuple[int, int]]) -> bool:
    return any(s < span[1] and span[0] < e for s, e in others)


def attribute(
    doc: Doc,
    *,
    document_id: str,
    linker: ActorLinker | None = None,
    when: date | None = None,
    cues: CueModel | bool = True,
) -> list[Statement]:
    """Statements (who said what) in a parsed document, sorted by where their content starts.

    ``doc`` is the whole document parsed by spaCy (``doc.text`` is the document text, so every
    offset is a character offset into it). ``linker`` links speakers to pack actors; without it
    every ``actor`` is None. ``when`` is the date the statements were made (usually the
    publication date); it decides which role descriptions are valid and becomes
    ``Statement.date``. ``cues`` is the learned cue model that decides which verbs introduce
    attributions and what their content is: True for the packaged one
    (:func:`~stancewatch.attribution.cue_model.default_model`), False for the word lists alone.
    """
    text = doc.text  # joined from the tokens on every access: read it once
    if not text.strip() or len(doc) == 0:
        return []
    model = default_model() if cues is True else cues or None
    work = _Attributor(doc, linker, when, model, text)
    found = work.run()
    found.sort(key=lambda f: f.cue.speaker.start_char if f.cue and f.cue.speaker else f.content[0])
    actors: dict[int, str | None] = {}
    for f in found:
        if f.cue is None or f.cue.speaker is None:
            continue
        key = f.cue.speaker.start_char
        if key not in actors:
            actors[key] = work.resolver.resolve(f.cue.speaker)
        f.actor = actors[key]
    best: dict[tuple[int, int], Statement] = {}
    for f in found:
        start, end = f.content
        speaker = f.cue.speaker if f.cue else None
        cue_start = f.cue.tokens[0].idx if f.cue else None
        cue_end = f.cue.tokens[-1].idx + len(f.cue.tokens[-1]) if f.cue else None
        confidence = f.confidence
        if speaker is not None and f.actor is None and speaker.root.pos_ == "PRON":
            confidence *= 0.8
        statement = Statement(
            id=stable_id(document_id, start, end),
            document_id=document_id,
            kind=f.kind,
            content=text[start:end],
            content_start=start,
            content_end=end,
            speaker=speaker.text if speaker is not None else None,
            speaker_start=speaker.start_char if speaker is not None else None,
            speaker_end=speaker.end_char if speaker is not None else None,
            cue=text[cue_start:cue_end] if cue_start is not None else None,
            cue_start=cue_start,
            cue_end=cue_end,
            actor=f.actor,
            date=when,
            confidence=round(confidence, 3),
            method=METHOD,
        )
        kept = best.get((start, end))
        if kept is None or kept.confidence < statement.confidence:
            best[(start, end)] = statement
    return sorted(best.values(), key=lambda s: (s.content_start, s.content_end))


OUTPUT_FIELDS: tuple[str, ...] = (
    "document",
    "kind",
    "content",
    "content_start",
    "content_end",
    "speaker",
    "speaker_start",
    "speaker_end",
    "cue",
    "cue_start",
    "cue_end",
    "actor",
    "confidence",
)


def output_record(statement: Statement, document: str) -> dict[str, object]:
    """A statement as ``stancewatch attribute`` writes it: exactly :data:`OUTPUT_FIELDS`."""
    values = {
        "document": document,
        **{name: getattr(statement, name) for name in OUTPUT_FIELDS if name != "document"},
    }
    return {name: values[name] for name in OUTPUT_FIELDS}
