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
