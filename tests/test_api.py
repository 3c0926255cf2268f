from __future__ import annotations

import pytest

from stancewatch.api import Project
from stancewatch.stance import FunctionStance

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
        stances = project.stances()
        assert set(stances["method"]) == {"stance.test.v9"}
        assert set(stances["label"]) == {"oppose"}
        nato = stances[stances.position_id == "no-nato-membership"]
        assert list(nato["actor"]) == ["hegseth"]
        assert project.store.runs()[-1]["settings"]["stance_method"] == "stance.test.v9"
        # The evidence of every stance points at the statement's text in the document.
        doc = project.store.document(nato.iloc[0]["document_id"])
        row = nato.iloc[0]
        assert doc.text[row["content_start"] : row["content_end"]] == row["content"]
