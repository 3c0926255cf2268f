"""The Ray Data engine: the same shards and :func:`stancewatch.scale.runner.run_shard` on a cluster.

The driver cuts the input into shards (:func:`stancewatch.scale.runner.plan`), leaves out the
shards already done, and maps the rest with ``Dataset.map_batches`` over an actor pool
(:class:`ShardWorker`, a fixed pool of ``workers`` actors): each worker loads the models once, then
reads, analyses and writes one shard at a time. Workers ask for a GPU (``num_gpus``) when
the cluster has one. Ray is optional: ``pip install 'stancewatch[ray]'``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from stancewatch.scale import parquet as parquet_store
from stancewatch.scale.runner import (
    RunError,
    RunReport,
    Shard,
    check_output,
    list_sources,
    plan,
    read_shard,
    write_run_info,
)
from stancewatch.settings import BATCH_SIZE, Settings

RAY_MISSING = (
    "The Ray engine needs Ray: pip install 'stancewatch[ray]' "
    "(or run with --engine local, the same analysis in one process)"
)


def import_ray() -> Any:
    """The ``ray`` module, or a RunError saying how to install it."""
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError:
        raise RunError(RAY_MISSING) from None
    return ray


class ShardWorker:
    """A Ray Data actor: models load once in ``__init__``; each call runs whole shards."""

    def __init__(
        self,
        output: str,
        settings: Settings,
        batch_size: int,
        text_column: str,
    ) -> None:
        import os

        from stancewatch.scale.memory import tune_allocator
        from stancewatch.scale.runner import make_analyzer

        tune_allocator()
        self.output = Path(output)
        # the driver's settings with its resolved precision, not the worker's: every shard of
        # a run is encoded alike, even on a cluster whose machines differ or do not share the
        # driver's environment
        self.analyzer = make_analyzer(settings)
        self.analyzer.parse_processes = 1  # each worker is a process of its own already
        self.analyzer.load()  # the models and the codebook, now, once per worker
        self.batch_size = batch_size
        self.text_column = text_column
        self.name = f"ray-{os.getpid()}"
        self.settings = json.dumps(self.analyzer.settings(), default=str)  # the same for all

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        from stancewatch.scale.runner import run_shard

        out: dict[str, list[Any]] = {"shard": [], "counts": [], "settings": []}
        for text in batch["shard"]:
            shard = Shard.from_json(str(text))
            counts: dict[str, int] = {}
            if not parquet_store.is_done(self.output, shard.id):
                documents = read_shard(shard, self.text_column)
                counts = run_shard(
                    shard,
                    documents,
                    self.analyzer,
                    self.output,
                    batch_size=self.batch_size,
                    worker=self.name,
                )
            out["shard"].append(shard.id)
            out["counts"].append(json.dumps(counts))
            out["settings"].append(self.settings)
        return out


def run_ray(
    inputs: list[str],
    output: str | Path,
    *,
    settings: Settings | None = None,
    workers: int = 2,
    shard_size: int = 500,
    batch_size: int = BATCH_SIZE,
    text_column: str = "text",
    address: str | None = None,
    num_cpus: int | None = None,
    gpus_per_worker: float | None = None,
    on_shard: Callable[[Shard, dict[str, int] | None], None] | None = None,
) -> RunReport:
    """Run the analysis with Ray Data; shards done before are skipped.

    ``address`` joins a running cluster (``auto``, ``ray://host:10001``); without it a local
    Ray starts with ``num_cpus`` CPUs. ``gpus_per_worker`` defaults to 1 when the cluster has
    GPUs, else 0. ``settings`` chooses the pack, models, stance backend and precision; the
    driver resolves the precision once, and every worker uses the driver's.
    """
    settings = settings or Settings()
    pack = settings.pack
    if not isinstance(workers, int) or workers < 1:
        raise RunError(f"workers must be a positive number, got {workers!r}")
    ray = import_ray()
    started = time.perf_counter()
    out = check_output(output)
    sources = list_sources(inputs)
    shards = plan(sources, shard_size, text_column)
    report = RunReport("ray")
    pending: list[Shard] = []
    for shard in shards:
        report.problems.extend(shard.problems)
        if parquet_store.is_done(out, shard.id):
            report.skipped += 1
            if on_shard is not None:
                on_shard(shard, None)
        else:
            pending.append(shard)
    out.mkdir(parents=True, exist_ok=True)
    if pending:
        if not ray.is_initialized():
            ray.init(
                address=address,
                num_cpus=None if address else num_cpus,
                include_dashboard=False,
                log_to_driver=False,
                ignore_reinit_error=True,
            )
        ray.data.DataContext.get_current().enable_progress_bars = False
        if gpus_per_worker is None:
            gpus_per_worker = 1.0 if ray.cluster_resources().get("GPU", 0) > 0 else 0.0
        dataset = ray.data.from_items(
            [{"shard": s.to_json()} for s in pending], override_num_blocks=len(pending)
        )
        mapped = dataset.map_batches(
            ShardWorker,
            fn_constructor_kwargs={
                "output": str(out.resolve()),
                "settings": settings.replace(
                    pack=None if pack is None else str(Path(pack).resolve())
                ).resolved(),
                "batch_size": batch_size,
                "text_column": text_column,
            },
            batch_size=1,
            compute=ray.data.ActorPoolStrategy(size=workers),
            num_cpus=1,
            num_gpus=gpus_per_worker,
        )
        by_id = {s.id: s for s in pending}
        wrote_info = False
        for row in mapped.iter_rows():
            if not wrote_info:
                recorded = json.loads(row["settings"])  # what the workers' analyzers used
                write_run_info(out, inputs, recorded, pack, engine="ray", workers=workers)
                wrote_info = True
            counts = json.loads(row["counts"])
            report.shards += 1
            report.documents += counts.get("documents", 0)
            report.add(counts)
            if on_shard is not None:
                on_shard(by_id[row["shard"]], counts)
    report.seconds = time.perf_counter() - started
    return report
