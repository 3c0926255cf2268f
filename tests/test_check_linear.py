"""`stancewatch check` grows linearly with the number of figures, and figures beyond the float
range are never printed as Infinity."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from typer.testing import CliRunner

from stancewatch.claims.quantities import parse_quantities
from stancewatch.cli import app as cli_app
from stancewatch.ingest.inputs import ingest
from stancewatch.packs import PackError, load_pack
from stancewatch.pipeline import check_text

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from check_scale import text_with  # noqa: E402


def test_check_work_grows_linearly_with_the_figures(monkeypatch) -> None:
    """Each figure's measure is looked for among its neighbours only, not among every figure
    of the text: the figures examined per figure stay bounded as the text grows (before, each
    of n figures examined all n, so the work grew with the square). The times are in
    bench/check_scale.py."""
    from stancewatch.claims import extract

    examined: list[int] = []
    real = extract.find_measure

    def counting(q, content, span, quantities, *args, **kwargs):
        examined.append(len(quantities))
        return real(q, content, span, quantities, *args, **kwargs)

    monkeypatch.setattr(extract, "find_measure", counting)
    pack = load_pack(None)
    per_figure = {}
    for figures in (400, 3200):
        examined.clear()
        results = check_text(text_with(figures), pack)
        assert len(results) == figures
        per_figure[figures] = sum(examined) / len(examined)
    assert per_figure[3200] <= 10 and per_figure[3200] <= per_figure[400] + 1, per_figure


def test_figures_beyond_the_float_range_are_not_claims() -> None:
    huge = "9" * 400
    text = f"The deal is worth ${huge} and Zelensky has a 4% rating. It cost 1e999 dollars."
    assert [q.text for q in parse_quantities(text)] == ["4%"]
    result = CliRunner().invoke(cli_app, ["check", "--no-models", "--format", "json", text])
    assert result.exit_code == 0, result.output
    assert "Infinity" not in result.stdout and "inf" not in result.stdout.lower().split()
    rows = json.loads(result.stdout)
    assert [r["claim"] for r in rows] == ["4%"]


def test_json_numbers_beyond_the_float_range_stay_text(tmp_path: Path) -> None:
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"text": "Zelensky spoke.", "score": 1e400, "other": NaN, "fine": 2.5}\n')
    (doc,) = list(ingest([rows]))
    assert doc.metadata == {"score": "1e400", "other": "NaN", "fine": 2.5}
    assert "Infinity" not in json.dumps(doc.metadata, allow_nan=False)


def test_pack_facts_beyond_the_float_range_are_refused(tmp_path: Path) -> None:
    pack = tmp_path / "p"
    pack.mkdir()
    (pack / "pack.yaml").write_text("name: big\nversion: '1'\n")
    (pack / "actors.yaml").write_text("actors:\n  - id: a\n    name: A\n")
    (pack / "positions.yaml").write_text(
        "version: '1'\npositions:\n  - id: p\n    topic: t\n    proposition: P.\n"
        "    holders: [a]\n    supports: [Yes.]\n    opposes: [No.]\n"
    )
    (pack / "facts.csv").write_text(
        "id,measure,subject,value,unit,source\nbig,aid,a," + "9" * 400 + ",money,S\n"
    )
    try:
        load_pack(pack)
    except PackError as exc:
        assert "facts.csv" in str(exc) and "not a number in range" in str(exc)
    else:
        raise AssertionError("a 400-digit fact value was accepted")
