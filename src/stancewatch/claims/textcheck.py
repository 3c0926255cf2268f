"""Checking the numeric claims of one text against a pack's facts (``stancewatch check``).

A text given directly has no attribution: :func:`check_text` checks its claims as one
statement of unknown speaker spanning the whole text, with the same extraction
(:mod:`stancewatch.claims.extract`) and checker (:mod:`stancewatch.claims.verdicts`) as the pipeline.
:func:`result_dict` turns each result into the JSON object ``stancewatch check --format json``
prints. Pure: the caller passes the loaded pack, the parse and the similarity function.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from stancewatch.claims.extract import extract_claims
from stancewatch.claims.matching import Similarity
from stancewatch.claims.scope import period_date
from stancewatch.claims.verdicts import check_claims
from stancewatch.packs import Pack
from stancewatch.records import Claim, Fact, Statement, Verdict, content_hash, stable_id

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["CheckedClaim", "Mentions", "check_text", "result_dict", "text_statement"]

# A text's actor mentions on a date, as (start, end, actor id) spans: what
# :meth:`stancewatch.attribution.actors.ActorLinker.find_mentions` returns.
Mentions = Callable[[str, date | None], Any]


@dataclass(frozen=True)
class CheckedClaim:
    """One claim found in the text, its verdict and the fact it was checked against."""

    claim: Claim
    verdict: Verdict
    fact: Fact | None


def text_statement(text: str, when: date | None = None) -> Statement:
    """The whole text as one statement of unknown speaker."""
    document_id = content_hash(text)
    return Statement(
        id=stable_id(document_id, "text", 0, len(text)),
        document_id=document_id,
        kind="other",
        content=text,
        content_start=0,
        content_end=len(text),
        date=when,
        method="text.whole.v1",
    )


def check_text(
    text: str,
    pack: Pack,
    *,
    parse: Callable[[str], Doc] | None = None,
    similarity: Similarity | None = None,
    when: date | None = None,
    authority: Mapping[str, int] | None = None,
    mentions: Mentions | None = None,
    rate_at: str = "period-end",
) -> list[CheckedClaim]:
    """The numeric claims of ``text``, each with its verdict against ``pack.facts``.

    ``parse`` (a spaCy pipeline) gives measures and subjects from the parse; ``similarity``
    (MiniLM cosine similarity) matches measures worded differently from the facts; without
    them a word window and keyword overlap are used. ``when`` is the date the text was said;
    among facts for one measure the checker picks the one whose period is closest to the
    month or year the claim names ("in April 2020"), else closest to ``when``. ``mentions``
    finds the pack's actors named in the text (subjects of the claims); without it claims
    have no actor subjects. :func:`stancewatch.pipeline.check_text` passes the pack's actor
    linker. Comparisons across currencies use the pack's exchange rates at the end of the
    fact's period, or on ``when`` with ``rate_at="claim-date"``.
    """
    if not isinstance(text, str):
        raise TypeError(f"check_text expects a str, got {type(text).__name__}")
    if not text.strip():
        return []
    statement = text_statement(text, when)
    doc = parse(text) if parse is not None else None
    find = (lambda t: mentions(t, when)) if mentions is not None else None
    claims = extract_claims(statement, text=text, mentions=find, doc=doc)
    verdicts = check_claims(
        claims,
        pack.facts,
        similarity=similarity,
        claim_dates=_dates(claims, when),
        subject_kinds={a.id: a.kind for a in pack.actors},
        authority=authority,
        rates=pack.rates,
        rate_at=rate_at,
    )
    facts = {f.id: f for f in pack.facts}
    return [
        CheckedClaim(c, v, facts.get(v.fact_id) if v.fact_id else None)
        for c, v in zip(claims, verdicts, strict=True)
    ]


def _dates(claims: list[Claim], when: date | None) -> dict[str, date]:
    """Each claim's date: the single month or year its own period names ("in April 2020"),
    else the date the text was said."""
    out = {}
    for c in claims:
        said = period_date(c.period) or when
        if said is not None:
            out[c.id] = said
    return out


def result_dict(result: CheckedClaim) -> dict[str, Any]:
    """The JSON object of one checked claim: ``claim`` (its span's text), ``value``, ``unit``,
    ``measure``, ``subject``, ``verdict``, ``ratio``, ``explanation`` and ``fact`` (``value``,
    ``unit``, ``period``, ``source``, ``url``) or null; plus ``value_high``, ``currency``,
    ``start``/``end`` offsets and the fact's ``id``, ``value_high`` and ``currency``."""
    c, v, f = result.claim, result.verdict, result.fact
    fact = None
    if f is not None:
        fact = {
            "value": f.value,
            "unit": f.unit,
            "period": f.period,
            "source": f.source,
            "url": f.url,
            "id": f.id,
            "value_high": f.value_high,
            "currency": f.currency,
        }
    return {
        "claim": c.text,
        "value": c.value,
        "unit": c.unit,
        "measure": c.measure,
        "subject": c.subject,
        "verdict": v.label,
        "ratio": v.ratio,
        "explanation": v.explanation,
        "fact": fact,
        "value_high": c.value_high,
        "currency": c.currency,
        "start": c.start,
        "end": c.end,
    }
