"""Few-shot adaptation: stance accuracy on held-back targets given 0, 4, 8, 16 examples per side.

Pools are targets the model never trained on as codebook positions: RUW val's two targets
(Russia, Ukraine; 600 tweets each) and the VAST dev topics with at least 20 favour and 20
against rows. For each pool and seed, 16 favour and 16 against texts are drawn from the pool
as the example reservoir; the first k of each side become the position's ``supports`` and
``opposes`` phrasings, and macro-F1 is measured on the pool's other rows (the same rows for
every k, so the columns compare). Nothing is retrained: the backend uses the phrasings as it
would an analyst's codebook. Writes docs/benchmarks.md section ``stance_fewshot``.

Run: .venv/bin/python bench/stance_fewshot.py [--seeds 5]
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import update_section  # noqa: E402

from stancewatch.records import STANCE_LABELS, Position  # noqa: E402
from stancewatch.stance.evaluation import StanceRow, macro_f1, read_stance_rows  # noqa: E402
from stancewatch.stance.model import MiniLMLoRAStance  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SHOTS = (0, 4, 8, 16)
RESERVOIR = 16
MIN_PER_SIDE = 20


def pools() -> dict[str, list[StanceRow]]:
    """Held-back targets with enough favour and against rows for 16 examples per side."""
    out: dict[str, list[StanceRow]] = {}
    for fmt, file in (
        ("ruw", DATA / "ruw" / "ruw_val.csv"),
        ("vast", DATA / "vast" / "vast_dev.csv"),
    ):
        by_target: dict[str, list[StanceRow]] = defaultdict(list)
        for row in read_stance_rows(file, fmt):
            by_target[row.target].append(row)
        for target, rows in sorted(by_target.items()):
            sides = [sum(r.label == lab for r in rows) for lab in ("support", "oppose")]
            if min(sides) >= MIN_PER_SIDE:
                out[f"{file.name}: {target}"] = rows
    return out


def run_pool(model: MiniLMLoRAStance, rows: list[StanceRow], seed: int) -> dict[int, float]:
    """Macro-F1 on the pool's non-example rows for each number of examples per side."""
    rng = random.Random(seed)
    favour = rng.sample([r for r in rows if r.label == "support"], RESERVOIR)
    against = rng.sample([r for r in rows if r.label == "oppose"], RESERVOIR)
    taken = {id(r) for r in favour + against}
    test = [r for r in rows if id(r) not in taken]
    out = {}
    for k in SHOTS:
        position = Position(
            id="held-back",
            topic=rows[0].target,
            proposition=rows[0].target,
            supports=tuple(r.text for r in favour[:k]),
            opposes=tuple(r.text for r in against[:k]),
        )
        probs = model.score([r.text for r in test], [position] * len(test))
        predicted = [STANCE_LABELS[int(i)] for i in np.argmax(probs, axis=1)]
        out[k] = macro_f1([r.label for r in test], predicted)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    model = MiniLMLoRAStance()
    lines = [
        f"Backend `{model.name}`; mean macro-F1 over {args.seeds} draws of the examples "
        f"(support/oppose/neutral, on the pool's rows that are not in the {RESERVOIR}+"
        f"{RESERVOIR} example reservoir). 0 = the proposition (the target name) alone. "
        "The examples set only the direction (support vs oppose) among the nearest phrasings "
        "in the head's feature space; whether a text addresses the target stays the model's "
        "call. Command: `.venv/bin/python bench/stance_fewshot.py`.",
        "",
        "| Held-back target | Eval rows | " + " | ".join(f"{k} per side" for k in SHOTS) + " |",
        "| --- | --- | " + " | ".join("---" for _ in SHOTS) + " |",
    ]
    means: dict[int, list[float]] = defaultdict(list)
    for name, rows in pools().items():
        scores: dict[int, list[float]] = defaultdict(list)
        for seed in range(args.seeds):
            for k, f1 in run_pool(model, rows, seed).items():
                scores[k].append(f1)
        cells = []
        for k in SHOTS:
            means[k].append(float(np.mean(scores[k])))
            cells.append(f"{np.mean(scores[k]):.3f} ± {np.std(scores[k]):.3f}")
        lines.append(f"| {name} | {len(rows) - 2 * RESERVOIR} | " + " | ".join(cells) + " |")
        print(name, {k: round(float(np.mean(v)), 4) for k, v in scores.items()})
    lines.append(
        "| **mean over targets** | | "
        + " | ".join(f"**{np.mean(means[k]):.3f}**" for k in SHOTS)
        + " |"
    )
    update_section("stance_fewshot", "\n".join(lines))


if __name__ == "__main__":
    main()
