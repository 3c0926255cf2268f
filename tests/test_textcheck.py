"""`stancewatch check` and the facts commands: a text checked as one statement of unknown
speaker, JSON / table / CSV output, and the fact-base CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from stancewatch.claims.textcheck import result_dict, text_statement
from stancewatch.cli import app
from stancewatch.packs import default_pack_path, load_pack
from stancewatch.pipeline import check_text
from stancewatch.records import VERDICT_LABELS

runner = CliRunner()
PACK = load_pack()
KEYS = ["claim", "value", "unit", "measure", "subject", "verdict", "ratio", "explanation", "fact"]
FACT_KEYS = {"value", "unit", "period", "source", "url"}


def invoke(*args: object):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


@pytest.mark.parametrize(
    "text, verdict, fact_id, ratio",
    [
        ("Zelensky has a 4% approval rating", "inaccurate", "kiis-trust-zelensky-2025-02", 0.07),
        (
            "The United States has spent $350 billion on the war in Ukraine.",
            "inaccurate",
            "kiel-us-aid-total-usd",
            2.941,
        ),
        (
            "Europe has given about €100bn in military aid to Ukraine.",
            "exaggerated",
            "kiel-europe-military-eur",
            1.613,
        ),
        (
            "The United States has spent three hundred fifty billion dollars on the war in Ukraine.",
            "inaccurate",
            "kiel-us-aid-total-usd",
            2.941,
        ),
    ],
)
def test_check_text_without_models(text, verdict, fact_id, ratio) -> None:
    [result] = check_text(text, PACK)
    row = result_dict(result)
    assert list(row)[: len(KEYS)] == KEYS
    assert (row["verdict"], row["fact"]["id"], row["ratio"]) == (verdict, fact_id, ratio)
    assert set(row["fact"]) >= FACT_KEYS
    assert row["fact"]["source"] in row["explanation"]
    assert text[result.claim.start : result.claim.end] == row["claim"]
    assert result.claim.claimant is None  # a text given directly has no speaker


@pytest.mark.parametrize(
    "text",
    ["", "   ", "No numbers here.", "The meeting lasted three hours on 12 February 2025."],
)
def test_check_text_finds_nothing(text) -> None:
    assert check_text(text, PACK) == []


def test_unmatched_claim_is_unverifiable_with_nearest_facts() -> None:
    [result] = check_text("Inflation in Russia reached 9% in January.", PACK)
    assert result.verdict.label == "unverifiable" and result.fact is None
    assert "nearest facts considered" in result.verdict.explanation
    assert result_dict(result)["fact"] is None


def test_text_statement_spans_the_whole_text() -> None:
    s = text_statement("Some text.")
    assert (s.content_start, s.content_end, s.actor, s.speaker) == (0, 10, None, None)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789$€%.,- abtmhnk")), max_size=40))
def test_check_text_never_crashes_on_number_strings(text: str) -> None:
    for result in check_text(text, PACK):
        assert result.verdict.label in VERDICT_LABELS


@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
def test_check_command_without_models(fmt) -> None:
    result = invoke("check", "Zelensky has a 4% approval rating", "--format", fmt, "--no-models")
    assert result.exit_code == 0, result.output
    if fmt == "json":
        [row] = json.loads(result.output)
        assert row["verdict"] == "inaccurate" and row["fact"]["value"] == 57
    elif fmt == "csv":
        assert result.output.splitlines()[0].startswith("claim,value,unit,measure")
        assert "inaccurate" in result.output
    else:
        assert "inaccurate" in result.output and "Kyiv International Institute" in result.output


def test_check_command_prints_an_empty_list() -> None:
    result = invoke("check", "Nothing to check.", "--format", "json", "--no-models")
    assert result.exit_code == 0 and json.loads(result.output) == []


def test_check_command_refuses_a_bad_date() -> None:
    result = runner.invoke(app, ["check", "4%", "--date", "yesterday", "--no-models"])
    assert result.exit_code == 2 and "not a date" in result.output


@pytest.mark.models
@pytest.mark.parametrize(
    "text, verdict, source",
    [
        ("Zelensky has a 4% approval rating", "inaccurate", "Kyiv International Institute"),
        ("Zelensky talked the United States into spending $350 billion.", "inaccurate", "Kiel"),
    ],
)
def test_check_command_with_models(nlp, embedder, text, verdict, source) -> None:
    result = invoke("check", text, "--format", "json")
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.output)
    assert row["verdict"] == verdict and source in row["fact"]["source"]
    assert row["ratio"] is not None and row["fact"]["url"].startswith("https://")


# --- facts commands ----------------------------------------------------------------------


def pack_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "pack"
    shutil.copytree(default_pack_path(), folder)
    return folder


@pytest.mark.parametrize("args", [("facts",), ("facts", "list")])
def test_facts_list_is_the_old_listing(args) -> None:
    result = invoke(*args, "--format", "csv")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "id,measure,subject,value,unit,period,source,url"
    assert len(lines) == 1 + len(PACK.facts)


def test_facts_add_validate_import(tmp_path: Path) -> None:
    folder = pack_copy(tmp_path)
    result = invoke(
        "facts", "add", "--pack", folder, "--id", "kiis-2025-05", "--measure", "trust in Zelensky",
        "--subject", "zelensky", "--value", "74", "--unit", "percent", "--period", "May 2025",
        "--source", "KIIS", "--url", "https://www.kiis.com.ua/", "--retrieved", "2025-06-01",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    result = invoke("facts", "validate", folder)
    assert result.exit_code == 0 and "15 valid facts" in result.output
    assert "different values" in result.output
    bad = tmp_path / "bad.csv"
    header = (default_pack_path() / "facts.csv").read_text().splitlines()[0]
    bad.write_text(
        header
        + "\nx1,m,s,12,,percent,,p,,,src,https://a.b/,2025-01-01,,\nx2,m,s,oops,,percent,,p,,,src,https://a.b/,2025-01-01,,\n"
    )
    result = runner.invoke(app, ["facts", "import", str(bad), "--pack", str(folder)])
    assert result.exit_code == 1
    assert "line 3 (id 'x2'): value: 'oops' is not a number" in result.output
    assert "Added 1 fact(s)" in result.output
    assert "x1" in {f.id for f in load_pack(folder).facts}
    result = runner.invoke(app, ["facts", "validate", str(tmp_path / "nope.csv")])
    assert result.exit_code == 1 and "file not found" in result.output
