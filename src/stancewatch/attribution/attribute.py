"""Attribution: who said what, from a parsed spaCy ``Doc``.

``attribute(doc)`` returns a :class:`~stancewatch.records.Statement` for every quotation,
piece of reported speech and reported belief it can tie to a cue. The cues come from
:mod:`stancewatch.attribution.frames`: a verb that the learned cue model
(:mod:`stancewatch.attribution.cue_model`) or the word lists in ``data/reporting_verbs.txt``
take as a cue (its subject is the speaker, the dependents the model picks or its clausal
complement the content) and the frames "according to X", "X: ...", "... ― X" and "X's claim
that ...". This module ties each quotation (:mod:`stancewatch.attribution.quotes` pairs the
marks) to the cue beside it, or to the previous speaker when it stands alone, and turns what
was found into statements. Pronoun and role-description speakers are resolved through the
actors mentioned earlier (:mod:`stancewatch.attribution.coref`); anything that cannot be
resolved keeps ``actor=None``. The function is pure: it reads the ``Doc``, the packaged word
lists and the cue model only.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

from stancewatch.attribution.attaching import Attacher
from stancewatch.attribution.coref import Resolver
from stancewatch.attribution.cue_model import CueModel, default_model
from stancewatch.attribution.cues import CueWord
from stancewatch.attribution.frames import (
    Cue,
    Found,
    according_to,
    find_cues,
    listed_after,
    tags_quote,
)
from stancewatch.attribution.layout import overlaps
from stancewatch.attribution.nouns import reporting_nouns
from stancewatch.attribution.pieces import joined, second_act
from stancewatch.attribution.quotes import Quote
from stancewatch.attribution.signatures import colon_lines, dash_signatures
from stancewatch.records import Statement, stable_id

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

    from stancewatch.attribution.actors import ActorLinker

METHOD = "attribution.learned-cues.v2"

_INDIRECT: dict[str, float] = {"indirect": 0.75, "other": 0.65}  # confidence by kind
_SENTENCE_END = (".", "!", "?", ":", "…")
_LEAD = CueWord("indirect")  # the verb of a lead-in ending in a colon before a quotation
_TITLE_WORDS = 8  # a quoted title in capitals is at most this long


class _Attributor(Attacher):
    def __init__(
        self,
        doc: Doc,
        linker: ActorLinker | None,
        when: date | None,
        model: CueModel | None = None,
        text: str | None = None,
    ) -> None:
        super().__init__(doc, text)
        self.model = model
        self.resolver = Resolver(doc, linker, when, self.quote_of, self.text)
        self._retags: dict[int, Cue] = {}  # tags that repeat a report's speaker, by verb

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
    def run(self) -> list[Found]:
        cues = find_cues(self, self.model)
        found: list[Found] = []
        used: set[int] = set()
        unresolved: list[list[int]] = []
        for group in self._groups():
            targets = {qi: self.attach(qi, cues, used) for qi in group}
            pieces = [qi for qi in group if targets[qi] is not True]  # True: inside reported speech
            cue = next((t for t in targets.values() if isinstance(t, Cue)), None)
            if cue is None:
                if pieces:
                    unresolved.append(pieces)
                continue
            for qi in pieces:
                own = targets[qi]
                if not isinstance(own, Cue):
                    own = cue  # a piece with no cue of its own: the quotation's cue
                if not own.reports_quote and self._short_scare(qi):
                    continue  # scare quotes leave their cue free to report its clause
                used.add(cue.verb.i)
                used.add(own.verb.i)
                q = self.quotes[qi]
                found.append(Found("direct", (q.start, q.end), own, 0.9))
        direct = [f.content for f in found]
        # "DuVernay said she felt ... “most people don't know,” she said": the tag repeats
        # who reports the clause; the report inside it says what
        # (a tag naming someone else reports what the clause's speaker said: "Her friends
        # mocked him, calling him “a buffoon,” Susan said")
        speakers = {c.verb.i: c.speaker for c in cues}
        retold = {
            c.verb.head.i
            for c in cues
            if c.verb.dep_ == "ccomp" and c.verb.i < c.verb.head.i and c.speaker is not None
        }
        for cue in cues:
            if cue.verb.i in used or cue.word.quote_only or cue.comp is None:
                continue
            if cue.verb.i in retold and tags_quote(self, cue.verb) and _same_teller(cue, speakers):
                self._retags[cue.verb.i] = cue
                continue
            content = self.char_range(cue.comp)
            if content[1] - content[0] < 2 or overlaps(content, direct):
                continue
            confidence = _INDIRECT[cue.word.kind] * cue.weight
            found.append(Found(cue.word.kind, content, cue, confidence))
        found.extend(according_to(self, direct))
        labelled = list(colon_lines(self, direct))
        found.extend(labelled)
        found.extend(listed_after(self, cues, direct + [f.content for f in found]))
        signed = list(dash_signatures(self))
        found.extend(signed)
        found.extend(reporting_nouns(self, direct))
        taken = [f.content for f in labelled + signed]
        unresolved = [g for g in unresolved if not overlaps(self._group_span(g), taken)]
        found.extend(self._continuations(unresolved, found))
        return joined(found)

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

    def _continuations(self, groups: list[list[int]], found: list[Found]) -> list[Found]:
        """Quotation paragraphs with no cue of their own: the previous speaker's, or unknown."""
        out: list[Found] = []
        for group in groups:
            q = self.quotes[group[0]]
            if not self.standalone(q):
                continue
            previous = [
                f
                for f in found + out
                if f.cue is not None and f.cue.speaker is not None and f.content[0] < q.start
            ]
            # the statement that ends last, the outer one of two that end together; not one
            # nested inside it ("Her friends have mocked X, calling Trump “a buffoon,” Susan
            # said. “But he's our buffoon!”": Susan goes on)
            previous.sort(key=lambda f: (f.content[1], -f.content[0]))
            para = self.para_of(q.start)
            source = previous[-1] if previous else None
            if source is not None and source.kind != "direct":
                # “X,” she said, referring to Y. “Z.”: the quotation goes on from her
                # quotation, not from the aside between them
                same = [f for f in previous if f.kind == "direct" and second_act(source, f)]
                if same and self.para_of(same[-1].content[0]) == self.para_of(source.content[0]):
                    source = same[-1]
            led = self._lead_subject(q, source) if source is not None else False
            if not isinstance(led, bool):
                # "Trump leaned in and boomed: “...”" after someone else's statement: the
                # lead's subject says it
                cue = Cue(led.head, _LEAD, [led.head], self.speaker_span(led), None)
                spans = [(self.quotes[qi].start, self.quotes[qi].end) for qi in group]
                out.extend(Found("direct", span, cue, 0.6) for span in spans)
                continue
            if led:
                source = None  # a lead with a name but no subject: "Trump to Putin:"
            if (
                source is not None
                and source.cue is not None
                and para - self.para_of(source.content[1] - 1) <= 1
            ):
                # the tag that repeated the report's speaker is the one the quotation follows
                # ("DuVernay said she felt ... “...,” she said. “We have no context ...”")
                said = self._retags.get(source.cue.verb.head.i, source.cue)
                for qi in group:
                    piece = self.quotes[qi]
                    out.append(Found("direct", (piece.start, piece.end), said, 0.6, inherited=True))
            elif q.words(self.text) >= 4:
                for qi in group:
                    piece = self.quotes[qi]
                    out.append(Found("direct", (piece.start, piece.end), None, 0.3))
        return out

    def _lead_subject(self, q: Quote, source: Found) -> Token | bool:
        """For a quotation after a lead-in of its own paragraph that ends in a colon, whose
        subject is someone other than the speaker it would continue: that subject ("Trump
        leaned in and boomed: “...”", "as Tom Ridge put it: “...”"), or True when the lead
        names someone the parse gives no subject ("Trump to Putin: “Stop!”"). False when the
        quotation may go on from that speaker: a name the lead mentions in passing ("recites
        the line about President Obama:") or none ("Then, the laugh line:")."""
        p_start, _ = self.paras[self.para_of(q.start)]
        lead = self.text[p_start : q.start].rstrip()
        if not lead.endswith(":"):
            return False
        colon = self.doc.char_span(p_start + len(lead) - 1, p_start + len(lead))
        if colon is None:
            return False
        sentence = colon[0].sent
        speaker = source.cue.speaker if source.cue is not None else None
        said_by = {t.lower_ for t in speaker} if speaker is not None else set()
        for e in sentence.ents:
            if (
                e.label_ in ("PERSON", "ORG")
                and e.end <= colon.start
                and e.root.dep_ in ("nsubj", "nsubjpass")
                and e.root.lower_ not in said_by
            ):
                return e.root
        # a name opening the lead, which the recogniser may miss: "Trump to Putin:"
        named = (sentence[0].pos_ == "PROPN" and sentence[0].is_title) or any(
            e.start == sentence.start and e.label_ in ("PERSON", "ORG") for e in sentence.ents
        )
        if not named or sentence[0].lower_ in said_by:
            return False
        first = sentence[0]
        root = first if first.head.i == first.i else first.head
        while root.dep_ == "compound" and root.head.i != root.i:
            root = root.head
        return root if root.dep_ in ("nsubj", "nsubjpass") else True


def _same_teller(tag: Cue, speakers: dict[int, Span | None]) -> bool:
    """Whether a tag's speaker is a pronoun or repeats the speaker of the report its
    clause holds."""
    said = tag.speaker
    if said is None:
        return False
    if said.root.pos_ == "PRON":
        return True
    inner = [speakers.get(c.i) for c in tag.verb.children if c.dep_ == "ccomp" and c.i in speakers]
    return any(s is not None and s.root.lower_ == said.root.lower_ for s in inner)


def _title_case(text: str) -> bool:
    """Whether nearly every word is capitalised, as in the title of a show, book or law."""
    words = re.findall(r"[^\W\d_][\w'\u2019-]*", text)
    if len(words) < 2:
        return False
    capitals = sum(1 for w in words if w[0].isupper())
    return capitals >= len(words) - 1 and capitals * 4 >= len(words) * 3


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
    _first_person_inside(found)
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


def _first_person_inside(found: list[Found]) -> None:
    """ "I" speaking inside someone's words is that someone: in the transcript turn "Vladimir
    Putin: I have said many times that I am ready", or in a quotation of his, the inner
    statement's "I" is Putin. The actor comes from the innermost statement that holds the
    pronoun and has one."""
    for f in found:
        speaker = f.cue.speaker if f.cue is not None else None
        if f.actor is not None or speaker is None or len(speaker) != 1:
            continue
        if speaker[0].lower_ != "i":
            continue
        at = speaker.start_char
        holders = [
            g
            for g in found
            if g is not f and g.actor is not None and g.content[0] <= at < g.content[1]
        ]
        if holders:
            f.actor = min(holders, key=lambda g: g.content[1] - g.content[0]).actor


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
