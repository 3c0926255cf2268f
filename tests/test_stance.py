from __future__ import annotations

import numpy as np
import pytest

from stancewatch.records import Position, Statement
from stancewatch.stance.base import FunctionStance
from stancewatch.stance.coding import code_stances, shortlist
from stancewatch.stance.prototype import PrototypeStance

NATO = Position(
    id="no-nato",
    topic="NATO",
    proposition="Ukraine must not join NATO.",
    supports=(
        "NATO membership for Ukraine is not a realistic outcome.",
        "Kyiv should give up its ambition to join the alliance.",
        "Ukraine has to stay neutral and outside NATO.",
    ),
    opposes=(
        "Ukraine's future is in NATO.",
        "The door to NATO membership must stay open for Kyiv.",
        "Ukraine should be invited to join the alliance.",
    ),
)
SANCTIONS = Position(
    id="lift-sanctions",
    topic="sanctions",
    proposition="Sanctions on Russia should be lifted.",
    supports=("The sanctions against Moscow should be eased.", "It is time to lift the sanctions."),
    opposes=("Sanctions on Russia must stay in place.", "We will tighten sanctions on Moscow."),
)


def statement(i: int, content: str) -> Statement:
    return Statement(
        id=f"s{i}",
        document_id="d",
        kind="indirect",
        content=content,
        content_start=0,
        content_end=len(content),
    )


def test_function_backend_shape_and_name():
    backend = FunctionStance(lambda text, pos: (0.7, 0.2, 0.1), name="stance.test.v1")
    scores = backend.score(["a", "b"], [NATO, SANCTIONS])
    assert scores.shape == (2, 3)
    assert backend.name == "stance.test.v1"


@pytest.mark.models
def test_shortlist_finds_the_topic_and_drops_unrelated(embedder):
    statements = [
        statement(0, "Membership of the alliance is not realistic for Kyiv, the secretary said."),
        statement(1, "The weather in Brussels was rainy on Tuesday."),
    ]
    vectors = embedder.encode([s.content for s in statements])
    candidates = shortlist(vectors, [NATO, SANCTIONS], embedder, size=1, min_similarity=0.4)
    assert [(c.statement_index, c.position_index) for c in candidates] == [(0, 0)]


@pytest.mark.models
def test_code_stances_records_method_and_only_shortlisted_pairs(embedder):
    statements = [
        statement(0, "NATO membership for Ukraine is not realistic."),
        statement(1, "Sanctions on Russia will stay in place and may be tightened."),
        statement(2, "The delegation arrived late in the evening."),
    ]
    stances = code_stances(
        statements, [NATO, SANCTIONS], embedder, PrototypeStance(embedder), size=1
    )
    by_statement = {s.statement_id: s for s in stances}
    assert set(by_statement) == {"s0", "s1"}
    assert by_statement["s0"].position_id == "no-nato"
    assert by_statement["s0"].label == "support"
    assert by_statement["s1"].position_id == "lift-sanctions"
    assert by_statement["s1"].label == "oppose"
    assert all(s.method == "stance.prototype.v1" for s in stances)
    assert all(0 <= s.score <= 1 for s in stances)


@pytest.mark.models
def test_prototype_probabilities_sum_to_one(embedder):
    probs = PrototypeStance(embedder).score(
        ["The alliance must keep its door open to Ukraine."], [NATO]
    )
    assert probs.shape == (1, 3)
    assert np.isclose(probs.sum(), 1.0)
    assert int(np.argmax(probs[0])) == 1  # oppose


def test_no_statements_no_work(embedder=None):
    backend = FunctionStance(lambda t, p: (1, 0, 0))
    assert code_stances([], [NATO], embedder, backend) == []  # type: ignore[arg-type]
