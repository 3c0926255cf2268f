"""Numbers a document gives in its own voice: extracted and checked like actors' claims,
stored with no statement and no claimant, and listed apart in the report."""

from __future__ import annotations

from datetime import date

import pytest

from stancewatch import Project
from stancewatch.packs import load_pack
from stancewatch.pipeline import Analyzer
from stancewatch.records import Document, content_hash
from stancewatch.report.build import render_report, render_summary_markdown

pytestmark = pytest.mark.models

TEXT = (
    "The UN General Assembly adopted the resolution by 93 votes to 18, with 65 abstentions. "
    "Zelensky said Europe has given Ukraine twice as much aid as the United States."
)


@pytest.fixture(scope="module")
def analyzed(nlp):  # type: ignore[no-untyped-def]
    document = Document(
        id=content_hash(TEXT), text=TEXT, language="en", published=date(2025, 2, 25)
    )
    [result] = list(Analyzer(load_pack()).analyze([document]))
    return result


def test_narration_numbers_are_claims_of_the_document(analyzed) -> None:  # type: ignore[no-untyped-def]
    own = [c for c in analyzed.claims if c.statement_id is None]
    assert {c.text for c in own} >= {"93", "65"}
    assert all(c.claimant is None for c in own)
    verdicts = {v.claim_id: v for v in analyzed.verdicts}
    ninety_three = next(c for c in own if c.text == "93")
    assert verdicts[ninety_three.id].label == "accurate"
    assert verdicts[ninety_three.id].fact_id == "unga-2025-02-24-for"


def test_attributed_claims_keep_their_statement(analyzed) -> None:  # type: ignore[no-untyped-def]
    said = [c for c in analyzed.claims if c.statement_id is not None]
    assert [c.text for c in said] == ["twice"]
    assert not {c.id for c in said} & {c.id for c in analyzed.claims if c.statement_id is None}


def test_report_lists_the_documents_own_numbers_apart(tmp_path, nlp) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "wire.md"
    source.write_text(f"---\ntitle: Wire story\npublished: 2025-02-25\n---\n\n{TEXT}\n", "utf-8")
    with Project(tmp_path / "corpus.db") as project:
        project.ingest([source])
        project.analyze()
        claims = project.claims()
        own = claims[claims["statement_id"].isna()]
        assert set(own["claim"]) >= {"93", "65"} and own["claimant"].isna().all()
        html = render_report(project)
        summary = render_summary_markdown(project)
    section = html[html.index("The documents’ own numbers") : html.index("Figures that disagree")]
    assert "by 93 votes to 18" in section and "(the document’s own)" in section
    assert "twice as much aid" not in section
    assert "## The documents' own numbers" in summary and "“93”" in summary
