"""The Ray Data engine in local mode: the same results as the local engine, and resume."""

from __future__ import annotations

import sys

import pandas as pd
import pytest
from run_fixtures import TEXTS, duplicates, kill_midway, table, write_corpus

from stancewatch.scale import parquet as parquet_store
from stancewatch.scale.runner import RunError, run_local

TABLES = ("documents", "statements", "stances", "claims", "verdicts")


def test_without_ray_the_engine_says_how_to_install_it(monkeypatch):
    from stancewatch.scale import ray_engine

    monkeypatch.setitem(sys.modules, "ray", None)  # as if Ray were not installed
    with pytest.raises(RunError, match=r"pip install 'stancewatch\[ray\]'"):
        ray_engine.import_ray()
    with pytest.raises(RunError, match="--engine local"):
        ray_engine.run_ray(["in"], "out")


@pytest.mark.parametrize("workers", [0, -2])
def test_workers_must_be_positive(workers):
    from stancewatch.scale.ray_engine import run_ray

    with pytest.raises(RunError, match="workers must be a positive number"):
        run_ray(["in"], "out", workers=workers)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    ray = pytest.importorskip("ray")
    from stancewatch.scale.ray_engine import run_ray

    folder = tmp_path_factory.mktemp("ray")
    corpus = write_corpus(folder / "in")
    local = run_local([str(corpus)], folder / "local", shard_size=3)
    report = run_ray([str(corpus)], folder / "ray", shard_size=3, workers=2, num_cpus=2)
    yield corpus, folder, local, report
    ray.shutdown()


@pytest.mark.ray
@pytest.mark.models
def test_ray_and_local_engines_give_the_same_records(runs):
    _, folder, local, report = runs
    assert (report.shards, report.skipped, report.documents) == (3, 0, len(TEXTS))
    assert report.rows == local.rows
    assert report.rows["statements"] > 0 and report.rows["verdicts"] > 0
    for name in TABLES:
        pd.testing.assert_frame_equal(table(folder / "ray", name), table(folder / "local", name))
    workers = {
        parquet_store.json.loads(p.read_text())["worker"]
        for p in (folder / "ray" / "_shards").glob("*.json")
    }
    assert all(w.startswith("ray-") for w in workers)


@pytest.mark.ray
@pytest.mark.models
def test_killing_a_ray_run_midway_then_rerunning_leaves_nothing_missing_or_twice(runs):
    from stancewatch.scale.ray_engine import run_ray

    corpus, folder, _, _ = runs
    output = folder / "killed"
    args = [str(corpus), str(output), "--engine", "ray", "--shard-size", "3"]
    done = kill_midway([*args, "--workers", "1", "--num-cpus", "1"], output)
    assert 1 <= done < 3  # killed with work left
    report = run_ray([str(corpus)], output, shard_size=3, workers=1)
    assert (report.skipped, report.shards) == (done, 3 - done)
    assert duplicates(output) == dict.fromkeys(duplicates(output), 0)
    for name in TABLES:
        pd.testing.assert_frame_equal(table(output, name), table(folder / "local", name))


@pytest.mark.models
@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_a_shard_worker_encodes_in_the_drivers_precision_not_its_own(
    tmp_path, monkeypatch, precision
):
    from stancewatch.nlp import PRECISION_ENV
    from stancewatch.scale.ray_engine import ShardWorker
    from stancewatch.settings import Settings

    # the worker's own environment says otherwise: a cluster machine does not share the
    # driver's environment, and "auto" can resolve differently on another CPU
    monkeypatch.setenv(PRECISION_ENV, "bf16" if precision == "fp32" else "fp32")
    settings = Settings(stance="minilm-lora", precision=precision)
    worker = ShardWorker(str(tmp_path), settings, 4, "text")
    assert worker.analyzer.embedder.precision == precision
    assert worker.analyzer.backend.precision == precision
    assert parquet_store.json.loads(worker.settings)["embedding_precision"] == precision
