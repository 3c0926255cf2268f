"""The word lists for numeric claims, loaded once from ``stancewatch/data/units.yaml``.

:func:`lexicon` returns a :class:`Lexicon` whose lists are tokenised the way
:mod:`stancewatch.claims.quantities` tokenises text, so that multi-word entries ("per cent",
"in favour") match word by word. :func:`find_places` finds the place names of the ``places``
list in a text ("the United States" → ``united-states``); :func:`vote_side` reads the side of
a vote a measure names ("votes in favour"). Only data lives in the YAML file; the
grammar that uses it lives in :mod:`stancewatch.claims.quantities`,
:mod:`stancewatch.claims.extract` (with :mod:`stancewatch.claims.subjects`,
:mod:`stancewatch.claims.measures` and :mod:`stancewatch.claims.syntax`) and
:mod:`stancewatch.claims.figures`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, NamedTuple

import yaml

__all__ = [
    "Lexicon",
    "Tok",
    "Phrases",
    "lexicon",
    "tokenize",
    "phrases",
    "alternation",
    "find_places",
    "vote_side",
    "stem",
]

_TOKEN = re.compile(r"[0-9]+(?:[.,][0-9]+)*|[^\W\d_]+|\S")
_PLAIN_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?|[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")


class Tok(NamedTuple):
    """One token of a text, with its character offsets."""

    text: str
    low: str
    start: int
    end: int
    kind: str  # "num" (a well-formed number), "badnum", "word" or "sym"


Phrases = dict[tuple[str, ...], Any]


def tokenize(text: str) -> list[Tok]:
    """Numbers ("1,000.5"), words and single symbols, in order."""
    tokens = []
    for m in _TOKEN.finditer(text):
        s = m.group()
        if s[0].isdigit():
            kind = "num" if _PLAIN_NUMBER.fullmatch(s) else "badnum"
        else:
            kind = "word" if s[0].isalpha() else "sym"
        tokens.append(Tok(s, s.lower(), m.start(), m.end(), kind))
    return tokens


def phrases(entries: Any, value: Any = True) -> Phrases:
    """Word lists as token tuples; a mapping keeps its values, a list maps to ``value``."""
    items = entries.items() if isinstance(entries, dict) else ((e, value) for e in entries)
    return {tuple(t.low for t in tokenize(str(k))): v for k, v in items}


def _by_label(groups: dict[str, list[str]]) -> Phrases:
    out: Phrases = {}
    for label, words in groups.items():
        out.update(phrases(words, label))
    return out


@dataclass(frozen=True)
class Lexicon:
    """The word lists of ``units.yaml``, tokenised for matching."""

    raw: dict[str, Any]
    small: dict[str, int]
    multipliers: dict[str, int]
    scale_words: dict[str, float]
    scale_abbrevs: dict[str, float]
    scale_attached: dict[str, float]
    scale_attached_money: dict[str, float]
    fractions: dict[str, int]
    percent: Phrases
    points: Phrases
    bare_points: frozenset[str]
    basis_points: Phrases
    prefixes: list[tuple[str, str]]
    symbols: dict[str, str]
    suffixes: Phrases
    approximators: Phrases
    approximator_suffixes: Phrases
    comparisons: frozenset[str]
    multiple_words: dict[str, float]
    multiple_verbs: dict[str, float]
    fold: dict[str, float]
    time_suffixes: Phrases
    time_units: frozenset[str]
    compound_keep: frozenset[str]
    comparatives: dict[str, str]  # word → "more" or "less"
    temporal_words: frozenset[str]
    places: dict[str, str]  # name as written → place key
    subject_pronouns: frozenset[str]
    references: frozenset[str]
    dotted_references: frozenset[str]
    blocked: re.Pattern[str]


def _check_words(d: Any, path: str = "units.yaml") -> None:
    """Refuse list entries YAML read as something other than a word (``no`` → False)."""
    if isinstance(d, dict):
        for key, value in d.items():
            _check_words(value, f"{path}:{key}")
    elif isinstance(d, list):
        for item in d:
            if isinstance(item, bool) or item is None:
                raise ValueError(
                    f"{path} has the entry {item!r}, which YAML read from an unquoted word such "
                    'as no, yes, on or off; quote it ("no") so it stays a word.'
                )


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """Load ``stancewatch/data/units.yaml`` once per process."""
    text = resources.files("stancewatch").joinpath("data/units.yaml").read_text("utf-8")
    d = yaml.safe_load(text)
    _check_words(d)
    nw, sc, cur, dates = d["number_words"], d["scales"], d["currencies"], d["dates"]
    months = "|".join(sorted(dates["months"], key=len, reverse=True))
    day = r"\d{1,2}(?:st|nd|rd|th)?"
    yr = r"(?:,?\s+\d{4}\b)?"
    blocked = re.compile(
        rf"\b(?:{months})\b\.?\s+{day}\b(?:\s*[-–—]\s*{day}\b)?{yr}"  # Feb. 12, 2025
        rf"|\b{day}(?:\s*(?:[-–—]|to|and)\s*{day})?\s+(?:of\s+)?(?:{months})\b\.?{yr}"  # 4–9 Feb
        r"|\b\d{1,4}([./-])\d{1,2}\1\d{1,4}\b"  # 12/02/2025, 2025-02-12
        r"|\b(?:19|20)\d{2}[-–/]\d{2}\b"  # 2016-17, 2022/23
        r"|\b(?P<even>\d{1,3})[-/](?P=even)\b"  # 50-50
        r"|\b\d{1,2}:\d{2}\b"  # 10:30
        r"|\+\d[\d\s().-]{6,}\d|\(?\b\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b"  # phone numbers
    )
    refs = [str(w).lower() for w in d["reference_words"]]
    return Lexicon(
        raw=d,
        small={**nw["units"], **nw["tens"]},
        multipliers=nw["multipliers"],
        scale_words={k: float(v) for k, v in sc["words"].items()},
        scale_abbrevs={k: float(v) for k, v in sc["abbreviations"].items()},
        scale_attached={k: float(v) for k, v in sc["attached"].items()},
        scale_attached_money={k: float(v) for k, v in sc["attached_money"].items()},
        fractions=d["fractions"],
        percent=phrases(d["percent"]["symbols"] + d["percent"]["words"]),
        points=phrases(d["percentage_point"]["words"]),
        bare_points=frozenset(d["percentage_point"]["bare"]),
        basis_points=phrases(d["percentage_point"]["basis_points"]),
        prefixes=sorted(cur["prefixes"].items(), key=lambda kv: -len(kv[0])),
        symbols={p: c for p, c in cur["prefixes"].items() if not any(ch.isalnum() for ch in p)},
        suffixes=phrases(cur["suffixes"]),
        approximators=_by_label(d["approximators"]),
        approximator_suffixes=_by_label(d["approximator_suffixes"]),
        comparisons=frozenset(d["multiples"]["comparison_words"]),
        multiple_words={k: float(v) for k, v in d["multiples"]["words"].items()},
        multiple_verbs={k: float(v) for k, v in d["multiples"]["verbs"].items()},
        fold={k: float(v) for k, v in d["multiples"]["fold"].items()},
        time_suffixes=phrases(dates["time_suffixes"]),
        time_units=frozenset(d["durations"]["units"]),
        compound_keep=frozenset(d["compound_keep"]),
        comparatives={w: side for side, words in d["comparatives"].items() for w in words},
        temporal_words=frozenset(d["temporal_words"]),
        places={str(name): key for key, names in d["places"].items() for name in names},
        subject_pronouns=frozenset(d["subject_pronouns"]),
        references=frozenset(w for w in refs if not w.endswith(".")),
        dotted_references=frozenset(w[:-1] for w in refs if w.endswith(".")),
        blocked=blocked,
    )


@lru_cache(maxsize=1)
def _place_pattern() -> re.Pattern[str]:
    names = sorted(lexicon().places, key=len, reverse=True)
    body = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in names)
    return re.compile(rf"(?<![\w.])(?:{body})(?![\w$])")


def find_places(text: str) -> list[tuple[int, int, str]]:
    """(start, end, place key) for each place name of ``units.yaml`` in ``text``, in order.

    Names are case-sensitive ("US" is a place, "us" is not); the longest name wins
    ("the United States" over "United States").
    """
    places = lexicon().places
    found = []
    for m in _place_pattern().finditer(text):
        key = places.get(" ".join(m.group().split()))
        if key is not None:
            found.append((m.start(), m.end(), key))
    return found


def alternation(words: list[str]) -> str:
    """A regex alternation of ``words``, longest first; spaces match any whitespace."""
    escaped = (re.escape(str(w)).replace(r"\ ", r"\s+") for w in words)
    return "|".join(sorted(escaped, key=len, reverse=True))


@lru_cache(maxsize=1)
def _vote_patterns() -> tuple[re.Pattern[str], list[tuple[str, re.Pattern[str]]]]:
    votes = lexicon().raw["votes"]
    words = re.compile(rf"\b(?:{alternation(votes['words'])})\b", re.IGNORECASE)
    sides = [
        (key, re.compile(rf"\b(?:{alternation(names)})\b", re.IGNORECASE))
        for key, names in votes["sides"].items()
    ]
    return words, sides


def vote_side(measure: str) -> str | None:
    """The side of a vote that ``measure`` names, as a key of ``votes.sides`` in units.yaml:
    the key itself ("votes against"), or a text with a vote word and a side ("UN General
    Assembly votes in favour of the resolution" → "votes in favour"); else None."""
    text = " ".join(measure.split()).lower()
    if text in lexicon().raw["votes"]["sides"]:
        return text
    words, sides = _vote_patterns()
    if not words.search(text):
        return None
    hits = [(m.start(), key) for key, pattern in sides if (m := pattern.search(text))]
    return min(hits)[1] if hits else None


def stem(word: str) -> str:
    """A crude stem that puts "Ukrainians" with "Ukraine" and "European" with "Europe"."""
    w = word.lower().removesuffix("'s").removesuffix("’s")
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith("s") and len(w) > 3 and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    for ending in ("ian", "ean", "an", "ia", "ea", "a", "e"):
        if w.endswith(ending) and len(w) - len(ending) >= 4:
            return w[: -len(ending)]
    return w
