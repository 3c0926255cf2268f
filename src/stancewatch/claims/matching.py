"""Matching numeric claims with sourced facts: how well each fact fits each claim.

:func:`score_facts` gives, for every claim and fact, a :class:`Scored`: the text similarity
of the claim's measure and sentence to the fact's measure and keywords, the fit of the
measures alone (leaving out the words that name the fact's subject, so "for Europe's
defence" does not fit "European military aid to Ukraine"), and a total with a bonus for the
same subject, a penalty for another subject of the same kind and a bonus for a period close
to the claim's date. :mod:`stancewatch.claims.verdicts` judges the claims with these scores; the
thresholds are module constants so reports can print them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np

from stancewatch.claims.comparisons import parse_ratio
from stancewatch.claims.differences import parse_difference
from stancewatch.claims.lexicon import lexicon, stem, vote_side
from stancewatch.records import Claim, Fact

__all__ = [
    "Scored",
    "Similarity",
    "score_facts",
    "MIN_MATCH_EMBEDDING",
    "MIN_MATCH_KEYWORDS",
    "MIN_MEASURE_FIT",
    "MIN_MEASURE_FIT_KEYWORDS",
    "SUBJECT_BONUS",
    "SUBJECT_PENALTY",
    "PERIOD_BONUS",
    "PERIOD_SCALE_DAYS",
    "MEASURE_WEIGHT",
]

MIN_MATCH_EMBEDDING = 0.45  # least score to use a fact, with MiniLM cosine similarity
MIN_MATCH_KEYWORDS = 0.34  # least score with the keyword-overlap fallback
MIN_MEASURE_FIT = 0.30  # least similarity of the claim's measure to the fact's, subject left out
MIN_MEASURE_FIT_KEYWORDS = 0.25  # the same with the keyword-overlap fallback
SUBJECT_BONUS = 0.10  # added when the claim's subject is the fact's subject
SUBJECT_PENALTY = 0.10  # taken off when both are known, differ, and are of the same kind
PERIOD_BONUS = 0.05  # at most this much for a fact period close to the claim date
PERIOD_SCALE_DAYS = 365.0  # the period bonus halves roughly every 250 days
MEASURE_WEIGHT = 0.6  # weight of the claim's measure words against its sentence

Similarity = Callable[[list[str], list[str]], np.ndarray]

_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Scored:
    """How well one fact matches one claim."""

    fact: Fact
    text: float
    total: float
    days: int | None
    fit: float | None = None  # similarity of the measures; None when the claim has none


def score_facts(
    claims: list[Claim],
    facts: list[Fact],
    similarity: Similarity | None = None,
    claim_dates: Mapping[str, date] | None = None,
    subject_kinds: Mapping[str, str] | None = None,
) -> list[list[Scored]]:
    """For each claim, one :class:`Scored` per fact, in the facts' order."""
    if not claims:
        return []
    text_scores = _text_scores(claims, facts, similarity)
    fits = _measure_fits(claims, facts, similarity)
    dates, kinds = claim_dates or {}, dict(subject_kinds or {})
    return [
        [
            _score(
                claim,
                fact,
                float(text_scores[row, col]),
                dates.get(claim.id),
                kinds,
                fits[row][col],
            )
            for col, fact in enumerate(facts)
        ]
        for row, claim in enumerate(claims)
    ]


def fact_texts(facts: Sequence[Fact]) -> list[str]:
    """Every text of ``facts`` that matching embeds (the same for every claim): a run that
    embeds them once, before its first document, pays for them in its set-up."""
    phrases = {
        _without(p, _subject_words(f.subject)) for f in facts for p in (f.measure, *f.keywords)
    }
    return [*dict.fromkeys(_fact_text(f) for f in facts), *sorted(p for p in phrases if p)]


def claim_texts(claims: Sequence[Claim], facts: Sequence[Fact]) -> list[str]:
    """Every text of ``claims`` that matching them against ``facts`` embeds (their contexts,
    measures and measure words without the facts' subjects), each once: a run can embed them
    in the same encoder pass as its statements instead of in small passes of their own."""
    if not claims or not facts:
        return []
    words = {w for row in _measure_words(claims, facts) for w in row if w}
    return list(dict.fromkeys([*_contexts(claims), *_measures(claims), *sorted(words)]))


def _contexts(claims: Sequence[Claim]) -> list[str]:
    return [c.context or _claim_measure(c) or c.text for c in claims]


def _measures(claims: Sequence[Claim]) -> list[str]:
    return [_claim_measure(c) or c.context or c.text for c in claims]


def _measure_words(claims: Sequence[Claim], facts: Sequence[Fact]) -> list[list[str]]:
    """Each claim's measure words without the words naming each fact's subject, by fact."""
    return [[_without(_claim_measure(c), _subject_words(f.subject)) for f in facts] for c in claims]


def _fact_text(fact: Fact) -> str:
    keywords = ", ".join(fact.keywords)
    return f"{fact.measure}: {keywords}" if keywords else fact.measure


def _claim_measure(claim: Claim) -> str:
    """The measure words; for a difference or a ratio, those before the comparison."""
    difference = parse_difference(claim.measure)
    if difference is not None:
        return difference.base
    ratio = parse_ratio(claim.measure)
    return ratio.base if ratio is not None else claim.measure


def _text_scores(
    claims: list[Claim], facts: list[Fact], similarity: Similarity | None
) -> np.ndarray:
    if not facts:
        return np.zeros((len(claims), 0))
    fact_texts = [_fact_text(f) for f in facts]
    contexts, measures = _contexts(claims), _measures(claims)
    if similarity is None:
        return np.array(
            [
                [_overlap(m, ctx, f) for f in facts]
                for m, ctx in zip(measures, contexts, strict=True)
            ]
        )
    by_context = _similarity(similarity, contexts, fact_texts)
    by_measure = _similarity(similarity, measures, fact_texts)
    for row, sides in enumerate(_vote_matches(claims, facts)):
        if sides is not None:
            by_measure[row] = sides
    has_measure = np.array([bool(_claim_measure(c)) for c in claims])[:, None]
    weighted = MEASURE_WEIGHT * by_measure + (1 - MEASURE_WEIGHT) * by_context
    return np.where(has_measure, weighted, by_context)


def _similarity(similarity: Similarity, a: list[str], b: list[str]) -> np.ndarray:
    got = np.asarray(similarity(a, b), dtype=float)
    if got.shape != (len(a), len(b)):
        raise ValueError(
            f"similarity returned an array of shape {got.shape}; expected {(len(a), len(b))} "
            "(one row per text in the first list, one column per text in the second)"
        )
    return got


def _measure_fits(
    claims: list[Claim], facts: list[Fact], similarity: Similarity | None
) -> list[list[float | None]]:
    """How well each claim's measure fits each fact's measure or keywords, leaving out the
    words that name the fact's subject ("Europe" in "for Europe's defence" says nothing about
    what is measured); None where the claim has no measure words left."""
    words = _measure_words(claims, facts)
    phrases = [
        [_without(p, _subject_words(f.subject)) for p in (f.measure, *f.keywords)] for f in facts
    ]
    if similarity is None:
        fits = [
            [
                _bag_fit(text, fact_phrases) if text else None
                for text, fact_phrases in zip(row, phrases, strict=True)
            ]
            for row in words
        ]
    else:
        rows = sorted({t for row in words for t in row if t})
        cols = sorted({p for ps in phrases for p in ps if p})
        matrix = _similarity(similarity, rows, cols) if rows and cols else np.zeros((0, 0))
        row_at, col_at = {t: i for i, t in enumerate(rows)}, {p: j for j, p in enumerate(cols)}
        fits = [
            [
                max((float(matrix[row_at[t], col_at[p]]) for p in ps if p), default=0.0)
                if t
                else None
                for t, ps in zip(row, phrases, strict=True)
            ]
            for row in words
        ]
    for row, sides in enumerate(_vote_matches(claims, facts)):
        if sides is not None:
            fits[row] = [float(x) for x in sides]
    return fits


def _vote_matches(claims: list[Claim], facts: list[Fact]) -> list[np.ndarray | None]:
    """For a vote count ("votes against"), 1 for facts that count the same side of a vote and
    0 for the others: embeddings hardly tell "for" from "against". None for other claims."""
    fact_sides = [vote_side(f.measure) for f in facts]
    out: list[np.ndarray | None] = []
    for claim in claims:
        side = vote_side(claim.measure) if claim.measure else None
        out.append(None if side is None else np.array([float(s == side) for s in fact_sides]))
    return out


def _bag_fit(text: str, phrases: list[str]) -> float:
    bag, fact_bag = _bag(text), frozenset().union(*(_bag(p) for p in phrases))
    if not bag or not fact_bag:
        return 0.0
    return len(bag & fact_bag) / min(len(bag), len(fact_bag))


@lru_cache(maxsize=256)
def _subject_words(subject: str | None) -> frozenset[str]:
    """Stems of the words that name ``subject``: its place names and the parts of its key."""
    if not subject:
        return frozenset()
    names = [n for n, key in lexicon().places.items() if key == subject]
    words = {w.lower() for n in names for w in _WORD.findall(n)}
    words.update(p for p in re.split(r"[^a-z]+", subject.lower()) if p)
    return frozenset(stem(w) for w in words - _stopwords())


def _without(text: str, stems: frozenset[str]) -> str:
    """``text`` without the words whose stems are ``stems`` and without asides in brackets."""
    text = re.sub(r"\([^()]*\)", " ", text)
    return " ".join(w for w in re.findall(r"[^\W\d_]+(?:['’]s)?", text) if stem(w) not in stems)


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    return frozenset(str(w) for w in lexicon().raw["measure_stopwords"])


@lru_cache(maxsize=8192)
def _bag(text: str) -> frozenset[str]:
    """The stems of the content words of ``text`` (cached: every claim is compared with every
    fact, and a fact's words are the same each time)."""
    stop = _stopwords()
    return frozenset(stem(w) for w in _WORD.findall(text) if w.lower() not in stop)


def _overlap(measure: str, context: str, fact: Fact) -> float:
    """Share of the smaller word bag found in the other (the overlap coefficient)."""
    claim_bag = _bag(f"{measure} {context}")
    fact_bag = _bag(_fact_text(fact))
    if not claim_bag or not fact_bag:
        return 0.0
    return len(claim_bag & fact_bag) / min(len(claim_bag), len(fact_bag))


def _days_apart(when: date | None, fact: Fact) -> int | None:
    start, end = fact.period_start or fact.period_end, fact.period_end or fact.period_start
    if when is None or start is None or end is None:
        return None
    start, end = min(start, end), max(start, end)
    if when < start:
        return (start - when).days
    return (when - end).days if when > end else 0


def _score(
    claim: Claim,
    fact: Fact,
    text: float,
    when: date | None,
    kinds: dict[str, str],
    fit: float | None,
) -> Scored:
    total = text + _subject_score(claim.subject, fact.subject, kinds)
    days = _days_apart(when, fact)
    if days is not None:
        total += PERIOD_BONUS * math.exp(-days / PERIOD_SCALE_DAYS)
    return Scored(fact, text, total, days, fit)


@lru_cache(maxsize=1)
def _place_keys() -> frozenset[str]:
    return frozenset(lexicon().places.values())


def _kind(subject: str, kinds: dict[str, str]) -> str:
    if subject in kinds:
        return kinds[subject]
    return "place" if subject in _place_keys() else "actor"


def _subject_score(claim_subject: str | None, fact_subject: str, kinds: dict[str, str]) -> float:
    """The bonus for the same subject, the penalty for another of the same kind, else 0."""
    if not claim_subject or not fact_subject:
        return 0.0
    if _kind(claim_subject, kinds) != _kind(fact_subject, kinds):
        return 0.0  # a person and a country: "Trump" may speak of the United States
    return SUBJECT_BONUS if claim_subject == fact_subject else -SUBJECT_PENALTY
