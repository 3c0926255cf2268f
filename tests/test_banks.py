"""Claim banks: CSV, JSONL and ClaimReview import, and the ``match`` command."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from stancewatch.narratives.banks import (
    BankError,
    load_bank,
    parse_claimreview,
    parse_csv,
    parse_jsonl,
)


@pytest.mark.parametrize(
    "text, options, expected",
    [
        (
            "text,label,verdict,url,date\nA claim,nato,false,https://x.example/1,2021-03-04\n",
            {},
            [("A claim", "nato", "false", "https://x.example/1", date(2021, 3, 4))],
        ),
        (
            "title,keywords\nFirst,k1\n,k2\n  \nSecond,k3\n",
            {"label_column": "keywords"},
            [("First", "k1", None, None, None), ("Second", "k3", None, None, None)],
        ),
        ("Claim,Narrative\nX,n1\n", {}, [("X", "n1", None, None, None)]),
        (
            "words,when\nY,not a date\n",
            {"text_column": "words", "date_column": "when"},
            [("Y", None, None, None, None)],
        ),
        ("text\n", {}, []),
    ],
)
def test_parse_csv(text: str, options: dict, expected: list) -> None:
    claims = parse_csv(text, **options)
    assert [(c.text, c.label, c.verdict, c.url, c.date) for c in claims] == expected


@pytest.mark.parametrize(
    "text, options, message",
    [
        ("body\nx\n", {}, "no text column; name one with --bank-text-column"),
        (
            "text\nx\n",
            {"label_column": "narrative"},
            "no column 'narrative' for the label; available columns: text",
        ),
    ],
)
def test_parse_csv_errors(text: str, options: dict, message: str) -> None:
    with pytest.raises(BankError, match=message):
        parse_csv(text, source="bank.csv", **options)


def test_ids_are_stable_and_unique() -> None:
    first = parse_csv("id,text\n7,a\n7,b\n,c\n", bank="b")
    again = parse_csv("id,text\n7,a\n7,b\n,c\n", bank="b")
    assert [c.id for c in first] == [c.id for c in again]
    assert len({c.id for c in first}) == 3 and first[0].id == "7"


def test_parse_jsonl() -> None:
    text = '{"claim": "A", "label": "x"}\n\n{"claim": "B", "extra": 1}\n'
    assert [(c.text, c.label) for c in parse_jsonl(text)] == [("A", "x"), ("B", None)]
    with pytest.raises(BankError, match="line 2: invalid JSON"):
        parse_jsonl('{"text": "A"}\n{broken\n', source="b.jsonl")
    with pytest.raises(BankError, match="line 1: expected a JSON object"):
        parse_jsonl("[1, 2]\n")


REVIEW = {
    "@context": "https://schema.org",
    "@type": "ClaimReview",
    "url": "https://checker.example/review/1",
    "claimReviewed": "The moon is made of cheese",
    "author": {"@type": "Organization", "name": "Checker"},
    "reviewRating": {"@type": "Rating", "alternateName": "False"},
    "itemReviewed": {"@type": "Claim", "datePublished": "2024-05-01"},
}
API = {
    "claims": [
        {
            "text": "Water is dry",
            "claimDate": "2023-01-02T00:00:00Z",
            "claimReview": [
                {"publisher": {"name": "P"}, "url": "https://p.example/2", "textualRating": "Wrong"}
            ],
        }
    ]
}


@pytest.mark.parametrize(
    "data, expected",
    [
        (
            REVIEW,
            [
                (
                    "The moon is made of cheese",
                    "Checker",
                    "False",
                    "https://checker.example/review/1",
                    date(2024, 5, 1),
                )
            ],
        ),
        (
            [REVIEW, REVIEW],
            [
                (
                    "The moon is made of cheese",
                    "Checker",
                    "False",
                    "https://checker.example/review/1",
                    date(2024, 5, 1),
                )
            ]
            * 2,
        ),
        (
            {"@graph": [REVIEW]},
            [
                (
                    "The moon is made of cheese",
                    "Checker",
                    "False",
                    "https://checker.example/review/1",
                    date(2024, 5, 1),
                )
            ],
        ),
        (API, [("Water is dry", "P", "Wrong", "https://p.example/2", date(2023, 1, 2))]),
    ],
)
def test_parse_claimreview(data: object, expected: list) -> None:
    claims = parse_claimreview(data)
    assert [(c.text, c.label, c.verdict, c.url, c.date) for c in claims] == expected


@pytest.mark.parametrize("data", [{}, [], {"@type": "NewsArticle"}, "text"])
def test_claimreview_without_reviews(data: object) -> None:
    with pytest.raises(BankError, match="no ClaimReview found"):
        parse_claimreview(data)


def test_load_bank_formats(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("\ufefftext\nx\n", encoding="utf-8")
    (tmp_path / "b.jsonl").write_text('{"text": "y"}\n', encoding="utf-8")
    (tmp_path / "c.json").write_text(json.dumps(REVIEW), encoding="utf-8")
    assert [c.text for c in load_bank(tmp_path / "a.csv")] == ["x"]
    assert [c.bank for c in load_bank(tmp_path / "b.jsonl")] == ["b"]
    assert [c.text for c in load_bank(tmp_path / "c.json", name="n")] == [
        "The moon is made of cheese"
    ]
    (tmp_path / "d.xlsx").write_text("", encoding="utf-8")
    with pytest.raises(BankError, match="cannot tell the bank format"):
        load_bank(tmp_path / "d.xlsx")
    with pytest.raises(BankError, match="file not found"):
        load_bank(tmp_path / "missing.csv")
    (tmp_path / "e.csv").write_text("text\n\n", encoding="utf-8")
    with pytest.raises(BankError, match="no claims found"):
        load_bank(tmp_path / "e.csv")


@given(
    st.lists(
        st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=30), max_size=20
    )
)
def test_csv_round_trip(texts: list[str]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["text"])
    writer.writerows([t] for t in texts)
    claims = parse_csv(buffer.getvalue())
    assert [c.text for c in claims] == [t.strip() for t in texts if t.strip()]


@pytest.mark.models
def test_match_command_keeps_rows_and_columns(tmp_path: Path) -> None:
    from stancewatch.cli import app

    source = tmp_path / "in.csv"
    source.write_text(
        "id,text,note\n"
        "1,Ukraine is governed by neo-Nazis.,a\n"
        "2,It is false that Ukraine is governed by neo-Nazis.,b\n"
        "3,The weather in Paris was sunny.,c\n"
        "4,,d\n",
        encoding="utf-8",
    )
    bank = tmp_path / "bank.csv"
    bank.write_text(
        "claim,narrative\nNeo-Nazis rule Ukraine,nazis\nKyiv is run by fascists,nazis\n"
        "NATO promised not to expand,nato\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    args = ["match", str(source), "--text-column", "text", "--bank", str(bank)]
    args += [
        "--bank-text-column",
        "claim",
        "--bank-label-column",
        "narrative",
        "--output",
        str(out),
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert list(rows[0]) == ["id", "text", "note", "match_text", "match_label", "match_score"]
    assert [r["id"] for r in rows] == ["1", "2", "3", "4"] and rows[3]["note"] == "d"
    assert rows[0]["match_label"] == "nazis" and float(rows[0]["match_score"]) > 0.55
    assert [r["match_text"] for r in rows[1:]] == ["", "", ""]
    bad = CliRunner().invoke(app, [*args[:2], "--text-column", "body", *args[4:]])
    assert bad.exit_code == 1 and "No column 'body'" in bad.output
