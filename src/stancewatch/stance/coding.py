"""Stance: does a statement support, oppose, or say nothing about a reference position?

Two steps keep the cost low. First every statement is embedded once and compared with every
position's codebook (its proposition and example phrasings); only the closest few positions
above a similarity floor are kept (the shortlist). Then a stance backend scores just those
pairs. Backends share one small protocol, :class:`StanceBackend`, so a trained model, a hub
NLI model or an LLM endpoint plug in the same way; :class:`FunctionStance` wraps a plain
function for tests.

The offline default, :class:`PrototypeStance` (``stance.prototype.v1``), is an honest first
method: it compares the statement with the codebook's support and oppose phrasings and calls
the side it is clearly closer to. Sentence embeddings find the topic far better than the
direction, so it abstains (neutral) when the two sides are close.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from stancewatch.nlp import Embedder
from stancewatch.records import STANCE_LABELS, Position, Stance, Statement

SHORTLIST_SIZE = 3
MIN_SIMILARITY = 0.65
# A position stays on a statement's shortlist only while it is nearly as close as the best
# one: statements usually address one position, and the runners-up are mostly noise.
RELATIVE_WINDOW = 0.08
PROTOTYPE_MARGIN = 0.04
PROTOTYPE_TEMPERATURE = 40.0


class StanceBackend(Protocol):
    """Scores (text, position) pairs.

    ``score(texts, positions)`` pairs ``texts[i]`` with ``positions[i]`` and returns an
    ``(n, 3)`` array of probabilities in the order support, oppose, neutral.
    """

    name: str

    def score(self, texts: Sequence[str], positions: Sequence[Position]) -> np.ndarray: ...


class FunctionStance:
    """A backend made from a function ``(text, position) -> (p_support, p_oppose, p_neutral)``."""

    def __init__(
        self, fn: Callable[[str, Position], Sequence[float]], name: str = "stance.function.v1"
    ):
        self._fn = fn
        self.name = name

    def score(self, texts: Sequence[str], positions: Sequence[Position]) -> np.ndarray:
        rows = [list(self._fn(t, p)) for t, p in zip(texts, positions, strict=True)]
        return np.asarray(rows, dtype=np.float32).reshape(len(rows), 3)


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


@dataclass(frozen=True)
class Candidate:
    statement_index: int
    position_index: int
    similarity: float


def position_texts(position: Position) -> list[str]:
    return [position.proposition, *position.supports, *position.opposes]


def shortlist(
    statement_vectors: np.ndarray,
    positions: Sequence[Position],
    embedder: Embedder,
    *,
    size: int = SHORTLIST_SIZE,
    min_similarity: float = MIN_SIMILARITY,
    window: float = RELATIVE_WINDOW,
) -> list[Candidate]:
    """The closest ``size`` positions per statement whose codebook is similar enough
    (at least ``min_similarity``, and within ``window`` of the closest position).

    A position's similarity to a statement is the highest cosine similarity between the
    statement and any of its codebook texts. One matrix product covers all pairs.
    """
    if not len(statement_vectors) or not positions:
        return []
    texts: list[str] = []
    owner: list[int] = []
    for j, position in enumerate(positions):
        for text in position_texts(position):
            texts.append(text)
            owner.append(j)
    codebook = embedder.encode(texts)
    sims = statement_vectors @ codebook.T  # (statements, codebook texts)
    per_position = np.full((len(statement_vectors), len(positions)), -1.0, dtype=np.float32)
    owners = np.asarray(owner)
    for j in range(len(positions)):
        per_position[:, j] = sims[:, owners == j].max(axis=1)
    candidates = []
    for i, row in enumerate(per_position):
        best = float(row.max())
        for j in np.argsort(-row)[:size]:
            if row[j] >= min_similarity and row[j] >= best - window:
                candidates.append(Candidate(i, int(j), float(row[j])))
    return candidates


def code_stances(
    statements: Sequence[Statement],
    positions: Sequence[Position],
    embedder: Embedder,
    backend: StanceBackend,
    *,
    size: int = SHORTLIST_SIZE,
    min_similarity: float = MIN_SIMILARITY,
) -> list[Stance]:
    """Stances for every shortlisted (statement, position) pair, scored in one batch."""
    if not statements:
        return []
    vectors = embedder.encode([s.content for s in statements])
    candidates = shortlist(vectors, positions, embedder, size=size, min_similarity=min_similarity)
    if not candidates:
        return []
    probs = backend.score(
        [statements[c.statement_index].content for c in candidates],
        [positions[c.position_index] for c in candidates],
    )
    stances = []
    for candidate, p in zip(candidates, probs, strict=True):
        k = int(np.argmax(p))
        stances.append(
            Stance(
                statement_id=statements[candidate.statement_index].id,
                position_id=positions[candidate.position_index].id,
                label=STANCE_LABELS[k],
                score=round(float(p[k]), 4),
                similarity=round(candidate.similarity, 4),
                method=backend.name,
            )
        )
    return stances
