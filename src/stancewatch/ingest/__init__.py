"""Ingest: reading files, folders, tables, URLs and feeds into Document records."""

from stancewatch.registry import lazy_exports

__all__, __getattr__ = lazy_exports(
    __name__,
    {
        "ingest": "inputs",
        "read_source": "inputs",
        "iter_sources": "inputs",
        "read_table": "tables",
        "IngestError": "readers",
        "IngestProblem": "readers",
        "find_published": "dates",
    },
)
