"""New actor candidates (stancewatch.attribution.candidates) and accepting them into a pack."""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from stancewatch.attribution.candidates import actor_candidates, actor_entry, candidate_name
from stancewatch.cli import app
from stancewatch.packs import default_pack_path, load_pack


@pytest.mark.parametrize(
    "speaker, name",
    [
        ("longtime pollster Pat Caddell", "Pat Caddell"),
        ("Pat Caddell’s", "Pat Caddell"),
        ("Sen. Rand Paul, R-Ky.,", "Rand Paul"),
        ("Vladimir V. Putin", "Vladimir V. Putin"),
        ("NATO chief Mark Rutte", "Mark Rutte"),
        ("he", None),
        ("a senior official", None),
        ("The Kremlin", None),
        ("Mr. Trump", None),  # one word: too often someone else's
        ("NATO", None),
        ("", None),
        (None, None),
    ],
)
def test_candidate_name(speaker, name):
    assert candidate_name(speaker) == name


def test_actor_candidates_count_mentions_and_documents():
    rows = [
        ("pollster Pat Caddell", None, "d1"),
        ("Pat Caddell", None, "d2"),
        ("Pat Caddell", None, "d2"),
        ("Pete Hegseth", "hegseth", "d1"),  # linked: not a candidate
        ("he", None, "d1"),
        ("Jill Stein", None, "d3"),
    ]
    found = actor_candidates(rows)
    assert [(c.name, c.mentions, c.documents) for c in found] == [
        ("Pat Caddell", 3, ("d1", "d2")),
        ("Jill Stein", 1, ("d3",)),
    ]
    assert [c.name for c in actor_candidates(rows, min_mentions=2)] == ["Pat Caddell"]


def test_actor_entry_numbers_taken_ids_and_refuses_non_names():
    assert actor_entry("Jill Stein", ["stein"])[0] == "stein-2"
    with pytest.raises(ValueError, match="personal name"):
        actor_entry("the Kremlin", [])


def test_accept_appends_to_actors_yaml(tmp_path):
    pack = tmp_path / "pack"
    shutil.copytree(default_pack_path(), pack)
    runner = CliRunner()
    result = runner.invoke(app, ["actors", "accept", "Jill Stein", "--pack", str(pack)])
    assert result.exit_code == 0, result.output
    actor = load_pack(pack).actor("stein")
    assert actor.name == "Jill Stein" and actor.kind == "person"
    again = runner.invoke(app, ["actors", "accept", "Jill Stein", "--pack", str(pack)])
    assert again.exit_code == 1 and "already in" in again.output
