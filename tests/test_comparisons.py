"""Comparisons of two subjects: ratios ("twice as much aid as the United States") and
differences across currencies ("$100 billion more than Europe"), parsed into (subject A,
subject B, relation, value) and checked on the relation of two sourced facts."""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from stancewatch.claims.comparisons import parse_ratio, ratio_measure
from stancewatch.claims.differences import parse_difference
from stancewatch.claims.extract import extract_claims
from stancewatch.claims.lexicon import find_places
from stancewatch.claims.relations import judge_ratio
from stancewatch.claims.textcheck import text_statement
from stancewatch.claims.verdicts import check_claims
from stancewatch.cli import app
from stancewatch.packs import load_pack
from stancewatch.pipeline import check_text
from stancewatch.records import Claim, ExchangeRate, Fact

PACK = load_pack()
runner = CliRunner()


def claims_of(text: str) -> list[Claim]:
    return extract_claims(text_statement(text), text=text)


def comparison(text: str) -> tuple[str | None, str, str, float, str] | None:
    """(subject A, subject B, relation, value, approximation) of the one comparison in text."""
    for c in claims_of(text):
        ratio, diff = parse_ratio(c.measure), parse_difference(c.measure)
        if ratio is not None:
            places = find_places(ratio.other)
            other = places[-1][2] if places else ratio.other
            return c.subject, other, f"ratio {ratio.words}", c.value, c.approximation
        if diff is not None:
            places = find_places(diff.other)
            other = places[-1][2] if places else diff.other
            return c.subject, other, f"difference {diff.word}", c.value, c.approximation
    return None


# One row per form, with a must-not-parse case beside it.
@pytest.mark.parametrize(
    "text, expected",
    [
        # multiples: "N times as much as"
        (
            "Europe has given Ukraine twice as much aid as the United States.",
            ("europe", "united-states", "ratio as much as", 2.0, "exact"),
        ),
        (
            "The United States sent three times as many weapons as Germany.",
            ("united-states", "germany", "ratio as much as", 3.0, "exact"),
        ),
        ("We meet three times a week.", None),
        ("Men are twice as likely as women to vote.", None),
        ("Americans are twice as likely as Europeans to say so.", None),
        # "N times more than"
        (
            "The US gave three times more aid than Europe.",
            ("united-states", "europe", "ratio as much as", 3.0, "exact"),
        ),
        ("Russians are three times more likely than Germans to agree.", None),
        # "twice what", "double what"
        (
            "Poland spent twice what Germany spent.",
            ("poland", "germany", "ratio of", 2.0, "exact"),
        ),
        ("Aid doubled from the United States in 2024.", None),
        # fractions: "half as much as", "a third of what"
        (
            "Europe gave half as much as the United States.",
            ("europe", "united-states", "ratio as much as", 0.5, "exact"),
        ),
        (
            "Europe gave a third of what the United States gave.",
            ("europe", "united-states", "ratio of", pytest.approx(1 / 3), "exact"),
        ),
        ("A third of Ukrainians trust him.", None),
        # "X% of what Y gave", "X% of Y's aid"
        (
            "The United States gave 40% of what Europe gave.",
            ("united-states", "europe", "ratio of", 40.0, "exact"),
        ),
        (
            "The United States gave 40% of Europe's aid.",
            ("united-states", "europe", "ratio of", 40.0, "exact"),
        ),
        ("57% of Ukrainians trust Zelensky.", None),
        ("Defence takes 40% of Ukraine's budget.", None),
        # no number: "more than all of Europe combined"
        (
            "The United States gave more than all of Europe combined.",
            ("united-states", "europe", "ratio more than", 1.0, "more_than"),
        ),
        ("Russians want peace more than Ukrainians.", None),
        ("The US spent more than ever.", None),
        # differences: "$200 billion more than"
        (
            "The United States gave $100 billion more than Europe to Ukraine.",
            ("united-states", "europe", "difference more", 100e9, "exact"),
        ),
        ("The United States gave more than $100 billion to Ukraine.", None),
        # the gap written after the comparison: "higher than America's, by €18 billion"
        (
            "Europe's total is higher than America's, by about €18 billion.",
            ("europe", "united-states", "difference higher", 18e9, "about"),
        ),
        (
            "Europe gave more than the United States, by $100 billion.",
            ("europe", "united-states", "difference more", 100e9, "exact"),
        ),
        ("Prices rose by 5% in May.", None),
        ("Twice as much as last year was spent.", None),
    ],
)
def test_comparison_forms(text, expected) -> None:
    assert comparison(text) == expected


def test_ratio_measure_round_trips() -> None:
    measure = ratio_measure("military aid", "as much as", "the United States")
    assert measure == "ratio: military aid (as much as the United States)"
    ratio = parse_ratio(measure)
    assert ratio is not None and (ratio.base, ratio.words, ratio.other) == (
        "military aid",
        "as much as",
        "the United States",
    )
    assert parse_ratio("ratio: (more than Europe)").base == ""  # type: ignore[union-attr]
    assert parse_ratio("aid to Ukraine") is None


@pytest.mark.parametrize(
    "claimed, approximation, actual, label",
    [
        ((2, 2), "exact", (1.14, 1.16), "inaccurate"),  # 100% more claimed, 15% more sourced
        ((2, 2), "exact", (1.7, 1.8), "exaggerated"),
        ((1.5, 1.5), "exact", (1.9, 2.0), "understated"),
        ((1.15, 1.15), "exact", (1.14, 1.16), "accurate"),
        ((2, 2), "exact", (0.9, 0.95), "inaccurate"),  # the other way round
        ((0.5, 0.5), "exact", (0.45, 0.5), "accurate"),
        ((1, 1), "more_than", (1.14, 1.16), "accurate"),
        ((1, 1), "more_than", (0.8, 0.9), "inaccurate"),
        ((1, 1), "more_than", (0.98, 1.02), "unverifiable"),
        ((1, 1), "less_than", (0.8, 0.9), "accurate"),
    ],
)
def test_judge_ratio(claimed, approximation, actual, label) -> None:
    assert judge_ratio(claimed, approximation, actual)[0] == label


def check(text: str, **kw) -> list:
    return check_text(text, PACK, **kw)


def test_issue_ratio_claim_is_inaccurate_with_the_arithmetic_and_sources() -> None:
    [r] = check("Europe has given Ukraine twice as much aid as the United States.")
    assert r.verdict.label == "inaccurate"
    text = r.verdict.explanation
    assert "€132 billion" in text and "€114 billion" in text
    assert "kiel-europe-aid-total-eur" in text and "kiel-us-aid-total-eur" in text
    assert "about 1.16" in text and "Kiel Institute" in text
    assert r.verdict.fact_id == "kiel-europe-aid-total-eur"


def test_issue_difference_claim_is_inaccurate_with_the_conversion() -> None:
    [r] = check("The United States gave $100 billion more than Europe to Ukraine.")
    assert r.verdict.label == "inaccurate"
    text = r.verdict.explanation
    assert "$118–120 billion" in text and "€132 billion" in text
    assert "1 EUR = 1.0389 USD" in text and "31 December 2024" in text
    assert "European Central Bank" in text and "Kiel Institute" in text
    assert "$137.13 billion" in text and "the gap runs the other way" in text


@pytest.mark.parametrize(
    "text",
    [
        "Europe has given Ukraine about 1.15 times as much aid as the United States.",
        "Europe has given Ukraine more aid than the United States.",
        "The United States gave about $18 billion less than Europe to Ukraine.",
        "The United States gave about 86% of what Europe gave.",
        "By the institute's count, Europe's total is higher than America's, by about €18 billion.",
    ],
)
def test_true_comparisons_from_the_same_facts_are_accurate(text) -> None:
    [r] = check(text)
    assert r.verdict.label == "accurate", r.verdict.explanation


def test_a_missing_side_is_unverifiable_naming_the_missing_measure() -> None:
    [r] = check("Europe has given Ukraine twice as much aid as Japan.")
    assert r.verdict.label == "unverifiable"
    assert "Japan" in r.verdict.explanation and "total European aid" in r.verdict.explanation


def test_a_missing_rate_is_named() -> None:
    pack = PACK.__class__(**{**PACK.__dict__, "rates": ()})
    [r] = check_text("The United States gave $100 billion more than Europe to Ukraine.", pack)
    assert r.verdict.label == "unverifiable"
    assert "no EUR→USD exchange rate" in r.verdict.explanation


def _aid(subject: str, value: float, currency: str, end: date) -> Fact:
    return Fact(
        id=f"{subject}-{currency.lower()}",
        measure=f"{subject} aid to Ukraine",
        subject=subject,
        value=value,
        unit="money",
        currency=currency,
        source=f"{subject} ministry",
        url="https://example.org/",
        retrieved=date(2025, 3, 1),
        period="2024",
        period_start=date(2024, 1, 1),
        period_end=end,
        keywords=("aid",),
    )


def test_the_rate_is_that_of_the_period_end_or_the_claim_date() -> None:
    facts = [
        _aid("france", 10e9, "EUR", date(2024, 12, 31)),
        _aid("united-kingdom", 10e9, "GBP", date(2024, 12, 31)),
    ]
    rates = [
        ExchangeRate(date(2024, 12, 31), "EUR", "GBP", 0.8, "Bank A", "https://a.example/"),
        ExchangeRate(date(2025, 2, 24), "EUR", "GBP", 1.0, "Bank B", "https://b.example/"),
    ]
    text = "France gave about 1.25 times as much aid as the United Kingdom."
    claim = next(c for c in claims_of(text) if parse_ratio(c.measure))
    when = {claim.id: date(2025, 2, 25)}
    at_end = check_claims([claim], facts, rates=rates, claim_dates=when)[0]
    at_claim = check_claims([claim], facts, rates=rates, claim_dates=when, rate_at="claim-date")[0]
    # 10bn GBP = 12.5bn EUR at 0.8, 10bn EUR at 1.0: France gave 0.8 or 1.0 times as much.
    assert "the end of the fact's period" in at_end.explanation and "Bank A" in at_end.explanation
    assert "the claim's date" in at_claim.explanation and "Bank B" in at_claim.explanation
    assert "about 0.80" in at_end.explanation and "about 1.00" in at_claim.explanation
    with pytest.raises(ValueError, match="rate_at"):
        check_claims([claim], facts, rates=rates, rate_at="yesterday")


def test_check_command_date_and_rate_at() -> None:
    text = "The United States gave $100 billion more than Europe to Ukraine."
    result = runner.invoke(
        app,
        ["check", text, "--no-models", "--format", "json", "--date", "2025-02-24",
         "--rate-at", "claim-date"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.output)
    assert row["verdict"] == "inaccurate"
    assert "1 EUR = 1.0466 USD" in row["explanation"]  # the ECB rate of 24 February 2025
    assert "the claim's date" in row["explanation"]
    bad = runner.invoke(app, ["check", text, "--no-models", "--rate-at", "noon"])
    assert bad.exit_code == 2 and "period-end, claim-date" in bad.output


@pytest.mark.models
def test_comparisons_with_models(nlp, embedder) -> None:
    parse, similarity = nlp, embedder.similarity
    got = {
        text: check_text(text, PACK, parse=parse, similarity=similarity)[0].verdict.label
        for text in (
            "Europe has given Ukraine twice as much aid as the United States.",
            "The United States gave $100 billion more than Europe to Ukraine.",
            "Europe has given Ukraine more aid than the United States.",
        )
    }
    assert list(got.values()) == ["inaccurate", "inaccurate", "accurate"], got


def test_claimreview_carries_the_comparison_explanation() -> None:
    import pandas as pd

    from stancewatch.claims.claimreview import claim_reviews, missing_fields
    from stancewatch.records import to_row

    [r] = check("The United States gave $100 billion more than Europe to Ukraine.")
    tables = {
        "claims": pd.DataFrame([to_row(r.claim)]),
        "documents": pd.DataFrame([{"id": r.claim.document_id, "url": "https://example.org/a"}]),
        "verdicts": pd.DataFrame(
            [
                {
                    **to_row(r.verdict),
                    "checked_at": "2026-12-03",
                    "fact_url": r.fact.url,
                    "fact_source": r.fact.source,
                }
            ]  # fmt: skip
        ),
    }
    [review] = claim_reviews(tables)
    rating = review["reviewRating"]
    assert rating["alternateName"] == "Inaccurate" and rating["ratingValue"] == 1
    assert rating["ratingExplanation"] == r.verdict.explanation
    assert "1 EUR = 1.0389 USD" in rating["ratingExplanation"]
    assert missing_fields(review) == []
