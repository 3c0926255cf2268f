"""Linking speaker strings and name mentions to the actors of a pack.

A speaker string ("US Defense Secretary Pete Hegseth", "Zelenskiy's", "the Kremlin",
"the defence secretary") links to an actor through its name, an alias or a spelling variant,
or through a role description that the actor held on the statement's date. When a description
fits several actors, the one mentioned most recently in the document wins; when none of them
was mentioned, the speaker stays unknown. In an article, the resolver
(:mod:`stancewatch.attribution.coref`) asks more: the nearest sentence mentioning any of them
must settle which one is meant. The linker never guesses: a wrong attribution is worse than
"speaker unknown".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources

import yaml

from stancewatch.records import Actor, Role

_INDEFINITE = frozenset({"a", "an", "another", "one", "some", "several", "many", "two", "three"})
_ACRONYM = re.compile(r"\b(?:[A-Za-z]\.){2,}")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*(?:['’]s?)?")


@dataclass(frozen=True)
class _NameWords:
    qualifiers: dict[str, str]
    blocking: frozenset[str]
    titles: frozenset[str]
    variants: dict[str, str]
    descriptive: frozenset[str]


@lru_cache(maxsize=1)
def name_words() -> _NameWords:
    raw = yaml.safe_load(
        resources.files("stancewatch.data").joinpath("name_words.yaml").read_text("utf-8")
    )
    return _NameWords(
        qualifiers={str(k): _fold(str(v)) for k, v in raw["qualifiers"].items()},
        blocking=frozenset(raw["blocking"]),
        titles=frozenset(raw["titles"]),
        variants={str(k): str(v) for k, v in raw["spelling_variants"].items()},
        descriptive=frozenset(raw["descriptive"]),
    )


def _fold(text: str) -> str:
    """Lower case without diacritics, one character per input character (offsets survive)."""
    if text.isascii():
        return text.lower()  # what the character-by-character fold gives, at C speed
    return "".join(map(_fold_char, text)).replace("’", "'")


@lru_cache(maxsize=8192)
def _fold_char(ch: str) -> str:
    base = unicodedata.normalize("NFKD", ch)
    base = "".join(c for c in base if not unicodedata.combining(c)) or ch
    if len(base) != 1:
        base = ch
    low = base.lower()
    return low if len(low) == 1 else base


@dataclass(frozen=True)
class _Token:
    norm: str
    capitalised: bool
    possessive: bool


def _tokens(text: str) -> list[_Token]:
    """Normalised words of a name: folded, possessives and initials dropped, variants merged."""
    words = name_words()
    text = _ACRONYM.sub(lambda m: m.group().replace(".", ""), text)
    found = _WORD.findall(text)
    tokens: list[_Token] = []
    for i, word in enumerate(found):
        possessive = word.endswith(("'s", "’s", "'", "’"))
        core = re.sub(r"['’]s?$", "", word) if possessive else word
        norm = _fold(core).replace("'", "")
        if len(norm) == 1 and 0 < i < len(found) - 1 and core.isupper():
            continue  # a middle initial: "Vladimir V. Putin"
        tokens.append(_Token(words.variants.get(norm, norm), core[:1].isupper(), possessive))
    return tokens


def normalize_name(text: str) -> str:
    """The key a name or description is matched by: ``"Zelenskiy’s"`` → ``"zelenskiy"``."""
    return " ".join(t.norm for t in _tokens(text))


class ActorLinker:
    """Links speaker strings and mentions in text to actor ids of a pack."""

    def __init__(self, actors: Sequence[Actor]) -> None:
        self.actors: dict[str, Actor] = {}
        for actor in actors:
            if actor.id in self.actors:
                raise ValueError(f"Actor id {actor.id!r} appears twice; actor ids must be unique.")
            self.actors[actor.id] = actor
        self._names: dict[str, set[str]] = {}
        self._surnames: dict[str, set[str]] = {}
        self._roles: dict[str, list[tuple[str, Role]]] = {}
        self._role_forms: dict[str, list[tuple[str, Role]]] = {}  # folded description forms
        self._forms: dict[str, set[str]] = {}  # folded surface form -> ids, for find_mentions
        for actor in self.actors.values():
            for name in (actor.name, *actor.aliases):
                key = normalize_name(name)
                if key:
                    self._names.setdefault(key, set()).add(actor.id)
                    self._forms.setdefault(_fold(name.strip()), set()).add(actor.id)
            parts = normalize_name(actor.name).split()
            if actor.kind == "person" and len(parts) > 1:
                self._surnames.setdefault(parts[-1], set()).add(actor.id)
            for role in actor.roles:
                for description in (role.title, *role.descriptions):
                    key = normalize_name(description)
                    if key:
                        self._roles.setdefault(key, []).append((actor.id, role))
                        form = _fold(" ".join(description.split()))
                        self._role_forms.setdefault(form, []).append((actor.id, role))
        self._pattern: re.Pattern[str] | None = None
        # description forms held by one actor on a date, and their pattern, per date
        self._descriptions: dict[date | None, tuple[dict[str, str], re.Pattern[str] | None]] = {}
        self._name_tokens = {
            actor.id: {
                t for name in (actor.name, *actor.aliases) for t in normalize_name(name).split()
            }
            for actor in self.actors.values()
        }
        self._surname_forms = {
            surname: next(iter(ids)) for surname, ids in self._surnames.items() if len(ids) == 1
        }

    # ------------------------------------------------------------------ speaker strings
    def link(
        self, speaker: str, when: date | None = None, *, recent: Sequence[str] = ()
    ) -> str | None:
        """The actor id a speaker string refers to, or None when unknown or ambiguous.

        ``recent`` lists actor ids mentioned earlier in the document, most recent last; it
        decides between actors that share a description, and lets a bare surname link to an
        actor whose full name came earlier.
        """
        tokens = _speaker_tokens(speaker)
        if not tokens:
            return None
        found = self._by_name(tokens, recent)
        if found is not None:
            return found
        return self._by_description(tokens, when, recent)

    def _by_name(self, tokens: list[_Token], recent: Sequence[str]) -> str | None:
        words = name_words()
        for i in range(len(tokens)):
            if _blocked(tokens, i, words):
                return None  # the rest of the string is a complement, not the speaker
            suffix = tokens[i:]
            key = " ".join(t.norm for t in suffix)
            ids = self._names.get(key)
            if ids and len(suffix) == 1 and i > 0:
                ids = {a for a in ids if self._may_precede_surname(tokens[i - 1], a)}
            if ids:
                return _choose(ids, recent)
            if len(suffix) == 1 and key in self._surname_forms:
                actor_id = self._surname_forms[key]
                if actor_id in recent and (
                    i == 0 or self._may_precede_surname(tokens[i - 1], actor_id)
                ):  # a bare surname after the full name was used
                    return actor_id
        return None

    def _may_precede_surname(self, token: _Token, actor_id: str) -> bool:
        """Whether ``token`` may stand before a one-word name of ``actor_id``.

        Lower-case words, possessives, titles and the actor's own given names may; any other
        capitalised word makes the name someone else's ("Hunter Biden" is not "Biden").
        """
        words = name_words()
        return (
            not token.capitalised
            or token.possessive
            or token.norm in words.titles
            or token.norm in words.qualifiers
            or token.norm in self._name_tokens[actor_id]
        )

    def _by_description(
        self, tokens: list[_Token], when: date | None, recent: Sequence[str]
    ) -> str | None:
        holders = self._holders(tokens, when)
        return _choose(holders, recent) if holders else None

    def description_holders(self, speaker: str, when: date | None = None) -> set[str]:
        """The actors a speaker string describes by a role they held on ``when`` ("the
        president": every president in the pack); empty when it names someone or fits no
        role. More than one means the description alone does not say who."""
        tokens = _speaker_tokens(speaker)
        if not tokens or self._by_name(tokens, ()) is not None:
            return set()
        return self._holders(tokens, when)

    def _holders(self, tokens: list[_Token], when: date | None) -> set[str]:
        words = name_words()
        norms = [t.norm for t in tokens]
        # the words as written, then without the qualifier of a country ("US defense
        # secretary"); each as written first, then without words that only describe the
        # holder ("the veteran foreign minister", "the embattled US defense secretary")
        plain = _undescribed(norms, words)
        forms: list[tuple[str | None, list[str]]] = [(None, norms)]
        for size in (1, 2):  # "US defense secretary", "u s defense secretary"
            qualifier = " ".join(plain[:size])
            if len(plain) > size and qualifier in words.qualifiers:
                forms.append((words.qualifiers[qualifier], plain[size:]))
        candidates = [(country, " ".join(f)) for country, f in forms]
        candidates += [
            (country, " ".join(_undescribed(f, words)))
            for country, f in forms
            if _undescribed(f, words) != f
        ]
        for country, key in candidates:
            holders = {
                actor_id
                for actor_id, role in self._roles.get(key, ())
                if role.valid_on(when) and (country is None or self._affiliated(actor_id, country))
            }
            if holders:
                return holders
        return set()

    def _affiliated(self, actor_id: str, country: str) -> bool:
        affiliation = self.actors[actor_id].affiliation
        return affiliation is not None and _fold(affiliation) == country

    # ------------------------------------------------------------------ mentions in text
    def find_mentions(self, text: str, when: date | None = None) -> list[tuple[int, int, str]]:
        """(start, end, actor id) of every name or alias mention in ``text``, in order.

        Matching ignores case and diacritics but wants a capital letter where the mention
        starts ("Trump", not "trump card"); the longest form wins. A bare surname counts once
        the actor's full name or an alias was mentioned before it; a definite role description
        ("the defence secretary") counts when exactly one actor held it on ``when``.
        """
        pattern = self._compiled()
        if pattern is None:
            return []
        folded = _fold(text)
        mentions: list[tuple[int, int, str]] = []
        seen: set[str] = set()
        for match in pattern.finditer(folded):
            start, end = match.span()
            if not any(ch.isupper() for ch in text[start:end]):
                continue  # names are capitalised: "Trump", not "trump card"
            form = re.sub(r"\s+", " ", match.group())
            ids = self._forms.get(form)
            if ids is None:  # a surname form
                actor_id = self._surname_forms.get(normalize_name(form))
                if actor_id is None or actor_id not in seen:
                    continue
                ids = {actor_id}
            if len(ids) == 1:
                actor_id = next(iter(ids))
                seen.add(actor_id)
                mentions.append((start, end, actor_id))
        mentions.extend(self._description_mentions(text, folded, when, mentions))
        return sorted(mentions)

    def _compiled(self) -> re.Pattern[str] | None:
        if self._pattern is None:
            forms = set(self._forms)
            forms.update(self._surname_forms)
            if not forms:
                return None
            alternatives = sorted(forms, key=len, reverse=True)
            body = "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in alternatives)
            self._pattern = re.compile(rf"(?<!\w)(?:{body})(?!\w)")
        return self._pattern

    def _descriptions_on(self, when: date | None) -> tuple[dict[str, str], re.Pattern[str] | None]:
        """The description forms only one actor holds on ``when`` (form → actor id) and the
        pattern that finds them after "the"; built once per date."""
        known = self._descriptions.get(when)
        if known is not None:
            return known
        unique: dict[str, str] = {}
        for key, holders in self._role_forms.items():
            valid = {actor_id for actor_id, role in holders if role.valid_on(when)}
            if len(valid) == 1:
                unique[key] = next(iter(valid))
        pattern = None
        if unique:
            body = "|".join(
                re.escape(k).replace(r"\ ", r"\s+") for k in sorted(unique, key=len, reverse=True)
            )
            pattern = re.compile(rf"(?<!\w)the\s+({body})(?!\w)(?!\s+(?:of|for)\b)")
        if len(self._descriptions) >= 4096:  # a corpus spans a few thousand dates at most
            self._descriptions.clear()
        self._descriptions[when] = (unique, pattern)
        return unique, pattern

    def _description_mentions(
        self,
        text: str,
        folded: str,
        when: date | None,
        names: Iterable[tuple[int, int, str]],
    ) -> list[tuple[int, int, str]]:
        unique, pattern = self._descriptions_on(when)
        if pattern is None:
            return []
        taken = [(s, e) for s, e, _ in names]
        found = []
        for match in pattern.finditer(folded):
            start, end = match.span(1)
            if any(s < end and start < e for s, e in taken):
                continue
            found.append((start, end, unique[re.sub(r"\s+", " ", match.group(1))]))
        return found


def _blocked(tokens: Sequence[_Token], end: int, words: _NameWords) -> bool:
    """Whether the words before ``tokens[end]`` make what follows a complement ("the wife of
    X") rather than part of a title ("Secretary of State X": "of" between two title words
    does not block)."""
    for j, token in enumerate(tokens[:end]):
        if token.norm not in words.blocking:
            continue
        inside_title = (
            token.norm == "of"
            and 0 < j < len(tokens) - 1
            and tokens[j - 1].norm in words.titles
            and tokens[j + 1].norm in words.titles
        )
        if not inside_title:
            return True
    return False


def _undescribed(norms: list[str], words: _NameWords) -> list[str]:
    """``norms`` without the leading words that only describe a role's holder."""
    start = 0
    while start < len(norms) - 1 and norms[start] in words.descriptive:
        start += 1
    return norms[start:]


def _speaker_tokens(speaker: str) -> list[_Token]:
    """The words of a speaker string that can name someone: none for an indefinite one ("a
    diplomat", "two officials"), and without a leading "the"."""
    tokens = _tokens(speaker)
    if not tokens or tokens[0].norm in _INDEFINITE:
        return []
    return tokens[1:] if tokens[0].norm == "the" else tokens


def _choose(ids: set[str], recent: Sequence[str]) -> str | None:
    """The only id, or the most recently mentioned of several; None when that cannot decide."""
    if len(ids) == 1:
        return next(iter(ids))
    for actor_id in reversed(recent):
        if actor_id in ids:
            return actor_id
    return None
