"""ClaimReview JSON-LD: one review per verdict with the schema.org fields fact-check readers
require, and the same as CSV, through `stancewatch export`."""

from __future__ import annotations

import csv
import json

import pytest
from test_report import PACK, build_corpus
from typer.testing import CliRunner

from stancewatch.api import Project
from stancewatch.claims.claimreview import (
    RATINGS,
    REQUIRED,
    claim_reviews,
    missing_fields,
    review_rows,
)
from stancewatch.cli import app
from stancewatch.export import ExportError, export_tables, write_export
from stancewatch.records import VERDICT_LABELS


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("claimreview") / "corpus.db"
    build_corpus(path)
    return path


@pytest.fixture(scope="module")
def tables(db):
    with Project(db, pack=PACK) as project:
        return export_tables(project)


@pytest.fixture(scope="module")
def reviews(tables):
    return {r["identifier"]: r for r in claim_reviews(tables)}


def test_one_review_per_verdict_with_every_required_field(tables, reviews) -> None:
    assert set(reviews) == set(tables["verdicts"]["claim_id"])
    for review in reviews.values():
        assert missing_fields(review) == [], review
        assert review["@context"] == "https://schema.org" and review["@type"] == "ClaimReview"
        assert review["itemReviewed"]["@type"] == "Claim"
        assert review["reviewRating"]["@type"] == "Rating"


def test_a_false_claim(reviews) -> None:
    r = reviews["c1"]
    rating = r["reviewRating"]
    assert (rating["ratingValue"], rating["bestRating"], rating["worstRating"]) == (1, 5, 1)
    assert rating["alternateName"] == "Inaccurate"
    assert "0.07×" in rating["ratingExplanation"]
    assert r["itemReviewed"]["author"] == {"@type": "Person", "name": "Donald Trump"}
    assert r["itemReviewed"]["datePublished"] == "2025-02-19"
    first = r["itemReviewed"]["firstAppearance"]
    assert first["url"] == "https://example.org/a" and first["headline"] == "Trump on the talks"
    assert r["itemReviewed"]["appearance"] == [first]
    assert r["citation"]["name"] == "KIIS"
    assert r["url"] == "urn:stancewatch:claim:c1"
    assert len(r["datePublished"]) == 10


def test_an_unattributed_claim_names_the_outlet_not_a_guess(reviews) -> None:
    author = reviews["c3"]["itemReviewed"]["author"]  # a claim in the narration
    assert author["@type"] == "Organization" and author["name"] == "Evil Daily"
    assert "the document's own claim" in author["description"]


def test_base_url_and_publisher(tables) -> None:
    [first, *_] = claim_reviews(tables, publisher="Desk", base_url="https://desk.example/checks")
    assert first["url"].startswith("https://desk.example/checks#claim-")
    assert first["author"] == {"@type": "Organization", "name": "Desk"}


def test_every_label_has_a_normalised_rating() -> None:
    assert set(RATINGS) == set(VERDICT_LABELS)
    for label, (value, name) in RATINGS.items():
        assert name and name[0].isupper()
        assert value is None if label == "unverifiable" else 1 <= value <= 5


@pytest.mark.parametrize(
    "broken, missing",
    [
        (lambda r: r.pop("claimReviewed"), "claimReviewed"),
        (lambda r: r["reviewRating"].pop("alternateName"), "reviewRating.alternateName"),
        (lambda r: r["reviewRating"].update(ratingValue=9), "reviewRating.ratingValue"),
        (lambda r: r["itemReviewed"]["author"].pop("name"), "itemReviewed.author.name"),
        (lambda r: r["itemReviewed"].pop("firstAppearance"), "itemReviewed.firstAppearance"),
        (lambda r: r.pop("url"), "url"),
    ],
)
def test_missing_fields_are_found(reviews, broken, missing) -> None:
    review = json.loads(json.dumps(reviews["c1"]))
    broken(review)
    assert any(m.startswith(missing) for m in missing_fields(review))
    assert "Claim" in REQUIRED


def test_csv_rows(reviews) -> None:
    frame = review_rows(list(reviews.values()))
    row = frame.set_index("claim_id").loc["c1"]
    assert (row["rating"], row["rating_value"], row["claim_author"]) == (
        "Inaccurate",
        1,
        "Donald Trump",
    )


@pytest.mark.parametrize(
    "fmt, name", [("claimreview", "reviews.jsonld"), ("claimreview-csv", "reviews.csv")]
)
def test_export_command(db, tmp_path, fmt, name) -> None:
    out = tmp_path / name
    result = CliRunner().invoke(
        app, ["export", "--db", str(db), "--format", fmt, "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    if fmt == "claimreview":
        data = json.loads(out.read_text("utf-8"))
        assert len(data) == 3 and all(missing_fields(r) == [] for r in data)
    else:
        rows = list(csv.DictReader(out.open(encoding="utf-8")))
        assert len(rows) == 3 and {r["rating"] for r in rows} >= {"Inaccurate"}


def test_export_to_a_folder_is_refused(tables, tmp_path) -> None:
    with pytest.raises(ExportError, match="writes one file"):
        write_export(tables, tmp_path, "claimreview")
