"""End-to-end speed of ingest + analyze (attribution, stance, claims, checks) into SQLite.

Usage:
    .venv/bin/python bench/pipeline_speed.py [--corpus demo|polnear] [--limit N] [--no-write]

`demo` is the bundled demo corpus; `polnear` is the PolNeAR dev articles (real political
news, ../shared/data/polnear/dev/text; research-only, read but never copied). Three figures:

- model loading, first command to first document: the wall time of a fresh
  `stancewatch analyze` process on a project holding one short document (start-up, imports,
  parser, encoder, stance model, codebook, facts and narrative index; the one document's
  analysis is a few milliseconds of it);
- of it, the Python imports alone: a fresh process importing what `analyze` imports
  (stancewatch, spaCy, torch, transformers, sentence-transformers) and nothing else;
- ingest: documents/s read, hashed and stored;
- analyze after loading: documents/s and statements/s of `Project.analyze` (parse,
  attribution, stance, claims, checks, narratives, store), the models loaded beforehand by
  `Analyzer.load()`;
- the parse alone: the same documents parsed in the same batches and processes, nothing
  else, which bounds what analysis can reach on the machine.

Prints them and writes them to docs/benchmarks.md. Run it on an idle machine: every figure is
a wall time.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _corpora import CORPORA, corpus_paths  # noqa: E402
from _results import update_section  # noqa: E402

from stancewatch.parsing import processes_for  # noqa: E402
from stancewatch.pipeline import batches  # noqa: E402
from stancewatch.settings import BATCH_CHARS, BATCH_SIZE  # noqa: E402

ONE_DOCUMENT = "Volodymyr Zelensky said on Monday that Ukraine would not cede its land.\n"
CLI = "import sys; from stancewatch.cli import main; sys.argv[0] = 'stancewatch'; main()"


def loading_seconds(folder: Path) -> tuple[float, float]:
    """Wall times of two fresh `stancewatch analyze` processes, each on a project with one
    short document: the first with an empty on-disk cache (a user's first command), the
    second reading what the first kept there (every later command)."""
    from stancewatch.api import Project
    from stancewatch.nlp import CACHE_ENV

    text = folder / "one.txt"
    text.write_text(ONE_DOCUMENT, encoding="utf-8")
    env = {**os.environ, "PYTHONWARNINGS": "ignore", CACHE_ENV: str(folder / "cache")}
    times = []
    for name in ("cold", "warm"):
        db = folder / f"{name}.db"
        with Project(db) as project:
            project.ingest([str(text)])
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", CLI, "analyze", "--db", str(db)],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        times.append(time.perf_counter() - started)
    return times[0], times[1]


IMPORTS = (
    "import stancewatch.cli, stancewatch.api, stancewatch.pipeline, spacy, torch, "
    "transformers, sentence_transformers"
)


def import_seconds() -> float:
    """Wall time of a fresh process that imports what `stancewatch analyze` imports and
    loads nothing: the share of model loading that is Python importing libraries."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", IMPORTS], check=True, env=env)
    return time.perf_counter() - started


def parse_seconds(analyzer: object, documents: list[object]) -> float:
    """The parse alone, as analyze parses: the same batches, the same worker processes (each
    batch submitted before the previous one is read), no analysis."""
    from stancewatch.parsing import Parser

    nlp = analyzer.nlp  # type: ignore[attr-defined]
    started = time.perf_counter()
    with Parser(nlp, analyzer.parse_processes) as parser:  # type: ignore[attr-defined]
        ahead = None
        for batch in batches(documents, BATCH_SIZE, BATCH_CHARS):  # type: ignore[arg-type]
            parsing = parser.submit([d.text for d in batch])
            if ahead is not None:
                with nlp.memory_zone():
                    ahead()
            ahead = parsing
        if ahead is not None:
            with nlp.memory_zone():
                ahead()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=CORPORA, default="demo")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()

    from stancewatch.api import Project

    paths = corpus_paths(args.corpus, args.limit)

    with tempfile.TemporaryDirectory() as tmp:
        loading, warm = loading_seconds(Path(tmp))
        imports = import_seconds()
        project = Project(Path(tmp) / "bench.db")
        project.analyzer.load()  # model loading is timed above, not here
        t0 = time.perf_counter()
        ingested = project.ingest([str(p) for p in paths])
        t1 = time.perf_counter()
        report = project.analyze()
        t2 = time.perf_counter()
        documents = list(project.store.documents())
        parse_alone = parse_seconds(project.analyzer, documents)
        words = sum(len(d.text.split()) for d in documents)
        first = next(batches(documents, BATCH_SIZE, BATCH_CHARS))
        processes = processes_for([d.text for d in first], project.analyzer.parse_processes)
        project.close()

    docs = report.documents
    analyze_rate, statement_rate = docs / (t2 - t1), report.statements / (t2 - t1)
    ingest_rate = ingested.added / (t1 - t0)
    parse_rate = docs / parse_alone
    print(
        f"{args.corpus}: {docs} documents, {words:,} words, {report.statements} statements, "
        f"{report.stances} stance codings, {report.claims} claims\n"
        f"  loading  {loading:8.1f} s (first command to first document), {warm:.1f} s with "
        f"the cache it left; {imports:.1f} s of it importing libraries\n"
        f"  ingest   {ingest_rate:8.1f} documents/s\n"
        f"  analyze  {analyze_rate:8.1f} documents/s, {statement_rate:.1f} statements/s "
        f"(parse processes: {processes})\n"
        f"  parse alone {parse_rate:5.1f} documents/s"
    )
    body = (
        f"## Pipeline speed ({args.corpus})\n\n"
        f"`.venv/bin/python bench/pipeline_speed.py --corpus {args.corpus}"
        + (f" --limit {args.limit}" if args.limit else "")
        + "`\n\n"
        f"{docs} documents ({words:,} words) → {report.statements} statements, "
        f"{report.stances} stance codings, {report.claims} numeric claims. Analysis runs "
        f"after the models are loaded, in batches of up to {BATCH_SIZE} documents or "
        f"{BATCH_CHARS:,} characters; the first batch is parsed in {processes} "
        f"process{'es' if processes > 1 else ''}, and each batch is parsed while the one "
        "before it is analysed. Model loading is a fresh `stancewatch analyze` process on a "
        "project of one short document, from the command to its end: on a user's first "
        "command (empty cache) and on every later one (the codebook's and the narratives' "
        "vectors and the narrative gate read from the cache the first left, "
        "`STANCEWATCH_CACHE_DIR`).\n\n"
        "| stage | seconds | documents/s | statements/s |\n|---|---|---|---|\n"
        f"| model loading, first command (first command to first document) | {loading:.1f} "
        "| | |\n"
        f"| model loading, every later command | {warm:.1f} | | |\n"
        f"| of which Python imports (stancewatch, spaCy, torch, transformers, "
        f"sentence-transformers; a fresh process importing them) | {imports:.1f} | | |\n"
        f"| ingest (read, hash, store) | {t1 - t0:.1f} | {ingest_rate:.1f} | |\n"
        f"| analyze (parse, attribute, stance, claims, checks, narratives, store) | "
        f"{t2 - t1:.1f} | {analyze_rate:.1f} | {statement_rate:.1f} |\n"
        f"| parse alone (the same batches and processes, nothing else) | {parse_alone:.1f} | "
        f"{parse_rate:.1f} | |\n\n"
        f"Analysis runs at {analyze_rate / parse_rate:.0%} of the speed of its parse alone.\n"
    )
    if not args.no_write and args.limit is None:
        update_section(f"pipeline-{args.corpus}", body)


if __name__ == "__main__":
    main()
