"""Training the stance model: data loading, sampling, and a few real steps on a tiny BERT."""

from __future__ import annotations

import gzip
import json
import random
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from stancewatch.records import Position
from stancewatch.stance.model import MiniLMLoRAStance
from stancewatch.stance.training import TrainConfig, epoch_sample, train
from stancewatch.stance.training_data import Pair, _pairs, load_sources, phrasing_pairs

WORDS = [
    "taxes",
    "should",
    "rise",
    "fall",
    "we",
    "must",
    "cut",
    "raise",
    "them",
    "the",
    "plan",
    "is",
    "good",
    "bad",
    "agree",
    "disagree",
    "schools",
    "parks",
    "more",
    "money",
    "for",
    "never",
    "always",
    "support",
    "oppose",
    "weather",
    "today",
    "sunny",
]

# Invented rows in the VAST layout (no dataset text).
ROWS = [
    ("we must raise taxes for schools", "taxes", "FAVOR"),
    ("taxes should never rise", "taxes", "AGAINST"),
    ("the weather today is sunny", "taxes", "NONE"),
    ("more money for parks is good", "parks", "FAVOR"),
    ("parks plan is bad we oppose them", "parks", "AGAINST"),
    ("today is sunny", "parks", "NONE"),
] * 3


def tiny_base(folder: Path) -> Path:
    """A two-layer BERT and a word-level tokenizer, saved like a hub model."""
    from transformers import BertConfig, BertModel, BertTokenizerFast

    folder.mkdir(parents=True)
    vocab = folder / "vocab.txt"
    vocab.write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS]) + "\n")
    BertTokenizerFast(vocab_file=str(vocab)).save_pretrained(str(folder))
    config = BertConfig(
        vocab_size=5 + len(WORDS),
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=64,
    )
    BertModel(config).save_pretrained(str(folder))
    return folder


def tiny_data(folder: Path) -> Path:
    vast = folder / "vast"
    vast.mkdir(parents=True)
    frame = pd.DataFrame(ROWS, columns=["Tweet", "Target 1", "Stance 1"]).assign(**{"seen?": "1"})
    frame.to_csv(vast / "vast_train_subset10.csv", index=False)
    frame.head(6).to_csv(vast / "vast_dev.csv", index=False)
    snli = folder / "nli" / "snli"
    snli.mkdir(parents=True)
    lines = [
        {"premise": "we must cut taxes", "hypothesis": "taxes should fall", "label": "entailment"},
        {
            "premise": "we must cut taxes",
            "hypothesis": "taxes should rise",
            "label": "contradiction",
        },
        {"premise": "we must cut taxes", "hypothesis": "parks are good", "label": "neutral"},
        {"premise": "it is sunny", "hypothesis": "weather", "label": "-"},
    ]
    with gzip.open(snli / "snli_dev.jsonl.gz", "wt", encoding="utf-8") as handle:
        handle.write("\n".join(json.dumps(line) for line in lines) + "\n")
    return folder


@pytest.mark.parametrize(
    ("text", "label", "expected"),
    [
        ("a text", "FAVOR", [Pair("a text", "hyp", 0)]),
        ("a text", "entailment", [Pair("a text", "hyp", 0)]),
        ("a text", "CON", [Pair("a text", "hyp", 1)]),
        ("a text", "-1", [Pair("a text", "hyp", 1)]),
        ("a text", "NOT_ENOUGH_INFO", [Pair("a text", "hyp", 2)]),
        ("a text", "-", []),  # SNLI's no-consensus rows
        ("a text", "unrelated", []),  # FNC-1's fourth class
        ("  ", "FAVOR", []),
        ("nan", "FAVOR", []),
    ],
)
def test_pairs_map_labels_and_drop_unusable_rows(text: str, label: str, expected: list[Pair]):
    assert _pairs([text], ["hyp"], [label]) == expected


def test_load_sources_reads_gzip_and_skips_missing(tmp_path: Path):
    data = tiny_data(tmp_path / "data")
    notes: list[str] = []
    pools = load_sources(data, ["vast", "snli", "mnli"], notes.append)
    assert len(pools["vast"]) == len(ROWS)
    assert [p.label for p in pools["snli"]] == [0, 1, 2]  # the "-" row is dropped
    assert "mnli" not in pools and any("mnli" in n and "skipped" in n for n in notes)


def test_load_sources_rejects_unknown_source(tmp_path: Path):
    with pytest.raises(ValueError, match="unknown training source"):
        load_sources(tmp_path, ["wikipedia"])


def test_phrasing_pairs_label_own_and_other_propositions():
    a = Position("a", "A", "prop A", supports=("yes A",), opposes=("no A",))
    b = Position("b", "B", "prop B", supports=("yes B",))
    pairs = phrasing_pairs([a, b])
    assert Pair("yes A", "prop A", 0) in pairs and Pair("no A", "prop A", 1) in pairs
    assert Pair("yes A", "prop B", 2) in pairs and Pair("yes B", "prop A", 2) in pairs
    assert phrasing_pairs([Position("c", "C", "prop C")]) == []


def test_epoch_sample_caps_general_sources_and_repeats_in_domain():
    pools = {
        "snli": [Pair(f"t{i}", "h", 0) for i in range(50)],
        "vast": [Pair("v", "h", 1)],
        "ruw": [Pair("r", "h", 2)],
    }
    cfg = TrainConfig(max_per_source=10, in_domain_repeat=2, vast_repeat=5)
    rows = epoch_sample(pools, cfg, random.Random(0))
    assert len(rows) == 10 + 5 + 2
    assert sum(r.text == "v" for r in rows) == 5


@pytest.mark.parametrize("arch", ["bi", "cross"])
def test_train_saves_a_model_that_loads_and_scores(tmp_path: Path, arch: str):
    base = tiny_base(tmp_path / "base")
    data = tiny_data(tmp_path / "data")
    out = tmp_path / "model"
    cfg = TrainConfig(
        arch=arch,
        epochs=2,
        batch_size=4,
        rank=2,
        alpha=4.0,
        max_length=16,
        hypothesis_length=8,
        sources=["vast", "snli"],
        lr=5e-3,
        head_lr=5e-3,
    )
    extra = phrasing_pairs([Position("p", "P", "taxes should rise", supports=("raise taxes",))])
    best = train(base, data, out, cfg, extra=extra, log=lambda _: None)
    assert best["epoch"] in (1, 2) and set(best["dev"]) == {"vast"}
    saved = json.loads((out / "config.json").read_text())
    assert saved["arch"] == arch and saved["version"] == "stance.minilm-lora.v3"
    assert saved["train_pairs"] == {"vast": len(ROWS), "snli": 3, "pack": 1}
    model = MiniLMLoRAStance(out, base=base)
    assert model.name.startswith(f"stance.minilm-lora.v3:{arch}@")
    probs = model.score(["we must raise taxes"] * 2, [Position("t", "T", "taxes")] * 2)
    assert probs.shape == (2, 3)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(probs[0], probs[1], atol=1e-6)  # deterministic at inference


def test_train_without_a_data_folder_uses_the_pairs_given_and_chooses_on_extra_dev(
    tmp_path: Path,
):
    from stancewatch.errors import InputError

    base = tiny_base(tmp_path / "base")
    labels = {"FAVOR": 0, "AGAINST": 1, "NONE": 2}
    pairs = [Pair(text, target, labels[label]) for text, target, label in ROWS]
    cfg = TrainConfig(
        epochs=2,
        batch_size=4,
        rank=2,
        alpha=4.0,
        max_length=16,
        hypothesis_length=8,
        sources=[],
        lr=5e-3,
        head_lr=5e-3,
    )
    held = {"heldout": pairs[:6]}
    best = train(base, None, tmp_path / "a", cfg, written=pairs, extra_dev=held, log=lambda _: None)
    assert set(best["dev"]) == {"heldout"} and len(best["history"]) == 2
    saved = json.loads((tmp_path / "a" / "config.json").read_text())
    assert saved["train_pairs"] == {"written": len(pairs)}
    # A data folder's sources may still join, its dev sets left out of the epoch choice.
    cfg.sources = ["vast"]
    data = tiny_data(tmp_path / "data")
    best = train(
        base,
        data,
        tmp_path / "b",
        cfg,
        written=pairs,
        extra_dev=held,
        data_dev=False,
        log=lambda _: None,
    )
    assert set(best["dev"]) == {"heldout"}
    saved = json.loads((tmp_path / "b" / "config.json").read_text())
    assert saved["train_pairs"] == {"vast": len(ROWS), "written": len(pairs)}
    with pytest.raises(InputError, match="no pairs were given"):
        train(base, None, tmp_path / "c", cfg, log=lambda _: None)


@pytest.mark.models
def test_train_stance_command_passes_its_settings_to_the_saved_model(tmp_path: Path):
    from typer.testing import CliRunner

    from stancewatch.cli import app

    data = tiny_data(tmp_path / "data")
    out = tmp_path / "model"
    args = ["train-stance", "--data", str(data), "--output", str(out), "--rank", "4"]
    args += ["--lr", "0.001", "--epochs", "1", "--time-limit", "0"]
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    saved = json.loads((out / "config.json").read_text())
    assert (saved["rank"], saved["alpha"], saved["lr"], saved["epochs"]) == (4, 8.0, 0.001, 1)
    assert saved["version"] == "stance.minilm-lora.v3"
    assert saved["train_pairs"]["pack"] > 0  # the default pack's phrasings join training
    assert MiniLMLoRAStance(out).config["scale"] == 2.0


def test_the_shipped_model_records_its_recipe_and_its_card_the_commands():
    """Every training setting is stored beside the weights, and the model card's reproduce
    commands carry the shipped stages' settings."""
    from stancewatch.stance.model import packaged_model_dir

    shipped = json.loads((packaged_model_dir() / "config.json").read_text())
    assert set(asdict(TrainConfig())) <= set(shipped)
    card = (packaged_model_dir() / "MODEL_CARD.md").read_text("utf-8")
    stages = [shipped, shipped["adapter_stage"]]
    for stage in stages:
        weights = ",".join(f"{k}={v:g}" for k, v in stage["weights"].items())
        assert f"--weights {weights}" in card
        assert f"--head-lr {stage['head_lr']:g}" in card
    assert f"--epochs {shipped['epochs']} --head-epochs {shipped['head_epochs']}" in card


@pytest.mark.models
def test_train_stance_command_without_settings_trains_the_shipped_recipe(tmp_path: Path):
    from typer.testing import CliRunner

    from stancewatch.cli import app

    out = tmp_path / "model"
    args = ["train-stance", "--data", str(tiny_data(tmp_path / "data")), "--output", str(out)]
    result = CliRunner().invoke(app, [*args, "--time-limit", "0"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    saved = json.loads((out / "config.json").read_text())
    assert {k: saved[k] for k in ("epochs", "rank", "alpha", "lr")} == {
        k: asdict(TrainConfig())[k] for k in ("epochs", "rank", "alpha", "lr")
    }


def test_train_stance_exports_the_pack_pairs_that_the_gpu_trainer_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from typer.testing import CliRunner

    from stancewatch.cli import app
    from stancewatch.packs import load_pack

    monkeypatch.chdir(tmp_path)  # where the default --output would go
    out = tmp_path / "pairs.jsonl"
    result = CliRunner().invoke(app, ["train-stance", "--export-pack-pairs", str(out)])
    assert result.exit_code == 0, result.output
    read = [Pair(**json.loads(line)) for line in out.read_text("utf-8").splitlines()]
    assert read == phrasing_pairs(load_pack().positions) and len(read) > 100
    assert sorted(f.name for f in tmp_path.iterdir()) == ["pairs.jsonl"]  # nothing trained


def test_head_refit_from_a_trained_model_keeps_its_adapters_and_records_each_pass(
    tmp_path: Path,
):
    from safetensors.torch import load_file

    base = tiny_base(tmp_path / "base")
    labels = {"FAVOR": 0, "AGAINST": 1, "NONE": 2}
    pairs = [Pair(text, target, labels[label]) for text, target, label in ROWS]
    settings = dict(batch_size=4, rank=2, alpha=4.0, max_length=16, hypothesis_length=8, sources=[])
    fit = {"fit": pairs}  # the training pairs as dev: a refit that learns must gain on them
    first = tmp_path / "first"
    train(
        base,
        None,
        first,
        TrainConfig(epochs=1, **settings),
        written=pairs,
        extra_dev=fit,
        log=lambda _: None,
    )
    refit = tmp_path / "refit"
    cfg = TrainConfig(epochs=0, head_epochs=20, head_lr=5e-2, init=str(first), **settings)
    best = train(base, None, refit, cfg, written=pairs, extra_dev=fit, log=lambda _: None)
    saved = json.loads((refit / "config.json").read_text())
    assert best["epoch"] == "head" and saved["best_epoch"] == "head"
    assert [h["head_epoch"] for h in saved["head_history"]] == list(range(21))
    # The pass kept is the first with the best dev score, here better than the start.
    scores = [h["fit"] for h in saved["head_history"]]
    assert best["dev"]["fit"] == saved["dev_macro_f1"]["fit"] == max(scores) > scores[0]
    before, after = (load_file(str(f / "stance.safetensors")) for f in (first, refit))
    adapters = [k for k in before if k.startswith("lora.")]
    assert adapters and all(np.array_equal(before[k], after[k]) for k in adapters)
    heads = [k for k in before if k.startswith("head.")]
    assert any(not np.array_equal(before[k], after[k]) for k in heads)
