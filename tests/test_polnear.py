"""Attribution on real political news nobody on the project wrote (PolNeAR dev articles).

Skipped when ../shared/data is absent. The full measurement is bench/attribution_polnear.py
(or ``stancewatch eval attribution``); this test runs the same scoring
(:mod:`stancewatch.attribution.evaluation`) on a slice of the dev split and checks the speakers come out
right and every offset points at the text it claims to.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import SHARED_DATA, shared_data

from stancewatch.attribution.attribute import attribute, output_record
from stancewatch.attribution.evaluation import (
    SystemResult,
    load_folder,
    statement_items,
)
from stancewatch.attribution.predictions import read_predictions, statement_predictions

SHARED_TOOLS = SHARED_DATA.parent / "tools"


@pytest.mark.models
def test_quoted_statements_in_real_news_get_the_right_speaker(nlp):
    articles = load_folder(shared_data("polnear", "dev"))[:15]
    result = SystemResult("stancewatch")
    for article in articles:
        statements = attribute(nlp(article.text), document_id=article.name)
        for s in statements:
            assert article.text[s.content_start : s.content_end] == s.content
            if s.speaker is not None:
                assert article.text[s.speaker_start : s.speaker_end] == s.speaker
        result.add(article.gold, statement_items(statements))
    quoted, everything = result.quoted, result.all
    assert quoted.matched >= 20
    assert quoted.speaker / quoted.matched >= 0.85  # speaker right on matched quotes
    assert everything.matched / everything.pred >= 0.7  # content precision over all kinds
    assert everything.measures()["end_to_end_f1"] >= 0.5


REFERENCE_SCORER = SHARED_TOOLS / "score_attribution.py"


@pytest.mark.models
def test_reference_scoring_agrees_with_the_reference_script_on_dev(nlp, tmp_path):
    """The project's reference scoring gives the reference script's figures, to its four
    decimals, on the whole dev split (predictions written as `stancewatch attribute` does)."""
    gold_file = shared_data("polnear", "attributions_dev.jsonl")
    if not REFERENCE_SCORER.exists():
        pytest.skip(f"{REFERENCE_SCORER} is not present")
    articles = load_folder(shared_data("polnear", "dev"))
    result = SystemResult("stancewatch")
    lines = []
    for article, doc in zip(articles, nlp.pipe(a.text for a in articles), strict=True):
        statements = attribute(doc, document_id=article.name)
        result.add_article(article, statement_predictions(statements))
        lines += [json.dumps(output_record(s, f"text/{article.name}.txt")) for s in statements]
    predictions = tmp_path / "pred.jsonl"
    predictions.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, str(REFERENCE_SCORER), str(gold_file), str(predictions)],
        capture_output=True,
        text=True,
        check=True,
    )
    script = json.loads(run.stdout)
    ours = {"quoted": result.reference_quoted.measures(), "all": result.reference_all.measures()}
    names = {
        "gold": "gold",
        "pred": "predicted",
        "matched": "matched",
        "content_P": "content_p",
        "content_R": "content_r",
        "content_F1": "content_f1",
        "speaker_acc": "speaker_accuracy",
        "e2e_F1": "end_to_end_f1",
    }
    for subset in ("quoted", "all"):
        for theirs, mine in names.items():
            assert round(ours[subset][mine], 4) == script[subset][theirs], (subset, theirs)
    assert ours["all"]["matched"] > 1000  # the comparison covered real matches
    # read back through the file reader as well
    by_article = read_predictions(predictions)
    again = SystemResult("file")
    for article in articles:
        again.add_article(article, by_article.get(article.name, []))
    assert again.reference_all.measures() == ours["all"]
