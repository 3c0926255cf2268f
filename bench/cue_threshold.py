"""Choose the cue model's threshold under the reference scoring, on dev and on held-out train.

Usage:
    .venv/bin/python bench/cue_threshold.py [--n-process 2] [--every 3]

The cue threshold (the probability at which a verb introduces an attribution) trades the two
end-to-end F1 targets against each other under the reference scoring: every prediction that
matches no gold attribution counts against the quoted figures as well as the others, so a
higher threshold raises quoted F1 and lowers the all-attribution F1. This script scores a
grid of thresholds two ways:

- **dev**: the packaged model (trained on all of train) on PolNeAR dev, where the threshold is
  chosen;
- **held-out train**: a model trained the same way (``stancewatch train-cues``' features and
  regularisation) on two thirds of the train split and scored on the other third (every
  ``--every``-th article by name, so each outlet is in both parts). It checks that what dev
  says holds on articles neither the model nor the choice has seen.

Every article is parsed once (spaCy, ``--n-process`` processes). A full run writes its table
to docs/benchmarks.md. The data are research-only; nothing from them is written anywhere.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "polnear"
GRID = (0.4, 0.45, 0.5, 0.52, 0.54, 0.56, 0.58, 0.6, 0.65)


def _scores(articles, docs, model) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Reference end-to-end F1 on quoted and on all attributions."""
    from stancewatch.attribution.evaluation import model_extractor, score_parsed

    result = score_parsed(articles, docs, model_extractor(model))
    return (
        float(result.reference_quoted.measures()["end_to_end_f1"]),
        float(result.reference_all.measures()["end_to_end_f1"]),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n-process", type=int, default=2, help="spaCy worker processes")
    parser.add_argument(
        "--every", type=int, default=3, help="hold out every N-th train article (by name)"
    )
    args = parser.parse_args(argv)
    if not DATA.exists():
        print(f"PolNeAR is not at {DATA}; see ../shared/data/polnear/SOURCE.md.", file=sys.stderr)
        return 2

    from rich.progress import track

    from stancewatch.attribution.cue_model import default_model
    from stancewatch.attribution.cue_training import fit_like
    from stancewatch.attribution.evaluation import load_folder
    from stancewatch.nlp import load_spacy

    nlp = load_spacy()

    def parse(articles):  # type: ignore[no-untyped-def]
        docs = nlp.pipe((a.text for a in articles), batch_size=16, n_process=args.n_process)
        return list(track(docs, total=len(articles), description="Parsing", transient=True))

    dev = load_folder(DATA / "dev")
    dev_docs = parse(dev)
    train = load_folder(DATA / "train")
    train_docs = parse(train)
    held = [i for i in range(len(train)) if i % args.every == 0]
    kept = [i for i in range(len(train)) if i % args.every != 0]
    packaged = default_model()
    fold = fit_like(packaged, ((train[i], train_docs[i]) for i in kept))
    held_articles = [train[i] for i in held]
    held_docs = [train_docs[i] for i in held]

    lines = [
        "| threshold | dev quoted | dev all | dev mean | held-out quoted | held-out all "
        "| held-out mean |",
        "|---|---|---|---|---|---|---|",
    ]
    for threshold in GRID:
        dq, da = _scores(dev, dev_docs, dataclasses.replace(packaged, threshold=threshold))
        hq, ha = _scores(held_articles, held_docs, dataclasses.replace(fold, threshold=threshold))
        mark = " (packaged)" if threshold == packaged.threshold else ""
        line = (
            f"| {threshold:.2f}{mark} | {dq:.4f} | {da:.4f} | {(dq + da) / 2:.4f} "
            f"| {hq:.4f} | {ha:.4f} | {(hq + ha) / 2:.4f} |"
        )
        print(line, flush=True)
        lines.append(line)

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _results import update_section

    update_section(
        "cue-threshold",
        "## Cue threshold under the reference scoring\n\n"
        f"`python bench/cue_threshold.py --n-process {args.n_process} --every {args.every}`\n\n"
        "End-to-end F1 (reference scoring) of attribution at each cue threshold. *dev*: the "
        f"packaged cue model on PolNeAR dev ({len(dev)} articles). *held-out*: a model "
        f"trained the same way on {len(kept)} train articles and scored on the other "
        f"{len(held)} (one in {args.every} by name). *mean*: the mean of the quoted and the "
        "all-attribution F1, the criterion the packaged threshold was chosen by on dev (the "
        "smallest threshold within 0.001 of the best mean, which keeps the most recall); the "
        "held-out columns check the choice on articles neither the model nor the choice saw. "
        "Held-out figures are lower than dev's at every threshold: they are the better guess "
        "of what unseen articles give.\n\n" + "\n".join(lines),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
