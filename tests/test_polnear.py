"""Attribution on real political news nobody on the project wrote (PolNeAR dev articles).

Skipped when ../shared/data is absent. The full measurement is bench/attribution_polnear.py;
this test runs it on a slice of the dev split and checks the speakers come out right.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from conftest import shared_data
from stancewatch.attribution import attribute

BENCH = Path(__file__).resolve().parents[1] / "bench" / "attribution_polnear.py"


def _bench():
    spec = importlib.util.spec_from_file_location("attribution_polnear", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


@pytest.mark.models
def test_quoted_statements_in_real_news_get_the_right_speaker(nlp):
    texts = sorted(shared_data("polnear", "dev", "text").glob("*.txt"))[:15]
    bench = _bench()
    gold = bench.load_gold("dev")
    quoted, everything = bench.Score(), bench.Score()
    for path in texts:
        text = path.read_text("utf-8")
        statements = attribute(nlp(text), document_id=path.stem)
        for s in statements:  # offsets point at the text they claim to
            assert text[s.content_start : s.content_end] == s.content
        predicted = bench.predicted_items(statements, text)
        items = gold.get(path.stem, [])
        everything.add(items, predicted)
        quoted.add([g for g in items if g.quoted], [p for p in predicted if p.quoted])
    print(quoted.line("quoted"), everything.line("all"), sep="\n")
    assert quoted.matched >= 20
    assert quoted.speaker / quoted.matched >= 0.8  # speaker right on matched quotes
    assert everything.matched / everything.pred >= 0.7  # content precision over all kinds
