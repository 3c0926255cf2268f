"""The registries of choosable parts and the settings object that travels with a run."""

from __future__ import annotations

import os
import pickle

import pytest
from typer.testing import CliRunner

from stancewatch.cli import app
from stancewatch.nlp import PRECISION_ENV
from stancewatch.registry import (
    CUE_MODELS,
    DEFAULT_STANCE_BACKEND,
    DEFAULT_TARGET_STANCE_BACKEND,
    EMBEDDERS,
    STANCE_BACKENDS,
    Plugin,
    Registry,
    RegistryError,
)
from stancewatch.settings import Settings
from stancewatch.stance.model import MODEL_VERSION
from stancewatch.stance.prototype import PrototypeStance


@pytest.mark.parametrize(
    "spec, name, argument",
    [
        ("prototype", "prototype", None),
        ("minilm-lora", "minilm-lora", None),
        ("model:/tmp/m", "model", "/tmp/m"),
        ("nli:org/model", "nli", "org/model"),
        ("chat:llama3@http://localhost:11434/v1", "chat", "llama3@http://localhost:11434/v1"),
    ],
)
def test_a_spec_names_a_registered_backend_and_its_argument(spec, name, argument):
    plugin, parsed = STANCE_BACKENDS.parse(spec)
    assert (plugin.name, parsed) == (name, argument)


@pytest.mark.parametrize("spec", ["", "bert", "nli:", "prototype:x", "model"])
def test_a_bad_spec_is_refused_with_every_choice_listed(spec):
    with pytest.raises(RegistryError) as caught:
        STANCE_BACKENDS.parse(spec)
    for plugin in STANCE_BACKENDS:
        assert plugin.usage in str(caught.value)


def test_the_defaults_are_registered_and_the_versions_are_what_results_record():
    assert DEFAULT_STANCE_BACKEND in STANCE_BACKENDS
    assert DEFAULT_TARGET_STANCE_BACKEND in STANCE_BACKENDS
    assert STANCE_BACKENDS["prototype"].version == PrototypeStance.name
    assert STANCE_BACKENDS["minilm-lora"].version == MODEL_VERSION
    assert CUE_MODELS.default in CUE_MODELS and EMBEDDERS.default in EMBEDDERS


def test_every_factory_names_a_function_that_exists():
    for registry in (STANCE_BACKENDS, EMBEDDERS, CUE_MODELS):
        for plugin in registry:
            assert callable(plugin.build()), plugin.factory


def test_a_users_part_registers_the_way_the_built_in_ones_do():
    things = Registry("thing", "joined")
    things.register(Plugin("joined", "thing.join.v1", "joins", "posixpath:join", argument="P"))
    assert things.load("joined:a/b") == "a/b"
    with pytest.raises(RegistryError, match="registered already"):
        things.register(Plugin("joined", "thing.join.v2", "again", "posixpath:join"))
    with pytest.raises(RegistryError, match="unknown thing 'other'"):
        things.load("other")


def test_an_open_ended_registry_passes_unknown_names_to_its_default():
    plugin, argument = EMBEDDERS.parse("my-org/my-encoder")
    assert plugin.name == EMBEDDERS.default and argument == "my-org/my-encoder"


def test_the_stance_help_of_every_command_comes_from_the_registry():
    runner = CliRunner()
    for command in (["analyze"], ["run"], ["classify"]):
        result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "400"})
        assert result.exit_code == 0
        for plugin in STANCE_BACKENDS:
            assert plugin.usage in result.output, (command, plugin.usage)


def test_settings_validate_refuse_and_travel():
    settings = Settings(stance="nli:org/model", precision="fp32")
    assert settings.replace(stance=None).stance == "nli:org/model"
    assert settings.replace(pack="my-pack").pack == "my-pack"
    assert pickle.loads(pickle.dumps(settings)) == settings  # Ray ships it to workers
    assert Settings(precision="auto").resolved().precision in ("fp32", "bf16")
    with pytest.raises(RegistryError):
        Settings(stance="bert")
    with pytest.raises(ValueError, match="half"):
        Settings(precision="half")


def test_the_precision_option_is_passed_on_not_written_to_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv(PRECISION_ENV, raising=False)
    result = CliRunner().invoke(
        app, ["--precision", "fp32", "positions", "--format", "json"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert PRECISION_ENV not in os.environ
