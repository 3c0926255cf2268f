"""How far PolNeAR's annotators agree with each other, under the reference scoring.

Usage:
    .venv/bin/python bench/attribution_agreement.py [--no-system]

A few PolNeAR articles were annotated twice. This script scores the second annotation of
each such article (by file name) against the first, exactly as a system's output is scored
(:mod:`stancewatch.attribution.reference_scoring`): the second annotator's attributions are
the predictions, each with the one span that covers its content (a system outputs one span
per statement) and its source spans. The figures are the agreement of two careful people on
the same articles: a ceiling for what any system can score against one annotator, and the
yardstick for the targets. Beside them, stancewatch on the same articles, scored against the
first annotation, with a cue model trained as the packaged one on the train articles that
were annotated once (skip with ``--no-system``). Writes the table to docs/benchmarks.md.

The data are research-only; nothing from them is written anywhere.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "polnear"


def _rows(split: str, articles: int, scores: dict) -> list[str]:  # type: ignore[type-arg]
    rows = []
    for subset, score in scores.items():
        m = score.measures()
        rows.append(
            f"| {split} | {articles} | {m['gold']} | {subset} | {m['content_f1']:.3f} "
            f"| {m['speaker_accuracy']:.3f} | {m['end_to_end_p']:.3f} "
            f"| {m['end_to_end_r']:.3f} | {m['end_to_end_f1']:.3f} |"
        )
    return rows


def _system(twice: list[str]) -> list[str]:
    """stancewatch on the same articles against the first annotation, with a cue model
    trained the packaged way on the train articles annotated once (none of these)."""
    from stancewatch.attribution.cue_model import default_model
    from stancewatch.attribution.cue_training import fit_like
    from stancewatch.attribution.evaluation import load_folder, model_extractor, score_parsed
    from stancewatch.nlp import load_spacy

    nlp = load_spacy()
    train, dev = load_folder(DATA / "train"), load_folder(DATA / "dev")
    docs = list(nlp.pipe((a.text for a in train + dev), batch_size=16, n_process=2))
    parsed = list(zip(train + dev, docs, strict=True))
    model = fit_like(default_model(), (p for p in parsed[: len(train)] if p[0].name not in twice))
    same = [p for p in parsed if p[0].name in twice]
    result = score_parsed([a for a, _ in same], [d for _, d in same], model_extractor(model))
    scores = {"quoted": result.reference_quoted, "all": result.reference_all}
    return _rows("stancewatch, same articles", result.articles, scores)


def main() -> int:
    if not DATA.exists():
        print(f"PolNeAR is not at {DATA}; see ../shared/data/polnear/SOURCE.md.", file=sys.stderr)
        return 2
    no_system = "--no-system" in sys.argv[1:]
    from stancewatch.attribution.evaluation import parse_reference
    from stancewatch.attribution.reference_scoring import (
        ReferencePrediction,
        ReferenceScore,
        quoted_subset,
    )

    lines = [
        "| split | articles annotated twice | attributions | subset | content F1 "
        "| speaker accuracy | end-to-end P | end-to-end R | end-to-end F1 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    both = {"quoted": ReferenceScore(quoted_subset), "all": ReferenceScore()}
    twice_total = 0
    twice_articles: set[str] = set()
    for split in ("dev", "train"):
        folder = DATA / split
        files: dict[str, list[Path]] = defaultdict(list)
        for path in sorted((folder / "attributions").glob("*.ann")):
            files[path.stem.rsplit("_", 1)[0]].append(path)
        twice = {article: paths for article, paths in files.items() if len(paths) > 1}
        scores = {"quoted": ReferenceScore(quoted_subset), "all": ReferenceScore()}
        for article, (first, second) in ((a, p[:2]) for a, p in sorted(twice.items())):
            text = (folder / "text" / f"{article}.txt").read_text(encoding="utf-8")
            gold = parse_reference(first.read_text(encoding="utf-8"), text, name=str(first))
            other = parse_reference(second.read_text(encoding="utf-8"), text, name=str(second))
            predictions = [
                ReferencePrediction(
                    ((min(s for s, _ in g.content), max(e for _, e in g.content)),), g.source
                )
                for g in other
            ]
            for subset in scores:
                scores[subset].add(gold, predictions)
                both[subset].add(gold, predictions)
        twice_total += len(twice)
        twice_articles |= set(twice)
        lines += _rows(split, len(twice), scores)
    lines += _rows("both", twice_total, both)
    if not no_system:
        lines += _system(sorted(twice_articles))
    print("\n".join(lines))

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _results import update_section

    update_section(
        "attribution-agreement",
        "## How far PolNeAR's annotators agree (reference scoring)\n\n"
        "`python bench/attribution_agreement.py`\n\n"
        "The articles PolNeAR annotated twice, the second annotation (by file name) scored "
        "against the first exactly as a system is: each of its attributions one prediction, "
        "its content the one span that covers it, its speaker its source spans. *Attributions* "
        "counts the first annotation's. On the quoted subset the scoring charges every "
        "prediction that matches no quoted attribution and overlaps no unquoted one, so the "
        "second annotator's extra attributions lower quoted precision as a system's do. "
        "*stancewatch, same articles*: attribution on the same articles against the first "
        "annotation, its cue model trained as the packaged one on the train articles "
        "annotated once (none of these).\n\n" + "\n".join(lines),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
