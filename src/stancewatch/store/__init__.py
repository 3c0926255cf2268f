"""The SQLite store (:mod:`~stancewatch.store.database`, schema in
:mod:`~stancewatch.store.schema`) and the read model over stored results
(:mod:`~stancewatch.store.results`): the one place a coding's final value is computed."""

from stancewatch.registry import lazy_exports

__all__, __getattr__ = lazy_exports(
    __name__,
    {
        "Store": "database",
        "StoreError": "database",
        "SCHEMA_VERSION": "schema",
        "latest_adjudications": "results",
        "adjudicated_values": "results",
        "statement_rows": "results",
        "stance_rows": "results",
        "claim_rows": "results",
        "stored_claims": "results",
    },
)
