"""End-to-end speed of ingest + analyze (attribution, stance, claims, checks) into SQLite.

Usage:
    .venv/bin/python bench/pipeline_speed.py [--corpus demo|polnear] [--limit N]

`demo` is the bundled demo corpus; `polnear` is the PolNeAR dev articles (real political
news, ../shared/data/polnear/dev/text; research-only, read but never copied). Prints
documents/s and statements/s for each stage and writes them to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import update_section  # noqa: E402

from stancewatch.api import Project  # noqa: E402
from stancewatch.nlp import load_embedder, load_spacy  # noqa: E402
from stancewatch.packs import demo_corpus_path  # noqa: E402

POLNEAR = Path(__file__).resolve().parents[2] / "shared" / "data" / "polnear" / "dev" / "text"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=["demo", "polnear"], default="demo")
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    if args.corpus == "polnear":
        if not POLNEAR.exists():
            sys.exit(f"{POLNEAR} is not present")
        paths = sorted(POLNEAR.glob("*.txt"))[: args.limit]
    else:
        paths = sorted(demo_corpus_path().glob("*.md"))[: args.limit]

    load_spacy(), load_embedder()  # model loading is not part of the throughput
    with tempfile.TemporaryDirectory() as tmp:
        project = Project(Path(tmp) / "bench.db")
        project.analyzer.embedder  # noqa: B018 - load before timing
        t0 = time.perf_counter()
        ingested = project.ingest([str(p) for p in paths])
        t1 = time.perf_counter()
        report = project.analyze()
        t2 = time.perf_counter()
        words = sum(len(d.text.split()) for d in project.store.documents())
        project.close()

    docs = report.documents
    rows = [
        ("ingest", ingested.added / (t1 - t0), None),
        ("analyze", docs / (t2 - t1), report.statements / (t2 - t1)),
    ]
    print(
        f"{args.corpus}: {docs} documents, {words:,} words, {report.statements} statements, "
        f"{report.stances} stance codings, {report.claims} claims"
    )
    for stage, per_doc, per_statement in rows:
        extra = f", {per_statement:.1f} statements/s" if per_statement else ""
        print(f"  {stage:8s} {per_doc:8.1f} documents/s{extra}")
    body = (
        f"## Pipeline speed ({args.corpus})\n\n"
        f"`python bench/pipeline_speed.py --corpus {args.corpus}"
        + (f" --limit {args.limit}" if args.limit else "")
        + "`\n\n"
        f"{docs} documents ({words:,} words) → {report.statements} statements, "
        f"{report.stances} stance codings, {report.claims} numeric claims.\n\n"
        "| stage | documents/s | statements/s |\n|---|---|---|\n"
        f"| ingest (read, hash, store) | {rows[0][1]:.1f} | |\n"
        f"| analyze (parse, attribute, stance, claims, checks, store) | {rows[1][1]:.1f} | "
        f"{rows[1][2]:.1f} |\n"
    )
    update_section(f"pipeline-{args.corpus}", body)


if __name__ == "__main__":
    main()
