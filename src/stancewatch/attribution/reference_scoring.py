"""The reference scoring of attribution: the rules of ``../shared/tools/score_attribution.py``.

Attribution figures are published under one scoring, the reference one, so that numbers
measured here and elsewhere can be compared. Its rules differ from stancewatch's own scoring
(:mod:`stancewatch.attribution.evaluation`) in three ways, each explained in
docs/attribution_scoring.md:

- every predicted statement is its own prediction: pieces of a quotation that share a cue are
  not merged, so a quotation split into two statements matches at most once and the other
  piece counts against precision;
- a gold attribution's content is its ``Content`` and ``Content2`` spans, and it is quoted
  when that content holds a quotation mark; a prediction's own quotedness is not looked at:
  on the quoted subset, a prediction counts against precision unless it matches a quoted gold
  attribution or overlaps a gold attribution that is not quoted;
- candidate pairs are ranked by the share of the gold content they cover (not by the number
  of characters), ties going to the later gold and prediction.

A prediction matches a gold attribution when their content spans overlap by at least half of
the gold content's characters (one-to-one, greedily); the speaker is right when the predicted
speaker span overlaps a gold source span, or when both are absent. Overlaps are summed over
span pairs, exactly as the reference script does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

Spans = tuple[tuple[int, int], ...]

__all__ = [
    "ReferenceGold",
    "ReferencePrediction",
    "ReferenceScore",
    "match_pairs",
    "overlap",
    "prf",
    "quoted_subset",
    "speaker_right",
]


@dataclass(frozen=True)
class ReferenceGold:
    """A gold attribution as the reference scorer reads it."""

    content: Spans  # Content spans, then Content2 spans
    source: Spans
    quoted: bool


@dataclass(frozen=True)
class ReferencePrediction:
    """One predicted statement: its content span and its speaker span (empty when none)."""

    content: Spans
    source: Spans = ()


def overlap(a: Spans, b: Spans) -> int:
    """Characters shared by two span lists, summed over every pair of spans."""
    return sum(max(0, min(e1, e2) - max(s1, s2)) for s1, e1 in a for s2, e2 in b)


def prf(tp: int, pred: int, gold: int) -> tuple[float, float, float]:
    """Precision, recall and F1 from true positives and the predicted and gold counts."""
    p = tp / pred if pred else 0.0
    r = tp / gold if gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _length(spans: Spans) -> int:
    return sum(e - s for s, e in spans)


@dataclass
class ReferenceScore:
    """Counts of the reference scoring over many articles, for one subset of gold
    attributions (all, or the quoted ones)."""

    subset: Callable[[ReferenceGold], bool] = lambda gold: True
    gold: int = 0
    pred: int = 0
    matched: int = 0
    speaker: int = 0

    def add(
        self, golds: Sequence[ReferenceGold], predictions: Sequence[ReferencePrediction]
    ) -> None:
        """Score one article."""
        kept = [g for g in golds if self.subset(g)]
        others = [g for g in golds if not self.subset(g)]
        self.gold += len(kept)
        pairs = match_pairs(kept, predictions)
        self.matched += len(pairs)
        self.speaker += sum(speaker_right(kept[i], predictions[j]) for i, j in pairs)
        used_p = {j for _, j in pairs}
        self.pred += len(used_p)
        for j, p in enumerate(predictions):
            if j not in used_p and not any(overlap(g.content, p.content) > 0 for g in others):
                self.pred += 1

    def measures(self) -> dict[str, float | int]:
        """gold, predicted, matched, content P/R/F1, speaker accuracy and end-to-end
        P/R/F1, unrounded (the reference script rounds to four decimals)."""

        p, r, f = prf(self.matched, self.pred, self.gold)
        ep, er, ef = prf(self.speaker, self.pred, self.gold)
        return {
            "gold": self.gold,
            "predicted": self.pred,
            "matched": self.matched,
            "content_p": p,
            "content_r": r,
            "content_f1": f,
            "speaker_accuracy": self.speaker / self.matched if self.matched else 0.0,
            "end_to_end_p": ep,
            "end_to_end_r": er,
            "end_to_end_f1": ef,
        }


def match_pairs(
    golds: Sequence[ReferenceGold], predictions: Sequence[ReferencePrediction]
) -> list[tuple[int, int]]:
    """(gold index, prediction index) of each match: content overlapping at least half of the
    gold content's characters, one-to-one, the pairs covering the larger share of their gold
    first (ties to the later gold and prediction, as the reference script sorts)."""
    candidates = []
    for i, g in enumerate(golds):
        length = _length(g.content) or 1
        for j, p in enumerate(predictions):
            shared = overlap(g.content, p.content)
            if shared >= 0.5 * length:
                candidates.append((shared / length, i, j))
    used_g: set[int] = set()
    used_p: set[int] = set()
    pairs = []
    for _, i, j in sorted(candidates, reverse=True):
        if i not in used_g and j not in used_p:
            used_g.add(i)
            used_p.add(j)
            pairs.append((i, j))
    return pairs


def speaker_right(gold: ReferenceGold, prediction: ReferencePrediction) -> bool:
    """Whether a matched prediction's speaker is right: its span overlaps the gold source,
    or neither has one."""
    g_src, p_src = gold.source, prediction.source
    return (not g_src and not p_src) or bool(g_src and p_src and overlap(g_src, p_src) > 0)


def quoted_subset(gold: ReferenceGold) -> bool:
    return gold.quoted
