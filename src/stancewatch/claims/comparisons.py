"""Ratios of two subjects' amounts: "twice as much aid as the United States", "a third of what
Europe gave", "40% of Europe's aid", "more than all of Europe combined".

Such a claim states how one subject's figure relates to another's, not a figure: it is
checked on the ratio of two sourced facts (:mod:`stancewatch.claims.relations`), never
against one. :func:`find_ratio` reads the words after a multiple, fraction or percent and
returns the other side when they compare two subjects' amounts; :func:`find_bare_ratios`
finds the comparisons that have no number ("gave more than all of Europe combined": a ratio
above 1). A claim marks a ratio in its measure, written by :func:`ratio_measure` and read by
:func:`parse_ratio`::

    ratio: aid (as much as the United States)

Not ratios: "three times a week" (a frequency), "twice as likely as" (a chance, not an
amount), "twice as much as last year" (one subject at two times), "57% of Ukrainians" (a
share of people). The word lists live in ``units.yaml`` under ``ratios``. Pure functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from stancewatch.claims.lexicon import alternation, lexicon
from stancewatch.claims.quantities import Quantity
from stancewatch.records import Claim

__all__ = [
    "RATIO_PREFIX",
    "Ratio",
    "RatioPhrase",
    "ratio_measure",
    "parse_ratio",
    "claimed_ratio",
    "find_ratio",
    "find_bare_ratios",
    "first_side",
]

RATIO_PREFIX = "ratio: "
MAX_NOUN_WORDS = 4  # words between "as much" and "as" ("as much military aid as")

_PATTERN = re.compile(
    r"^ratio:\s*(?P<base>.*?)\s*\((?P<words>as much as|more than|less than|of) "
    r"(?P<other>[^()]*)\)\s*$"
)
Mention = tuple[int, int, str]


@dataclass(frozen=True)
class Ratio:
    """A ratio claim's measure, read back: the ``base`` measure words, how the sides are
    compared (``words``: "as much as", "of", "more than", "less than") and the ``other``
    side as written."""

    base: str
    words: str
    other: str

    @property
    def compared(self) -> str:
        return f"{self.words} {self.other}"


@dataclass(frozen=True)
class RatioPhrase:
    """A ratio found in a text: ``words`` and the other side's mention (offsets into the
    text, its subject key), ``noun`` (the measure words written in the phrase, "" if none)
    and ``end``, the offset after the phrase."""

    words: str
    other_start: int
    other_end: int
    other: str
    noun: str
    end: int


def ratio_measure(base: str, words: str, other: str) -> str:
    """ "ratio: aid (as much as the United States)"."""
    compared = f"({words} {' '.join(other.split())})"
    return RATIO_PREFIX + " ".join(p for p in (" ".join(base.split()), compared) if p)


def parse_ratio(measure: str) -> Ratio | None:
    """The parts of a measure written by :func:`ratio_measure`, else None."""
    m = _PATTERN.match(measure or "")
    if m is None:
        return None
    return Ratio(m["base"], m["words"], " ".join(m["other"].split()))


def claimed_ratio(claim: Claim) -> tuple[float, float]:
    """The ratio the claim states, as (low, high): a percent or fraction of the other side is
    its share (40% → 0.4); a multiple is itself (twice → 2); a bare "more than" is 1."""
    lo = claim.value
    hi = claim.value if claim.value_high is None else claim.value_high
    if claim.unit == "percent":
        lo, hi = lo / 100, hi / 100
    return min(lo, hi), max(lo, hi)


@lru_cache(maxsize=1)
def _words() -> dict[str, str]:
    raw = lexicon().raw["ratios"]
    return {key: alternation([str(w) for w in raw[key]]) for key in raw}


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern[str]]:
    w = _words()
    noun = rf"(?P<noun>(?:\s+(?!as\b|than\b)[^\W\d_][\w'’-]*){{0,{MAX_NOUN_WORDS}}}?)"
    lead = rf"(?:(?:{w['other_leads']})\s+)*"
    return {
        "as": re.compile(rf"\s+as\s+(?:{w['amount_words']})\b{noun}\s+as\s+{lead}", re.I),
        "more": re.compile(rf"\s+(?P<cmp>{w['more_words']})\b{noun}\s+than\s+{lead}", re.I),
        "less": re.compile(rf"\s+(?P<cmp>{w['less_words']})\b{noun}\s+than\s+{lead}", re.I),
        "what": re.compile(
            rf"\s+(?:of\s+)?(?:{w['what_words']})\s+(?:of\s+|given\s+by\s+)?{lead}", re.I
        ),
        "of": re.compile(rf"\s+of\s+{lead}", re.I),
        "not": re.compile(rf"\b(?:{w['not_amounts']})\b", re.I),
        "combined": re.compile(rf"\s+(?:{w['combined']})\b", re.I),
        "possessive": re.compile(r"['’]s\b|(?<=s)['’]\B"),
    }


def _mention_at(found: list[Mention], at: int) -> Mention | None:
    """The mention starting at ``at``, or covering it ("the United States" read after "the")."""
    return next((m for m in found if m[0] == at or m[0] < at < m[1]), None)


def find_ratio(q: Quantity, content: str, end: int, found: list[Mention]) -> RatioPhrase | None:
    """The ratio phrase after ``q`` (a multiple, fraction or percent) up to ``end`` (the end
    of its sentence), when it compares with another subject named in ``found`` (mentions with
    offsets into ``content``); else None."""
    if q.unit not in ("multiple", "percent") or q.comparison:
        return None
    if q.unit == "multiple" and _low_word(q.text) in lexicon().multiple_verbs:
        return None  # "aid doubled": one subject at two times
    p = _patterns()
    tries = ("as", "more", "less", "what") if q.unit == "multiple" else ("what",)
    for name in tries:
        m = p[name].match(content, q.end, end)
        if m is None:
            continue
        noun = " ".join((m.groupdict().get("noun") or "").split())
        if noun and p["not"].search(noun):
            return None
        other = _mention_at(found, m.end())
        if other is None:
            continue
        if name == "less":
            return None  # "three times less than": ambiguous, never checked
        # "three times more than" is read as "three times as much as", as most readers do.
        return _phrase("of" if name == "what" else "as much as", other, noun, content, end)
    # "half of Europe's aid", "40% of what Europe gave" (above), "40% of Europe's aid"
    m = p["of"].match(content, q.end, end)
    if m is not None and (other := _mention_at(found, m.end())) is not None:
        pos = p["possessive"].match(content, other[1])
        if pos is not None:
            noun_match = re.match(r"(?:\s+[^\W\d_][\w-]*){1,3}", content[pos.end() : end])
            noun = " ".join(noun_match.group().split()) if noun_match else ""
            return RatioPhrase("of", other[0], other[1], other[2], noun, pos.end())
    return None


def _phrase(words: str, other: Mention, noun: str, content: str, end: int) -> RatioPhrase:
    after = other[1]
    combined = _patterns()["combined"].match(content, after, end)
    return RatioPhrase(
        words, other[0], other[1], other[2], noun, combined.end() if combined else after
    )


def first_side(found: list[Mention], content: str, start: int, lo: int, other: str) -> str | None:
    """The first side of a comparison without a parse: the first subject ``found`` names in
    the clause before ``start`` that is not the ``other`` side ("Europe has given Ukraine
    twice as much as the US" → Europe, not Ukraine); None when a pronoun comes first or no
    subject is named."""
    clause = re.compile(r"[;:()]|,\s|\s[-–—]\s")
    begin = max([max(0, lo), *(c.end() for c in clause.finditer(content, max(0, lo), start))])
    named = [m for m in found if begin <= m[0] and m[1] <= start and m[2] != other]
    if not named:
        return None
    pronouns = lexicon().subject_pronouns
    before = re.findall(r"[^\W\d_]+", content[begin : named[0][0]])
    return None if any(w.lower() in pronouns for w in before) else named[0][2]


def _low_word(text: str) -> str:
    words = text.lower().split()
    return words[-1] if words else ""


@lru_cache(maxsize=1)
def _bare_pattern() -> re.Pattern[str]:
    w = _words()
    noun = rf"(?P<noun>(?:\s+(?!than\b)[^\W\d_][\w'’-]*){{0,{MAX_NOUN_WORDS}}}?)"
    lead = rf"(?:(?:{w['other_leads']})\s+)*"
    return re.compile(
        rf"\b(?P<cmp>{w['more_words']}|{w['less_words']})\b{noun}\s+than\s+{lead}", re.I
    )


def find_bare_ratios(
    content: str, lo: int, hi: int, found: list[Mention], quantities: list[Quantity]
) -> list[tuple[int, int, str, RatioPhrase]]:
    """Comparisons with no number between ``lo`` and ``hi`` ("the US gave more than all of
    Europe combined"): (start, end, "more_than" or "less_than", phrase) for each whose verb or
    noun is about amounts (``ratios.amount_verbs``) and whose other side is a mention in
    ``found``. A number right before the comparative ("$200 billion more than") or after
    "than" ("more than 200") is a quantity and is left to :func:`find_ratio` and the
    difference checker."""
    out = []
    amounts = re.compile(rf"\b(?:{_words()['amount_verbs']})\b", re.I)
    clause = re.compile(r"[;:()]|\s[-–—]\s|\bbut\b")
    for m in _bare_pattern().finditer(content, lo, hi):
        other = _mention_at(found, m.end())
        if other is None:
            continue
        if any(q.start < m.end() and m.start() < q.end + 3 for q in quantities):
            continue
        begin = max([lo, *(c.end() for c in clause.finditer(content, lo, m.start()))])
        noun = " ".join((m["noun"] or "").split())
        if _patterns()["not"].search(noun) or not amounts.search(content, begin, m.end()):
            continue
        word = "more_than" if m["cmp"].lower() in _more() else "less_than"
        words = "more than" if word == "more_than" else "less than"
        phrase = _phrase(words, other, noun, content, hi)
        by = re.match(r",?\s+by\s+", content[phrase.end : hi])
        if by is not None and any(0 <= q.start - (phrase.end + by.end()) <= 12 for q in quantities):
            continue  # "more than the US, by $100 billion": a difference, checked as one
        out.append((m.start(), phrase.end, word, phrase))
    return out


@lru_cache(maxsize=1)
def _more() -> frozenset[str]:
    return frozenset(str(w).lower() for w in lexicon().raw["ratios"]["more_words"])
