"""The one seam every stance backend plugs into: :class:`StanceBackend`.

A backend scores (text, position) pairs; the offline prototype, the trained model, a hub NLI
model and a chat endpoint all implement it, and :class:`FunctionStance` wraps a plain
function for tests. Backends are chosen by name from
:data:`stancewatch.registry.STANCE_BACKENDS`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np

from stancewatch.records import Position

__all__ = ["FunctionStance", "StanceBackend"]


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
