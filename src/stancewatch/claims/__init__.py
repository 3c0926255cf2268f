"""Numeric claims: finding quantities, matching them with sourced facts, and verdicts."""

from stancewatch.registry import lazy_exports

__all__, __getattr__ = lazy_exports(
    __name__,
    {
        "Quantity": "quantities",
        "parse_quantities": "quantities",
        "extract_claims": "extract",
        "check_claims": "verdicts",
        "find_inconsistencies": "consistency",
        "score_statement": "worthiness",
        "claim_reviews": "claimreview",
        "add_fact": "factbase",
        "import_facts": "factbase",
        "source_authority": "factbase",
        "result_dict": "textcheck",
    },
)
