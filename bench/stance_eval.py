"""Stance macro-F1 and pairs/s on VAST dev and RUW val: the stance backend beside the baselines.

For each dataset the backend (default: the trained offline model ``minilm-lora``) and the
untrained prototype score every (text, target) pair through ``load_backend(spec).score``; TF-IDF + logistic regression and MiniLM
``[u, v, |u-v|, u*v]`` + logistic regression are trained on the matching train split
(vast_train_subset10.csv, ruw_train.csv) and scored on the same pairs. Nothing is tuned on
the dev splits. Writes the numbers to docs/benchmarks.md.

Run: .venv/bin/python bench/stance_eval.py [--stance SPEC]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import update_section  # noqa: E402

from stancewatch.nlp import load_embedder  # noqa: E402
from stancewatch.stance.backends import load_backend  # noqa: E402
from stancewatch.stance.evaluation import (  # noqa: E402
    compare_stance,
    evaluate_backend,
    fresh_embedder,
    read_stance_rows,
)

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SETS = [
    ("vast", DATA / "vast" / "vast_dev.csv", DATA / "vast" / "vast_train_subset10.csv"),
    ("ruw", DATA / "ruw" / "ruw_val.csv", DATA / "ruw" / "ruw_train.csv"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stance", default="minilm-lora", help="backend spec (load_backend)")
    args = parser.parse_args()
    missing = [str(p) for _, dev, train in SETS for p in (dev, train) if not p.exists()]
    if missing:
        sys.exit(f"missing data files: {', '.join(missing)}")
    embedder = load_embedder()
    lines = [
        f"Backend `{args.stance}` beside the untrained prototype and two baselines trained on "
        "the train splits, scored on "
        "VAST dev (2,062 pairs; zero-shot = target unseen in train) and RUW val (600 tweets × "
        "2 targets). Macro-F1 over support/oppose/neutral. pairs/s counts scoring only "
        "(embedding included, each method with an empty embedding cache; model loading and "
        "training excluded; fit s is training time). The prototype backend compares a "
        "statement with a position's support and oppose example phrasings; free-text targets "
        "have none, so it cannot tell the direction and is not a fair stance model here. "
        f"Encoders in {embedder.precision} (`STANCEWATCH_PRECISION`, default `auto`). "
        f"Command: `.venv/bin/python bench/stance_eval.py --stance {args.stance}`.",
        "",
        "| Data | Method | Macro-F1 | By group | pairs/s | fit s |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for fmt, dev, train in SETS:
        rows, train_rows = read_stance_rows(dev, fmt), read_stance_rows(train, fmt)
        backend = load_backend(args.stance, embedder=fresh_embedder(embedder))
        results = compare_stance(rows, fmt, backend, embedder, train_rows, on_step=print)
        if args.stance != "prototype":
            prototype = load_backend("prototype", embedder=fresh_embedder(embedder))
            results.insert(1, evaluate_backend(prototype, rows, fmt))
        for r in results:
            groups = ", ".join(f"{k} {v:.3f}" for k, v in r.groups.items())
            fit = "" if r.fit_s is None else f"{r.fit_s:.1f}"
            line = f"| {dev.name} | `{r.method}` | {r.macro_f1:.3f} | {groups} | "
            lines.append(line + f"{r.pairs_per_s:.0f} | {fit} |")
            print(fmt, r)
    update_section("stance_eval", "\n".join(lines))


if __name__ == "__main__":
    main()
