"""What stancewatch's attribution errors on PolNeAR have in common, under the reference scoring.

Usage:
    .venv/bin/python bench/attribution_errors.py [--split dev|train] [--limit N]
                                                 [--n-process 2] [--top 15]

Parses the articles of ``../shared/data/polnear/{split}/`` (the first ``--limit``) and
attributes them as ``stancewatch attribute`` does, then counts, with the reference scoring's
matching (:func:`stancewatch.attribution.reference_scoring.match_pairs`):

- gold attributions no prediction matches, how many of them are quoted, and their gold cue
  words, most frequent first;
- matched predictions whose speaker is wrong, and how many of those have a relative pronoun
  ("who", "which") as the gold source, where stancewatch gives the name it refers to;
- predictions counted against quoted precision (matching no quoted gold attribution and
  overlapping no unquoted one), and how many of them hold no quotation mark themselves.

The figures in docs/attribution_scoring.md's error analysis come from this script. Nothing is
written; the data are research-only.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "polnear"
_RELATIVE = frozenset({"who", "which", "that", "whom"})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", default="dev", choices=["train", "dev"])
    parser.add_argument("--limit", type=int, default=None, help="the first N articles only")
    parser.add_argument("--n-process", type=int, default=2, help="spaCy worker processes")
    parser.add_argument("--top", type=int, default=15, help="cue words to list")
    args = parser.parse_args(argv)
    if not DATA.exists():
        print(f"PolNeAR is not at {DATA}; see ../shared/data/polnear/SOURCE.md.", file=sys.stderr)
        return 2

    from stancewatch.attribution.evaluation import load_folder, stancewatch_extractor
    from stancewatch.attribution.predictions import reference_predictions
    from stancewatch.attribution.reference_scoring import (
        match_pairs,
        overlap,
        quoted_subset,
        speaker_right,
    )
    from stancewatch.nlp import load_spacy

    articles = load_folder(DATA / args.split)[: args.limit]
    docs = load_spacy().pipe((a.text for a in articles), n_process=args.n_process)
    missed = missed_quoted = wrong = relative = against_quoted = unquoted = 0
    cues: Counter[str] = Counter()
    for article, doc in zip(articles, docs, strict=True):
        text = article.text
        predicted = stancewatch_extractor(doc, article.name)
        preds = reference_predictions(predicted)
        golds = list(article.reference)
        pairs = match_pairs(golds, preds)
        found = {i for i, _ in pairs}
        for i, gold in enumerate(golds):
            if i in found:
                continue
            missed += 1
            missed_quoted += gold.quoted
            first = set(range(*gold.content[0]))
            cue = next((c for c in article.cues if c.content & first), None)
            cues[" ".join(text[s:e] for s, e in cue.spans).lower() if cue else "(none)"] += 1
        for i, j in pairs:
            if not speaker_right(golds[i], preds[j]):
                wrong += 1
                said = " ".join(text[s:e] for s, e in golds[i].source).strip().lower()
                relative += said in _RELATIVE
        quoted = [g for g in golds if quoted_subset(g)]
        others = [g for g in golds if not quoted_subset(g)]
        used = {j for _, j in match_pairs(quoted, preds)}
        for j, p in enumerate(preds):
            if j in used or any(overlap(g.content, p.content) > 0 for g in others):
                continue
            against_quoted += 1
            unquoted += not predicted[j].quoted

    print(f"PolNeAR {args.split}: {len(articles)} articles")
    print(f"gold attributions no prediction matches: {missed} ({missed_quoted} quoted)")
    print(f"  their gold cue words, most frequent first (of {len(cues)} different):")
    for word, count in cues.most_common(args.top):
        print(f"    {count:4d}  {word}")
    print(f"matched with the wrong speaker: {wrong} ({relative} with a relative pronoun as source)")
    print(
        f"predictions counted against quoted precision: {against_quoted} "
        f"({unquoted} with no quotation mark of their own)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
