"""Stance on the debate stancewatch ships for: the domain dev sets, beside the baselines.

``../shared/data/stance-domain/``: real public texts about the war coded against the default
pack's eleven positions and five further propositions (E1–E5), and written statements for
the six positions of the 2025 talks (see its SOURCE.md). The three sets are reported apart,
as the data's authors ask: the real texts on the pack's positions, the real texts on the
E-propositions (no codebook: they test generalising to propositions without example
phrasings), and the written statements (a different label convention: the reported speaker's
stance). Each method scores every pair through the same protocol; the baselines (TF-IDF +
logistic regression, frozen MiniLM ``[u, v, |u-v|, u*v]`` + logistic regression) are trained
on train.csv and synthetic_train.csv together and not tuned on the dev files; the shipped
model's recipe and epoch were chosen on them (see its model card).

Run: .venv/bin/python bench/stance_domain.py [--stance SPEC]
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import update_section  # noqa: E402

from stancewatch.nlp import Embedder, load_embedder  # noqa: E402
from stancewatch.packs import load_pack  # noqa: E402
from stancewatch.pipeline import Analyzer  # noqa: E402
from stancewatch.stance.backends import load_backend  # noqa: E402
from stancewatch.stance.coding import (  # noqa: E402
    MIN_SIMILARITY,
    RELATIVE_WINDOW,
    SHORTLIST_SIZE,
    shortlist,
)
from stancewatch.stance.evaluation import (  # noqa: E402
    StanceRow,
    StanceScores,
    compare_stance,
    evaluate_backend,
    fresh_embedder,
    macro_f1,
    read_stance_rows,
    sides_f1,
)

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "stance-domain"
FILES = ("dev.csv", "train.csv", "synthetic_dev.csv", "synthetic_train.csv", "propositions.yaml")


def subset_line(name: str, rows: list[StanceRow], keep: list[int], r: StanceScores) -> str:
    gold = [rows[i].label for i in keep]
    predicted = [r.predicted[i] for i in keep]
    sided = sum(g != "neutral" for g in gold)
    fit = "" if r.fit_s is None else f"{r.fit_s:.1f}"
    return (
        f"| {name} ({len(keep)} pairs, {sided} sided) | `{r.method}` | "
        f"{macro_f1(gold, predicted):.3f} | {sides_f1(gold, predicted):.3f} | "
        f"{r.pairs_per_s:.0f} | {fit} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stance", default="minilm-lora", help="backend spec (load_backend)")
    args = parser.parse_args()
    missing = [str(DATA / f) for f in FILES if not (DATA / f).exists()]
    if missing:
        sys.exit(f"missing data files: {', '.join(missing)}")
    positions = load_pack().positions
    pack_ids = {p.id for p in positions}
    # Written statements give the reported speaker's stance: they are read as the pipeline
    # reads a statement (attribution first; speaker out, reporting verb and negation in).
    analyzer = Analyzer(load_pack())

    def as_statements(rows: list[StanceRow]) -> list[StanceRow]:
        texts = analyzer.statement_readings([r.text for r in rows])
        return [replace(r, text=t) for r, t in zip(rows, texts, strict=True)]

    real = read_stance_rows(DATA / "dev.csv", "pairs", positions)
    written = as_statements(read_stance_rows(DATA / "synthetic_dev.csv", "pairs", positions))
    train = read_stance_rows(DATA / "train.csv", "pairs", positions)
    train += as_statements(read_stance_rows(DATA / "synthetic_train.csv", "pairs", positions))
    embedder = load_embedder()
    lines = [
        "## Stance on the debate's own texts (`stance-domain` dev)",
        "",
        f"Backend `{args.stance}` beside the untrained prototype and two baselines trained on "
        f"the domain train files ({len(train):,} pairs: train.csv and synthetic_train.csv), "
        "scored on the dev files. Macro-F1 over support/oppose/neutral; support/oppose F1 is "
        "the mean F1 of the two sides (what every count of sides taken rests on). Real texts "
        "are reported on the pack's eleven positions (coded with their codebook, as `analyze` "
        "does) and on the five E-propositions (no codebook) apart; the written statements "
        "(the reported speaker's stance, read as the pipeline reads a statement: the speaker's "
        "mention out, the reporting verb and negation kept) apart again. pairs/s is over the whole file. "
        f"Encoders in {embedder.precision}. Command: "
        f"`.venv/bin/python bench/stance_domain.py --stance {args.stance}`; the same "
        "figures per source and position: `stancewatch eval stance "
        "../shared/data/stance-domain/dev.csv --format pairs` (written statements: "
        "`synthetic_dev.csv --format pairs --as-statements`).",
        "",
        "| Data | Method | Macro-F1 | Support/oppose F1 | pairs/s | fit s |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for title, rows in (("real texts", real), ("written statements", written)):
        backend = load_backend(args.stance, embedder=fresh_embedder(embedder))
        results = compare_stance(rows, "pairs", backend, embedder, train, on_step=print)
        if args.stance != "prototype":
            prototype = load_backend("prototype", embedder=fresh_embedder(embedder))
            results.insert(1, evaluate_backend(prototype, rows, "pairs"))
        on_pack = [i for i, r in enumerate(rows) if r.position and r.position.id in pack_ids]
        others = sorted(set(range(len(rows))) - set(on_pack))
        parts = [(f"{title}, pack positions", on_pack)]
        if others:
            parts.append((f"{title}, E-propositions", others))
        for name, keep in parts:
            for r in results:
                lines.append(subset_line(name, rows, keep, r))
                print(lines[-1])
    lines += ["", shortlist_line(real, pack_ids, embedder)]
    print(lines[-1])
    update_section("stance_domain", "\n".join(lines))


# The shortlist stancewatch used before the trained model became the default (cosine 0.65,
# 3 positions, window 0.08), reported beside the current one.
EARLIER_SHORTLIST = (0.65, 3, 0.08)


def shortlist_line(rows: list[StanceRow], pack_ids: set[str], embedder: Embedder) -> str:
    """How many of the real texts' sided pairs on pack positions the shortlist keeps (a
    statement the shortlist drops is never coded, whatever the model), now and before."""
    positions = load_pack().positions
    ids = [p.id for p in positions]
    on_pack = [r for r in rows if r.position and r.position.id in pack_ids]
    texts = list(dict.fromkeys(r.text for r in on_pack))
    index = {t: i for i, t in enumerate(texts)}
    vectors = embedder.encode(texts)
    sided = [r for r in on_pack if r.label != "neutral" and r.position]

    def kept(floor: float, size: int, window: float) -> tuple[int, float]:
        found = {
            (c.statement_index, ids[c.position_index])
            for c in shortlist(
                vectors, positions, embedder, size=size, min_similarity=floor, window=window
            )
        }
        hits = sum((index[r.text], r.position.id) in found for r in sided if r.position)
        return hits, len(found) / max(1, len(texts))

    hits, per_text = kept(MIN_SIMILARITY, SHORTLIST_SIZE, RELATIVE_WINDOW)
    old_hits, old_per_text = kept(*EARLIER_SHORTLIST)
    floor, size, window = EARLIER_SHORTLIST
    return (
        f"Shortlist (at least {MIN_SIMILARITY} cosine, within {RELATIVE_WINDOW} of the closest, "
        f"{SHORTLIST_SIZE} at most): keeps {hits} of the {len(sided)} sided pairs on the pack's "
        f"positions ({hits / max(1, len(sided)):.0%}), at {per_text:.1f} positions per text; "
        f"the earlier {floor} / {window} / {size} kept {old_hits} "
        f"({old_hits / max(1, len(sided)):.0%}) at {old_per_text:.1f}."
    )


if __name__ == "__main__":
    main()
