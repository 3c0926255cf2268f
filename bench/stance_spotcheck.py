"""Draw stance codings of the demo corpus for a person to judge, with every backend's label.

Usage:
    .venv/bin/python bench/stance_spotcheck.py [--backends minilm-lora,prototype] [--n 60]
        [--sided 40] [--seed 60] --output spotcheck.csv

Each backend analyses the bundled demo corpus into its own temporary database. The shortlist
of (statement, position) pairs does not depend on the backend, so the same pairs are coded by
each; ``--n`` of them are drawn with ``--seed``, ``--sided`` of them among the pairs the first
backend codes support or oppose and the rest among those it codes neutral (most shortlisted
pairs are neutral, so a plain draw would mostly test the easy answer), and written to a CSV
(actor, statement, what the model read, position, proposition, then a label and score per
backend, and an empty ``judged`` column for the reader). It also prints how often the backends agree and each one's label counts over all
pairs. Judging is a person's work: docs/stance_spotcheck.md records one reading of the
default draw and the error classes found.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
from collections import Counter
from pathlib import Path

from stancewatch.api import Project
from stancewatch.packs import demo_corpus_path
from stancewatch.pipeline import stored_readings
from stancewatch.store.teacher import statement_ids, stored_statements


def codings(backend: str, folder: Path) -> dict[tuple[str, str], dict]:
    """(statement id, position id) -> the stance row (``Project.stances``) with the text the
    model read (``reading``), for the demo corpus under ``backend``."""
    with Project(folder / f"{backend.replace(':', '_')}.db", stance=backend) as project:
        project.ingest(sorted(demo_corpus_path().glob("*.md")))
        project.analyze()
        frame = project.stances()
        read = readings(project)
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")  # NaN -> None
    return {
        (r["statement_id"], r["position_id"]): r | {"reading": read.get(r["statement_id"])}
        for r in rows
    }


def readings(project: Project) -> dict[str, str]:
    """Statement id -> what the stance model read for it (each document parsed once)."""
    store = project.store
    out = {}
    for document_id, found in stored_statements(store, statement_ids(store)).items():
        text = store.document(document_id).text
        for statement, read in zip(
            found, stored_readings(project.analyzer.nlp, text, found), strict=True
        ):
            out[statement.id] = read
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="minilm-lora,prototype")
    parser.add_argument("--n", type=int, default=60)
    parser.add_argument("--sided", type=int, default=40, help="pairs drawn among sided ones")
    parser.add_argument("--seed", type=int, default=60)
    parser.add_argument("--output", type=Path, required=True, help="CSV file to write")
    args = parser.parse_args(argv)
    backends = [b for b in args.backends.split(",") if b]
    with tempfile.TemporaryDirectory() as tmp:
        coded = {b: codings(b, Path(tmp)) for b in backends}
    keys = sorted(set.intersection(*(set(c) for c in coded.values())))
    if not keys:
        print("the backends coded no pair in common", file=sys.stderr)
        return 1
    first = coded[backends[0]]
    for b in backends:
        print(
            f"{b}: {len(coded[b])} pairs, labels {dict(Counter(r['label'] for r in coded[b].values()))}"
        )
    if len(backends) > 1:
        same = sum(len({coded[b][k]["label"] for b in backends}) == 1 for k in keys)
        print(f"all backends give the same label on {same} of {len(keys)} shared pairs")
    rng = random.Random(args.seed)
    sided = [k for k in keys if first[k]["label"] != "neutral"]
    neutral = [k for k in keys if first[k]["label"] == "neutral"]
    take = min(args.sided, len(sided))
    sample = rng.sample(sided, take) + rng.sample(neutral, min(args.n - take, len(neutral)))
    with args.output.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        header = ["n", "actor", "statement", "reading", "position", "proposition"]
        writer.writerow(
            header + [f"{b} {x}" for b in backends for x in ("label", "score")] + ["judged"]
        )
        for n, key in enumerate(sample, 1):
            row = first[key]
            labels = [
                v
                for b in backends
                for v in (coded[b][key]["label"], f"{coded[b][key]['score']:.2f}")
            ]
            writer.writerow(
                [n, row["actor"] or "", row["content"], row["reading"] or "", row["position_id"]]
                + [row["proposition"]]
                + [*labels, ""]
            )
    print(f"wrote {len(sample)} pairs to {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
