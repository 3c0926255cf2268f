"""Reporting cues: the verbs and nouns that introduce speech, and their arguments.

The word lists live in ``data/reporting_verbs.txt`` and ``data/reporting_nouns.txt``; this
module reads them and finds, in a dependency parse, a cue verb's speaker (its subject, or the
subject of the verb it hangs on) and its content (a clausal complement, or an object or
infinitive where the verb's entry allows one).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

from stancewatch.attribution.hidden import (
    SUBJECTS,
    depicted,
    inverted_speaker,
    someone,
    stranded_name,
)
from stancewatch.records import StatementKind

if TYPE_CHECKING:
    from spacy.tokens import Token

_CLIMB = ("xcomp", "conj", "advcl", "pcomp", "prep")  # verbs that share their head's subject
RELATIVE = frozenset({"who", "that", "which", "whom"})  # relative pronouns
# Verbs of feeling whose object holds the feeling (its subject is what the feeling is about)
_FEELINGS = frozenset(
    [
        "alarm",
        "anger",
        "annoy",
        "appall",
        "bother",
        "delight",
        "disappoint",
        "dismay",
        "disturb",
        "embarrass",
        "frighten",
        "frustrate",
        "infuriate",
        "irk",
        "outrage",
        "please",
        "rattle",
        "reassure",
        "scare",
        "shock",
        "spook",
        "surprise",
        "trouble",
        "unsettle",
        "upset",
        "worry",
    ]
)


@dataclass(frozen=True)
class CueWord:
    """A reporting verb or noun from the packaged word lists."""

    kind: StatementKind
    obj: bool = False
    xcomp: bool = False
    quote_only: bool = False
    oprd: bool = False
    listing: bool = False  # a noun whose content a verb can list: "X's demands include ..."


@dataclass(frozen=True)
class Lexicon:
    verbs: dict[str, CueWord]
    phrasal: dict[tuple[str, str], CueWord]
    nouns: dict[str, CueWord]


def _rows(name: str) -> Iterable[list[str]]:
    text = resources.files("stancewatch.data").joinpath(name).read_text("utf-8")
    for line in text.splitlines():
        fields = line.split("#", 1)[0].split()
        if fields:
            yield fields


_FLAGS = frozenset({"obj", "xcomp", "quote", "oprd"})


def _kind(word: str) -> StatementKind:
    return "indirect" if word == "indirect" else "other"


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The reporting verbs and nouns, loaded once from ``stancewatch/data``."""
    verbs: dict[str, CueWord] = {}
    phrasal: dict[tuple[str, str], CueWord] = {}
    for fields in _rows("reporting_verbs.txt"):
        at = next((i for i, f in enumerate(fields) if f in ("indirect", "other")), None)
        flags = set(fields[at + 1 :]) if at is not None else set()
        if at is None or not 1 <= at <= 2 or not flags <= _FLAGS:
            raise ValueError(
                f"reporting_verbs.txt: bad line {' '.join(fields)!r}; expected "
                "'LEMMA [PARTICLE] indirect|other [obj] [xcomp] [quote] [oprd]'."
            )
        word = CueWord(
            _kind(fields[at]), "obj" in flags, "xcomp" in flags, "quote" in flags, "oprd" in flags
        )
        if at == 1:
            verbs[fields[0]] = word
        else:
            phrasal[(fields[0], fields[1])] = word
    nouns: dict[str, CueWord] = {}
    for fields in _rows("reporting_nouns.txt"):
        if (
            len(fields) not in (2, 3)
            or fields[1] not in ("indirect", "other")
            or fields[2:] not in ([], ["listing"])
        ):
            raise ValueError(
                f"reporting_nouns.txt: bad line {' '.join(fields)!r}; expected "
                "'NOUN indirect|other [listing]'."
            )
        nouns[fields[0]] = CueWord(_kind(fields[1]), listing=fields[2:] == ["listing"])
    return Lexicon(verbs, phrasal, nouns)


def cue_of(token: Token, quoted: Sequence[int] = ()) -> tuple[CueWord, list[Token]] | None:
    """The reporting-verb entry a token starts, with the cue's tokens, or None.

    ``quoted[i] >= 0`` marks token ``i`` as inside a quotation: verbs there are the quoted
    speaker's words, not cues.
    """
    if token.pos_ != "VERB" or (quoted and quoted[token.i] >= 0):
        return None
    lex = lexicon()
    lemma = token.lemma_.lower()
    for child in token.children:
        if child.dep_ in ("prt", "prep", "dative") and child.i == token.i + 1:
            word = lex.phrasal.get((lemma, child.lower_))
            if word is not None:
                return word, [token, child]
    word = lex.verbs.get(lemma)
    if word is None or any(c.dep_ == "neg" for c in token.children):
        return None
    if token.tag_ == "VBN" and not any(c.dep_ == "aux" for c in token.children):
        return None  # passive or bare participle: "is expected to", "Asked if ..."
    return word, [token]


def subject(verb: Token, quoted: Sequence[int] = ()) -> Token | None:
    """The speaker token of a cue verb: its subject, or the subject of the verb it joins."""
    inverted = inverted_speaker(verb, quoted, lexicon().verbs)
    if inverted is not None:
        return inverted
    shown = depicted(verb)
    if shown is not None:
        return shown
    outer = reporting_head(verb, quoted)
    if outer is not None:
        return subject(outer, quoted)
    current = verb
    for _ in range(4):
        for child in current.children:
            if child.dep_ == "agent":
                pobj = [c for c in child.children if c.dep_ == "pobj"]
                if pobj:
                    return pobj[0]
        subjects = [c for c in current.children if c.dep_ in SUBJECTS]
        if subjects:
            # '"... panic mode," said Leslie Wimes': the parser may take a quoted word as a
            # second subject; the speaker is the one outside the quotation
            outside = [c for c in subjects if not (quoted and quoted[c.i] >= 0)] or subjects
            # "MOSCOW, Jan 28 — Vladimir Putin said": a dateline parsed as a second subject;
            # the subject nearest before the verb is the speaker
            before = [c for c in outside if c.i < current.i]
            subj = before[-1] if before else outside[0]
            if subj.dep_ == "csubj" and subj.tag_ == "VBG":
                # "majorities of voters going to the polls said ...": a reduced relative
                # parsed as a clausal subject; who speaks is the clause's own subject
                subj = next((c for c in subj.children if c.dep_ == "nsubj"), subj)
            if subj.ent_type_ in ("DATE", "TIME") and subj.tag_ == "NNP" and subj.i < current.i:
                # "Tuesday on WTMJ's show Rep. Paul Ryan (R-WI) said ...": a day is no speaker
                return stranded_name(current) if current is verb else None
            if subj.lower_ in RELATIVE and current.dep_ == "relcl":
                between = verb.doc[current.head.i + 1 : subj.i]
                if any(t.text in (":", ";", "?") for t in between):
                    return None  # "the question: who said it first" asks, it does not relate
                return current.head
            if _speaker_word(subj) and not (quoted and quoted[subj.i] >= 0):
                return subj
            if quoted and quoted[subj.i] >= 0:
                # '"Nothing about Ukraine without Ukraine," Andrii Sybiha, the foreign
                # minister, wrote': the parse makes the quotation the subject and the speaker
                # its apposition, between the closing mark and the verb
                return _apposed_speaker(subj, current, quoted)
            return None
        if current.dep_ == "relcl":
            return None
        if current.head.i == current.i:
            return stranded_name(current) if current is verb else None
        if current.dep_ not in _CLIMB and not _loose_conjunct(current):
            return None
        if current.dep_ == "xcomp":
            objects = [c for c in current.head.children if c.dep_ in ("dobj", "dative")]
            if objects:
                # "The senator forced Stumpf to admit that ...": the object of the verb
                # above is who admits, not its subject
                obj = objects[0]
                if obj.i < current.i and someone(obj) and not (quoted and quoted[obj.i] >= 0):
                    return obj
                return None
        if _joins_the_report(current):
            # "He said Ukraine should hold elections and called Zelensky ...": a finite verb
            # cannot join a bare infinitive under "should"; it joins the report's verb
            current = current.head.head
            continue
        current = current.head
    return None


def _loose_conjunct(verb: Token) -> bool:
    """A finite verb the parse hangs on the verb before it with no relation it could name,
    after a comma: "Trump gestured ..., then leaned in and boomed: “...”" (a second act of
    the same subject)."""
    return (
        verb.dep_ == "dep"
        and verb.tag_ in ("VBD", "VBZ")
        and verb.head.tag_ == verb.tag_
        and verb.head.i < verb.i
        and verb.i > 0
        and verb.doc[verb.left_edge.i - 1].text == ","
    )


def _joins_the_report(verb: Token) -> bool:
    """Whether a past or present verb that the parse joins to the bare verb of a reported
    clause belongs with the reporting verb above instead."""
    head = verb.head
    return (
        verb.dep_ == "conj"
        and verb.tag_ in ("VBD", "VBZ")
        and head.tag_ == "VB"
        and head.dep_ == "ccomp"
        and any(c.dep_ == "aux" and c.tag_ == "MD" for c in head.children)
        and head.head.tag_ == verb.tag_
    )


def _apposed_speaker(subj: Token, verb: Token, quoted: Sequence[int]) -> Token | None:
    """The apposition of a quoted subject that stands outside the quotation, before the verb
    and after the quotation's last word: who the writer names as saying it."""
    last = max(t.i for t in subj.subtree if quoted[t.i] == quoted[subj.i])
    for child in subj.children:
        if (
            child.dep_ == "appos"
            and last < child.i < verb.i
            and quoted[child.i] < 0
            and _speaker_word(child)
        ):
            return child
    return None


def reporting_head(verb: Token, quoted: Sequence[int] = ()) -> Token | None:
    """The reporting verb whose speaker a participle cue continues, or None.

    In "Trump said the plan was dead, calling it a disaster" the parse hangs "calling" on
    "was", inside what Trump said; the one calling it a disaster is who said it, not "the
    plan". A present participle joined to the clause that a reporting verb before it reports
    takes that verb's speaker.
    """
    if verb.tag_ != "VBG" or verb.dep_ not in ("advcl", "conj"):
        return None
    clause = verb.head
    if clause.dep_ != "ccomp" or clause.i > verb.i:
        return None
    outer = clause.head
    if outer.i >= clause.i or cue_of(outer, quoted) is None:
        return None
    return outer


def age_epithet(token: Token) -> bool:
    """Whether a subject is a person named by age ("the 78-year-old"), which the parser
    marks as a date."""
    doc = token.doc
    return (
        token.lower_ == "old"
        and token.i >= 2
        and doc[token.i - 1].text == "-"
        and doc[token.i - 2].lower_ in ("year", "years")
    )


def _speaker_word(token: Token) -> bool:
    """Whether a subject can head a speaker phrase: a name, a noun, a pronoun, or a word or
    number the parse tags as an adjective or a numeral: the quantifiers of "Many say ...",
    "Most of them believe ...", "Six in 10 say ..." (not a bullet or other symbol)."""
    if token.pos_ in ("PRON", "PROPN", "NOUN"):
        return True
    return token.pos_ in ("ADJ", "NUM") and (token.is_alpha or token.like_num)


def experiencer(verb: Token, subj: Token) -> Token | None:
    """The object of a verb of feeling whose object feels ("That worries environmentalists",
    "protests unsettled business leaders"): who holds the attitude, the subject being what
    it is about. None for other verbs, or when the object names no one."""
    if verb.lemma_.lower() not in _FEELINGS or subj.head.i != verb.i or subj.dep_ != "nsubj":
        return None
    obj = next((c for c in verb.children if c.dep_ == "dobj" and c.i > verb.i), None)
    if obj is None or obj.pos_ not in ("PRON", "PROPN", "NOUN") or obj.lower_ in ("it", "this"):
        return None
    if any(c.dep_ in ("xcomp", "ccomp", "prt") for c in verb.children):
        # "it worried officials that ...", "rattled off a talking point": another frame
        return None
    return obj


def passive_subject(verb: Token, speaker: Token) -> list[Token] | None:
    """What a passive cue with an agent reports: its subject ("The plan was criticized by
    X", "She has been endorsed by dozens of papers"); None unless ``speaker`` is the agent."""
    if not (speaker.dep_ == "pobj" and speaker.head.dep_ == "agent" and speaker.head.head == verb):
        return None
    subj = next((c for c in verb.children if c.dep_ == "nsubjpass"), None)
    return None if subj is None else list(subj.subtree)


def complement(verb: Token, word: CueWord) -> list[Token] | None:
    """The content tokens of a reporting verb: a clause, or an object/infinitive it allows."""
    clauses = [c for c in verb.children if c.dep_ == "ccomp"]
    after = [c for c in clauses if c.i > verb.i]
    if after:  # several clauses after one cue ("said he is ready to X, secure Y") join
        return list(verb.doc[after[0].left_edge.i : after[-1].right_edge.i + 1])
    if clauses:
        return list(clauses[-1].subtree)
    if reports_aside(verb):  # "Mr. Trump is free to disclose them, as experts have noted."
        own = {t.i for t in verb.subtree}
        rest = [t for t in verb.head.subtree if t.i not in own]
        while rest and (rest[-1].is_punct or rest[-1].is_space):
            rest.pop()
        return rest or None
    if verb.dep_ == "parataxis":  # "The plan, he said, is dead." / "It is dead, he said."
        own = {t.i for t in verb.subtree}
        rest = [t for t in verb.head.subtree if t.i not in own]
        if any(t.i > verb.i for t in rest):
            return rest  # the cue stands inside the content; the span runs over it
        return [t for t in rest if t.i < verb.left_edge.i] or None
    for child in verb.children:
        if word.xcomp and child.dep_ == "xcomp":
            return list(child.subtree)
        if word.obj and child.dep_ == "dobj":
            return list(child.subtree)
        if word.oprd and child.dep_ == "dobj":
            predicate = [
                c
                for c in verb.children
                if c.i > child.i
                and (c.dep_ == "oprd" or (c.dep_ in ("prep", "advcl") and _starts_with_as(c)))
            ]
            if predicate:
                return list(verb.doc[child.left_edge.i : predicate[0].right_edge.i + 1])
    for child in verb.children:  # "called for new talks"
        if word.obj and child.dep_ == "prep" and child.i == verb.i + 1 and not says_when(child):
            return [t for t in child.subtree if t is not child] or None
    return None


_TIME_WORDS = frozenset(
    {"after", "before", "during", "since", "until", "till", "when", "while", "whenever", "once"}
    | {"amid", "amidst", "following", "throughout"}
)


def says_when(child: Token) -> bool:
    """Whether a verb's dependent says when: "after the meeting", "before he left"."""
    if child.dep_ == "prep":
        return child.lower_ in _TIME_WORDS
    if child.dep_ != "advcl":
        return False
    marks = [g for g in child.children if g.dep_ in ("mark", "advmod") and g.i < child.i]
    return bool(marks) and marks[0].lower_ in _TIME_WORDS


def object_clause(verb: Token) -> list[Token] | None:
    """The clause a cue reports after its object when the parse took it for a relative
    clause of that object: in "he told a meeting of leaders that few people understood ...",
    "that" is a conjunction (the clause has a subject of its own), not a relative pronoun.
    The same after a prepositional phrase: "said in a statement that Kyiv was ready"."""
    for child in verb.children:
        if child.dep_ not in ("dobj", "dative", "prep") or child.i < verb.i:
            continue
        for token in child.subtree:
            if token.dep_ not in ("relcl", "acl"):
                continue
            marks = [c for c in token.children if c.dep_ == "mark" and c.lower_ == "that"]
            if marks and any(c.dep_ in SUBJECTS and c.i > marks[0].i for c in token.children):
                return list(verb.doc[marks[0].i : token.right_edge.i + 1])
    return None


_ASIDE_NOT = frozenset({"ccomp", "xcomp", "prep", "dative", "agent", "attr", "acomp", "oprd"})


def reports_aside(verb: Token) -> bool:
    """Whether a verb tags the clause it hangs on as what was said: "as police have said",
    "As Reuters reported, ..." (an "as" clause with no complement of its own but "it"; "as
    Clinton talked about X" is a time, not a source)."""
    return (
        verb.dep_ == "advcl"
        and any(c.dep_ == "mark" and c.lower_ == "as" for c in verb.children)
        and not any(
            c.dep_ in _ASIDE_NOT or (c.dep_ == "dobj" and c.lower_ != "it") for c in verb.children
        )
    )


def open_question(token: Token) -> bool:
    """Whether a clause opens as a question: whether, if, what, how ..."""
    return token.lower_ in ("whether", "if") or token.tag_ in ("WDT", "WP", "WP$", "WRB")


def _starts_with_as(token: Token) -> bool:
    return token.lower_ == "as" or any(
        c.dep_ == "mark" and c.lower_ == "as" for c in token.children
    )


def bare_participle(token: Token) -> bool:
    """A participle clause without auxiliary ("Asked about ...", "Pressed on ..."): the
    subject it borrows from the main clause is who it happened to, not who did it."""
    return (
        token.tag_ == "VBN"
        and token.dep_ in ("advcl", "acl")
        and not any(c.dep_ in ("aux", "auxpass") for c in token.children)
    )


def quoted_as(token: Token) -> Token | None:
    """For a cue under "as" in a passive frame ("Lavrov was quoted as saying that ...",
    "Peskov was cited as saying ..."), the passive verb whose subject said it; for that
    passive verb itself, the cue under its "as"; else None."""
    if token.dep_ == "pcomp" and token.head.lower_ == "as" and token.head.dep_ == "prep":
        frame = token.head.head
        if any(c.dep_ == "nsubjpass" for c in frame.children) and frame.i != token.i:
            return frame
        return None
    for prep in token.children:
        if prep.dep_ == "prep" and prep.lower_ == "as":
            said = [c for c in prep.children if c.dep_ == "pcomp" and c.pos_ == "VERB"]
            if said and any(c.dep_ == "nsubjpass" for c in token.children):
                return said[0]
    return None
