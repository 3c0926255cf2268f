"""The command line end to end, on real files, a real SQLite database and the real models."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest
from typer.testing import CliRunner

from stancewatch.cli import app

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


ARTICLE = """---
title: Hegseth in Brussels
published: 2025-02-12
outlet: Test Wire
url: https://example.org/hegseth
---

BRUSSELS, Feb 12 — US Defense Secretary Pete Hegseth said on Wednesday that a return to
Ukraine's pre-2014 borders was an unrealistic objective. He also said that NATO membership
for Ukraine was not a realistic outcome of a negotiated settlement.
"""


def test_broken_files_are_reported_and_the_rest_goes_on(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.md").write_text(ARTICLE, encoding="utf-8")
    (corpus / "empty.txt").write_text("   \n", encoding="utf-8")
    (corpus / "junk.txt").write_bytes(bytes(range(256)) * 20)
    (corpus / "rows.jsonl").write_text('{"text": "Peskov said talks were useful."}\n{broken\n')
    db = tmp_path / "corpus.db"

    result = invoke("ingest", corpus, "--db", db)
    assert result.exit_code == 0, result.output
    problems = [line for line in result.output.splitlines() if line.startswith("Skipped")]
    # One line per broken input, naming the file and the problem.
    assert any("empty.txt" in line and "empty" in line for line in problems)
    assert any("junk.txt" in line and "not a text file" in line for line in problems)
    assert any("rows.jsonl" in line and "line 2" in line for line in problems)
    assert "Stored 2 new document(s)" in result.output

    again = invoke("ingest", corpus, "--db", db)
    assert "Stored 0 new document(s); 2 already stored" in again.output
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 2


def test_errors_are_one_line_with_exit_1(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"\x00" * 4096 + b"not sqlite" * 100)
    result = runner.invoke(app, ["analyze", "--db", str(bad)])
    assert result.exit_code == 1
    assert result.output.startswith("Error:") and str(bad) in result.output.replace("\n", "")

    result = runner.invoke(app, ["pack", "validate", str(tmp_path)])
    assert result.exit_code == 1 and "pack.yaml" in result.output


def test_usage_errors_exit_2():
    result = runner.invoke(app, ["export", "--format"])
    assert result.exit_code == 2
    for command in (["analyze"], ["run", "in", "out"]):
        result = runner.invoke(app, [*command, "--parse-processes", "0"])
        assert result.exit_code == 2 and "parse-processes" in result.output
    result = runner.invoke(app, ["run", "in", "out", "--batch-size", "0"])
    assert result.exit_code == 2 and "batch-size" in result.output


@pytest.mark.parametrize("command", ["actors", "positions", "facts"])
@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
def test_pack_listings(command, fmt):
    result = invoke(command, "--format", fmt)
    assert result.exit_code == 0
    if fmt == "json":
        rows = json.loads(result.output)
        assert rows and "id" in rows[0]
    elif fmt == "csv":
        assert result.output.splitlines()[0].startswith("id,")


def test_pack_validate_default_pack():
    from stancewatch.packs import default_pack_path

    result = invoke("pack", "validate", default_pack_path())
    assert result.exit_code == 0
    assert re.search(
        r"valid pack ukraine-peace-2025 .*: \d+ actors, \d+ positions, \d+ facts", result.output
    )


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    result = invoke("demo", "--output", out)
    assert result.exit_code == 0, result.output
    return out, result.output


@pytest.mark.models
def test_demo_end_to_end(demo_run):
    out, output = demo_run
    html = (out / "report.html").read_text("utf-8")
    # The false numeric claims appear with the sourced figure and the ratio.
    assert "$350 billion" in html and "4%" in html
    assert "inaccurate" in html
    assert "Kiel Institute" in html and "Kyiv International Institute of Sociology" in html
    # Evidence links resolve to anchors in the page.
    anchors = set(re.findall(r'id="(st-[^"]+)"', html))
    links = set(re.findall(r'href="#(st-[^"]+)"', html))
    assert links and links <= anchors
    assert "<svg" in html
    assert (out / "summary.md").read_text("utf-8").strip()
    exported = json.loads((out / "export.json").read_text("utf-8"))
    assert exported["statements"]
    with sqlite3.connect(out / "demo.db") as conn:
        documents = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        trump = conn.execute("SELECT count(*) FROM statements WHERE actor = 'trump'").fetchone()[0]
        hegseth = conn.execute(
            "SELECT count(*) FROM statements WHERE actor = 'hegseth'"
        ).fetchone()[0]
    assert documents >= 20 and trump > 0 and hegseth > 0
    assert "Numeric claims contradicted by sourced figures" in output
    _check_demo_attributions(out / "demo.db")


def _check_demo_attributions(db):
    """Every statement's offsets point at its content; a speaker that names a pack actor in
    full is linked to that actor; no dateline ("MOSCOW, Jan 28 —") is taken for a speaker."""
    from stancewatch.packs import load_pack

    actors = load_pack(None).actors
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT s.speaker, s.actor, s.content, s.content_start, s.content_end, "
            "s.speaker_start, s.speaker_end, d.text FROM statements s "
            "JOIN documents d ON d.id = s.document_id"
        ).fetchall()
    assert len(rows) > 100
    for speaker, actor, content, start, end, s_start, s_end, text in rows:
        assert text[start:end] == content
        if speaker is None:
            continue
        assert text[s_start:s_end] == speaker
        assert not (speaker.isupper() and text[s_end : s_end + 1] == ","), speaker
        named = [a.id for a in actors if a.kind == "person" and a.name in speaker]
        if len(named) == 1:
            assert actor == named[0], (speaker, actor)


@pytest.mark.models
def test_demo_database_commands(demo_run):
    out, _ = demo_run
    db = out / "demo.db"
    result = invoke(
        "align", "trump", "putin", "--db", db, "--since", "2025-01-20", "--format", "json"
    )
    payload = json.loads(result.output)
    assert payload["a"] == "trump" and payload["b"] == "putin"
    assert payload["supports_b_positions"] == len(payload["support_statements"])
    assert payload["opposes_b_positions"] == len(payload["oppose_statements"])

    result = runner.invoke(app, ["align", "trump", "nobody", "--db", str(db)])
    assert result.exit_code == 1 and "Known actors:" in result.output

    csv_dir = out / "csv"
    assert invoke("export", "--db", db, "--format", "csv", "--output", csv_dir).exit_code == 0
    assert (csv_dir / "statements.csv").exists()

    report = out / "again.html"
    assert invoke("report", "--db", db, "--output", report).exit_code == 0
    assert report.read_text("utf-8").startswith("<!DOCTYPE html>")

    # Analysing again finds nothing new to do: results are not duplicated.
    with sqlite3.connect(db) as conn:
        before = conn.execute("SELECT count(*) FROM statements").fetchone()[0]
    assert "Analysed 0 document(s)" in invoke("analyze", "--db", db).output
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM statements").fetchone()[0] == before


@pytest.mark.models
def test_database_opens_in_datasette(demo_run):
    import asyncio

    from datasette.app import Datasette

    out, _ = demo_run
    ds = Datasette([str(out / "demo.db")])

    async def fetch():
        response = await ds.client.get("/demo/statement_evidence.json?_shape=array&_size=5")
        return response.status_code, response.json()

    status, rows = asyncio.run(fetch())
    assert status == 200 and len(rows) == 5 and "content" in rows[0]


def test_missing_path_is_named(tmp_path):
    result = invoke("ingest", tmp_path / "nothing-here", "--db", tmp_path / "x.db")
    assert "nothing-here: no such file or folder" in result.output
    assert result.exit_code == 1
