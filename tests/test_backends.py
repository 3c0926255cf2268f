"""Stance backends for stronger models, tested with a tiny NLI model this test builds and a
local HTTP server that speaks the OpenAI chat API."""

from __future__ import annotations

import numpy as np
import pytest
from chat_fixtures import ChatServer

from stancewatch.records import Position
from stancewatch.stance.backends import (
    BackendError,
    ChatStance,
    NLIStance,
    load_backend,
    parse_answer,
)

POSITION = Position(id="no-nato", topic="NATO", proposition="Ukraine must not join NATO.")


def tiny_nli_model(path, labels=("ENTAILMENT", "NEUTRAL", "CONTRADICTION"), favour=0):
    """A one-layer BERT classifier with a toy vocabulary, biased toward label ``favour``."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizer

    words = [
        "[PAD]",
        "[UNK]",
        "[CLS]",
        "[SEP]",
        "[MASK]",
        "ukraine",
        "must",
        "not",
        "join",
        "nato",
        "will",
        "never",
        "be",
        "a",
        "member",
        ".",
    ]
    path.mkdir(parents=True, exist_ok=True)
    (path / "vocab.txt").write_text("\n".join(words) + "\n", encoding="utf-8")
    BertTokenizer(vocab_file=str(path / "vocab.txt")).save_pretrained(path)
    config = BertConfig(
        vocab_size=len(words),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=64,
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id={name: i for i, name in enumerate(labels)},
    )
    model = BertForSequenceClassification(config)
    with torch.no_grad():
        model.classifier.weight.zero_()
        model.classifier.bias.zero_()
        model.classifier.bias[favour] = 8.0
    model.save_pretrained(path)
    return path


@pytest.mark.parametrize("favour, expected", [(0, 0), (1, 2), (2, 1)])
def test_nli_backend_maps_entailment_to_support(tmp_path, favour, expected):
    # Labels in the model's order: entailment, neutral, contradiction → our support, oppose, neutral.
    model_dir = tiny_nli_model(tmp_path / "nli", favour=favour)
    backend = NLIStance(str(model_dir))
    scores = backend.score(["Ukraine will never be a member of NATO."] * 3, [POSITION] * 3)
    assert scores.shape == (3, 3)
    assert np.allclose(scores.sum(axis=1), 1.0, atol=1e-5)
    assert int(np.argmax(scores[0])) == expected
    assert backend.name.startswith("stance.nli.v1:")


def test_nli_backend_scores_a_statement_the_same_in_any_company(tmp_path):
    backend = NLIStance(str(tiny_nli_model(tmp_path / "nli")), batch_size=4)
    texts = ["Ukraine will never join NATO.", "NATO must not", "Ukraine", "will never join"] * 3
    together = backend.score(texts, [POSITION] * len(texts))
    alone = np.concatenate([backend.score([t], [POSITION]) for t in texts])
    assert np.array_equal(together, alone)
    assert backend.score([], []).shape == (0, 3)


def test_nli_backend_refuses_a_model_without_nli_labels(tmp_path):
    model_dir = tiny_nli_model(tmp_path / "sentiment", labels=("POSITIVE", "NEGATIVE", "MIXED"))
    with pytest.raises(BackendError, match="entailment"):
        NLIStance(str(model_dir))


def test_nli_backend_names_a_missing_model(tmp_path):
    with pytest.raises(BackendError, match="cannot load NLI model"):
        NLIStance(str(tmp_path / "nothing-here"))


@pytest.fixture
def chat_server(request):
    server = ChatServer(request.param)
    yield server
    server.close()


@pytest.mark.parametrize(
    "chat_server",
    [[(500, ""), (200, 'Sure. {"stance": "oppose", "confidence": 0.9}')]],
    indirect=True,
)
def test_chat_backend_retries_and_reads_json(chat_server):
    backend = ChatStance(chat_server.url, "tiny-llm", api_key="k", backoff=0)
    scores = backend.score(["Ukraine's place is in NATO."], [POSITION])
    assert int(np.argmax(scores[0])) == 1 and scores[0, 1] == pytest.approx(0.9)
    assert len(chat_server.requests) == 2
    path, body, auth = chat_server.requests[-1]
    assert path == "/v1/chat/completions" and auth == "Bearer k"
    assert body["model"] == "tiny-llm" and body["temperature"] == 0
    assert "Ukraine must not join NATO." in body["messages"][0]["content"]


@pytest.mark.parametrize(
    "chat_server", [[(200, "I think it supports it."), (200, '{"stance": "maybe"}')]], indirect=True
)
def test_chat_backend_gives_up_with_a_clear_error(chat_server):
    backend = ChatStance(chat_server.url, "tiny-llm", retries=2, backoff=0)
    with pytest.raises(BackendError, match="no usable answer after 2 attempts"):
        backend.score(["text"], [POSITION])


@pytest.mark.parametrize("chat_server", [[(401, "")]], indirect=True)
def test_chat_backend_does_not_retry_client_errors(chat_server):
    backend = ChatStance(chat_server.url, "tiny-llm", backoff=0)
    with pytest.raises(BackendError, match="HTTP 401"):
        backend.score(["text"], [POSITION])
    assert len(chat_server.requests) == 1


@pytest.mark.parametrize(
    "answer, expected",
    [
        ('{"stance": "Support", "confidence": 0.7}', ("support", 0.7)),
        ('```json\n{"stance": "neutral"}\n```', ("neutral", 1.0)),
        ('{"stance": "oppose", "confidence": 7}', ("oppose", 1.0)),
    ],
)
def test_parse_answer(answer, expected):
    assert parse_answer(answer) == expected


@pytest.mark.parametrize("spec", ["", "nli:", "chat:model", "bert", "prototype:x"])
def test_unknown_backend_spec_lists_the_valid_ones(spec):
    with pytest.raises(BackendError, match="prototype, nli:MODEL"):
        load_backend(spec)
