"""Attribution on real political news nobody on the project wrote (PolNeAR dev articles).

Skipped when ../shared/data is absent. The full measurement is bench/attribution_polnear.py
(or ``stancewatch eval attribution``); this test runs the same scoring
(:mod:`stancewatch.attribution.evaluation`) on a slice of the dev split and checks the speakers come out
right and every offset points at the text it claims to.
"""

from __future__ import annotations

import pytest
from conftest import shared_data

from stancewatch.attribution.attribute import attribute
from stancewatch.attribution.evaluation import SystemResult, load_folder, statement_items


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
