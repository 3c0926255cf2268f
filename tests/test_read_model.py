"""The read model (stancewatch.store.results): one rule for the final value of a coding.

A reviewer's correction made in the web app reaches Project, every export (with the
machine's value beside it) and the report; run outputs, never reviewed, carry the machine's.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import httpx
import pandas as pd
import pytest
from web_fixtures import PASSWORD

from stancewatch.api import Project
from stancewatch.export import COLUMNS, export, export_tables
from stancewatch.packs import load_pack
from stancewatch.pipeline import DocumentResult
from stancewatch.records import Claim, Document, Stance, Statement, Verdict
from stancewatch.report.build import build_context, render_html
from stancewatch.store import results
from stancewatch.store.database import Store
from stancewatch.web.app import create_app

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
STANCE_POSITION = "cede-occupied-territory"


def _adjudicate(path: Path, kind: str, item_id: str, value: str) -> None:
    with Store(path) as store, store.db.atomic():
        store.db["adjudications"].insert(
            {
                "item_kind": kind,
                "item_id": item_id,
                "value": value,
                "coder": "ann",
                "decided_at": "2025-03-01T00:00:00+00:00",
            }
        )


async def _review_in_the_web_app(path: Path, ids: dict[str, str]) -> None:
    """ann (an adjudicator) corrects a stance and a verdict through the JSON API and the
    speaker through the item page's form, as a reviewer would."""
    web = create_app(path, secret_key="test-key", resamples=20)
    transport = httpx.ASGITransport(app=web)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        token = CSRF.search((await c.get("/login")).text).group(1)
        form = {"csrf": token, "name": "ann", "password": PASSWORD}
        assert (await c.post("/login", data=form)).status_code == 303
        csrf = (await c.get("/api/me")).json()["csrf"]
        for kind, item_id, value in (
            ("stance", f"{ids['s1']}:{STANCE_POSITION}", "oppose"),
            ("verdict", ids["claim"], "accurate"),
        ):
            body = {"kind": kind, "item_id": item_id, "value": value}
            done = await c.post(
                "/api/review/adjudications", json=body, headers={"X-CSRF-Token": csrf}
            )
            assert done.status_code == 201, done.text
        speaker = {"csrf": csrf, "kind": "speaker", "item_id": ids["s1"], "value": "vance"}
        done = await c.post("/review/adjudicate", data=speaker)
        assert done.status_code == 303
        page = await c.get(f"/review/speaker/{ids['s1']}")
        assert 'id="final">vance' in page.text


def _between(text: str, start: str, end: str) -> str:
    i = text.index(start)
    return text[i : text.index(end, i)]


@pytest.mark.anyio
async def test_a_correction_in_the_web_app_reaches_every_export_and_the_report(review_db, tmp_path):
    pytest.importorskip("pyarrow")
    path, ids = review_db
    await _review_in_the_web_app(path, ids)
    s1, claim, stance = ids["s1"], ids["claim"], (ids["s1"], STANCE_POSITION)

    with Project(path) as project:
        tables = export_tables(project)
        export(project, "csv", tmp_path / "csv")
        export(project, "json", tmp_path / "export.json")
        export(project, "claimreview", tmp_path / "reviews.jsonld")
        export(project, "claimreview-csv", tmp_path / "reviews.csv")
        export(project, "parquet", tmp_path / "pq")
        html = render_html(build_context(project))
    # Every export: the final value under the usual name, the machine's beside it.
    expected_statement = {"actor": "vance", "machine_actor": "trump", "actor_source": "adjudicated"}
    expected_stance = {"label": "oppose", "machine_label": "support", "label_source": "adjudicated"}
    expected_verdict = {
        "label": "accurate",
        "machine_label": "inaccurate",
        "label_source": "adjudicated",
    }
    csv = {
        name: pd.read_csv(tmp_path / "csv" / f"{name}.csv", dtype=str, keep_default_na=False)
        for name in ("statements", "stances", "claims", "verdicts")
    }
    payload = json.loads((tmp_path / "export.json").read_text("utf-8"))
    json_tables = {name: pd.DataFrame(rows, dtype=object) for name, rows in payload.items()}
    parquet = {
        name: pd.read_parquet(tmp_path / "pq" / f"{name}.parquet")
        for name in ("statements", "stances", "claims", "verdicts")
    }
    exports = {"frames": tables, "csv": csv, "json": json_tables, "parquet": parquet}
    for fmt, found in exports.items():
        statements = found["statements"].set_index("id")
        assert statements.loc[s1, list(expected_statement)].to_dict() == expected_statement, fmt
        assert statements.loc[s1, "actor_name"] == "JD Vance", fmt
        stances = found["stances"].set_index(["statement_id", "position_id"])
        assert stances.loc[stance, list(expected_stance)].to_dict() == expected_stance, fmt
        assert stances.loc[stance, "actor"] == "vance", fmt
        untouched = stances.loc[(s1, "no-nato-membership")]
        assert (untouched["label"], untouched["label_source"]) == ("neutral", "machine"), fmt
        claims = found["claims"].set_index("id")
        assert claims.loc[claim, ["claimant", "claimant_name"]].tolist() == ["vance", "JD Vance"]
        verdicts = found["verdicts"].set_index("claim_id")
        assert verdicts.loc[claim, list(expected_verdict)].to_dict() == expected_verdict, fmt
        for name in ("statements", "stances", "claims", "verdicts"):
            assert list(found[name].columns) == [c for c, _ in COLUMNS[name]], (fmt, name)

    # ClaimReview: the final verdict, said by the final claimant.
    [review] = json.loads((tmp_path / "reviews.jsonld").read_text("utf-8"))
    assert review["identifier"] == claim
    assert review["reviewRating"]["alternateName"] == "Accurate"
    assert review["reviewRating"]["ratingValue"] == 5
    assert review["itemReviewed"]["author"] == {"@type": "Person", "name": "JD Vance"}
    [row] = pd.read_csv(tmp_path / "reviews.csv").to_dict(orient="records")
    assert (row["rating"], row["claim_author"]) == ("Accurate", "JD Vance")

    # The report: the stance under the adjudicated speaker, the claim with its final verdict.
    actors = _between(html, '<section id="actors">', '<section id="matrix">')
    vance = _between(actors, "JD Vance <span", "</section>")
    assert "Opposes" in vance and f"({STANCE_POSITION})" in vance and f"#st-{s1}" in vance
    assert "(trump)" not in actors
    claims_html = _between(html, '<section id="claims">', '<section id="narratives">')
    assert "No numeric claim was found to contradict a sourced figure." in claims_html
    other = _between(claims_html, "<h3>Other claims</h3>", "</table>")
    assert re.search(r"<td>4%</td><td>JD Vance</td><td>[^<]*</td>\s*<td>accurate</td>", other)
    evidence = _between(html, f'<li id="st-{s1}">', "</li>")
    assert "JD Vance <code>vance</code>" in evidence


def test_without_a_review_the_final_values_are_the_machines(review_db):
    path, ids = review_db
    with Project(path) as project:
        tables = export_tables(project)
    statements, stances, verdicts = tables["statements"], tables["stances"], tables["verdicts"]
    assert list(statements["actor"]) == list(statements["machine_actor"]) == ["trump", "zelensky"]
    assert set(statements["actor_source"]) == {"machine"}
    assert list(stances["label"]) == list(stances["machine_label"])
    assert set(stances["label_source"]) == set(verdicts["label_source"]) == {"machine"}
    assert list(verdicts["label"]) == list(verdicts["machine_label"]) == ["inaccurate"]


def test_the_latest_adjudication_counts_and_an_unknown_speaker_clears_the_actor(review_db):
    path, ids = review_db
    s1, claim = ids["s1"], ids["claim"]
    for kind, item_id, value in (
        ("speaker", s1, "vance"),
        ("verdict", claim, "exaggerated"),
        ("speaker", s1, "unknown"),  # the latest wins
        ("verdict", claim, "understated"),
    ):
        _adjudicate(path, kind, item_id, value)
    with Store(path) as store:
        assert results.latest_adjudication(store, "speaker", s1) == "unknown"
        assert results.adjudicated_values(store, "verdict") == {claim: "understated"}
        assert results.latest_adjudication(store, "stance", f"{s1}:{STANCE_POSITION}") is None
        [statement] = store.query(f"SELECT * FROM {results.STATEMENTS} s WHERE s.id = ?", [s1])
        [found] = store.query(f"SELECT * FROM {results.CLAIMS} c WHERE c.id = ?", [claim])
        [verdict] = store.query(f"SELECT * FROM {results.VERDICTS} v")
    assert statement["actor"] is None and statement["machine_actor"] == "trump"
    assert (statement["actor_source"], statement["adjudicated_actor"]) == ("adjudicated", "unknown")
    assert found["claimant"] is None
    assert (verdict["label"], verdict["machine_label"]) == ("understated", "inaccurate")
    with Project(path) as project:
        assert project.statements(actor="trump").empty
        tables = export_tables(project)
    row = tables["statements"].set_index("id").loc[s1]
    assert row["actor"] is None and row["actor_name"] is None
    stances = tables["stances"]
    assert stances[stances["statement_id"] == s1]["actor"].tolist() == [None, None]
    with pytest.raises(ValueError, match="Unknown kind"):
        results.latest_adjudications("claim")


def test_run_outputs_carry_the_machine_values_and_load_stores_the_machines(tmp_path):
    pytest.importorskip("pyarrow")
    from stancewatch.scale import parquet

    pack = load_pack(None)
    text = 'Donald Trump said "Ukraine will have to give up land." He cited 4% approval.'
    document = Document.from_text(text, published=date(2025, 2, 12))
    start = text.index("Ukraine")
    statement = Statement(
        "s1", document.id, "direct", text[start : text.index('."') + 1], start,
        text.index('."') + 1, speaker="Donald Trump", speaker_start=0, speaker_end=12,
        actor="trump", date=date(2025, 2, 12), method="test",
    )  # fmt: skip
    stance = Stance("s1", STANCE_POSITION, "support", 0.9, 0.8, "test")
    claim = Claim("c1", document.id, "s1", "4%", text.index("4%"), text.index("4%") + 2, 4.0,
                  "percent", claimant="trump")  # fmt: skip
    verdict = Verdict("c1", "unverifiable", "No fact matched.", "test")
    result = DocumentResult(document.id, (statement,), (stance,), (claim,), (verdict,))
    rows = parquet.result_rows([document], [result], pack, parquet.now())
    output = tmp_path / "out"
    parquet.write_shard(output, "a", rows, {})
    # Never reviewed: the final values are the machine's.
    statements = parquet.read_table(output, "statements")
    assert statements[["actor", "machine_actor", "actor_source"]].values.tolist() == [
        ["trump", "trump", "machine"]
    ]
    for table, label in (("stances", "support"), ("verdicts", "unverifiable")):
        frame = parquet.read_table(output, table)
        assert list(frame.columns[: len(COLUMNS[table])]) == [c for c, _ in COLUMNS[table]]
        assert frame[["label", "machine_label", "label_source"]].values.tolist() == [
            [label, label, "machine"]
        ]
    # Tables whose final values differ from the machine's (a reviewed export) load the
    # machine's: reviews live in the database, beside them.
    rows["statements"][0].update(actor="vance", actor_source="adjudicated")
    rows["stances"][0].update(label="oppose", label_source="adjudicated")
    rows["verdicts"][0].update(label="accurate", label_source="adjudicated")
    parquet.write_shard(tmp_path / "reviewed", "a", rows, {})
    with Store(tmp_path / "loaded.db") as store:
        parquet.load_output(tmp_path / "reviewed", store, pack)
        assert store.query("SELECT actor FROM statements") == [{"actor": "trump"}]
        assert store.query("SELECT label FROM stances") == [{"label": "support"}]
        assert store.query("SELECT label FROM verdicts") == [{"label": "unverifiable"}]


def test_the_web_apps_filters_follow_the_final_values(review_db):
    from stancewatch.web.browse import Filters, documents, filter_options

    path, ids = review_db
    _adjudicate(path, "speaker", ids["s1"], "vance")
    _adjudicate(path, "verdict", ids["claim"], "accurate")
    with Store(path) as store:
        by_actor = {a: documents(store, Filters(actor=a))[1] for a in ("trump", "vance")}
        by_verdict = {
            v: documents(store, Filters(verdict=v))[1] for v in ("inaccurate", "accurate")
        }
        by_name = documents(store, Filters(q="Vance"))[1]
        actors = {a["id"] for a in filter_options(store)["actors"]}
    assert by_actor == {"trump": 0, "vance": 1}
    assert by_verdict == {"inaccurate": 0, "accurate": 1}
    assert by_name == 1
    assert "vance" in actors and "trump" not in actors


def test_projects_other_views_read_the_final_actor(review_db):
    path, ids = review_db
    _adjudicate(path, "speaker", ids["s1"], "vance")
    with Project(path) as project:
        worthy = project.check_worthy().set_index("statement_id")
        with Store(path) as store:
            unattributed = results.unattributed_statement_rows(store)
    assert worthy.loc[ids["s1"], "actor"] == "vance"
    assert all(row["actor"] is None for row in unattributed)
