from __future__ import annotations

from dataclasses import replace

import pytest

from stancewatch.api import Project
from stancewatch.stance.base import FunctionStance

ARTICLE = """---
title: Hegseth in Brussels
published: 2025-02-12
---

US Defense Secretary Pete Hegseth said on Wednesday that NATO membership for Ukraine was not a
realistic outcome of a negotiated settlement.
"""


@pytest.mark.models
def test_a_custom_backend_plugs_in_and_is_recorded(tmp_path):
    (tmp_path / "a.md").write_text(ARTICLE, encoding="utf-8")
    backend = FunctionStance(lambda text, position: (0.1, 0.8, 0.1), name="stance.test.v9")
    with Project(tmp_path / "p.db", stance=backend) as project:
        assert project.ingest([tmp_path / "a.md"]).added == 1
        report = project.analyze()
        assert report.documents == 1 and report.stances >= 1
        stances = project.stances(include_actions=False)
        assert set(stances["method"]) == {"stance.test.v9"}
        # the pack's acts come beside the statements' codings, labelled as acts
        acts = project.stances().query("kind == 'act'")
        assert len(acts) == len(project.pack.actions)
        assert all(m.startswith("pack.actions.") for m in acts["method"])
        assert set(stances["label"]) == {"oppose"}
        nato = stances[stances.position_id == "no-nato-membership"]
        assert list(nato["actor"]) == ["hegseth"]
        assert project.store.runs()[-1]["settings"]["stance_method"] == "stance.test.v9"
        # The evidence of every stance points at the statement's text in the document.
        doc = project.store.document(nato.iloc[0]["document_id"])
        row = nato.iloc[0]
        assert doc.text[row["content_start"] : row["content_end"]] == row["content"]


def test_adjudicated_labels_override_the_machine_in_analytics(tmp_path):
    from stancewatch.records import Document, Stance, Statement

    with Project(tmp_path / "p.db") as project:
        doc = Document.from_text("Trump said Ukraine should hold elections.")
        project.store.add_document(doc)
        project.store.save_pack(replace(project.pack, actions=()))  # statements only
        statement = Statement(
            id="s1",
            document_id=doc.id,
            kind="indirect",
            content="Ukraine should hold elections",
            content_start=11,
            content_end=40,
            actor="trump",
        )
        stance = Stance("s1", "zelensky-illegitimate", "neutral", 0.5, 0.9, "stance.prototype.v1")
        project.store.save_analysis(
            doc.id, run_id=None, statements=[statement], stances=[stance], claims=[], verdicts=[]
        )
        assert project.actor_positions().empty  # neutral: no side taken
        with project.store.db.atomic():
            for value in ("oppose", "support"):  # the latest adjudication wins
                project.store.db["adjudications"].insert(
                    {
                        "item_kind": "stance",
                        "item_id": "s1:zelensky-illegitimate",
                        "value": value,
                        "coder": "ann",
                        "decided_at": "2025-03-01T00:00:00+00:00",
                    }
                )
        row = project.stances().iloc[0]
        assert (row.label, row.machine_label, row.label_source) == (
            "support",
            "neutral",
            "adjudicated",
        )
        taken = project.actor_positions()
        assert list(
            taken[["actor", "position_id", "support"]].itertuples(index=False, name=None)
        ) == [("trump", "zelensky-illegitimate", 1)]


def test_adjudicated_speakers_and_verdicts_override_the_machine(tmp_path):
    from stancewatch.records import Claim, Document, Stance, Statement, Verdict

    with Project(tmp_path / "p.db") as project:
        doc = Document.from_text("Vance said Zelensky's approval was 4%.")
        project.store.add_document(doc)
        project.store.save_pack(project.pack)
        statement = Statement(
            id="s1",
            document_id=doc.id,
            kind="indirect",
            content="Zelensky's approval was 4%",
            content_start=11,
            content_end=37,
            actor="trump",  # the machine got the speaker wrong
        )
        stance = Stance("s1", "zelensky-illegitimate", "support", 0.9, 0.9, "stance.prototype.v1")
        claim = Claim(
            id="c1",
            document_id=doc.id,
            statement_id="s1",
            text="4%",
            start=35,
            end=37,
            value=4.0,
            unit="percent",
            claimant="trump",
        )
        verdict = Verdict("c1", "unverifiable", "No fact matched.", "factcheck.rules.v2")
        project.store.save_analysis(
            doc.id,
            run_id=None,
            statements=[statement],
            stances=[stance],
            claims=[claim],
            verdicts=[verdict],
        )
        with project.store.db.atomic():
            for kind, item, value in (("speaker", "s1", "vance"), ("verdict", "c1", "inaccurate")):
                project.store.db["adjudications"].insert(
                    {
                        "item_kind": kind,
                        "item_id": item,
                        "value": value,
                        "coder": "ann",
                        "decided_at": "2025-03-01T00:00:00+00:00",
                    }
                )
        row = project.statements().iloc[0]
        assert (row.actor, row.machine_actor, row.actor_source) == ("vance", "trump", "adjudicated")
        assert list(project.statements(actor="vance")["id"]) == ["s1"]
        assert project.statements(actor="trump").empty
        assert list(project.stances(include_actions=False)["actor"]) == ["vance"]
        claim_row = project.claims().iloc[0]
        assert (claim_row.verdict, claim_row.machine_verdict) == ("inaccurate", "unverifiable")
        assert claim_row.claimant == "vance" and claim_row.claimant_name == "JD Vance"
        assert list(project.false_claims()["claim_id"]) == ["c1"]

        # A reviewer who marks the speaker unknown removes the attribution.
        with project.store.db.atomic():
            project.store.db["adjudications"].insert(
                {
                    "item_kind": "speaker",
                    "item_id": "s1",
                    "value": "unknown",
                    "coder": "ann",
                    "decided_at": "2025-03-02T00:00:00+00:00",
                }
            )
        assert project.statements()["actor"].isna().all()


@pytest.mark.models
def test_changed_settings_are_reported_and_refreshed(tmp_path):
    from typer.testing import CliRunner

    from stancewatch.cli import app
    from stancewatch.cli.project import run_analyze

    (tmp_path / "a.md").write_text(ARTICLE, encoding="utf-8")
    first = FunctionStance(lambda text, position: (0.1, 0.8, 0.1), name="stance.test.v1")
    with Project(tmp_path / "p.db", stance=first) as project:
        assert project.changed_settings() == {}  # nothing analysed yet
        project.ingest([tmp_path / "a.md"])
        project.analyze()
        assert project.changed_settings() == {}
    second = FunctionStance(lambda text, position: (0.8, 0.1, 0.1), name="stance.test.v2")
    with Project(tmp_path / "p.db", stance=second) as project:
        assert project.changed_settings() == {"stance_method": ("stance.test.v1", "stance.test.v2")}
        assert project.analyze().documents == 0  # nothing new: the old results stay
        assert set(project.stances(include_actions=False)["method"]) == {"stance.test.v1"}
        report = run_analyze(project, force=False, refresh_changed=True)
        assert report.documents == 1
        assert set(project.stances(include_actions=False)["method"]) == {"stance.test.v2"}
        assert project.changed_settings() == {}
    # The command line says what changed and how to re-analyse.
    project_db = str(tmp_path / "p.db")
    result = CliRunner().invoke(app, ["analyze", "--db", project_db, "--stance", "prototype"])
    assert result.exit_code == 0, result.output
    assert "stance_method: stance.test.v2 → stance.prototype.v1" in result.output
    assert "--force" in result.output
