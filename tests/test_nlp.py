"""The embedder's cache: each text embedded once while cached, memory bounded."""

from __future__ import annotations

import numpy as np
import pytest

from stancewatch.nlp import Embedder

pytestmark = pytest.mark.models


class CountingModel:
    """The real MiniLM model, counting the texts it is asked to embed."""

    def __init__(self, model: object) -> None:
        self.model = model
        self.seen: list[str] = []

    def encode(self, texts: list[str], **options: object) -> np.ndarray:
        self.seen.extend(texts)
        return self.model.encode(texts, **options)  # type: ignore[attr-defined]

    def get_sentence_embedding_dimension(self) -> int:
        return int(self.model.get_sentence_embedding_dimension())  # type: ignore[attr-defined]


@pytest.fixture()
def counting(embedder: Embedder) -> CountingModel:
    return CountingModel(embedder._model)


def test_repeated_texts_are_embedded_once_and_rows_follow_the_input(
    counting: CountingModel,
) -> None:
    small = Embedder(counting, "minilm", cache_size=10)
    first = small.encode(["Ukraine must cede territory.", "Sanctions must stay."])
    again = small.encode(["Sanctions must stay.", "Ukraine must cede territory."])
    assert counting.seen == ["Ukraine must cede territory.", "Sanctions must stay."]
    np.testing.assert_allclose(first[::-1], again)
    assert np.allclose(np.linalg.norm(again, axis=1), 1.0, atol=1e-5)


def test_cache_keeps_only_the_most_recently_used_texts(counting: CountingModel) -> None:
    small = Embedder(counting, "minilm", cache_size=3)
    texts = [f"Statement number {i} about the ceasefire." for i in range(5)]
    vectors = small.encode(texts)  # more texts than the cache holds: all rows still returned
    assert vectors.shape == (5, small.dimension)
    assert len(small._cache) == 3
    small.encode([texts[2]])  # 2 becomes the most recent; 3 and 4 stay cached
    small.encode(["A new text pushes out the oldest."])
    assert list(small._cache) == [texts[4], texts[2], "A new text pushes out the oldest."]
    counting.seen.clear()
    small.encode([texts[0], texts[2]])
    assert counting.seen == [texts[0]]


def test_precision_comes_from_the_argument_then_the_environment(monkeypatch) -> None:
    from stancewatch.nlp import PRECISION_ENV, cpu_has_native_bf16, resolve_precision

    monkeypatch.delenv(PRECISION_ENV, raising=False)
    assert resolve_precision() == "fp32"  # reproducible whatever shares a batch
    monkeypatch.setenv(PRECISION_ENV, "bf16")
    assert resolve_precision() == "bf16"
    assert resolve_precision("fp32") == "fp32"
    monkeypatch.setenv(PRECISION_ENV, "auto")
    assert resolve_precision() == ("bf16" if cpu_has_native_bf16() else "fp32")
    monkeypatch.setenv(PRECISION_ENV, "half")
    with pytest.raises(ValueError, match=r"STANCEWATCH_PRECISION must be one of .*'half'"):
        resolve_precision()
    with pytest.raises(ValueError, match="precision must be one of"):
        resolve_precision("int4")


def test_bfloat16_embeddings_stay_next_to_the_float32_ones(embedder: Embedder) -> None:
    texts = [
        "Ukraine must cede the occupied territories.",
        "Sanctions on Russia must stay until the troops leave.",
        "The president said the talks in Riyadh were productive and would continue.",
    ]
    full = Embedder(embedder._model, "minilm", precision="fp32")
    half = Embedder(embedder._model, "minilm", precision="bf16")
    assert (full.precision, half.precision) == ("fp32", "bf16")
    a, b = full.encode(texts), half.encode(texts)
    assert not np.array_equal(a, b)  # the products really ran in bfloat16
    np.testing.assert_allclose((a * b).sum(axis=1), 1.0, atol=1e-3)
    assert np.allclose(np.linalg.norm(b, axis=1), 1.0, atol=1e-5)
