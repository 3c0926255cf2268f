"""Large corpora: streaming runs to Parquet shards, on one machine or a Ray cluster."""

from stancewatch.registry import lazy_exports

__all__, __getattr__ = lazy_exports(
    __name__,
    {
        "run_local": "runner",
        "plan": "runner",
        "run_shard": "runner",
        "make_analyzer": "runner",
        "run_ray": "ray_engine",
        "load_output": "parquet",
        "query": "parquet",
    },
)
