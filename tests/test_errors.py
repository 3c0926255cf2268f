"""One error tree (stancewatch.errors): what the command line reports as ``Error:`` (exit 1),
what click reports as a usage error (exit 2) and what stays a traceback (a bug)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from stancewatch.analytics.agreement import agreement
from stancewatch.attribution.cue_model import CueModelError
from stancewatch.attribution.evaluation import EvaluationError
from stancewatch.cli import app
from stancewatch.cli.common import errors_to_exit
from stancewatch.errors import (
    BackendError,
    InputError,
    InvalidValueError,
    ModelError,
    NotFoundError,
    PackError,
    StancewatchError,
    StoreError,
)
from stancewatch.export import ExportError
from stancewatch.ingest.inputs import IngestError
from stancewatch.narratives.banks import BankError
from stancewatch.narratives.label_model import LabelModelError
from stancewatch.nlp import ModelNotAvailable
from stancewatch.packs import load_pack
from stancewatch.scale.parquet import OutputError
from stancewatch.scale.runner import RunError
from stancewatch.stance.backends import load_backend
from stancewatch.stance.model import MiniLMLoRAStance, StanceModelError
from stancewatch.web.app import create_app
from stancewatch.web.auth import AuthError
from stancewatch.web.review import ReviewError

SRC = Path(__file__).resolve().parents[1] / "src" / "stancewatch"
runner = CliRunner()


@pytest.mark.parametrize(
    "error, kind",
    [
        (InputError, StancewatchError),
        (PackError, StancewatchError),
        (ModelError, StancewatchError),
        (StoreError, StancewatchError),
        (BackendError, StancewatchError),
        (NotFoundError, InputError),
        (InvalidValueError, InputError),
        (IngestError, InputError),
        (EvaluationError, InputError),
        (BankError, InputError),
        (ExportError, InputError),
        (RunError, InputError),
        (OutputError, InputError),
        (AuthError, InputError),
        (ReviewError, InputError),
        (ModelNotAvailable, ModelError),
        (StanceModelError, ModelError),
        (CueModelError, ModelError),
        (LabelModelError, ModelError),
    ],
)
def test_every_error_is_a_stancewatch_error_of_its_kind(error, kind):
    assert issubclass(error, kind) and issubclass(error, StancewatchError)


def test_the_kinds_are_no_builtin_errors_but_lookups_and_values_still_are():
    for kind in (InputError, PackError, ModelError, StoreError, BackendError):
        assert not issubclass(kind, (ValueError, KeyError, RuntimeError))
    missing = NotFoundError("Unknown actor 'x'. Known actors: a, b")
    assert isinstance(missing, KeyError)
    assert str(missing) == "Unknown actor 'x'. Known actors: a, b"  # not quoted as KeyError's
    assert isinstance(InvalidValueError("resamples must be 0 or more"), ValueError)


def test_every_error_class_in_the_package_derives_from_the_tree():
    """A new ``class ...Error`` anywhere in the package has a class of the tree as a base."""
    defined: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ClassDef) and (
                node.name.endswith("Error") or node.name == "ModelNotAvailable"
            ):
                defined[node.name] = {b.id for b in node.bases if isinstance(b, ast.Name)}
    assert len(defined) >= 19 and defined["StancewatchError"] == {"Exception"}
    outside = {name for name, bases in defined.items() if not bases & set(defined)}
    assert outside == {"StancewatchError"}


def test_library_code_never_exits():
    exits = []
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and ast.unparse(node.func) in ("sys.exit", "exit"):
                exits.append(f"{path.relative_to(SRC)}:{node.lineno}")
            if isinstance(node, ast.Raise) and "SystemExit" in ast.unparse(node.exc or node):
                exits.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert exits == []


# -- errors_to_exit ---------------------------------------------------------------------------
def test_a_stancewatch_error_is_one_line_and_exit_1(capsys):
    @errors_to_exit
    def command() -> None:
        raise RunError("ray is not installed: pip install 'stancewatch[ray]'")

    with pytest.raises(typer.Exit) as caught:
        command()
    assert caught.value.exit_code == 1
    # the message as given: brackets are not taken for console markup
    expected = "Error: ray is not installed: pip install 'stancewatch[ray]'\n"
    assert capsys.readouterr().err == expected


@pytest.mark.parametrize("bug", [KeyError("text"), ValueError("bad"), RuntimeError("x")])
def test_a_bug_keeps_its_traceback(bug):
    @errors_to_exit
    def command() -> None:
        raise bug

    with pytest.raises(type(bug)):
        command()


def test_a_usage_error_goes_on_to_click():
    @errors_to_exit
    def command() -> None:
        raise typer.BadParameter("give INPUT... and then OUTPUT")

    with pytest.raises(typer.BadParameter):
        command()


# -- the command line -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "args, message",
    [
        (["pack", "validate", "{tmp}"], "pack.yaml"),  # PackError
        (["positions", "--pack", "{tmp}/missing"], "missing"),  # PackError
        (["coders", "add", "fay", "--no-password", "--db", "{tmp}/x.db"], "--no-password needs"),
        (["actors", "candidates", "--db", "{tmp}/none.db"], "none.db does not exist"),
        (["attribute", "{tmp}/nope.txt"], "nope.txt does not exist"),
        (["load", "{tmp}", "--db", "{tmp}/x.db"], "not a run output"),
    ],
)
def test_bad_input_exits_1_with_the_message(tmp_path, args, message):
    result = runner.invoke(app, [a.format(tmp=tmp_path) for a in args])
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error:")
    assert message in result.output.replace("\n", "")


@pytest.mark.parametrize(
    "args, message",
    [
        (["run", "only-one"], "give INPUT... and then OUTPUT"),  # BadParameter in a command
        (["--precision", "half", "positions"], "'half'"),
        (["align", "a", "b", "--by", "year"], "year"),
        (["positions", "--format", "xml"], "xml"),
    ],
)
def test_a_bad_option_exits_2(args, message):
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert result.output.startswith("Usage:")  # click's report, not an Error: line
    assert message in result.output


def test_a_bug_in_a_command_is_no_error_line(monkeypatch):
    def broken(pack):  # noqa: ARG001
        raise KeyError("text")

    monkeypatch.setattr("stancewatch.cli.project.pack_only", broken)
    result = runner.invoke(app, ["positions"])
    assert isinstance(result.exception, KeyError)
    assert "Error:" not in result.output


def test_a_negative_seed_is_refused_by_name():
    with pytest.raises(InvalidValueError, match="seed must be 0 or more, not -1"):
        agreement(["support", "oppose"] * 2, ["support"] * 4, resamples=10, seed=-1)


def test_a_malformed_stance_model_is_a_model_error(tmp_path):
    (tmp_path / "stance.safetensors").write_bytes(b"")
    config = tmp_path / "config.json"
    config.write_text("{not json", "utf-8")
    with pytest.raises(StanceModelError, match="config.json is not valid JSON"):
        MiniLMLoRAStance(tmp_path)
    config.write_text('{"arch": "bi"}', "utf-8")
    with pytest.raises(StanceModelError, match="it needs arch, scale, max_length"):
        MiniLMLoRAStance(tmp_path)
    config.write_text(
        '{"arch": "rnn", "scale": 2, "max_length": 64, "hypothesis_length": 32}', "utf-8"
    )
    with pytest.raises(BackendError, match="unknown architecture 'rnn'"):
        load_backend(f"model:{tmp_path}")


def test_an_unknown_actor_is_a_not_found_error():
    pack = load_pack()
    with pytest.raises(NotFoundError, match="Known actors:"):
        pack.actor("nobody")
    with pytest.raises(NotFoundError, match="Known positions:"):
        pack.position("nowhere")


# -- the web app: one JSON error shape --------------------------------------------------------
@pytest.mark.parametrize(
    "error, status",
    [
        (NotFoundError("No document with id 'x'"), 404),
        (AuthError("The password must have at least 8 characters"), 400),
        (ReviewError("Unknown kind 'x'; choose one of stance, verdict"), 400),
    ],
)
def test_the_web_app_answers_errors_in_one_shape(tmp_path, error, status):
    web = create_app(tmp_path / "web.db")

    def fail() -> None:
        raise error

    web.add_api_route("/api/fail", fail)
    response = TestClient(web).get("/api/fail")
    assert response.status_code == status
    assert response.json() == {"ok": False, "error": str(error), "status": status}
