"""Batch runs: inputs, shards, the local engine, resume, loading into SQLite and DuckDB."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from run_fixtures import TEXTS, duplicates, kill_midway, table, write_corpus
from typer.testing import CliRunner

from stancewatch.analytics.alignment import actor_positions
from stancewatch.api import Project
from stancewatch.cli import app
from stancewatch.records import Document
from stancewatch.scale import parquet as parquet_store
from stancewatch.scale.runner import (
    RunError,
    Shard,
    check_output,
    iter_shards,
    list_sources,
    plan,
    read_items,
    read_shard,
    run_local,
)


def _documents(items) -> list[Document]:
    return [i for i in items if isinstance(i, Document)]


# -- inputs -----------------------------------------------------------------------------------
def test_list_sources_expands_folders_in_order_and_leaves_out_hidden_and_unsupported(tmp_path):
    for name in ("b.txt", "a.md", "sub/c.jsonl", ".hidden.txt", "notes.docx", ".git/d.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("Some text.", "utf-8")
    found = [Path(s).relative_to(tmp_path).as_posix() for s in list_sources([str(tmp_path)])]
    assert found == ["a.md", "b.txt", "sub/c.jsonl"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("missing.jsonl", "no such file or folder"),
        ("notes.docx", "unsupported file type '.docx'"),
        ("empty", "no files to read"),
    ],
)
def test_list_sources_refuses_what_it_cannot_read(tmp_path, name, message):
    if name == "notes.docx":
        (tmp_path / name).write_text("x", "utf-8")
    if name == "empty":
        (tmp_path / name).mkdir()
    with pytest.raises(RunError, match=message):
        list_sources([str(tmp_path / name)])


def test_jsonl_csv_parquet_and_file_uri_give_the_same_documents(tmp_path):
    rows = [{"text": text, "outlet": "Test Wire"} for text in TEXTS[:3]]
    (tmp_path / "c.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    pd.DataFrame(rows).to_csv(tmp_path / "c.csv", index=False)
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "c.parquet")
    read = {
        name: [(d.id, d.outlet) for d in _documents(read_items(str(tmp_path / name)))]
        for name in ("c.jsonl", "c.csv", "c.parquet")
    }
    read["uri"] = [
        (d.id, d.outlet) for d in _documents(read_items((tmp_path / "c.parquet").as_uri()))
    ]
    assert len(read["c.jsonl"]) == 3
    assert read["c.csv"] == read["c.jsonl"] == read["c.parquet"] == read["uri"]


def test_a_parquet_file_without_the_text_column_is_refused(tmp_path):
    pq.write_table(pa.Table.from_pylist([{"body": "x"}]), tmp_path / "c.parquet")
    with pytest.raises(RunError, match="no 'text' column"):
        list(read_items(str(tmp_path / "c.parquet")))


# -- shards -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("shard_size", "sizes"), [(1, [1] * 7), (3, [3, 3, 1]), (7, [7]), (50, [7])]
)
def test_shards_cover_every_text_once_in_order(tmp_path, shard_size, sizes):
    sources = list_sources([str(write_corpus(tmp_path))])
    shards = list(iter_shards(sources, shard_size))
    assert [len(s.document_ids) for s, _ in shards] == sizes
    ids = [i for s, _ in shards for i in s.document_ids]
    assert len(ids) == len(set(ids)) == len(TEXTS)  # the duplicate text is left out
    assert sum(len(s.problems) for s, _ in shards) == 1  # the row with no text
    again = plan(sources, shard_size)
    assert [s.id for s in again] == [s.id for s, _ in shards]  # the same input, the same shards


def test_a_shard_read_again_from_its_segments_has_its_documents(tmp_path):
    sources = list_sources([str(write_corpus(tmp_path))])
    for shard, documents in iter_shards(sources, 3):
        restored = read_shard(Shard.from_json(shard.to_json()))
        assert [d.id for d in restored] == [d.id for d in documents]


def test_a_shard_whose_input_changed_is_refused(tmp_path):
    path = write_corpus(tmp_path)
    shard = plan(list_sources([str(path)]), 50)[0]
    path.write_text(json.dumps({"text": "Something else entirely."}) + "\n", "utf-8")
    with pytest.raises(RunError, match="the input changed"):
        read_shard(shard)


@pytest.mark.parametrize("bad", [0, -1, "10"])
def test_shard_size_must_be_positive(tmp_path, bad):
    with pytest.raises(RunError, match="shard size"):
        list(iter_shards(list_sources([str(write_corpus(tmp_path))]), bad))


@pytest.mark.parametrize(
    ("output", "message"), [("s3://bucket/out", "local or shared"), ("file", "is a file")]
)
def test_outputs_that_cannot_be_renamed_into_are_refused(tmp_path, output, message):
    (tmp_path / "file").write_text("x", "utf-8")
    target = output if "://" in output else str(tmp_path / output)
    with pytest.raises(RunError, match=message):
        check_output(target)


def test_output_tables_are_refused_before_a_run(tmp_path):
    with pytest.raises(parquet_store.OutputError, match="not a run output"):
        parquet_store.read_table(tmp_path, "statements")
    with pytest.raises(parquet_store.OutputError, match="Unknown table"):
        parquet_store.table_files(tmp_path, "people")


# -- the local engine, end to end -------------------------------------------------------------
@pytest.fixture(scope="module")
def local_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("run")
    corpus = write_corpus(folder / "in")
    output = folder / "out"
    report = run_local([str(corpus)], output, shard_size=3)
    return corpus, output, report


@pytest.mark.models
def test_local_run_writes_every_table_with_the_export_columns(local_run):
    _, output, report = local_run
    assert (report.shards, report.skipped, report.documents) == (3, 0, len(TEXTS))
    assert len(report.problems) == 1
    statements = parquet_store.read_table(output, "statements")
    assert len(statements) == report.rows["statements"] > 0
    for column in ("document", "document_id", "content_start", "content_end", "actor"):
        assert column in statements.columns
    documents = {d: t for d, t in zip(*_docs(output), strict=True)}
    for row in statements.itertuples():
        assert documents[row.document_id][row.content_start : row.content_end] == row.content
    assert "trump" in set(statements["actor"])
    verdicts = parquet_store.read_table(output, "verdicts")
    assert set(verdicts["label"]) == {"exaggerated"}  # 90 percent, sourced: 57
    assert duplicates(output) == dict.fromkeys(duplicates(output), 0)


def _docs(output: Path) -> tuple[list[str], list[str]]:
    frame = parquet_store.read_table(output, "documents")
    return list(frame["id"]), list(frame["text"])


@pytest.mark.models
def test_a_second_local_run_skips_every_finished_shard(local_run):
    corpus, output, _ = local_run
    before = table(output, "statements")
    report = run_local([str(corpus)], output, shard_size=3)
    assert (report.shards, report.skipped) == (0, 3)
    pd.testing.assert_frame_equal(table(output, "statements"), before)


@pytest.mark.models
def test_a_shard_interrupted_before_its_marker_is_redone_without_duplicates(local_run, tmp_path):
    corpus, output, _ = local_run
    copy = tmp_path / "out"
    import shutil

    shutil.copytree(output, copy)
    shard = parquet_store.finished_shards(copy)[0]
    (copy / "_shards" / f"{shard}.json").unlink()  # as if killed after its files, before it
    report = run_local([str(corpus)], copy, shard_size=3)
    assert (report.shards, report.skipped) == (1, 2)
    assert duplicates(copy) == dict.fromkeys(duplicates(copy), 0)
    for name in ("statements", "stances", "claims", "verdicts"):
        pd.testing.assert_frame_equal(table(copy, name), table(output, name))


@pytest.mark.models
def test_load_is_idempotent_and_duckdb_positions_equal_the_sqlite_ones(local_run, tmp_path):
    _, output, report = local_run
    db = tmp_path / "corpus.db"
    result = CliRunner().invoke(app, ["load", str(output), "--db", str(db)])
    assert result.exit_code == 0, result.output
    again = CliRunner().invoke(app, ["load", str(output), "--db", str(db)])
    assert again.exit_code == 0, again.output
    with Project(db) as project:
        for name in ("documents", "statements", "stances", "claims", "verdicts"):
            assert project.store.count(name) == report.rows[name], name
        assert project.store.count("runs") == 1
        assert project.pending() == 0
        # the shards hold the analysed statements (acts stated in the text among them); the
        # pack's own acts live in the database only
        sqlite = actor_positions(project.stances(include_actions=False))
        assert (project.stances()["label_source"] == "pack").sum() == len(project.pack.actions)
    duck = parquet_store.actor_positions(output)
    assert not duck.empty
    for frame in (sqlite, duck):
        frame["statement_ids"] = [sorted(ids) for ids in frame["statement_ids"]]
    pd.testing.assert_frame_equal(
        duck.reset_index(drop=True), sqlite.reset_index(drop=True), check_dtype=False
    )


@pytest.mark.models
def test_output_positions_command_prints_the_table_and_runs_sql(local_run):
    _, output, report = local_run
    result = CliRunner().invoke(app, ["output-positions", str(output), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert {"actor", "position_id", "support", "oppose"} <= set(json.loads(result.output)[0])
    sql = "SELECT count(*) AS n FROM statements"
    counted = CliRunner().invoke(app, ["output-positions", str(output), "--sql", sql, "-f", "csv"])
    assert counted.output.split() == ["n", str(report.rows["statements"])]


@pytest.mark.models
def test_killing_a_local_run_midway_then_rerunning_leaves_nothing_missing_or_twice(
    local_run, tmp_path
):
    corpus, reference, _ = local_run
    output = tmp_path / "out"
    args = [str(corpus), str(output), "--shard-size", "3"]
    done = kill_midway(args, output)
    assert 1 <= done < 3  # killed with work left
    result = CliRunner().invoke(app, ["run", *args])
    assert result.exit_code == 0, result.output
    assert f"skipped {done} done before" in result.output
    assert duplicates(output) == dict.fromkeys(duplicates(output), 0)
    for name in ("documents", "statements", "stances", "claims", "verdicts"):
        pd.testing.assert_frame_equal(table(output, name), table(reference, name))


def test_a_file_uri_folder_lists_the_same_files_as_its_path(tmp_path):
    corpus = write_corpus(tmp_path / "in")
    assert list_sources([corpus.parent.as_uri()]) == list_sources([str(corpus.parent)])


@pytest.mark.parametrize(
    ("args", "message", "code"),
    [
        (["missing-input", "out"], "no such file or folder", 1),
        (["only-one"], "give INPUT... and then OUTPUT", 2),
        (["in", "out", "--engine", "spark"], "spark", 2),
    ],
)
def test_run_command_refuses_bad_arguments(tmp_path, monkeypatch, args, message, code):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["run", *args])
    assert result.exit_code == code
    assert message in result.output
    assert not (tmp_path / "out" / "_shards").exists()


def test_load_refuses_a_folder_that_is_not_a_run_output(tmp_path):
    result = CliRunner().invoke(app, ["load", str(tmp_path), "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 1
    assert "not a run output" in result.output


@pytest.mark.models
@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_the_precision_option_sets_the_encoders_of_a_run_and_is_recorded(
    tmp_path, monkeypatch, precision
):
    from stancewatch.nlp import PRECISION_ENV

    other = "bf16" if precision == "fp32" else "fp32"
    monkeypatch.setenv(PRECISION_ENV, other)  # the option wins over the environment
    corpus = write_corpus(tmp_path / "in")
    result = CliRunner().invoke(
        app, ["--precision", precision, "run", str(corpus), str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.output
    info = json.loads((tmp_path / "out" / parquet_store.RUN_FILE).read_text("utf-8"))
    assert info["settings"]["embedding_precision"] == precision


def test_an_unknown_precision_is_refused_by_name():
    result = CliRunner().invoke(app, ["--precision", "half", "run", "in", "out"])
    assert result.exit_code == 2
    assert "--precision" in result.output and "'half'" in result.output
