"""The offline default for a pack's positions, ``stance.prototype.v1``.

An honest first method: it compares the statement with the codebook's support and oppose
phrasings and calls the side it is clearly closer to. Sentence embeddings find the topic far
better than the direction, so it abstains (neutral) when the two sides are close.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from stancewatch.nlp import Embedder
from stancewatch.records import Position

__all__ = ["PROTOTYPE_MARGIN", "PrototypeStance"]

PROTOTYPE_MARGIN = 0.04
PROTOTYPE_TEMPERATURE = 40.0


def _softmax(x: np.ndarray) -> np.ndarray:
    z = np.exp(x - x.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


class PrototypeStance:
    """Nearest codebook phrasing: support if the statement is clearly closer to the
    support examples than to the oppose examples (and the other way round)."""

    name = "stance.prototype.v1"

    def __init__(self, embedder: Embedder, margin: float = PROTOTYPE_MARGIN) -> None:
        self.embedder = embedder
        self.margin = margin

    def _side(self, position: Position, side: str) -> np.ndarray:
        phrasings = list(position.supports if side == "support" else position.opposes)
        if side == "support":
            phrasings.append(position.proposition)
        return self.embedder.encode(phrasings) if phrasings else np.zeros((0, 1))

    def score(self, texts: Sequence[str], positions: Sequence[Position]) -> np.ndarray:
        out = np.zeros((len(texts), 3), dtype=np.float32)
        if not texts:
            return out
        vectors = self.embedder.encode(list(texts))
        for i, (vec, position) in enumerate(zip(vectors, positions, strict=True)):
            support = self._side(position, "support")
            oppose = self._side(position, "oppose")
            s = float((support @ vec).max()) if len(support) else 0.0
            o = float((oppose @ vec).max()) if len(oppose) else 0.0
            # A side wins only when it beats the other side by more than the margin;
            # otherwise the statement is about the topic but takes no clear side.
            logits = np.array([s - o, o - s, self.margin]) * PROTOTYPE_TEMPERATURE
            out[i] = _softmax(logits)
        return out
