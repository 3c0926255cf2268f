"""Exports: tables with the documented columns, written and read back as JSON, CSV, Parquet."""

from __future__ import annotations

import json
import re
import tempfile
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_report import NASTY, PACK, build_corpus

from stancewatch.api import Project
from stancewatch.export import (
    COLUMNS,
    FORMATS,
    ExportError,
    check_format,
    export,
    export_tables,
    write_export,
)
from stancewatch.records import Document, Statement
from stancewatch.store.database import Store

DOCS = Path(__file__).resolve().parents[1] / "docs" / "exports.md"
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    db = tmp_path_factory.mktemp("export") / "corpus.db"
    build_corpus(db)
    with Project(db, pack=PACK) as opened:
        yield opened


@pytest.fixture(scope="module")
def tables(project):
    return export_tables(project)


def _store_counts(project) -> dict[str, int]:
    return {table: project.store.count(table) for table in COLUMNS}


def test_tables_have_the_documented_columns_and_one_row_per_stored_row(project, tables):
    assert list(tables) == list(COLUMNS)
    counts = _store_counts(project)
    assert counts == {
        "documents": 2,
        "actors": 3,
        "positions": 2,
        "facts": 1,
        "statements": 6,
        "stances": 5,
        "claims": 3,
        "verdicts": 3,
        "actions": 0,
        "runs": 1,
    }
    for name, frame in tables.items():
        assert list(frame.columns) == [c for c, _ in COLUMNS[name]], name
        assert len(frame) == counts[name], name


def test_joined_columns_are_filled(tables):
    verdicts = tables["verdicts"].set_index("claim_id")
    assert verdicts.loc["c1", "fact_value"] == 57
    assert verdicts.loc["c1", "fact_source"] == "KIIS"
    assert verdicts.loc["c1", "claim_text"] == "4% approval"
    claims = tables["claims"].set_index("id")
    assert claims.loc["c1", "claimant_name"] == "Donald Trump"
    statements = tables["statements"].set_index("id")
    assert statements.loc["s3", "actor"] is None  # unknown speaker stays unknown
    assert statements.loc["s1", "actor_name"] == "Donald Trump"


def test_json_round_trip(project, tables, tmp_path):
    [path] = write_export(tables, tmp_path / "sub" / "export.json", "json")
    raw = path.read_text("utf-8")
    assert "NaN" not in raw
    payload = json.loads(raw)
    assert {k: len(v) for k, v in payload.items()} == _store_counts(project)
    statements = {r["id"]: r for r in payload["statements"]}
    assert statements["s3"]["actor"] is None
    assert statements["s5"]["content"] == NASTY
    assert isinstance(statements["s1"]["content_start"], int)
    assert all(ISO_DATE.match(r["date"]) for r in payload["statements"])
    assert payload["runs"][0]["settings"]["stance_method"] == "stance.test.v1"
    assert payload["positions"][0]["holders"] == ["putin"]
    assert payload["facts"][0]["retrieved"] == "2025-03-01"
    assert payload["verdicts"][0]["fact_value"] in (57, 57.0)


def test_csv_round_trip(project, tables, tmp_path):
    written = write_export(tables, tmp_path / "csv", "csv")
    assert sorted(p.name for p in written) == sorted(f"{t}.csv" for t in COLUMNS)
    for path in written:
        frame = pd.read_csv(path, keep_default_na=False, na_values=[""])
        table = path.stem
        assert len(frame) == project.store.count(table), table
        assert list(frame.columns) == [c for c, _ in COLUMNS[table]]
    statements = pd.read_csv(tmp_path / "csv" / "statements.csv").set_index("id")
    assert statements.loc["s5", "content"] == NASTY
    assert pd.isna(statements.loc["s3", "actor"])
    positions = pd.read_csv(tmp_path / "csv" / "positions.csv")
    assert json.loads(positions.loc[0, "holders"]) == ["putin"]


def test_parquet_round_trip(project, tables, tmp_path):
    pytest.importorskip("pyarrow")
    written = write_export(tables, tmp_path / "pq", "parquet")
    for path in written:
        assert len(pd.read_parquet(path)) == project.store.count(path.stem)
    positions = pd.read_parquet(tmp_path / "pq" / "positions.parquet")
    assert list(positions.loc[0, "holders"]) == ["putin"]
    runs = pd.read_parquet(tmp_path / "pq" / "runs.parquet")
    assert json.loads(runs.loc[0, "settings"])["pack"] == "test-pack"


def test_export_convenience_and_document_text(project, tmp_path):
    [path] = export(project, "json", tmp_path / "e.json", include_text=True)
    payload = json.loads(path.read_text("utf-8"))
    assert any(NASTY in d["text"] for d in payload["documents"])


@pytest.mark.parametrize("fmt", ["xml", "", "jsonl", "xlsx"])
def test_unknown_format_lists_the_valid_ones(project, tables, fmt, tmp_path):
    with pytest.raises(ExportError, match=r"Valid formats: json, csv, parquet"):
        write_export(tables, tmp_path / "out", fmt)
    with pytest.raises(ExportError, match=repr(fmt)):
        export(project, fmt, tmp_path / "out")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "fmt, expected", [("json", "json"), ("CSV", "csv"), (" Parquet ", "parquet")]
)
def test_format_names_are_case_insensitive(fmt, expected):
    assert check_format(fmt) == expected
    assert expected in FORMATS


def test_wrong_kind_of_target_is_refused(tables, tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir()
    with pytest.raises(ExportError, match="is a folder; JSON export writes one file"):
        write_export(tables, folder, "json")
    file = tmp_path / "file.csv"
    file.write_text("x")
    with pytest.raises(ExportError, match="is a file; csv export writes one file per table"):
        write_export(tables, file, "csv")


def test_empty_database_exports_headers_only(tmp_path):
    with Project(tmp_path / "empty.db", pack=PACK) as empty:
        tables = export_tables(empty)
    assert all(frame.empty for frame in tables.values())
    written = write_export(tables, tmp_path / "csv", "csv")
    header = (tmp_path / "csv" / "claims.csv").read_text("utf-8").splitlines()
    assert header == [",".join(c for c, _ in COLUMNS["claims"])]
    assert len(written) == len(COLUMNS)
    [path] = write_export(tables, tmp_path / "e.json", "json")
    assert json.loads(path.read_text("utf-8")) == {t: [] for t in COLUMNS}


def _docs_section(table: str) -> str:
    text = DOCS.read_text("utf-8")
    start = text.index(f"## `{table}`")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


@pytest.mark.parametrize("table", list(COLUMNS))
def test_docs_describe_every_column_with_its_type(table):
    section = _docs_section(table)
    for column, kind in COLUMNS[table]:
        assert re.search(rf"^\| `{column}` \| {kind} \| \S", section, re.M), (table, column)
    documented = re.findall(r"^\| `(\w+)` \|", section, re.M)
    assert set(documented) <= {c for c, _ in COLUMNS[table]} | {"text"}


def _csv_and_json_round_trip(content: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        document = Document.from_text(
            "prefix " + content, title=content, published=date(2025, 1, 2)
        )
        statement = Statement("x", document.id, "direct", content, 7, 7 + len(content), actor=None)
        with Store(folder / "s.db") as store:
            store.add_documents([document])
            store.save_analysis(
                document.id, run_id=None, statements=[statement], stances=[], claims=[], verdicts=[]
            )
        with Project(folder / "s.db", pack=PACK) as project:
            tables = export_tables(project)
        write_export(tables, folder / "csv", "csv")
        [path] = write_export(tables, folder / "e.json", "json")
        frame = pd.read_csv(folder / "csv" / "statements.csv", keep_default_na=False, dtype=str)
        assert frame.loc[0, "content"] == content
        assert json.loads(path.read_text("utf-8"))["statements"][0]["content"] == content


@pytest.mark.parametrize(
    "content",
    [
        "\r",
        "line one\r\nline two",
        "a,b",
        '"',
        'say "no", twice',
        "NA",
        "null",
        "  padded  ",
        "é – “x” 😀",
    ],
)
def test_tricky_statement_text_survives_csv_and_json(content):
    _csv_and_json_round_trip(content)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    content=st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1
    )
)
def test_any_statement_text_survives_csv_and_json(content):
    _csv_and_json_round_trip(content)
