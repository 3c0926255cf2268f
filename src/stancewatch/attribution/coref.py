"""Resolving speakers that are pronouns or descriptions to actors mentioned earlier.

Used by :mod:`stancewatch.attribution.attribute`. A pronoun ("he", "she", "it") resolves to the most
recent compatible mention: named actors (with the gender their pack entry gives), PERSON and
ORG entities spaCy found, and earlier speakers. When the nearest sentence that holds a
compatible mention holds several different ones, the speaker stays unknown unless exactly one
of them spoke there ("Peskov said Putin was ready. He added ..."): "Trump met Zelensky. He
said ..." names no one, whatever the grammar of the first sentence. A description ("the defence secretary") goes to the linker with the
actors mentioned so far, most recent last. An age ("the 78-year-old") resolves to the one
person the document gave that age before ("Donald Trump, 78, said ..."), else, at the
document's date, to the one person of that age by the pack's birth dates among those
mentioned in the last sentences that mention people ("the 47-year-old president": among the
holders of the description); anyone there whose age is not known leaves it unknown.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Literal

import yaml

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

    from stancewatch.attribution.actors import ActorLinker

Gender = Literal["male", "female"]
_LOOKBACK_SENTENCES = 3
# "the 78-year-old", "the 47-year-old president": an age, and what else the epithet says
_AGE_EPITHET = re.compile(r"^(?:the\s+)?(\d{1,3})-year-old(?:\s+(\S.*))?$", re.IGNORECASE)


@dataclass(frozen=True)
class Pronouns:
    """The packaged pronoun lists (``data/pronouns.yaml``)."""

    person: dict[str, Gender]
    neuter: frozenset[str]
    other: frozenset[str]
    gendered_titles: dict[str, Gender]


@lru_cache(maxsize=1)
def pronouns() -> Pronouns:
    raw = yaml.safe_load(
        resources.files("stancewatch.data").joinpath("pronouns.yaml").read_text("utf-8")
    )
    lists = raw["pronouns"]
    person: dict[str, Gender] = {w: "male" for w in lists["male"]}
    person.update({w: "female" for w in lists["female"]})
    other = frozenset(lists["plural"]) | frozenset(lists["first"]) | frozenset(lists["second"])
    return Pronouns(person, frozenset(lists["neuter"]), other, dict(raw["gendered_titles"]))


@dataclass(frozen=True)
class Mention:
    """Something a pronoun may refer to."""

    start: int
    end: int
    sentence: int
    key: str  # actor id when linked, else the lower-cased last word of the name
    actor: str | None
    kind: Literal["person", "institution"]
    gender: Gender | None
    subject: bool
    speaker: bool = False  # the speaker of a statement


class Resolver:
    """Mentions of one document, in order, and the resolution of speakers against them."""

    def __init__(
        self,
        doc: Doc,
        linker: ActorLinker | None,
        when: date | None,
        quote_of: list[int],
        text: str | None = None,
    ) -> None:
        self.doc = doc
        self.linker = linker
        self.when = when
        self.quote_of = quote_of
        self.words = pronouns()
        self.mentions: list[Mention] = []
        if linker is not None:
            found = linker.find_mentions(doc.text if text is None else text, when)
            for start, end, actor_id in found:
                actor = linker.actors[actor_id]
                self._add(start, end, actor_id, actor_id, actor.kind, actor.gender, None)
        taken = [(m.start, m.end) for m in self.mentions]
        for ent in doc.ents:
            if ent.label_ not in ("PERSON", "ORG"):
                continue
            if any(s < ent.end_char and ent.start_char < e for s, e in taken):
                continue
            kind: Literal["person", "institution"] = (
                "person" if ent.label_ == "PERSON" else "institution"
            )
            gender = self._title_gender(ent.start - 1) if kind == "person" else None
            self._add(ent.start_char, ent.end_char, None, _key(ent), kind, gender, ent.root.dep_)
        self.mentions.sort(key=lambda m: m.start)

    def _title_gender(self, i: int) -> Gender | None:
        if i < 0:
            return None
        return self.words.gendered_titles.get(self.doc[i].lower_.rstrip("."))

    def _add(
        self,
        start: int,
        end: int,
        actor: str | None,
        key: str,
        kind: Literal["person", "institution"],
        gender: Gender | None,
        dep: str | None,
        subject: bool = False,
        speaker: bool = False,
    ) -> None:
        span = self.doc.char_span(start, end, alignment_mode="expand")
        if span is None or len(span) == 0 or self.quote_of[span.start] >= 0:
            return
        if dep is None:
            dep = span.root.dep_
        mention = Mention(
            start,
            end,
            self.doc[span.start].sent.start,
            key,
            actor,
            kind,
            gender,
            subject or dep in ("nsubj", "nsubjpass") or _conjoined_subject(span.root),
            speaker,
        )
        bisect.insort(self.mentions, mention, key=lambda m: m.start)

    def recent(self, before: int) -> list[str]:
        """Actor ids mentioned before a character offset, each once, most recent last."""
        order: dict[str, None] = {}
        for m in self.mentions:
            if m.start >= before:
                break
            if m.actor is not None:
                order.pop(m.actor, None)
                order[m.actor] = None
        return list(order)

    def resolve(self, speaker: Span) -> str | None:
        """The actor id a speaker span refers to, or None; the speaker becomes a mention."""
        root = speaker.root
        word = root.lower_
        age = _AGE_EPITHET.match(speaker.text)
        if age is not None:
            return self._aged(speaker, age.group(1), age.group(2))
        if len(speaker) == 1 and root.pos_ == "PRON":
            if word in self.words.person:
                return self._pronoun(speaker, "person", self.words.person[word])
            if word in self.words.neuter:
                return self._pronoun(speaker, "institution", None)
            return None
        actor = None
        if self.linker is not None:
            actor = self.linker.link(
                speaker.text, self.when, recent=self.recent(speaker.start_char)
            )
            if actor is not None:
                holders = self.linker.description_holders(speaker.text, self.when)
                if len(holders) > 1:
                    # the one the sentence settles, not the linker's most recent holder:
                    # "Trump, who blamed Zelensky, said ... “...,” the president said" is
                    # Trump; "Trump met Zelensky. The president said ..." either one
                    actor = self._described(speaker, holders)
        self._register(speaker, actor)
        return actor

    def _described(self, speaker: Span, holders: set[str]) -> str | None:
        """Which of the actors a description fits it means: the one the nearest sentence
        before ``speaker`` that mentions any of them settles, as for pronouns
        (:func:`_settled`); None when it does not."""
        before = [m for m in self.mentions if m.start < speaker.start_char and m.actor in holders]
        if not before:
            return None
        nearest = max(m.sentence for m in before)
        there = [m for m in before if m.sentence == nearest]
        settled = _settled(there, lambda m: m.actor)
        return None if settled is None else settled.actor

    def _aged(self, speaker: Span, age: str, described: str | None) -> str | None:
        """The actor an age epithet refers to: the one person given that age earlier in the
        document, as "Name, 78," or "78-year-old Name"; when there is none, the one the
        pack's birth dates give that age (:meth:`_of_age`); None when neither settles it."""
        people: dict[str, Mention] = {}
        for m in self.mentions:
            if m.start >= speaker.start_char or m.kind != "person":
                continue
            after = self.doc.text[m.end : m.end + 6]
            before = self.doc.text[max(0, m.start - 14) : m.start]
            if re.match(rf",\s*{age}\s*,", after) or re.search(
                rf"\b{age}-year-old\s+$", before, re.IGNORECASE
            ):
                people[m.key] = m
        if len(people) > 1:
            return None
        if people:
            return self._refers_to(speaker, next(iter(people.values())), "person", None)
        return self._of_age(speaker, int(age), described)

    def _of_age(self, speaker: Span, years: int, described: str | None) -> str | None:
        """The pack actor who is ``years`` old at the document's date, among the holders of
        ``described`` ("president") when the pack knows it, else among the people mentioned
        in the last sentences that mention people; None unless exactly one fits and no one
        there is of unknown age."""
        if self.linker is None or self.when is None:
            return None
        when = self.when
        holders = (
            self.linker.description_holders(described, when) if described is not None else set()
        )
        before = [m for m in self.mentions if m.start < speaker.start_char and m.kind == "person"]
        if holders:
            there = [m for m in before if m.actor in holders]
        else:
            recent = sorted({m.sentence for m in before}, reverse=True)[:_LOOKBACK_SENTENCES]
            there = [m for m in before if m.sentence in recent]
        ages = {
            m.key: self.linker.actors[m.actor].age(when) if m.actor is not None else None
            for m in there
        }
        if None in ages.values():
            return None  # someone there the pack cannot age
        fits = {key for key, age in ages.items() if age == years}
        if holders and not fits:
            # a holder of the description not mentioned yet: "the 47-year-old president"
            held = {h: self.linker.actors[h].age(when) for h in holders}
            unnamed = {h for h, age in held.items() if age == years}
            if len(unnamed) == 1 and None not in held.values():
                actor = next(iter(unnamed))
                self._register(speaker, actor)
                return actor
        if len(fits) != 1:
            return None
        key = next(iter(fits))
        chosen = next(m for m in reversed(there) if m.key == key)
        return self._refers_to(speaker, chosen, "person", None)

    def _register(self, speaker: Span, actor: str | None) -> None:
        start, end = speaker.start_char, speaker.end_char
        overlapping = [i for i, m in enumerate(self.mentions) if m.start < end and start < m.end]
        if overlapping:
            for i in overlapping:  # the mention of an actor or an entity that spoke
                self.mentions[i] = replace(self.mentions[i], subject=True, speaker=True)
            return
        if actor is not None and self.linker is not None:
            linked = self.linker.actors[actor]
            self._add(
                start,
                end,
                actor,
                actor,
                linked.kind,
                linked.gender,
                None,
                subject=True,
                speaker=True,
            )
        elif speaker.root.ent_type_ == "PERSON":
            gender = self._title_gender(speaker.root.i - 1)
            self._add(
                start, end, None, _key(speaker), "person", gender, None, subject=True, speaker=True
            )

    def _pronoun(
        self, speaker: Span, kind: Literal["person", "institution"], gender: Gender | None
    ) -> str | None:
        sent_start = speaker.sent.start
        starts = sorted({m.sentence for m in self.mentions if m.start < speaker.start_char})
        candidates_by_sent = [s for s in starts if s <= sent_start][::-1][:_LOOKBACK_SENTENCES]
        chosen: Mention | None = None
        for sentence in candidates_by_sent:
            compatible = [
                m
                for m in self.mentions
                if m.sentence == sentence
                and m.start < speaker.start_char
                and m.kind == kind
                and (gender is None or m.gender in (None, gender))
            ]
            if not compatible:
                continue
            chosen = _settled(compatible, lambda m: m.key)
            break
        if chosen is None:
            return None
        return self._refers_to(speaker, chosen, kind, gender)

    def _refers_to(
        self,
        speaker: Span,
        chosen: Mention,
        kind: Literal["person", "institution"],
        gender: Gender | None,
    ) -> str | None:
        """A pronoun or epithet speaker resolved to ``chosen``: it becomes a mention of the
        same one, who spoke here; the actor id, or None for an entity outside the pack."""
        self._add(
            speaker.start_char,
            speaker.end_char,
            chosen.actor,
            chosen.key,
            kind,
            gender or chosen.gender,
            None,
            subject=True,
            speaker=True,
        )
        return chosen.actor


def _settled(there: list[Mention], key: Callable[[Mention], str | None]) -> Mention | None:
    """Which of one sentence's candidate mentions a pronoun or description means: the only
    one (by ``key``), or, of several, the only one that spoke there; None when that does not
    decide ("Trump met Zelensky. He said ...")."""
    keys = {key(m) for m in there}
    if len(keys) > 1:
        keys = {key(m) for m in there if m.speaker}
    if len(keys) != 1:
        return None
    only = next(iter(keys))
    return next(m for m in reversed(there) if key(m) == only)


def _conjoined_subject(token: Token) -> bool:
    """Whether a token is part of a coordinated subject ("Trump and Putin said")."""
    while token.dep_ == "conj" and token.head is not token:
        token = token.head
    return token.dep_ in ("nsubj", "nsubjpass")


def _key(span: Span) -> str:
    words = [t.lower_ for t in span if t.is_alpha]
    return "name:" + (words[-1] if words else span.text.lower())
