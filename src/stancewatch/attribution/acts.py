"""Acts stated in news text: a known actor as the subject of a voting or deciding verb.

"The United States voted against the resolution", "Washington paused intelligence sharing":
each becomes a :class:`~stancewatch.records.Statement` of kind ``act``, with the clause as
its content, the subject as its speaker and the verb as its cue, every one with character
offsets into the document, so that stance coding, alignment, echo chains, the review app and
the exports treat it like a statement while labelling it as an act.

The verbs and what blocks them live in ``data/act_verbs.yaml``. A verb states an act only
when all of these hold:

- it is a verb in the past, perfect or present (``voted``, ``has paused``, ``pauses``), not
  under a modal or future (``would vote``), not negated (``did not vote``), not inside a
  condition (``if Washington pauses aid``), not the complement of an intention, threat or
  plan (``threatened to cut aid``), not in a question;
- it is not the content of reported speech (``Trump said the US paused aid`` is Trump's
  statement, attributed as such), and it lies outside every quotation;
- its subject, or the agent of a passive (``aid was paused by Washington``), links to a pack
  actor; a subject that links to nobody gives no act;
- when the verb's entry names ``objects`` (``pause``: aid, intelligence...), one of them
  occurs in what the verb governs, else the entry's ``otherwise`` kind applies (or none).

Pure: reads the parsed ``Doc`` and the packaged word list only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

import yaml

from stancewatch.attribution.cues import lexicon
from stancewatch.records import Statement, stable_id

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from stancewatch.attribution.actors import ActorLinker

METHOD = "acts.verbs.v1"
CONFIDENCE = 0.7
_FINITE = {"VBD", "VBZ", "VBP"}
_SUBJECTS = ("nsubj",)
_QUOTES = '"“”«»„'


@dataclass(frozen=True)
class ActVerb:
    kind: str
    objects: frozenset[str] = frozenset()
    otherwise: str | None = None


@dataclass(frozen=True)
class ActWords:
    verbs: dict[str, ActVerb]
    modals: frozenset[str]
    conditions: frozenset[str]
    intentions: frozenset[str]


@lru_cache(maxsize=1)
def act_words() -> ActWords:
    """The act verbs and blockers, loaded once from ``data/act_verbs.yaml``."""
    raw = yaml.safe_load(
        resources.files("stancewatch.data").joinpath("act_verbs.yaml").read_text("utf-8")
    )
    verbs = {}
    for lemma, entry in raw["verbs"].items():
        if not isinstance(entry, dict) or "kind" not in entry:
            raise ValueError(f"act_verbs.yaml: verbs.{lemma}: expected a mapping with a kind")
        verbs[str(lemma)] = ActVerb(
            kind=str(entry["kind"]),
            objects=frozenset(str(w).lower() for w in entry.get("objects") or ()),
            otherwise=entry.get("otherwise"),
        )
    return ActWords(
        verbs=verbs,
        modals=frozenset(str(w).lower() for w in raw["modals"]),
        conditions=frozenset(str(w).lower() for w in raw["conditions"]),
        intentions=frozenset(str(w).lower() for w in raw["intentions"]),
    )


def _kind(token: Token, words: ActWords) -> str | None:
    entry = words.verbs.get(token.lemma_.lower())
    if entry is None:
        return None
    if not entry.objects:
        return entry.kind
    governed = {
        t.lower_
        for child in token.children
        if child.dep_ not in ("nsubj", "nsubjpass", "agent", "conj", "cc", "punct", "aux")
        for t in child.subtree
    }
    return entry.kind if governed & entry.objects else entry.otherwise


def _tense_ok(token: Token, words: ActWords) -> bool:
    aux = [c for c in token.children if c.dep_ in ("aux", "auxpass")]
    if any(a.lower_ in words.modals for a in aux):
        return False
    if any(a.lower_ == "going" for a in aux):  # "is going to vote"
        return False
    lemmas = {a.lemma_.lower() for a in aux}
    if token.tag_ in _FINITE:
        return True
    if token.tag_ == "VBN":
        return bool(lemmas & {"have", "be"})  # perfect or passive
    if token.tag_ == "VBG":
        return "be" in lemmas  # progressive: "is pausing"
    if token.tag_ == "VB":
        return "do" in lemmas  # emphatic past: "did vote"
    return False


def _blocked(token: Token, words: ActWords, quoted: set[int]) -> bool:
    if token.i in quoted:
        return True
    if any(c.dep_ == "neg" for c in token.children):
        return True
    if any(c.dep_ == "mark" and c.lower_ in words.conditions for c in token.children):
        return True
    sentence = token.sent
    if sentence.text.rstrip().endswith("?"):
        return True
    reporting = lexicon().verbs
    node = token
    while node.dep_ == "conj" and node.head.i != node.i:  # "voted ... and paused": the first verb
        node = node.head
    if node.dep_ in ("xcomp", "csubj", "acl", "relcl", "amod", "pcomp"):
        return True
    if node.dep_ == "advcl" and any(c.dep_ == "mark" for c in node.children):
        return True
    for ancestor in node.ancestors:
        lemma = ancestor.lemma_.lower()
        if lemma in words.intentions or lemma in reporting:
            return True
        if any(c.dep_ == "neg" for c in ancestor.children) and ancestor.pos_ == "VERB":
            return True
    return False


def _subject(token: Token) -> Token | None:
    """The verb's subject, the agent of a passive, or a coordinated verb's shared subject."""
    node = token
    while True:
        for child in node.children:
            if child.dep_ in _SUBJECTS:
                return child
        for child in node.children:
            if child.dep_ == "agent":
                objects = [c for c in child.children if c.dep_ == "pobj"]
                if objects:
                    return objects[0]
        if node.dep_ == "conj" and node.head.i != node.i and node.head.pos_ in ("VERB", "AUX"):
            node = node.head
            continue
        return None


def _subject_span(subject: Token) -> tuple[int, int]:
    """The subject phrase without appositions or relative clauses after the head."""
    keep = [t for t in subject.subtree if t.i <= subject.i or t.dep_ in ("compound", "flat")]
    start = min(t.idx for t in keep)
    end = max(t.idx + len(t.text) for t in keep)
    return start, end


def _clause_end(token: Token) -> int:
    """The end of the verb's own clause: its dependents, less coordinated verbs after it."""
    end = token.idx + len(token.text)
    for child in token.children:
        if child.i < token.i or child.dep_ in ("punct", "cc"):
            continue
        if child.dep_ == "conj" and child.pos_ in ("VERB", "AUX"):
            continue
        if child.dep_ in ("ccomp", "advcl", "parataxis"):
            continue
        right = max(t.idx + len(t.text) for t in child.subtree)
        end = max(end, right)
    return end


def _quoted(doc: Doc) -> set[int]:
    """Token indexes inside quotation marks (straight or curly)."""
    inside: set[int] = set()
    for sentence in doc.sents:
        open_ = False
        for t in sentence:
            if t.text in _QUOTES or t.text in ("'", "‘", "’") and t.is_quote:
                open_ = not open_
                continue
            if open_:
                inside.add(t.i)
    return inside


def extract_acts(
    doc: Doc,
    *,
    document_id: str,
    linker: ActorLinker | None,
    when: date | None = None,
    outside: list[tuple[int, int]] | None = None,
) -> list[Statement]:
    """Acts stated in a parsed document, as statements of kind ``act``, by offset.

    ``linker`` links subjects to pack actors (without it there are no acts); ``when`` is the
    document's date, which the acts take; ``outside`` lists character spans (the content of
    attributed statements) an act must not lie inside.
    """
    if linker is None or len(doc) == 0:
        return []
    words = act_words()
    quoted = _quoted(doc)
    spans = outside or []
    text = doc.text  # joined from the tokens on every access: read it once
    found: list[Statement] = []
    for token in doc:
        if token.pos_ not in ("VERB",) or token.lemma_.lower() not in words.verbs:
            continue
        kind = _kind(token, words)
        if kind is None or not _tense_ok(token, words) or _blocked(token, words, quoted):
            continue
        subject = _subject(token)
        if subject is None or subject.pos_ == "PRON":
            continue
        s_start, s_end = _subject_span(subject)
        name = text[s_start:s_end]
        actor = linker.link(name, when)
        if actor is None:
            continue
        # A coordinated verb shares its subject ("has said ... and voted with Russia"): the
        # act's content is its own clause, the subject keeps its offsets.
        own_subject = subject.head.i == token.i or (
            subject.dep_ == "pobj" and subject.head.head.i == token.i
        )
        start = min(
            [s_start if own_subject else token.idx, token.idx]
            + [
                min(t.idx for t in c.subtree)
                for c in token.children
                if c.dep_ in ("nsubjpass", "aux", "auxpass") and c.i < token.i
            ]
        )
        end = _clause_end(token)
        while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:-–—"):
            end -= 1
        if any(a <= start and end <= b for a, b in spans):
            continue
        found.append(
            _statement(doc, document_id, token, kind, actor, when, start, end, s_start, s_end)
        )
    return found


def _statement(
    doc: Doc,
    document_id: str,
    token: Token,
    kind: str,
    actor: str,
    when: date | None,
    start: int,
    end: int,
    s_start: int,
    s_end: int,
) -> Statement:
    text = doc.text
    return Statement(
        id=stable_id(document_id, "act", start, end),
        document_id=document_id,
        kind="act",
        content=text[start:end],
        content_start=start,
        content_end=end,
        speaker=text[s_start:s_end],
        speaker_start=s_start,
        speaker_end=s_end,
        cue=token.text,
        cue_start=token.idx,
        cue_end=token.idx + len(token.text),
        actor=actor,
        date=when,
        confidence=CONFIDENCE,
        method=METHOD,
    )
