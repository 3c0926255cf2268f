"""Stored claims as records, for the fact-checking views of :class:`stancewatch.api.Project`.

:func:`stored_claims` reads the claims table back into :class:`~stancewatch.records.Claim`
records, with the date each was said and the fact its verdict used.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from stancewatch.records import Claim, Fact
from stancewatch.store.database import Store

__all__ = ["stored_claims"]

_CLAIM_FIELDS = ("id", "document_id", "statement_id", "text", "start", "end", "value", "unit",
                 "value_high", "currency", "scale", "approximation", "measure", "subject",
                 "period", "claimant", "context")  # fmt: skip


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def stored_claims(store: Store) -> tuple[list[Claim], dict[str, date], dict[str, Fact]]:
    """(claims, claim id → date said (else the document's date), claim id → fact used)."""
    rows = store.query(
        "SELECT c.*, coalesce(s.date, d.published) AS said, v.fact_id, f.measure AS f_measure, "
        "f.subject AS f_subject, f.value AS f_value, f.value_high AS f_value_high, "
        "f.unit AS f_unit, f.currency AS f_currency, f.period AS f_period, "
        "f.period_start AS f_period_start, f.period_end AS f_period_end, f.source AS f_source, "
        "f.url AS f_url, f.retrieved AS f_retrieved FROM claims c "
        "JOIN documents d ON d.id = c.document_id "
        "LEFT JOIN statements s ON s.id = c.statement_id "
        "LEFT JOIN verdicts v ON v.claim_id = c.id LEFT JOIN facts f ON f.id = v.fact_id "
        "ORDER BY c.document_id, c.start"
    )
    claims: dict[str, Claim] = {}
    dates: dict[str, date] = {}
    facts: dict[str, Fact] = {}
    for row in rows:
        fields = {k: row.get(k) for k in _CLAIM_FIELDS}
        fields["scale"] = fields["scale"] if fields["scale"] is not None else 1.0
        fields["approximation"] = fields["approximation"] or "exact"
        fields["measure"] = fields["measure"] or ""
        fields["context"] = fields["context"] or ""
        claim = Claim(**fields)  # type: ignore[arg-type]  # columns mirror the record
        claims.setdefault(claim.id, claim)
        said = _date(row.get("said"))
        if said is not None:
            dates[claim.id] = said
        if row.get("fact_id") and row.get("f_unit"):
            facts[claim.id] = Fact(
                id=row["fact_id"],
                measure=row["f_measure"] or "",
                subject=row["f_subject"] or "",
                value=float(row["f_value"]),
                value_high=row["f_value_high"],
                unit=row["f_unit"],
                currency=row["f_currency"],
                period=row["f_period"] or "",
                period_start=_date(row["f_period_start"]),
                period_end=_date(row["f_period_end"]),
                source=row["f_source"] or "",
                url=row["f_url"] or "",
                retrieved=_date(row["f_retrieved"]) or date.min,
            )
    return list(claims.values()), dates, facts
