"""Acts beside words: the pack's actions file (votes, decisions, aid pauses), its validation,
storage, and acts as evidence in alignment and the report."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from stancewatch.api import Project
from stancewatch.errors import PackError
from stancewatch.packs import load_pack
from stancewatch.packs.actions import load_actions
from stancewatch.records import Document, Stance, Statement
from stancewatch.report.build import render_report, render_summary_markdown

ACTORS = {"trump", "putin", "united-states"}
POSITIONS = {"no-nato", "stop-aid"}
GOOD = """\
actions:
  - id: vote-1
    actor: united-states
    date: 2025-02-24
    kind: vote
    position: no-nato
    side: support
    description: Voted for it.
    source: A record
    url: https://example.org/vote
"""


def _write(tmp_path: Path, text: str, name: str = "actions.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_default_pack_holds_the_sourced_2025_acts():
    pack = load_pack(None)
    acts = {a.id: a for a in pack.actions}
    vote = acts["us-unga-vote-2025-02-24"]
    assert (vote.actor, vote.date, vote.kind) == ("united-states", date(2025, 2, 24), "vote")
    assert "93 in favour, 18 against and 65 abstentions" in vote.description
    pause = acts["us-military-aid-pause-2025-03-03"]
    assert (pause.position_id, pause.side, pause.kind) == (
        "stop-military-aid-to-ukraine",
        "support",
        "aid-pause",
    )
    assert acts["us-aid-resumed-2025-03-11"].side == "oppose"
    assert all(a.url.startswith("https://") and a.source for a in pack.actions)


def test_actions_yaml_loads(tmp_path):
    [act] = load_actions(_write(tmp_path, GOOD), ACTORS, POSITIONS)
    assert (act.id, act.actor, act.position_id, act.side, act.origin) == (
        "vote-1",
        "united-states",
        "no-nato",
        "support",
        "pack",
    )


@pytest.mark.parametrize(
    "change, message",
    [
        (("actor: united-states", "actor: nobody"), "actions[0] (id 'vote-1'): actor: unknown"),
        (("position: no-nato", "position: elsewhere"), "position: unknown position 'elsewhere'"),
        (("side: support", "side: neutral"), "actions[0] (id 'vote-1').side"),
        (("url: https://example.org/vote", "url: example.org"), ".url"),
        (("kind: vote", "kind: speech"), ".kind"),
        (("date: 2025-02-24", "date: 2025-02-30"), "is not a date"),
        (("    source: A record\n", ""), "'source' is a required property"),
    ],
)
def test_actions_yaml_errors_name_the_entry(tmp_path, change, message):
    path = _write(tmp_path, GOOD.replace(*change))
    with pytest.raises(PackError, match="actions.yaml") as raised:
        load_actions(path, ACTORS, POSITIONS)
    assert message in str(raised.value)


def test_duplicate_act_ids_are_refused(tmp_path):
    text = GOOD + GOOD.split("actions:\n")[1]
    with pytest.raises(PackError, match="duplicate id 'vote-1'"):
        load_actions(_write(tmp_path, text), ACTORS, POSITIONS)


CSV = (
    "id,actor,date,kind,position,side,description,source,url,notes\n"
    "pause-1,united-states,2025-03-03,aid-pause,stop-aid,support,Paused aid.,A record,"
    "https://example.org/p,\n"
)


def test_actions_csv_loads_and_errors_name_the_line(tmp_path):
    [act] = load_actions(_write(tmp_path, CSV, "actions.csv"), ACTORS, POSITIONS)
    assert (act.kind, act.position_id, act.date) == ("aid-pause", "stop-aid", date(2025, 3, 3))
    bad = CSV + "pause-2,united-states,2025-03-05,aid-pause,stop-aid,maybe,x,y,https://e.org,\n"
    with pytest.raises(PackError, match=r"actions.csv: line 3 \(id 'pause-2'\): .*side"):
        load_actions(_write(tmp_path, bad, "actions.csv"), ACTORS, POSITIONS)
    with pytest.raises(PackError, match="unknown column"):
        load_actions(_write(tmp_path, "id,who\n", "actions.csv"), ACTORS, POSITIONS)


@pytest.fixture
def project(tmp_path):
    """The default pack (with its acts) and one sided statement by Putin."""
    text = "Putin said foreign military aid to Kyiv must stop completely."
    doc = Document.from_text(text, title="Putin on aid", url="https://example.org/putin")
    statement = Statement(
        id="p1",
        document_id=doc.id,
        kind="indirect",
        content=text,
        content_start=0,
        content_end=len(text),
        speaker="Putin",
        actor="putin",
        date=date(2025, 3, 18),
        method="attribution.test.v1",
    )
    with Project(tmp_path / "acts.db") as opened:
        opened.store.add_documents([doc])
        opened.store.save_pack(opened.pack)
        opened.store.save_analysis(
            doc.id,
            run_id=None,
            statements=[statement],
            stances=[
                Stance("p1", "stop-military-aid-to-ukraine", "support", 0.9, 0.8, "stance.test")
            ],
            claims=[],
            verdicts=[],
        )
        yield opened


def test_acts_are_stored_and_counted_beside_statements(project):
    acts = project.actions()
    assert "act-us-unga-vote-2025-02-24" in set(acts["evidence_id"])
    stances = project.stances()
    act_rows = stances[stances["kind"] == "act"]
    assert len(act_rows) == len(project.pack.actions)
    assert set(act_rows["coder"]) == {"pack"}
    result = project.align("united-states", "putin", resamples=0)
    # military aid: two pauses against one resumption, putin's own statement supports stopping
    aid = next(c for c in result.positions if c.position_id == "stop-military-aid-to-ukraine")
    assert (aid.a_side, aid.b_side, aid.outcome) == ("support", "support", "agree")
    assert "act-us-unga-vote-2025-02-24" in result.support_statements
    assert "act-us-aid-resumed-2025-03-11" in result.oppose_statements
    # a pack without acts counts statements alone
    project.store.save_pack(replace(project.pack, actions=()))
    assert project.actions().empty and not (project.stances()["kind"] == "act").any()


def test_report_counts_the_un_vote_beside_statements(project):
    html = render_report(project)
    assert 'id="st-act-us-unga-vote-2025-02-24"' in html
    entry = html[html.index('id="st-act-us-unga-vote-2025-02-24"') :].split("</li>")[0]
    assert "not speech" in entry and 'href="https://press.un.org/en"' in entry
    assert "Characters" not in entry  # an act from the pack has no offsets
    alignment = html[html.index('<section id="alignment">') : html.index('<section id="ranking">')]
    assert "United States and Vladimir Putin" in alignment
    assert 'href="#st-act-us-unga-vote-2025-02-24"' in html
    summary = render_summary_markdown(project)
    assert "act (vote): The United States voted against the General Assembly resolution" in (
        summary
    )
