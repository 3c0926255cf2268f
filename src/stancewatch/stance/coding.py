"""Stance: does a statement support, oppose, or say nothing about a reference position?

Two steps keep the cost low. First every statement is embedded once and compared with every
position's codebook (its proposition and example phrasings); only the closest few positions
above a similarity floor are kept (the shortlist). Then a stance backend scores just those
pairs. Backends share one small protocol (:class:`~stancewatch.stance.base.StanceBackend`),
so the offline prototype (:mod:`stancewatch.stance.prototype`), the trained model, a hub NLI
model or an LLM endpoint plug in the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from stancewatch.nlp import Embedder
from stancewatch.records import STANCE_LABELS, Position, Stance, Statement
from stancewatch.stance.base import StanceBackend

# The shortlist only saves time: the stance model answers neutral for a position a statement
# does not address, so the shortlist must keep the statements that take a side in words far
# from the codebook's. On the real texts of the stance-domain dev file (pack positions),
# 0.65 / 3 / 0.08 kept 24% of the sided pairs; 0.35 / 4 / 0.2 keeps 95% at 3.7 positions per
# statement (bench/stance_domain.py; the setting was chosen on the train file).
SHORTLIST_SIZE = 4
MIN_SIMILARITY = 0.35
# A position stays on a statement's shortlist only while it is nearly as close as the best
# one: the runners-up far behind are mostly noise.
RELATIVE_WINDOW = 0.2


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
    # (statements, codebook texts), in float64: a row's result then does not depend on how
    # many statements share the product (float32 kernels vary with the matrix's shape)
    sims = np.asarray(statement_vectors, dtype=np.float64) @ codebook.T.astype(np.float64)
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
    texts: Sequence[str] | None = None,
) -> list[Stance]:
    """Stances for every shortlisted (statement, position) pair, scored in one batch.

    ``texts`` are what the model reads for each statement (see
    :func:`stancewatch.stance.reading.reading`); by default the stored content.
    """
    if not statements:
        return []
    if texts is None:
        texts = [s.content for s in statements]
    if len(texts) != len(statements):
        raise ValueError(f"{len(texts)} texts for {len(statements)} statements")
    vectors = embedder.encode(list(texts))
    candidates = shortlist(vectors, positions, embedder, size=size, min_similarity=min_similarity)
    if not candidates:
        return []
    probs = backend.score(
        [texts[c.statement_index] for c in candidates],
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


def nested_in_own(statements: Sequence[Statement]) -> set[str]:
    """Ids of the statements of one document that lie inside a longer statement of the same
    actor ("Trump wrote that the teams would begin talks, and that he would call Zelensky to
    tell him about the conversation" holds "tell him about the conversation"). The longer
    one says what they say, in context: the stance step codes it once, not twice, so an
    actor's figures do not count one remark as two."""
    inner: set[str] = set()
    for s in statements:
        if s.actor is None:
            continue
        length = s.content_end - s.content_start
        for outer in statements:
            if (
                outer.actor == s.actor
                and outer.content_start <= s.content_start
                and s.content_end <= outer.content_end
                and outer.content_end - outer.content_start > length
            ):
                inner.add(s.id)
                break
    return inner
