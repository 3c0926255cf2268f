"""The align, rank and echo commands and report --charts on a small hand-made store."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from typer.testing import CliRunner

from stancewatch.cli import app
from stancewatch.packs import load_pack
from stancewatch.records import Document, Stance, Statement
from stancewatch.store.database import Store

runner = CliRunner()

# actor, statement id, position, label, date: hand-computed figures in the tests below
ROWS = [
    ("putin", "p1", "no-nato-membership", "support", date(2025, 1, 1)),
    ("putin", "p2", "lift-sanctions-on-russia", "support", date(2025, 1, 2)),
    ("putin", "p3", "cede-occupied-territory", "support", date(2025, 1, 3)),
    ("hegseth", "h1", "no-nato-membership", "support", date(2025, 2, 12)),
    ("hegseth", "h2", "cede-occupied-territory", "support", date(2025, 2, 12)),
    ("hegseth", "h3", "lift-sanctions-on-russia", "oppose", date(2025, 2, 13)),
    ("trump", "t1", "no-nato-membership", "oppose", date(2025, 2, 20)),
    ("trump", "t2", "lift-sanctions-on-russia", "oppose", date(2025, 3, 1)),
]


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("align-cli") / "corpus.db"
    pack = load_pack(None)
    with Store(path) as store:
        store.save_pack(pack)
        run = store.start_run(pack, {"stance_method": "stance.test.v1"})
        for actor, sid, position, label, when in ROWS:
            text = f"{actor} said something about {position} on {when}."
            doc = Document.from_text(text, title=f"Story {sid}", published=when)
            store.add_documents([doc])
            statement = Statement(
                id=sid,
                document_id=doc.id,
                kind="indirect",
                content=text,
                content_start=0,
                content_end=len(text),
                speaker=actor,
                actor=actor,
                date=when,
                confidence=0.9,
                method="attribution.test.v1",
            )
            stance = Stance(sid, position, label, 0.8, 0.7, "stance.test.v1")  # type: ignore[arg-type]
            store.save_analysis(
                doc.id,
                run_id=run,
                statements=[statement],
                stances=[stance],
                claims=[],
                verdicts=[],
            )
        store.finish_run(run, len(ROWS))
    return str(path)


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_align_json_hand_computed(db):
    result = invoke("align", "hegseth", "putin", "--db", db, "--format", "json", "--by", "month")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    # hegseth S S O against putin S S S: p_o 2/3; pooled support 5/6 → p_e 26/36 → pi -0.2;
    # putin one category → Cohen p_e = p_hegseth(S) = 2/3 → kappa 0
    assert (payload["agree"], payload["disagree"], payload["shared"]) == (2, 1, 3)
    assert payload["pi"] == pytest.approx(-0.2) and payload["kappa"] == 0.0
    assert sorted(payload["support_statements"]) == ["h1", "h2"]
    assert payload["oppose_statements"] == ["h3"]
    assert {e["statement_id"] for e in payload["evidence"]} == {"h1", "h2", "h3"}
    assert payload["evidence"][0]["document"].startswith("Story h")
    assert [g["group"] for g in payload["groups"]] == ["2025-02"]
    assert "acts count together" in payload["note"]


def test_align_table_states_the_denominator(db):
    output = invoke("align", "hegseth", "putin", "--db", db, "--by-topic").output
    assert "hegseth took putin's side on 2 of 3 positions" in output
    assert "67% (95% Wilson interval 21%–94%)" in output
    # putin supports all three: kappa and pi are not shown, and the output says why
    assert "Cohen's kappa and Scott's pi not shown (too few positions vary" in output
    assert "of the 3 shared positions, hegseth 1, putin 0 on the rarer side" in output
    assert "statement h3" in output
    assert "Breakdown" in output


@pytest.mark.parametrize(
    "args, code, message",
    [
        (["align", "hegseth", "putin", "--by", "year"], 2, "year"),
        (["align", "hegseth", "nobody"], 1, "Known actors"),
        (["rank", "--with", "nobody"], 1, "Known actors"),
        (["rank", "--with", "putin", "--by", "s"], 1, "pi or kappa"),
        (["rank", "--with", "putin", "--interval", "exact"], 2, "exact"),
        (["echo", "--position", "nowhere"], 1, "Known positions"),
    ],
)
def test_bad_input(db, args, code, message):
    result = runner.invoke(app, [*args, "--db", db])
    assert result.exit_code == code
    assert message in result.output


def test_rank_csv_orders_by_pi(db):
    output = invoke("rank", "--with", "putin", "--db", db, "--format", "csv").output
    rows = list(csv.DictReader(io.StringIO(output)))
    # the default pack's acts: the United States on two positions putin holds in the pack
    # (responsibility for the war; military aid: two pauses against one resumption), 2 of 2;
    # hegseth 2 of 3 (Wilson 95% lower end 0.2077 < 0.3424); trump O O against putin S S
    assert [(r["rank"], r["actor"]) for r in rows] == [
        ("1", "united-states"),
        ("2", "hegseth"),
        ("3", "trump"),
    ]
    assert float(rows[0]["position_low"]) == pytest.approx(0.3424, abs=1e-4)
    assert float(rows[1]["position_low"]) == pytest.approx(0.2077, abs=1e-4)
    assert float(rows[2]["pi"]) == pytest.approx(-1.0)
    assert (rows[2]["agree"], rows[2]["position_n"]) == ("0", "2")


def test_align_counts_the_pack_acts_as_evidence(db):
    result = invoke("align", "united-states", "putin", "--db", db, "--format", "json")
    payload = json.loads(result.output)
    acts = [e for e in payload["evidence"] if e["kind"] == "act"]
    ids = {e["statement_id"] for e in acts}
    assert "act-us-unga-vote-2025-02-24" in ids and "act-us-military-aid-pause-2025-03-03" in ids
    vote = next(e for e in acts if e["statement_id"] == "act-us-unga-vote-2025-02-24")
    assert (vote["date"], vote["act"], vote["side"]) == ("2025-02-24", "vote", "supports")
    assert vote["url"].startswith("https://")
    text = invoke("align", "united-states", "putin", "--db", db).output
    assert "ACT (vote) United States" in text


def test_rank_table_states_its_rule_and_lists_the_unshared_apart(db, tmp_path):
    output = invoke("rank", "--with", "trump", "--db", db).output
    assert "Ranked by the lower end of the 95% Wilson interval" in output
    assert "Not ranked" in output or "hegseth" in output
    jeffreys = invoke("rank", "--with", "putin", "--db", db, "--interval", "jeffreys").output
    assert "Jeffreys interval" in jeffreys


def test_echo_json_chains_and_tests(db):
    result = invoke("echo", "--db", db, "--leader", "putin", "--format", "json")
    payload = json.loads(result.output)
    chain = [c for c in payload["chains"] if c["key"] == "no-nato-membership"]
    assert [(c["actor"], c["days_after_first"]) for c in chain] == [("putin", 0), ("hegseth", 42)]
    assert chain[1]["statement_ids"] == ["h1"]
    tests = {t["follower"]: t for t in payload["tests"]}
    assert tests["hegseth"]["statements"] == 2  # h1 and h2; h3 opposes, putin never did
    assert tests["hegseth"]["pairs"][0]["leader_statement"] in {"p1", "p3"}


def test_echo_table_for_one_position(db):
    output = invoke(
        "echo", "--db", db, "--position", "cede-occupied-territory", "--format", "csv"
    ).output
    rows = list(csv.DictReader(io.StringIO(output)))
    # 3 January → 12 February: 40 days
    assert [(r["actor"], r["days_after_first"]) for r in rows] == [
        ("putin", "0"),
        ("hegseth", "40"),
    ]


def test_report_writes_charts(db, tmp_path):
    charts = tmp_path / "figures"
    result = invoke(
        "report", "--db", db, "--output", str(tmp_path / "r.html"), "--charts", str(charts)
    )
    assert result.exit_code == 0, result.output
    names = {p.name for p in charts.iterdir()}
    assert {"alignment-heatmap.svg", "alignment-heatmap.png", "echo-timeline.png"} <= names
    assert (charts / "matrix.png").read_bytes().startswith(b"\x89PNG")


def test_align_count_lists_what_it_counts(db):
    payload = json.loads(
        invoke("align", "hegseth", "putin", "--count", "--db", db, "--format", "json").output
    )
    # hegseth h1 (no-nato) and h2 (cede) on 12 February: one event per position; h3 against
    assert (payload["matches"], payload["opposite"], payload["reports"]) == (2, 1, 2)
    assert sorted(ids for m in payload["match_list"] for ids in m["statement_ids"]) == ["h1", "h2"]
    assert [m["position_id"] for m in payload["match_list"]] == [
        "cede-occupied-territory",
        "no-nato-membership",
    ]
    assert payload["opposite_list"][0]["statement_ids"] == ["h3"]
    assert payload["since"] == "2025-02-12" and payload["until"] == "2025-02-13"
    text = invoke("align", "hegseth", "putin", "--count", "--db", db).output
    assert "hegseth's statements and acts matched putin's positions 2 times between 2025-02-12" in (
        text
    )
    assert "they went against putin's positions 1 time." in text
    acts = json.loads(
        invoke("align", "united-states", "putin", "--count", "--db", db, "-f", "json").output
    )
    assert any(m["kind"] == "act" for m in acts["match_list"])
