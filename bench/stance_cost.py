"""Cost of stance coding with the shortlist: pairs/s and statements/s for 20 and 200 positions.

Catalogs are built from VAST train topics (the most frequent topics first): each topic is a
position whose proposition is the topic and whose codebook phrasings are the first sentences
of up to four favour and four against train texts of that topic. The shortlist keeps the
closest 3 positions within 0.08 of the best (``--min-similarity`` 0 by default: VAST's long
comments rarely reach the pipeline's 0.65 floor against a bare topic, which would leave
almost nothing to score).

Statements, two kinds: the distinct VAST dev comments (long: a paragraph or more) and the
distinct RUW val tweets (short, about the length of the quotes and sentences the pipeline
attributes). For each catalog the codebook is prepared once and timed apart (its texts
embedded for the shortlist, and each position scored once, which embeds its proposition and
phrasings in the backend): a run pays that once whatever the corpus size. Then the timed step
is :func:`stancewatch.stance.coding.code_stances` over the statements with cold statement caches:
embedding them for the shortlist, shortlisting, and scoring the shortlisted pairs with the
backend. Model loading is excluded. Writes docs/benchmarks.md section ``stance_cost`` (float32)
or ``stance_cost-bf16`` (bfloat16).

Run: .venv/bin/python bench/stance_cost.py [--statements 400] [--stance minilm-lora]
(in the default precision, ``auto``; ``STANCEWATCH_PRECISION=fp32`` or ``bf16`` in front
picks one)
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import update_section  # noqa: E402

from stancewatch.nlp import load_embedder  # noqa: E402
from stancewatch.records import Position, Statement, stable_id  # noqa: E402
from stancewatch.stance.backends import load_backend  # noqa: E402
from stancewatch.stance.coding import code_stances, position_texts  # noqa: E402
from stancewatch.stance.evaluation import fresh_embedder, read_stance_rows  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "vast"
RUW = DATA.parent / "ruw" / "ruw_val.csv"
SIZES = (20, 200)
PHRASINGS_PER_SIDE = 4


def first_sentence(text: str) -> str:
    """The text up to its first full stop (at most 200 characters): a codebook-like phrasing."""
    return re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0][:200]


def catalog(size: int) -> list[Position]:
    """The ``size`` most frequent VAST train topics as positions with example phrasings."""
    rows = read_stance_rows(DATA / "vast_train_subset10.csv", "vast")
    topics = [t for t, _ in Counter(r.target for r in rows).most_common(size)]
    if len(topics) < size:
        raise SystemExit(f"VAST train has only {len(topics)} topics; cannot build {size}")
    out = []
    for topic in topics:
        mine = [r for r in rows if r.target == topic]
        out.append(
            Position(
                id=stable_id("topic", topic),
                topic=topic,
                proposition=topic,
                supports=tuple(first_sentence(r.text) for r in mine if r.label == "support")[
                    :PHRASINGS_PER_SIDE
                ],
                opposes=tuple(first_sentence(r.text) for r in mine if r.label == "oppose")[
                    :PHRASINGS_PER_SIDE
                ],
            )
        )
    return out


def statements(kind: str, limit: int) -> list[Statement]:
    """Distinct VAST dev comments or RUW val tweets, as statements."""
    path, fmt = (DATA / "vast_dev.csv", "vast") if kind == "VAST comments" else (RUW, "ruw")
    texts = list(dict.fromkeys(r.text for r in read_stance_rows(path, fmt)))
    return [Statement(f"s{i}", kind, "direct", t, 0, len(t)) for i, t in enumerate(texts[:limit])]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=400)
    parser.add_argument("--stance", default="minilm-lora", help="backend spec (load_backend)")
    parser.add_argument("--min-similarity", type=float, default=0.0)
    args = parser.parse_args()
    embedder = load_embedder()
    precision = embedder.precision
    kinds = ("VAST comments", "RUW tweets")
    lines = [
        f"Backend `{args.stance}`; statements: up to {args.statements} distinct VAST dev "
        "comments (long) and RUW val tweets (short); catalogs of VAST train topics with up to "
        f"{PHRASINGS_PER_SIDE} example phrasings per side. The codebook is prepared once per "
        'catalog and timed apart ("codebook s": a run pays it once, whatever its size). '
        "The timed step is `code_stances` over the statements with cold statement caches: "
        "embedding them for the shortlist, the shortlist, and scoring the shortlisted pairs "
        "(model loading excluded). The last column, the base MiniLM alone embedding the same "
        "statements in the same run, is the yardstick for the machine's load. Shortlist floor "
        f"{args.min_similarity}. Encoders in {precision}. Command: "
        f"`STANCEWATCH_PRECISION={precision} .venv/bin/python bench/stance_cost.py "
        f"--stance {args.stance}`.",
        "",
        "| Statements | Positions | Codebook s (once) | Shortlisted pairs | Pairs per statement "
        "| s | pairs/s | statements/s | stance-scoring share | base MiniLM alone, statements/s |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for kind in kinds:
        found = statements(kind, args.statements)
        for size in SIZES:
            positions = catalog(size)
            fresh = fresh_embedder(embedder)
            backend = load_backend(args.stance, embedder=fresh)
            started = time.perf_counter()
            fresh.encode([text for p in positions for text in position_texts(p)])
            backend.score([p.proposition for p in positions], positions)
            codebook = time.perf_counter() - started
            scoring = [0.0]
            score = backend.score

            def timed(texts, positions, _score=score, _acc=scoring):  # type: ignore[no-untyped-def]
                started = time.perf_counter()
                out = _score(texts, positions)
                _acc[0] += time.perf_counter() - started
                return out

            backend.score = timed
            started = time.perf_counter()
            stances = code_stances(
                found, positions, fresh, backend, min_similarity=args.min_similarity
            )
            elapsed = time.perf_counter() - started
            started = time.perf_counter()
            fresh_embedder(embedder).encode([s.content for s in found])
            alone = len(found) / (time.perf_counter() - started)
            pairs = len(stances)
            line = (
                f"| {len(found)} {kind} | {size} | {codebook:.1f} | {pairs} | "
                f"{pairs / len(found):.2f} | {elapsed:.1f} | {pairs / elapsed:.0f} | "
                f"{len(found) / elapsed:.1f} | {scoring[0] / elapsed:.0%} | {alone:.1f} |"
            )
            lines.append(line)
            print(line, flush=True)
    section = "stance_cost" if precision == "fp32" else f"stance_cost-{precision}"
    update_section(section, "\n".join(lines))


if __name__ == "__main__":
    main()
