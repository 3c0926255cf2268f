"""Reporting frames in a parsed document: the cues that tie what was said to who said it.

:func:`find_cues` finds the reporting verbs (those the learned cue model
(:mod:`stancewatch.attribution.cue_model`) or the word lists of
:mod:`stancewatch.attribution.cues` take as cues) with their speaker and their content: a
clausal complement, or the dependents the model picks. The other frames name a speaker without
a verb: "according to X" and "X's claim that ..." (a reporting noun); those a line's layout
makes ("X: ...", "... ― X") are in :mod:`stancewatch.attribution.signatures`. Each frame found
is a :class:`Found`, a statement under construction that hangs on a :class:`Cue`.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from spacy.symbols import VERB

from stancewatch.attribution.cue_model import CueModel, candidate
from stancewatch.attribution.cues import (
    RELATIVE,
    CueWord,
    age_epithet,
    bare_participle,
    complement,
    cue_of,
    experiencer,
    object_clause,
    open_question,
    passive_subject,
    quoted_as,
    reporting_head,
    reports_aside,
    says_when,
    subject,
)
from stancewatch.attribution.hidden import opens_quotation, told
from stancewatch.attribution.interrupted import around_tag
from stancewatch.attribution.layout import Layout, overlaps
from stancewatch.attribution.unsaid import anonymous, declined, phoned, supposed, unsaid
from stancewatch.records import StatementKind

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

_ACCORDING = re.compile(r"\baccording\b", re.IGNORECASE)
_SURE = 0.8  # a learned cue this probable keeps its kind's full confidence
_SECOND_ACT = frozenset({"advcl", "conj", "parataxis"})
_LEARNED = CueWord("other", obj=True, xcomp=True)  # a verb the cue model takes as a cue
# A verb right before ", “" or ": “" introduces the quotation when the cue model gives it at
# least this probability (chosen on PolNeAR's train split: the verbs below it there are
# "live", "make", "drive" before a quoted title or slogan; above it "exclaimed", "yelling",
# "proclaiming", "jeered")
_INTRODUCES_FLOOR = 0.1
_INTRODUCER = CueWord("indirect", quote_only=True)
# A passive cue with no agent ("are expected to", "has been criticized for") is taken, without
# a speaker, when the cue model gives it at least this probability (chosen on PolNeAR dev)
_UNSOURCED_FLOOR = 0.7


@dataclass(frozen=True)
class Cue:
    """What a statement hangs on: the cue word, the tokens that make it, the speaker and the
    reported content."""

    verb: Token
    word: CueWord
    tokens: list[Token]
    speaker: Span | None  # None: reported, but the text names no source
    comp: list[Token] | None
    weight: float = 1.0  # how sure the cue model is of a cue the word lists lack
    reports_quote: bool = False  # its clausal complement is a quotation: never scare quotes


@dataclass
class Found:
    """A statement under construction: its content range and the cue it hangs on."""

    kind: StatementKind
    content: tuple[int, int]
    cue: Cue | None
    confidence: float
    inherited: bool = False
    actor: str | None = None


def find_cues(layout: Layout, model: CueModel | None) -> list[Cue]:
    """Every reporting verb outside quotations that has a speaker; ``model`` is the learned
    cue model, None for the word lists alone."""
    found = []
    hits: dict[int, tuple[CueWord, list[Token]]] = {}
    weights: dict[int, float] = {}
    probability: dict[int, float] = {}  # the cue model's, by verb
    for i in range(len(layout.doc)):
        if layout.pos[i] != VERB:
            continue  # cues are verbs (a reporting noun has a pass of its own)
        token = layout.doc[i]
        hit = cue_of(token, layout.quote_of)
        if model is not None and candidate(token, layout.quote_of):
            p = model.probability(token, hit is not None)
            probability[token.i] = p
            if p < model.threshold:
                if p < _INTRODUCES_FLOOR:
                    continue
                if hit is not None and _before_tag(layout, token):
                    hits[token.i] = hit  # a report the parse hangs under a later tag
                    continue
                if _labelled_as(layout, token):
                    # "PolitiFact rated the claims as “false”": whose words the label is
                    hits[token.i] = hit or (_LEARNED, [token])
                    weights[token.i] = p / _SURE
                    continue
                if not (_introduces_quote(layout, token) or tags_quote(layout, token)):
                    continue
                # "Trump boasted, “That makes me smart.”" and "“...,” she continued": a
                # verb that opens or tags a quotation
                hits[token.i] = (_INTRODUCER, [token])
                weights[token.i] = p / _SURE
                continue
            if hit is None:
                hit = (_LEARNED, [token])
                weights[token.i] = min(1.0, p / _SURE)
        if hit is not None:
            hits[token.i] = hit
    for i, hit in hits.items():
        token = layout.doc[i]
        if declined(token) or supposed(token) or phoned(token) or anonymous(token):
            continue  # "... rather than complain": what the speaker does not do
        # "The minister has:\n• claimed that ...": a list item takes its lead-in's subject
        subj = layout.list_lead(token) or subject(token, layout.quote_of)
        frame = quoted_as(token)  # "Lavrov was quoted as saying": Lavrov said it
        if frame is not None and frame.i > token.i and frame.i in hits:
            continue  # the passive frame of the cue under its "as", not a report of its own
        # "they have been criticized for ...": a passive cue with no agent names no source
        unsourced = (
            subj is not None
            and subj.dep_ == "nsubjpass"
            and subj.head.i == token.i
            and probability.get(i, 0.0) >= _UNSOURCED_FLOOR
            and token.lemma_ != "say"  # "The plan was said to be ready": hearsay, no report
            and not any(c.dep_ == "agent" for c in token.children)
        )
        if (
            subj is None
            or unsaid(token, subj)
            or (subj.ent_type_ in ("TIME", "DATE") and not age_epithet(subj))
            or (subj.dep_ == "nsubjpass" and not unsourced and frame is None)
        ):
            continue  # a passive subject is what was said, not who said it
        if (feeler := experiencer(token, subj)) is not None:
            # "The decision angered Republicans": Republicans are angry about the decision
            cue = Cue(token, hit[0], hit[1], layout.speaker_span(feeler), list(subj.subtree))
            found.append(replace(cue, weight=weights.get(i, 1.0)))
            continue
        # "The plan was criticized by the Kremlin": a passive cue's agent said it, its subject
        # is what was said (the dependents the model picks are when and where)
        passive = passive_subject(token, subj)
        inverted = subj.dep_ == "dobj" and subj.head.i == i  # "Added the minister: “...”"
        comp = passive or (told(subj, layout.quote_of) if inverted else complement(token, hit[0]))
        if (
            model is not None
            and model.content_weights
            and passive is None
            and not inverted
            and not (comp is not None and (token.dep_ == "parataxis" or reports_aside(token)))
        ):  # "The plan, he said, is dead": the rules take both sides of the cue
            comp = _learned_content(layout, token, model, hits, hit[1]) or comp
        if unsourced:
            if comp is None or comp[0].i < token.i or not any(t.pos == VERB for t in comp):
                continue  # "was rejected on Tuesday", "was booed off the stage": no content
            # what is expected is the subject with what follows the verb
            comp = list(layout.doc[subj.left_edge.i : comp[-1].i + 1])
        if passive is None:
            clause = object_clause(token)
            if clause is not None and (comp is None or comp[-1].i < clause[0].i):
                comp = clause  # "told a meeting of leaders that ...": what was told
        if model is not None and _object_relative(token, subj):
            # "the rate he has proposed", "an explosion that de Blasio described as ...":
            # what was said is the noun the clause describes
            comp = list(token.head.subtree)
        if passive is None and not unsourced and hit[0] not in (_LEARNED, _INTRODUCER):
            around = around_tag(token, subj, layout.quote_of)  # "X, Peskov said, would ..."
            if around is not None and (comp is None or comp[0].i >= around[0].i):
                comp = around
        if comp is not None:
            # a parse can run over a paragraph break; what a cue reports stays in its
            # paragraph
            block = layout.block_of(token.idx)
            comp = [t for t in comp if layout.block_of(t.idx) == block] or None
        reports_quote = False
        quoted_predicate = (
            comp is not None and hit[0].oprd and any(layout.quote_of[t.i] >= 0 for t in comp)
        )
        if (
            comp is not None
            and layout.outside_words(comp) <= (0 if quoted_predicate else 1)
            and (
                any(layout.quote_of[t.i] >= 0 for t in comp)
                or not any(t.pos_ in ("NOUN", "PROPN", "NUM") for t in comp)
            )
        ):
            # the complement is the quotation itself: "He declared that “torture works.”"
            # (not "called him “a total stiff”": the object is part of what was said)
            reports_quote = any(layout.quote_of[t.i] >= 0 for t in comp)
            comp = None
        if (
            comp is not None
            and comp[-1].i < token.i
            and any(c.dep_ == "neg" for c in token.children)
        ):
            continue  # "Ukraine will not give up its land, the president has not said"
        if comp is not None and hit[0].kind == "other" and open_question(comp[0]):
            continue  # "did not know whether ...": no belief is reported
        speaker: Span | None = layout.speaker_span(subj)
        if unsourced:
            speaker = None
        elif model is not None and not model.is_source(token, subj):
            speaker = None  # "Republicans seem confident": reported, but by no one named
        elif subj.head.i != token.i and bare_participle(token):
            speaker = None  # "Asked about X, Clinton said ...": Clinton was asked
        found.append(Cue(token, hit[0], hit[1], speaker, comp, weights.get(i, 1.0), reports_quote))
    return _second_acts_cut(found, layout.quote_of)


def _own_clause(verb: Token) -> bool:
    """A verb that opens a coordinated clause with a subject of its own."""
    return verb.dep_ == "conj" and any(c.dep_ in ("nsubj", "nsubjpass") for c in verb.children)


_CLAUSE_OPENERS = frozenset({"that", "whether", "if", "how", "why", "what", "when", "where", "who"})


def _joined_clause(verb: Token) -> bool:
    """A clause with a subject of its own that a comma and "and", "but" or "or", or a
    semicolon, joins to the one before it ("announced X, and the downgrade is casting ..."),
    not a second object clause ("spoke of X, and how ...")."""
    if not _own_clause(verb):
        return False
    edge = verb.left_edge
    if edge.lower_ in _CLAUSE_OPENERS:
        return False
    doc = verb.doc
    words: set[str] = set()
    i = edge.i - 1
    while i >= 0 and len(words) < 4 and (doc[i].is_punct or doc[i].dep_ == "cc"):
        words.add(doc[i].lower_)  # the closing mark of a quotation may sit among them
        i -= 1
    return ";" in words or ("," in words and bool(words & {"and", "but", "or"}))


def _second_object_clause(verb: Token) -> bool:
    """A coordinated clause opened by its own "that" or "whether" ("said that X and that the
    leader wanted Y"): a second thing reported, not the writer's next sentence."""
    edge = verb.left_edge
    return edge.dep_ == "mark" and edge.head.i == verb.i and edge.lower_ in ("that", "whether")


def _second_acts_cut(cues: list[Cue], quoted: Sequence[int]) -> list[Cue]:
    """Cues whose content stops before a second act of their speaker that the parse hung
    inside it: in "Trump said the plan was dead, calling it a disaster", Trump said "the plan
    was dead" and, separately, called it a disaster."""
    starts: dict[int, int] = {}
    for cue in cues:
        outer = reporting_head(cue.verb, quoted)
        if outer is not None:
            starts[outer.i] = min(starts.get(outer.i, cue.verb.i), cue.verb.left_edge.i)
    for cue in cues:
        if cue.comp is None:
            continue
        inside = {t.i for t in cue.comp}
        for other in cues:
            if (
                other.verb.i in inside
                and _own_clause(other.verb)
                and not _second_object_clause(other.verb)
            ):
                # "Republicans said X and Democrats accused Y": a reporting clause with its
                # own subject joined to what was said is someone else's statement; "said that
                # X and that the leader wanted Y" reports both clauses
                edge = other.verb.left_edge.i
                if edge > cue.comp[0].i:
                    starts[cue.verb.i] = min(starts.get(cue.verb.i, edge), edge)
    if not starts:
        return cues
    out = []
    for cue in cues:
        cut = starts.get(cue.verb.i)
        if cut is not None and cue.comp is not None and cue.comp[0].i < cut <= cue.comp[-1].i:
            comp = [t for t in cue.comp if t.i < cut]
            while comp and (comp[-1].is_punct or comp[-1].is_space or comp[-1].dep_ == "cc"):
                comp.pop()  # the comma or "and" before the second act
            cue = replace(cue, comp=comp or None)
        out.append(cue)
    return out


def _introduces_quote(layout: Layout, verb: Token) -> bool:
    """Whether a verb stands right before a comma or colon that opens a quotation, its object
    between them or not ("boasted, “...”", "before asking her, “...”")."""
    doc = layout.doc
    i = verb.i + 1
    objects = [c for c in verb.children if c.dep_ in ("dobj", "dative") and c.i == i]
    if objects and objects[0].right_edge.i - verb.i <= 3:
        i = objects[0].right_edge.i + 1
    # "... responded:" ending its paragraph introduces the quotation that opens the next
    return layout.quote_of[verb.i] < 0 and opens_quotation(doc, i, layout.quote_of)


def tags_quote(layout: Layout, verb: Token) -> bool:
    """Whether a verb is the speech tag right after a quotation that ends in a comma, a
    question or an exclamation mark: "“...,” she continued." or "“...?” asked Smith." (the
    parser may hang the tag's verb inside the quotation, and the cue model then doubts it)."""
    start = verb.i
    subjects = [c for c in verb.children if c.dep_ == "nsubj" and c.i < verb.i]
    if subjects:
        if subjects[0].right_edge.i != verb.i - 1:
            return False
        start = subjects[0].left_edge.i
    return layout.quote_of[verb.i] < 0 and layout.closed_before(start) is not None


def _labelled_as(layout: Layout, verb: Token) -> bool:
    """Whether a verb with a subject sets something "as" a quotation: "rated the claims as
    “false”", "has gone after Witkoff as a “Kremlin messenger”" (the subject's label)."""
    if verb.lemma_ in ("be", "have", "do") or not any(c.dep_ == "nsubj" for c in verb.children):
        return False
    if not any(c.dep_ in ("dobj", "prep") and c.lower_ != "as" for c in verb.children):
        return False
    # the label itself is quoted, not a title inside it ("cast Jordan as the Human Torch in
    # the “Fantastic Four” reboot")
    return any(
        layout.quote_of[t.i] >= 0 and not t.is_punct
        for child in verb.children
        if child.dep_ == "prep" and child.lower_ == "as"
        for t in child.children
    )


def _before_tag(layout: Layout, verb: Token) -> bool:
    """Whether a reporting verb with a subject of its own opens a sentence that a speech tag
    ends: "DuVernay said she felt the amendment was worth examining because “most people
    don't know,” she said." (the parser makes the first report the tag's clause)."""
    if verb.dep_ != "ccomp" or not tags_quote(layout, verb.head) or verb.head.i < verb.i:
        return False
    return any(c.dep_ == "nsubj" and c.i < verb.i for c in verb.children)


def _learned_content(
    layout: Layout,
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
    if all(says_when(c) for c in chosen):
        return None  # "reported after the FBI left the scene": when, not what, was reported
    # "announced X, and the downgrade is casting ...": a clause with its own subject that
    # the writer joins after the content is not part of it (unless it holds a quotation:
    # "... but instead Obama is giving them “lectures”" quotes the speaker)
    narrator = [
        c
        for c in chosen
        if c.i > verb.i
        and _joined_clause(c)
        and not any(layout.quote_of[t.i] >= 0 for t in c.subtree)
    ]
    if narrator:
        chosen = [c for c in chosen if c.i < narrator[0].i]
    own = [c for c in chosen if c.i in cues and c.dep_ in _SECOND_ACT and c.i > verb.i]
    if own:
        first = min(c.left_edge.i for c in own)
        chosen = [c for c in chosen if c.right_edge.i < first or c.i < verb.i]
    side = [c for c in chosen if c.i > verb.i]
    if not side and not narrator:
        side = [c for c in chosen if c.i < verb.i]
    if not side:
        return None
    start = min(c.left_edge.i for c in side)
    end = max(c.right_edge.i for c in side)
    doc = layout.doc
    while (
        (own or narrator)
        and end > start
        and (doc[end].is_punct or doc[end].is_space or doc[end].dep_ == "cc")
    ):
        end -= 1  # "declined to threaten Moscow or even declare ...": not the "or"
    own_words = {t.i for t in cue_tokens}
    while start <= end and start in own_words:
        start += 1  # "called for new talks": the cue's preposition is not what was said
    return list(doc[start : end + 1]) or None


def according_to(layout: Layout, taken: list[tuple[int, int]]) -> Iterable[Found]:
    """Statements in the frame "according to X", outside the ranges already ``taken``."""
    for found in _ACCORDING.finditer(layout.text):
        i = bisect.bisect_left(layout.idx, found.start())
        if i + 1 >= len(layout.doc) or layout.idx[i] != found.start():
            continue
        token, nxt = layout.doc[i], layout.doc[i + 1]
        if nxt.lower_ != "to" or layout.quote_of[token.i] >= 0:
            continue
        source = _according_source(nxt)
        if source is None:
            continue
        phrase = {t.i for t in token.subtree} | {t.i for t in nxt.subtree}
        comma = next((t.i for t in token.sent if t.i > source.i and t.text == ","), None)
        if comma is not None and token.i < comma < token.head.i:
            # "According to Peskov, Putin and Trump could meet": the parse joined the clause's
            # subject to X; the names coordinated after the comma are the clause's
            phrase -= {
                t.i
                for c in source.children
                if c.dep_ in ("conj", "cc") and c.i > comma
                for t in c.subtree
            }
        clause = [t for t in token.head.subtree if t.i not in phrase]
        if not clause:
            # "According to X, ..." that the parse made the root of its sentence: what
            # follows the comma after X
            clause = _after_comma(token.sent, nxt.i)
            if not clause:
                continue
        after = [t for t in clause if t.i > token.i]
        if token.i < clause[0].i:
            clause = after  # "According to X, ..."
        elif all(t.is_punct for t in after):
            clause = [t for t in clause if t.i < token.i]  # "..., according to X."
        content = layout.char_range(clause)
        if content[1] - content[0] < 2 or overlaps(content, taken):
            continue
        cue = Cue(token, CueWord("other"), [token, nxt], layout.speaker_span(source), clause)
        yield Found("other", content, cue, 0.7)


def _after_comma(sent: Span, start: int) -> list[Token]:
    """The words of a sentence after the first comma past token ``start``."""
    comma = next((t.i for t in sent if t.i > start and t.text == ","), None)
    if comma is None:
        return []
    words = [t for t in sent if t.i > comma and not (t.is_punct or t.is_space)]
    return list(sent.doc[words[0].i : words[-1].i + 1]) if words else []


def _according_source(to: Token) -> Token | None:
    """The head of X in "according to X": the object of "to", or, where the parse took a
    noun of X for a verb ("according to show insiders"), that verb's object."""
    for child in to.children:
        if child.dep_ == "pobj":
            return child
    for child in to.children:
        if child.dep_ == "pcomp":
            return next((c for c in child.children if c.dep_ == "dobj"), child)
    return None


_LEAD_WORDS = 6  # words allowed between a cue and the colon that opens its list


def listed_after(
    layout: Layout, cues: Sequence[Cue], taken: list[tuple[int, int]]
) -> Iterable[Found]:
    """Items of a list that a speech cue introduces: "Sergei Lavrov said on Tuesday:" then
    "1. ..." / "• ..." lines, each item a statement of the cue's speaker."""
    text = layout.text
    for cue in cues:
        if cue.speaker is None or cue.word.kind != "indirect":
            continue
        after = cue.verb.idx + len(cue.verb)
        line_end = text.find("\n", after)
        if line_end < 0:
            continue
        tail = text[after:line_end].rstrip()
        if not tail.endswith(":") or len(tail.split()) > _LEAD_WORDS:
            continue
        for item in layout.items_after(after) or layout.paragraph_after(after):
            if not overlaps(item, taken):
                yield Found("indirect", item, cue, 0.6)


def _object_relative(verb: Token, subj: Token) -> bool:
    """A relative clause whose verb lacks its object: the noun it modifies is that object."""
    return (
        verb.dep_ == "relcl"
        and subj.head.i == verb.i
        and subj.lower_ not in RELATIVE
        and verb.head.pos_ in ("NOUN", "PROPN", "PRON")
        and not any(c.dep_ in ("dobj", "ccomp", "xcomp", "attr", "oprd") for c in verb.children)
    )
