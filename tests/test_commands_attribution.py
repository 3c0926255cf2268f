"""``stancewatch attribute`` and ``stancewatch eval attribution`` end to end, real model."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from stancewatch.attribution.attribute import OUTPUT_FIELDS
from stancewatch.cli import app

runner = CliRunner()

ARTICLE = (
    "US Defense Secretary Pete Hegseth said on Wednesday that a return to Ukraine’s pre-2014 "
    "borders was unrealistic.\r\n\r\n“We will not accept it,” Zelensky said. He added that "
    "talks must go on.\n"
)
GERMAN = "Der Bundeskanzler sagte am Mittwoch, dass die Gespräche mit Russland weitergehen.\n"


@pytest.mark.models
def test_attribute_writes_exact_fields_and_offsets_into_the_file(tmp_path):
    (tmp_path / "talks.txt").write_bytes(ARTICLE.encode("utf-8"))
    (tmp_path / "bericht.txt").write_text(GERMAN, encoding="utf-8")
    result = runner.invoke(app, ["attribute", str(tmp_path), "--date", "2025-02-12"])
    assert result.exit_code == 0, result.output
    assert "bericht.txt" in result.stderr and "English" in result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert {r["actor"] for r in rows} == {"hegseth", "zelensky"}
    for row in rows:
        assert tuple(row) == OUTPUT_FIELDS and row["document"] == "talks"
        assert ARTICLE[row["content_start"] : row["content_end"]] == row["content"]
        assert ARTICLE[row["speaker_start"] : row["speaker_end"]] == row["speaker"]
        assert ARTICLE[row["cue_start"] : row["cue_end"]] == row["cue"]


@pytest.mark.models
def test_attribute_table_and_missing_path(tmp_path):
    (tmp_path / "talks.txt").write_text(ARTICLE, encoding="utf-8")
    table = runner.invoke(app, ["attribute", str(tmp_path / "talks.txt"), "-f", "table"])
    assert table.exit_code == 0 and "Zelensky" in table.stdout
    missing = runner.invoke(app, ["attribute", str(tmp_path / "nope.txt")])
    assert missing.exit_code == 1 and "nope.txt does not exist" in missing.output


@pytest.mark.models
def test_eval_attribution_scores_a_gold_folder(tmp_path):
    (tmp_path / "text").mkdir()
    (tmp_path / "attributions").mkdir()
    text = "“We will win,” Smith said.\n"
    (tmp_path / "text" / "a.txt").write_text(text, encoding="utf-8")
    (tmp_path / "attributions" / "a_x.ann").write_text(
        "T1\tContent 0 14\t“We will win,”\nT2\tSource 15 20\tSmith\n"
        "E1\tAttribution:T2 Content:T1 Source:T2\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["eval", "attribution", str(tmp_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["results"]
    assert [(r["scoring"], r["attributions"]) for r in rows] == [
        ("reference", "quoted"),
        ("reference", "all"),
        ("grouped", "quoted"),
        ("grouped", "all"),
    ]
    assert rows[0]["end_to_end_f1"] == 1.0 and rows[2]["end_to_end_f1"] == 1.0
    bad = runner.invoke(app, ["eval", "attribution", str(tmp_path), "--compare", "nltk"])
    assert bad.exit_code == 1 and "available: textacy" in bad.output


def test_eval_attribution_scores_a_predictions_file(tmp_path):
    """A quotation predicted as two pieces under one cue: the grouped scoring counts one
    prediction, the reference scoring two (one of them unmatched)."""
    (tmp_path / "text").mkdir()
    (tmp_path / "attributions").mkdir()
    text = "“We will win,” Smith said. “Soon.”\n"
    (tmp_path / "text" / "a.txt").write_text(text, encoding="utf-8")
    (tmp_path / "attributions" / "a_x.ann").write_text(
        "T1\tContent 0 14;27 34\t“We will win,” “Soon.”\nT2\tSource 15 20\tSmith\n"
        "E1\tAttribution:T2 Content:T1 Source:T2\n",
        encoding="utf-8",
    )
    piece = {"document": "texts/a.txt", "speaker_start": 15, "speaker_end": 20}
    cue = {"cue_start": 21, "cue_end": 25, "content": "“"}
    lines = [
        piece | cue | {"content_start": 0, "content_end": 14},
        piece | cue | {"content_start": 27, "content_end": 34},
        {"document": "a", "content_start": None, "content_end": None},  # skipped
    ]
    path = tmp_path / "pred.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    args = ["eval", "attribution", str(tmp_path), "--predictions", str(path), "-f", "json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    rows = {(r["scoring"], r["attributions"]): r for r in json.loads(result.stdout)["results"]}
    assert rows["reference", "all"]["predicted"] == 2
    assert rows["reference", "all"]["content_p"] == 0.5
    assert rows["grouped", "all"]["predicted"] == 1
    assert rows["grouped", "all"]["content_p"] == 1.0
    path.write_text('{"document": "a", "content_start": "x", "content_end": 3}\n')
    bad = runner.invoke(app, args)
    assert bad.exit_code == 1 and "pred.jsonl:1: not a prediction" in bad.output
