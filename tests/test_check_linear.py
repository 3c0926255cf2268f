"""`stancewatch check` grows linearly with the number of figures, and figures beyond the float
range are never printed as Infinity."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

from stancewatch.claims.quantities import parse_quantities
from stancewatch.cli import app as cli_app
from stancewatch.ingest.inputs import ingest
from stancewatch.packs import PackError, load_pack
from stancewatch.pipeline import check_text

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from check_scale import text_with  # noqa: E402


def _seconds(pack, figures: int) -> float:
    text = text_with(figures)
    best = float("inf")
    for _ in range(2):
        started = time.perf_counter()
        results = check_text(text, pack)
        best = min(best, time.perf_counter() - started)
    assert len(results) == figures
    return best


def test_check_time_grows_linearly_with_the_figures() -> None:
    """Eight times the figures take well under 8 x 8 times as long (before, the work grew
    with the square: 500 figures 1.7 s, 1,000 figures 9 s)."""
    pack = load_pack(None)
    check_text(text_with(20), pack)  # lexicons loaded
    small, large = _seconds(pack, 400), _seconds(pack, 3200)
    assert large / small < 20, (small, large)


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
