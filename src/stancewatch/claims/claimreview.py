"""ClaimReview (schema.org) JSON-LD for every verdict, and the same as flat CSV rows.

:func:`claim_reviews` builds one ``ClaimReview`` object per checked claim from the export
tables (:func:`stancewatch.export.export_tables`): ``claimReviewed`` (the sentence that
makes the claim), ``reviewRating`` (a ``Rating`` on a 1–5 scale with the normalised verdict
as ``alternateName`` and the explanation as ``ratingExplanation``), ``itemReviewed`` (a
``Claim`` with its ``author``, ``datePublished``, ``appearance`` and ``firstAppearance``: the
document it was found in), ``datePublished`` (when it was checked), ``url``, ``author`` (the
publisher of the review) and ``citation`` (the sourced fact). :func:`review_rows` flattens
them for CSV. Pure functions over DataFrames.

An unverifiable claim has no place on a true–false scale: its rating carries only the
``alternateName`` "Unverifiable", no ``ratingValue``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

__all__ = [
    "RATINGS",
    "BEST_RATING",
    "WORST_RATING",
    "REQUIRED",
    "claim_reviews",
    "review_rows",
    "missing_fields",
]

BEST_RATING, WORST_RATING = 5, 1
# verdict label → (ratingValue or None, alternateName)
RATINGS: dict[str, tuple[int | None, str]] = {
    "accurate": (5, "Accurate"),
    "misleading-scope": (3, "Misleading scope"),
    "exaggerated": (2, "Exaggerated"),
    "understated": (2, "Understated"),
    "inaccurate": (1, "Inaccurate"),
    "unverifiable": (None, "Unverifiable"),
}
# The fields a ClaimReview must have here (schema.org ClaimReview as search engines read it).
REQUIRED: dict[str, tuple[str, ...]] = {
    "ClaimReview": ("@context", "@type", "claimReviewed", "reviewRating", "itemReviewed", "url",
                    "datePublished", "author"),
    "Rating": ("@type", "alternateName"),
    "Claim": ("@type", "author", "appearance", "firstAppearance"),
    "author": ("@type", "name"),
    "CreativeWork": ("@type", "url"),
}  # fmt: skip


def _clean(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _by_id(frame: pd.DataFrame | None, key: str = "id") -> dict[str, dict[str, Any]]:
    if frame is None or frame.empty:
        return {}
    return {
        str(row[key]): {k: _clean(v) for k, v in row.items()}
        for row in frame.to_dict(orient="records")
    }


def _date(value: Any) -> str | None:
    value = _clean(value)
    return str(value)[:10] if value else None


def _work(doc: Mapping[str, Any], document_id: str) -> dict[str, Any]:
    work: dict[str, Any] = {
        "@type": "CreativeWork",
        "url": doc.get("url") or f"urn:stancewatch:document:{document_id}",
    }
    if doc.get("title"):
        work["headline"] = doc["title"]
    if doc.get("published"):
        work["datePublished"] = _date(doc["published"])
    if doc.get("outlet"):
        work["publisher"] = {"@type": "Organization", "name": doc["outlet"]}
    return work


def _claim_author(
    claim: Mapping[str, Any], actor: Mapping[str, Any] | None, doc: Mapping[str, Any]
) -> dict[str, Any]:
    """The claimant; without one, the outlet that printed the claim (the speaker is not known,
    and that is said rather than guessed), or whose own claim it is (a claim in the narration,
    with no statement)."""
    if claim.get("claimant"):
        kind = "Organization" if (actor or {}).get("kind") == "institution" else "Person"
        return {
            "@type": kind,
            "name": claim.get("claimant_name") or (actor or {}).get("name") or claim["claimant"],
        }
    if doc.get("outlet"):
        what = (
            "speaker not identified; the outlet that printed the claim"
            if claim.get("statement_id")
            else "the document's own claim, made in its narration; no one is reported to have "
            "said it"
        )
        return {"@type": "Organization", "name": doc["outlet"], "description": what}
    return {"@type": "Person", "name": "Unknown speaker"}


def claim_reviews(
    tables: Mapping[str, pd.DataFrame],
    *,
    publisher: str = "stancewatch",
    base_url: str | None = None,
) -> list[dict[str, Any]]:
    """One ClaimReview per verdict, in the verdicts table's order.

    ``publisher`` names who publishes the reviews (their ``author``); ``base_url`` is where they
    are published: each review's ``url`` is ``base_url`` + ``#claim-<id>``. Without it the url
    is ``urn:stancewatch:claim:<id>``; set it before publishing.
    """
    claims = _by_id(tables.get("claims"))
    documents = _by_id(tables.get("documents"))
    actors = _by_id(tables.get("actors"))
    verdicts = tables.get("verdicts")
    if verdicts is None or verdicts.empty:
        return []
    reviews = []
    for verdict in verdicts.to_dict(orient="records"):
        verdict = {k: _clean(v) for k, v in verdict.items()}
        claim = claims.get(str(verdict["claim_id"]))
        if claim is None:
            continue
        doc = documents.get(str(claim["document_id"]), {})
        value, name = RATINGS.get(str(verdict["label"]), (None, str(verdict["label"]).capitalize()))
        rating: dict[str, Any] = {"@type": "Rating", "alternateName": name}
        if value is not None:
            rating.update(ratingValue=value, bestRating=BEST_RATING, worstRating=WORST_RATING)
        if verdict.get("explanation"):
            rating["ratingExplanation"] = verdict["explanation"]
        work = _work(doc, str(claim["document_id"]))
        item: dict[str, Any] = {
            "@type": "Claim",
            "author": _claim_author(claim, actors.get(str(claim.get("claimant"))), doc),
            "appearance": [work],
            "firstAppearance": work,
        }
        said = _date(claim.get("date")) or _date(doc.get("published"))
        if said:
            item["datePublished"] = said
        claim_id = str(claim["id"])
        review: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "url": f"{base_url}#claim-{claim_id}"
            if base_url
            else f"urn:stancewatch:claim:{claim_id}",
            "claimReviewed": claim.get("context") or claim.get("text"),
            "datePublished": _date(verdict.get("checked_at")),
            "author": {"@type": "Organization", "name": publisher},
            "reviewRating": rating,
            "itemReviewed": item,
            "identifier": claim_id,
        }
        if verdict.get("fact_url") or verdict.get("fact_source"):
            review["citation"] = {
                "@type": "CreativeWork",
                "name": verdict.get("fact_source"),
                "url": verdict.get("fact_url"),
            }
        reviews.append(review)
    return reviews


def missing_fields(review: Mapping[str, Any]) -> list[str]:
    """The required fields (:data:`REQUIRED`) a ClaimReview lacks, as dotted paths; [] when
    it has them all."""
    missing = [f for f in REQUIRED["ClaimReview"] if not review.get(f)]
    rating = review.get("reviewRating") or {}
    missing += [f"reviewRating.{f}" for f in REQUIRED["Rating"] if not rating.get(f)]
    if "ratingValue" in rating:
        low, high, value = (
            rating.get("worstRating"),
            rating.get("bestRating"),
            rating["ratingValue"],
        )
        if low is None or high is None or not low <= value <= high:
            missing.append("reviewRating.ratingValue (within worstRating–bestRating)")
    item = review.get("itemReviewed") or {}
    missing += [f"itemReviewed.{f}" for f in REQUIRED["Claim"] if not item.get(f)]
    missing += [
        f"itemReviewed.author.{f}"
        for f in REQUIRED["author"]
        if not (item.get("author") or {}).get(f)
    ]
    missing += [
        f"author.{f}" for f in REQUIRED["author"] if not (review.get("author") or {}).get(f)
    ]
    first = item.get("firstAppearance") or {}
    missing += [
        f"itemReviewed.firstAppearance.{f}" for f in REQUIRED["CreativeWork"] if not first.get(f)
    ]
    return missing


def review_rows(reviews: list[dict[str, Any]]) -> pd.DataFrame:
    """ClaimReviews as one flat row each (for CSV)."""
    rows = []
    for r in reviews:
        rating, item = r["reviewRating"], r["itemReviewed"]
        first = item["firstAppearance"]
        rows.append(
            {
                "claim_id": r.get("identifier"),
                "url": r["url"],
                "claim_reviewed": r["claimReviewed"],
                "rating": rating["alternateName"],
                "rating_value": rating.get("ratingValue"),
                "best_rating": rating.get("bestRating"),
                "worst_rating": rating.get("worstRating"),
                "explanation": rating.get("ratingExplanation"),
                "claim_author": item["author"]["name"],
                "claim_author_type": item["author"]["@type"],
                "claim_date": item.get("datePublished"),
                "appearance_url": first.get("url"),
                "appearance_headline": first.get("headline"),
                "review_date": r.get("datePublished"),
                "review_author": r["author"]["name"],
                "source": (r.get("citation") or {}).get("name"),
                "source_url": (r.get("citation") or {}).get("url"),
            }
        )
    columns = ["claim_id", "url", "claim_reviewed", "rating", "rating_value", "best_rating",
               "worst_rating", "explanation", "claim_author", "claim_author_type", "claim_date",
               "appearance_url", "appearance_headline", "review_date", "review_author", "source",
               "source_url"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)
