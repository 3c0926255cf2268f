"""New actor candidates: named speakers that no pack actor matched.

Attribution keeps every speaker it finds; those with ``actor=None`` whose speaker phrase ends
in a personal name of two or more capitalised words ("longtime pollster Pat Caddell" → "Pat
Caddell") are candidates a user may accept into a pack. Pronouns, descriptions ("a senior
official") and one-word names stay out: a one-word name is too often someone else's.
Pure functions: the store supplies the statements, the CLI writes the pack file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from stancewatch.attribution.actors import name_words, normalize_name
from stancewatch.errors import InvalidValueError

_WORD = re.compile(r"[^\W\d_]+(?:[-'’.][^\W\d_]+)*\.?")
_MIN_WORDS = 2


@dataclass(frozen=True)
class Candidate:
    """A named speaker not in the pack: the name, how often it spoke, and where."""

    name: str
    mentions: int
    documents: tuple[str, ...]


def candidate_name(speaker: str | None) -> str | None:
    """The personal name a speaker phrase ends with, or None when it names nobody new."""
    if not speaker:
        return None
    words = _WORD.findall(speaker.split(",")[0])
    titles = name_words().titles | {"the", "a", "an", "longtime", "former"}
    name: list[str] = []
    for word in reversed(words):
        core = re.sub(r"['’]s?$", "", word)
        if (
            not core[:1].isupper()
            or core.lower().rstrip(".") in titles
            or (core.isupper() and len(core.rstrip(".")) > 1)
        ):
            break
        name.insert(0, core)
    if len(name) < _MIN_WORDS or any(len(w.rstrip(".")) < 2 for w in (name[0], name[-1])):
        return None
    return " ".join(name)


def actor_candidates(
    statements: Iterable[tuple[str | None, str | None, str]], *, min_mentions: int = 1
) -> list[Candidate]:
    """Candidates from (speaker, actor, document id) triples, most mentioned first."""
    names: dict[str, str] = {}
    mentions: dict[str, int] = {}
    documents: dict[str, set[str]] = {}
    for speaker, actor, document in statements:
        if actor is not None:
            continue
        name = candidate_name(speaker)
        if name is None:
            continue
        key = normalize_name(name)
        names.setdefault(key, name)
        mentions[key] = mentions.get(key, 0) + 1
        documents.setdefault(key, set()).add(document)
    found = [
        Candidate(names[k], mentions[k], tuple(sorted(documents[k])))
        for k in names
        if mentions[k] >= min_mentions
    ]
    return sorted(found, key=lambda c: (-c.mentions, c.name))


def actor_id(name: str, taken: Sequence[str]) -> str:
    """A new actor id for a name: its surname, lower case, numbered when already taken."""
    words = normalize_name(name).split()
    base = re.sub(r"[^a-z0-9]+", "-", words[-1] if words else name.lower()).strip("-") or "actor"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def actor_entry(name: str, taken: Sequence[str]) -> tuple[str, str]:
    """The id and the ``actors.yaml`` list entry (YAML text) that accept a candidate."""
    if candidate_name(name) is None:
        raise InvalidValueError(
            f"{name!r} is not a personal name of two or more capitalised words "
            "(for example 'Pat Caddell'); write other actors into actors.yaml by hand."
        )
    new_id = actor_id(name, taken)
    quoted = name.replace('"', '\\"')
    return new_id, f'  - id: {new_id}\n    name: "{quoted}"\n    kind: person\n'
