"""Where one `analyze` run spends its time: a stage-by-stage profile.

Usage:
    .venv/bin/python bench/pipeline_profile.py [--corpus demo|polnear] [--limit N] [--no-write]

Runs `Project.analyze` (the code `stancewatch analyze` runs) on the bundled demo corpus or on
the PolNeAR dev articles (../shared/data/polnear/dev/text; research-only, read but never
copied) with every stage's entry point wrapped in a timer. Times are exclusive: a stage that
calls another (the stance step calls the embedder) is charged only for its own work, so the
rows add up to the run's wall time. Model loading is timed apart, from a cold start of the
models (the first command to the first document). Writes the table to docs/benchmarks.md.

Stages: parse (spaCy `nlp.pipe` in this process; for batches the parse workers take, the
wait for them and the reading of their Docs: their work on the next batch overlaps the
stages of this one and is not charged), attribution (cues, quotations, frames), actor linking
(speaker resolution), readings (what the stance model reads), embedding (the shared
sentence encoder: statements, codebook, narrative bank), shortlist, stance model, claim
extraction, fact matching, narratives, store reads, store writes, and the rest.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _corpora import CORPORA, corpus_paths  # noqa: E402
from _results import update_section  # noqa: E402


class StageClock:
    """Exclusive time per stage: entering a stage pauses the one it was called from."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._stack: list[tuple[str, float]] = []

    def enter(self, stage: str) -> None:
        now = time.perf_counter()
        if self._stack:
            outer, since = self._stack[-1]
            self.spent[outer] += now - since
        self._stack.append((stage, now))
        self.calls[stage] += 1

    def leave(self) -> None:
        now = time.perf_counter()
        stage, since = self._stack.pop()
        self.spent[stage] += now - since
        if self._stack:
            outer, _ = self._stack[-1]
            self._stack[-1] = (outer, now)

    def wrap(self, stage: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            self.enter(stage)
            try:
                return fn(*args, **kwargs)
            finally:
                self.leave()

        return timed

    def wrap_iterator(self, stage: str, fn: Callable[..., Iterator[Any]]) -> Callable[..., Any]:
        """A generator function whose every step (not its consumer's work) is charged."""

        def timed(*args: Any, **kwargs: Any) -> Iterator[Any]:
            iterator = iter(fn(*args, **kwargs))
            while True:
                self.enter(stage)
                try:
                    item = next(iterator)
                except StopIteration:
                    return
                finally:
                    self.leave()
                yield item

        return timed


def patch(clock: StageClock, project: Any) -> None:
    """Wrap each stage's entry point, on the loaded analyzer and in the modules that call it."""
    from stancewatch import pipeline
    from stancewatch.attribution import coref
    from stancewatch.stance import coding

    analyzer = project.analyzer
    pipeline.attribute = clock.wrap("attribution", pipeline.attribute)  # type: ignore[attr-defined]
    coref.Resolver.resolve = clock.wrap("actor linking", coref.Resolver.resolve)  # type: ignore[method-assign]
    pipeline.readings = clock.wrap("readings", pipeline.readings)  # type: ignore[attr-defined]
    pipeline.sentence_spans = clock.wrap("readings", pipeline.sentence_spans)
    coding.shortlist = clock.wrap("shortlist", coding.shortlist)  # type: ignore[attr-defined]
    pipeline.extract_claims = clock.wrap("claim extraction", pipeline.extract_claims)  # type: ignore[attr-defined]
    pipeline.factcheck.check_claims = clock.wrap(  # type: ignore[attr-defined]
        "fact matching", pipeline.factcheck.check_claims
    )
    analyzer.match_narratives = clock.wrap("narratives", analyzer.match_narratives)
    embedder = analyzer.embedder
    embedder.encode = clock.wrap("embedding", embedder.encode)
    backend = analyzer.backend
    backend.score = clock.wrap("stance model", backend.score)
    nlp = analyzer.nlp
    nlp.pipe = clock.wrap_iterator("parse", nlp.pipe)  # batches parsed in this process

    class TimedParser(pipeline.Parser):  # type: ignore[misc,name-defined]
        """Batches parsed by the workers: the wait for them and the reading of their Docs."""

        def submit(self, texts: list[str]) -> Callable[[], list[Any]]:
            return clock.wrap("parse", super().submit(texts))  # type: ignore[no-any-return]

    pipeline.Parser = TimedParser  # type: ignore[attr-defined,misc]
    store = project.store
    store.document = clock.wrap("store reads", store.document)
    for name in ("save_analysis", "save_narrative_matches"):
        setattr(store, name, clock.wrap("store writes", getattr(store, name)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=CORPORA, default="demo")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()

    from stancewatch.api import Project

    paths = corpus_paths(args.corpus, args.limit)

    with tempfile.TemporaryDirectory() as tmp:
        project = Project(Path(tmp) / "profile.db")
        project.ingest([str(p) for p in paths])
        t0 = time.perf_counter()
        project.analyzer.load()
        loading = time.perf_counter() - t0
        clock = StageClock()
        patch(clock, project)
        t1 = time.perf_counter()
        clock.enter("rest")
        report = project.analyze()
        clock.leave()
        wall = time.perf_counter() - t1
        project.close()

    docs, statements = report.documents, report.statements
    order = sorted(clock.spent, key=lambda s: -clock.spent[s])
    lines = [
        f"## Where `analyze` spends its time ({args.corpus})",
        "",
        f"`.venv/bin/python bench/pipeline_profile.py --corpus {args.corpus}`: {docs} documents, "
        f"{statements} statements, {wall:.1f} s ({docs / wall:.2f} documents/s, "
        f"{statements / wall:.1f} statements/s) after model loading; loading the models "
        f"(parser, encoder, stance model, codebook, facts, narrative index: `Analyzer.load()`) "
        f"took {loading:.1f} s in this process. Exclusive time "
        "per stage (a stage that calls another is charged only for its own work); *rest* is "
        "the pipeline's own code between the stages. Batches parsed by the worker processes "
        "count as *parse* only for the wait for them and the reading of their Docs: the "
        "workers parse the next batch while the stages of this one run.",
        "",
        "| stage | seconds | share | calls |",
        "| --- | --- | --- | --- |",
    ]
    for stage in order:
        lines.append(
            f"| {stage} | {clock.spent[stage]:.2f} | {clock.spent[stage] / wall:.0%} "
            f"| {clock.calls[stage]} |"
        )
    print("\n".join(lines))
    if not args.no_write and args.limit is None:
        update_section(f"pipeline-profile-{args.corpus}", "\n".join(lines))


if __name__ == "__main__":
    main()
