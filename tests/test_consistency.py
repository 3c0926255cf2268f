"""Internal consistency (two values for one measure and subject) and check-worthiness."""

from __future__ import annotations

from datetime import date

import pytest
from test_report import PACK, build_corpus
from typer.testing import CliRunner

from stancewatch.api import Project
from stancewatch.claims.consistency import find_inconsistencies
from stancewatch.claims.worthiness import score_statement
from stancewatch.cli import app
from stancewatch.records import Claim, Fact


def claim(id: str, value: float, doc: str = "d1", **kw) -> Claim:
    defaults = dict(
        unit="percent", measure="trust in Zelensky", subject="zelensky", text=f"{value:g}%"
    )
    return Claim(
        id=id, document_id=doc, statement_id=None, start=len(id), end=len(id) + 3, value=value,
        **{**defaults, **kw},
    )  # fmt: skip


def fact(id: str, period: str, source: str = "KIIS") -> Fact:
    return Fact(
        id=id, measure="trust", subject="zelensky", value=1, unit="percent", source=source,
        url="https://example.org/", retrieved=date(2025, 3, 1), period=period,
    )  # fmt: skip


@pytest.mark.parametrize(
    "claims, kw, expected",
    [
        # two trust figures for one leader in one article: a conflict
        ([claim("a", 4), claim("b", 57)], {}, [("document", "conflict")]),
        # across documents
        ([claim("a", 4), claim("b", 57, doc="d2")], {}, [("corpus", "conflict")]),
        # within the 3-point tolerance, or a bound that holds: consistent
        ([claim("a", 55), claim("b", 57)], {}, []),
        ([claim("a", 50, approximation="more_than"), claim("b", 57)], {}, []),
        # another subject, another unit, another measure, no subject: never paired
        ([claim("a", 4), claim("b", 57, subject="putin")], {}, []),
        ([claim("a", 4), claim("b", 57, unit="count")], {}, []),
        ([claim("a", 4), claim("b", 57, measure="inflation rate")], {}, []),
        ([claim("a", 4, subject=None), claim("b", 57, subject=None)], {}, []),
        # periods named in the text differ
        (
            [claim("a", 52, period="in December"), claim("b", 57, period="in February")],
            {},
            [("document", "different periods")],
        ),
        # said far apart
        (
            [claim("a", 40), claim("b", 57, doc="d2")],
            {"dates": {"a": date(2024, 1, 1), "b": date(2025, 2, 1)}},
            [("corpus", "different periods")],
        ),
        # matched to facts for different periods, or from different sources
        (
            [claim("a", 52), claim("b", 57)],
            {"facts": {"a": fact("dec", "December 2024"), "b": fact("feb", "February 2025")}},
            [("document", "different periods")],
        ),
        (
            [claim("a", 52), claim("b", 60)],
            {"facts": {"a": fact("k", "Feb 2025"), "b": fact("r", "Feb 2025", "Rating")}},
            [("document", "different sources")],
        ),
    ],
)
def test_find_inconsistencies(claims, kw, expected) -> None:
    found = find_inconsistencies(claims, **kw)
    assert [(i.scope, i.reason) for i in found] == expected
    for i in found:
        assert i.a.text in i.explanation and i.b.text in i.explanation


def test_money_uses_relative_tolerance() -> None:
    money = dict(unit="money", currency="USD", measure="US aid to Ukraine", subject="united-states")
    near = [claim("a", 118e9, **money), claim("b", 125e9, **money)]
    far = [claim("a", 118e9, **money), claim("b", 350e9, **money)]
    other_currency = [claim("a", 118e9, **money), claim("b", 350e9, **{**money, "currency": "EUR"})]
    assert find_inconsistencies(near) == []
    assert len(find_inconsistencies(far)) == 1
    assert find_inconsistencies(other_currency) == []


@pytest.mark.parametrize(
    "content, actor, low, high, reason",
    [
        (
            "The US gave $350 billion, more than Europe, because Biden was weak.",
            "trump",
            0.9,
            1.0,
            "causal",
        ),
        ("Zelensky has a 4% approval rating.", "trump", 0.4, 0.7, "checkable figure"),
        ("We will see what happens.", None, 0.0, 0.0, None),
        ("The two leaders met.", None, 0.0, 0.0, None),  # a small count is not a figure
        ("Prices rose because of the war.", None, 0.1, 0.2, "causal"),
    ],
)
def test_score_statement(content, actor, low, high, reason) -> None:
    w = score_statement(content, actor=actor)
    assert low <= w.score <= high
    if reason is None:
        assert w.reasons == ()
    else:
        assert any(reason in r for r in w.reasons)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("consistency") / "corpus.db"
    build_corpus(path)
    return path


def test_project_inconsistencies_and_report_section(db) -> None:
    from stancewatch.report.sections import Evidence, claims_section

    with Project(db, pack=PACK) as project:
        frame = project.inconsistencies()
        [row] = frame.to_dict(orient="records")
        assert (row["scope"], row["reason"], row["subject"]) == ("document", "conflict", "zelensky")
        assert {row["claim_a"], row["claim_b"]} == {"4% approval", "57%"}
        assert row["start_a"] < row["end_a"] and row["date_a"] == "2025-02-19"
        section = claims_section(project, None, None, Evidence(project.statements()))
        assert len(section["inconsistent"]) == 1
        assert section["inconsistent"][0]["url_a"] == "https://example.org/a"
        assert (
            claims_section(project, date(2026, 1, 1), None, Evidence(project.statements()))[
                "inconsistent"
            ]
            == []
        )


def test_project_check_worthy_and_command(db) -> None:
    with Project(db, pack=PACK) as project:
        frame = project.check_worthy()
    assert list(frame["score"]) == sorted(frame["score"], reverse=True)
    assert frame.iloc[0]["content"] in (
        "Zelensky has 4% approval",
        "Ukraine's approval figures were 57% in the poll",
    )
    result = CliRunner().invoke(
        app, ["check-worthy", "--db", str(db), "--format", "csv", "--limit", "2"]
    )
    assert result.exit_code == 0, result.output
    assert len(result.output.strip().splitlines()) == 3 and result.output.startswith(
        "score,reasons"
    )
