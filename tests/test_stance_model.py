"""The shipped stance model (stance.minilm-lora.v3): loading, scoring, few-shot phrasings."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from stancewatch.records import Position
from stancewatch.stance.backends import BackendError, load_backend
from stancewatch.stance.model import MiniLMLoRAStance, StanceModelError, packaged_model_dir
from stancewatch.stance.net import LoRALinear, StanceNet, merge_lora

# A position the model never saw, with eight invented phrasings per side.
NUCLEAR = Position(
    id="new-nuclear",
    topic="Nuclear power",
    proposition="The country should build new nuclear power plants.",
    supports=(
        "We need more nuclear reactors to cut emissions.",
        "Nuclear energy is clean, reliable and safe.",
        "She called for a new generation of nuclear plants.",
        "Building reactors is the fastest way to decarbonise the grid.",
        "He said nuclear power must be part of the energy mix.",
        "The minister backed plans for new atomic power stations.",
        "Small modular reactors will keep the lights on.",
        "Shutting reactors was a mistake; we should build more.",
    ),
    opposes=(
        "Nuclear power is too dangerous and too expensive.",
        "We should phase out nuclear plants entirely.",
        "He warned that new reactors would leave waste for thousands of years.",
        "The money for reactors would be better spent on wind and solar.",
        "She vowed to block any new nuclear power station.",
        "Atomic energy is a dead end.",
        "Another Fukushima is a risk we cannot take.",
        "The party opposes building new reactors.",
    ),
)


@pytest.fixture(scope="module")
def model() -> MiniLMLoRAStance:
    return MiniLMLoRAStance()


def test_shipped_weights_are_small_and_described():
    folder = packaged_model_dir()
    size = sum(f.stat().st_size for f in folder.iterdir())
    assert size < 8_000_000  # "a few MB at most": LoRA rank 64 and the head, fp16
    config = json.loads((folder / "config.json").read_text())
    assert config["version"] == "stance.minilm-lora.v3" and config["arch"] in ("bi", "cross")
    assert "MODEL_CARD.md" in {f.name for f in folder.iterdir()}


def test_merge_lora_matches_the_adapted_layer():
    torch.manual_seed(0)
    base = nn.Linear(6, 4)
    adapted = LoRALinear(nn.Linear(6, 4), rank=2, alpha=4.0)
    adapted.base.load_state_dict(base.state_dict())
    nn.init.normal_(adapted.lora_b)
    x = torch.randn(3, 6)
    expected = adapted(x)
    holder = nn.Module()
    holder.layer = base
    tensors = {"lora.layer.A": adapted.lora_a.detach(), "lora.layer.B": adapted.lora_b.detach()}
    assert merge_lora(holder, tensors, adapted.scale) == 1
    torch.testing.assert_close(base(x), expected)


def test_unknown_architecture_is_refused():
    with pytest.raises(ValueError, match="unknown architecture 'rnn'"):
        StanceNet(nn.Module(), "rnn")


def test_missing_model_folder_says_what_is_needed(tmp_path: Path):
    with pytest.raises(StanceModelError, match="holds no trained stance model"):
        MiniLMLoRAStance(tmp_path)
    with pytest.raises(BackendError, match="holds no trained stance model"):
        load_backend(f"model:{tmp_path}")


@pytest.mark.models
def test_default_backend_is_the_trained_model(model: MiniLMLoRAStance):
    backend = load_backend("minilm-lora")
    assert isinstance(backend, MiniLMLoRAStance)
    assert model.name.startswith("stance.minilm-lora.v3:")
    assert "@" in model.name  # the weights' digest: every stored stance names its exact model


@pytest.mark.models
def test_scores_are_probabilities_in_input_order(model: MiniLMLoRAStance):
    bare = Position("n", "Nuclear power", NUCLEAR.proposition)
    texts = ["Nuclear plants must be built.", "It rained in Paris on Tuesday."]
    probs = model.score(texts, [bare, bare])
    assert probs.shape == (2, 3)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    reversed_probs = model.score(texts[::-1], [bare, bare])
    np.testing.assert_allclose(reversed_probs[::-1], probs, atol=1e-5)
    assert model.score([], []).shape == (0, 3)
    with pytest.raises(ValueError, match="2 texts but 1 positions"):
        model.score(texts, [bare])


@pytest.mark.models
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The government must invest in new nuclear power stations to secure supply.", "support"),
        ("Nuclear is the backbone of a low-carbon grid, the senator argued.", "support"),
        ("Reactors are a costly distraction from renewables and should be closed.", "oppose"),
        ("We will never allow a new nuclear plant to be built in this region.", "oppose"),
        ("The weather in Paris was mild on Tuesday.", "neutral"),
        ("The committee will publish its report on school meals next month.", "neutral"),
    ],
)
def test_new_position_with_eight_phrasings_per_side(
    model: MiniLMLoRAStance, text: str, expected: str
):
    probs = model.score([text], [NUCLEAR])[0]
    assert ("support", "oppose", "neutral")[int(np.argmax(probs))] == expected


@pytest.mark.models
def test_phrasings_set_the_direction_not_the_relevance(model: MiniLMLoRAStance):
    bare = Position("n", "Nuclear power", NUCLEAR.proposition)
    assert model.few_shot_share("anything", bare) is None
    text = "Nuclear is the backbone of a low-carbon grid, the senator argued."
    share = model.few_shot_share(text, NUCLEAR)
    assert share is not None and share > 0.5
    with_codebook, without = model.score([text], [NUCLEAR])[0], model.score([text], [bare])[0]
    assert with_codebook[2] == pytest.approx(without[2], abs=1e-6)  # neutral untouched
    assert with_codebook[0] > without[0]
    ignoring = MiniLMLoRAStance(few_shot_prior=None).score([text], [NUCLEAR])[0]
    np.testing.assert_allclose(ignoring, without, atol=1e-6)


@pytest.mark.models
def test_bfloat16_encoder_gives_the_float32_stances(model: MiniLMLoRAStance):
    texts = [
        "The government must invest in new nuclear power stations to secure supply.",
        "Reactors are a costly distraction from renewables and should be closed.",
        "The weather in Paris was mild on Tuesday.",
    ]
    bare = Position("n", "Nuclear power", NUCLEAR.proposition)
    full = model if model.precision == "fp32" else MiniLMLoRAStance(precision="fp32")
    half = model if model.precision == "bf16" else MiniLMLoRAStance(precision="bf16")
    a = full.score(texts, [bare] * 3)
    b = half.score(texts, [bare] * 3)
    assert not np.array_equal(full.embed(texts), half.embed(texts))
    assert list(a.argmax(axis=1)) == list(b.argmax(axis=1)) == [0, 1, 2]
    np.testing.assert_allclose(a, b, atol=0.03)


@pytest.mark.models
def test_a_statements_tuned_vector_does_not_depend_on_its_batch(model: MiniLMLoRAStance):
    texts = [
        "The government must invest in new nuclear power stations to secure supply.",
        "No.",
        "Reactors are a costly distraction from renewables and should be closed down, said the "
        "spokeswoman of the environment ministry after the vote in parliament on Thursday.",
    ]
    # statements of one padded length share a pass, however many there are
    crowd = [f"The envoy met the {word} delegation in Riyadh." for word in _WORDS] + texts
    model._cache.clear()
    together = model.embed(crowd)[-len(texts) :]
    model._cache.clear()
    alone = np.stack([model.embed([t])[0] for t in texts])
    model._cache.clear()
    assert np.array_equal(together, alone)  # bit for bit, in any precision


@pytest.mark.models
def test_a_pairs_probabilities_do_not_depend_on_how_many_pairs_are_scored(
    model: MiniLMLoRAStance,
):
    rng = np.random.default_rng(0)
    u = rng.standard_normal((300, model.net.dim)).astype(np.float32)
    v = rng.standard_normal((300, model.net.dim)).astype(np.float32)
    every = model._pair_probs(u, v)
    for n in (1, 3, 17, 150):
        assert np.array_equal(model._pair_probs(u[:n], v[:n]), every[:n])


_WORDS = ("Saudi", "Turkish", "Qatari", "Polish", "Swiss", "Italian", "Danish", "Czech", "Irish")


@pytest.mark.models
def test_phrasings_the_model_was_trained_on_are_not_blended_in_again(model: MiniLMLoRAStance):
    from stancewatch.packs import load_pack

    pack_position = next(p for p in load_pack().positions if p.supports)
    assert pack_position.proposition in model.trained_phrasings
    text = "Kyiv must give up the idea of joining the alliance."
    blended = model.score([text], [pack_position])
    plain = model.proposition_probs([text], [pack_position.proposition])
    np.testing.assert_allclose(blended, plain)
    # A position the model has not seen still takes its phrasings as evidence.
    assert NUCLEAR.proposition not in model.trained_phrasings
    nuclear_text = "Shutting reactors was a mistake, she said."
    assert not np.allclose(
        model.score([nuclear_text], [NUCLEAR]),
        model.proposition_probs([nuclear_text], [NUCLEAR.proposition]),
    )


@pytest.mark.models
def test_prepare_embeds_the_propositions_and_changes_no_score():
    fresh, prepared = MiniLMLoRAStance(), MiniLMLoRAStance()
    prepared.prepare([NUCLEAR])
    assert (NUCLEAR.proposition, prepared.hypothesis_length) in prepared._cache
    texts = ["We must stop building reactors.", "Nuclear power is the cleanest energy we have."]
    # the same bits either way: the prepared vectors are the ones scoring computes
    assert np.array_equal(fresh.score(texts, [NUCLEAR] * 2), prepared.score(texts, [NUCLEAR] * 2))
