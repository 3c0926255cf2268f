"""Known narratives: polarity, matching, packs, storage and the API."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from stancewatch.narratives import matching as narratives
from stancewatch.narratives.matching import BankClaim, ClaimIndex, Target, match_vectors, polarity
from stancewatch.packs import PackError, default_pack_path, load_pack


# -- polarity (no models) -------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, negative",
    [
        ("Russia is the aggressor.", False),
        ("Russia is not the aggressor.", True),
        ("Russia isn't the aggressor.", True),
        ("Russia didn’t start this war.", True),
        ("It is false that Russia is not the aggressor.", False),
        ("It is false that Russia attacked Ukraine.", True),
        ("There is no evidence that the Pentagon runs labs in Ukraine.", True),
        ("Lavrov claimed, falsely, that NATO promised not to expand.", False),
        ("The myth that Kyiv is run by Nazis persists.", True),
        ("Moscow denied that its troops were in Donbas.", True),
        ("Nothing", True),
        ("", False),
        ("Notable progress was made; the denial-of-service attack failed.", False),
    ],
)
def test_polarity(text: str, negative: bool) -> None:
    assert polarity(text).negative is negative


@pytest.mark.parametrize(
    "statement, claim, expected",
    [
        ("Russia is not the aggressor", "Russia is not the aggressor in this war", "repeats"),
        ("It is false that Russia is not the aggressor", "Russia is not the aggressor", "rebuts"),
        ("Russia is the aggressor", "Russia is not the aggressor", "rebuts"),
        ("Ukraine is run by Nazis, he said", "Ukraine is ruled by neo-Nazis", "repeats"),
        ("Ukraine is not run by Nazis", "Ukraine is ruled by neo-Nazis", "rebuts"),
        ("Putin falsely said Ukraine is run by Nazis", "Ukraine is ruled by neo-Nazis", "rebuts"),
        ("Kyiv denied shelling civilians", "Ukraine shells civilians in Donetsk", "rebuts"),
        ("Peskov denied Russian troops are there", "There are no Russian troops", "repeats"),
        # a negation says what a negative prefix says
        (
            "Zelensky was not a legitimate president",
            "Zelensky is an illegitimate president",
            "repeats",
        ),
        ("Zelensky is illegitimate", "Zelensky is not legitimate any more", "repeats"),
        ("Zelensky is a legitimate president", "Zelensky is an illegitimate president", "rebuts"),
        ("It is false that he is not legitimate", "Zelensky is illegitimate", "rebuts"),
        ("The vote was not unfair", "The vote was unfair", "rebuts"),
        # "without" describes, it does not negate
        (
            "He is a dictator without elections",
            "Zelensky is a dictator who avoids elections",
            "repeats",
        ),
    ],
)
def test_relation(statement: str, claim: str, expected: str) -> None:
    assert narratives.relation(polarity(statement), polarity(claim)) == expected


# -- matching on hand-built vectors ---------------------------------------------------------
def _unit(*values: float) -> np.ndarray:
    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


@pytest.fixture
def index() -> ClaimIndex:
    targets = [
        Target(
            "narrative", "nazis", "Ukraine is ruled by neo-Nazis.", "nazis", "https://a.example"
        ),
        Target("narrative", "nazis", "Neo-Nazis control the army.", "nazis", "https://a.example"),
        Target("narrative", "coup", "The Maidan was a coup.", "coup", None),
        Target("bank", "b1", "NATO promised not to expand.", "nato", "https://b.example"),
    ]
    vectors = np.stack([_unit(1, 0, 0), _unit(0.9, 0.1, 0), _unit(0, 1, 0), _unit(0, 0, 1)])
    return ClaimIndex(targets, vectors)


def test_match_keeps_best_claim_per_narrative(index: ClaimIndex) -> None:
    found = match_vectors(["s1"], ["Ukraine is ruled by Nazis"], _unit(1, 0.05, 0)[None], index)
    assert [(m.kind, m.target_id, m.relation) for m in found] == [("narrative", "nazis", "repeats")]
    assert found[0].text == "Ukraine is ruled by neo-Nazis."
    assert found[0].score == pytest.approx(found[0].similarity) and found[0].score > 0.99
    assert found[0].method == narratives.METHOD


def test_rebuttal_is_kept_with_zero_score(index: ClaimIndex) -> None:
    text = "It is false that NATO promised not to expand."
    found = match_vectors(["s1"], [text], _unit(0, 0, 1)[None], index)
    assert [(m.target_id, m.relation, m.score) for m in found] == [("b1", "rebuts", 0.0)]
    assert "it is false" in found[0].cues
    assert match_vectors(["s1"], [text], _unit(0, 0, 1)[None], index, include_rebuttals=False) == []


@pytest.mark.parametrize(
    "vector, min_similarity, top_k, expected",
    [
        (_unit(0, 0.3, -1), 0.55, 3, []),  # nothing close: no match
        (_unit(1, 1, 0), 0.55, 3, ["nazis", "coup"]),
        (_unit(1, 1, 0), 0.55, 1, ["nazis"]),
        (_unit(1, 1, 0), 0.9, 3, []),
    ],
)
def test_match_threshold_and_top_k(
    index: ClaimIndex, vector: np.ndarray, min_similarity: float, top_k: int, expected: list[str]
) -> None:
    found = match_vectors(
        ["s"],
        ["a plain statement about Ukraine"],
        vector[None],
        index,
        min_similarity=min_similarity,
        top_k=top_k,
    )
    assert [m.target_id for m in found] == expected


def test_a_phrase_of_three_words_matches_no_narrative(index: ClaimIndex) -> None:
    both = _unit(1, 0, 1)[None]  # as close to a narrative as to the bank claim
    found = match_vectors(["s"], ["Zelensky's democratic legitimacy"], both, index)
    assert [m.target_id for m in found] == ["b1"]  # bank claims are matched whatever their size
    found = match_vectors(["s"], ["Zelensky's democratic legitimacy is gone"], both, index)
    assert [m.target_id for m in found] == ["nazis", "b1"]


def test_polarity_of_a_narrative_is_read_from_its_close_examples() -> None:
    targets = [
        Target("narrative", "aggr", "Russia is not the aggressor.", "aggr", None),
        Target("narrative", "aggr", "Kyiv is the real aggressor.", "aggr", None),
    ]
    index = ClaimIndex(targets, np.stack([_unit(1, 0.1), _unit(1, 0)]))
    found = match_vectors(["s"], ["Ukraine is the aggressor here"], _unit(1, 0.12)[None], index)
    assert [(m.target_id, m.relation) for m in found] == [("aggr", "repeats")]
    far = ClaimIndex(targets, np.stack([_unit(1, 0.1), _unit(0.2, 1)]))
    found = match_vectors(["s"], ["Ukraine is the aggressor here"], _unit(1, 0.12)[None], far)
    assert [(m.target_id, m.relation) for m in found] == [("aggr", "rebuts")]


def test_empty_inputs_yield_nothing(index: ClaimIndex) -> None:
    assert match_vectors([], [], np.zeros((0, 3)), index) == []
    empty = ClaimIndex([], np.zeros((0, 3)))
    assert match_vectors(["s"], ["text"], _unit(1, 0, 0)[None], empty) == []
    with pytest.raises(ValueError, match="2 targets but 1 vectors"):
        ClaimIndex(index.targets[:2], index.vectors[:1])


def _match(label: str | None, similarity: float, relation: str = "repeats") -> narratives.Match:
    return narratives.Match(
        "s", "bank", label or "x", label, "t", None, relation, similarity, similarity
    )  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "matches, expected",
    [
        ([], None),
        ([_match(None, 0.9)], None),
        ([_match("a", 0.9), _match("b", 0.6), _match("b", 0.6)], "b"),
        ([_match("a", 0.9), _match("b", 0.8)], "a"),
        ([_match("a", 0.9, "rebuts"), _match("b", 0.6)], "b"),
    ],
)
def test_best_label(matches: list[narratives.Match], expected: str | None) -> None:
    assert narratives.best_label(matches) == expected


# -- packs ----------------------------------------------------------------------------------
def test_default_pack_narratives() -> None:
    pack = load_pack()
    ids = {n.id for n in pack.narratives}
    for required in (
        "russia-not-aggressor",
        "west-controls-ukraine",
        "maidan-coup",
        "president-illegitimate",
        "ukraine-run-by-nazis",
        "russia-self-defence",
        "russians-discriminated",
        "failed-state",
    ):
        assert required in ids
    for narrative in pack.narratives:
        assert len(narrative.claims) >= 4, narrative.id
        assert narrative.debunks and all(d.url.startswith("https://") for d in narrative.debunks)
        assert narrative.version == "2025.03"
        assert all(not polarity(c).refutations for c in narrative.claims), narrative.id


def _copy_pack(tmp_path: Path) -> Path:
    folder = tmp_path / "pack"
    shutil.copytree(default_pack_path(), folder)
    return folder


def test_pack_without_narratives_stays_valid(tmp_path: Path) -> None:
    folder = _copy_pack(tmp_path)
    (folder / "narratives.yaml").unlink()
    pack = load_pack(folder)
    assert pack.narratives == () and pack.positions


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "narratives:\n  - id: x\n    title: X\n",
            "narratives[0] (id 'x'): 'claims' is a required",
        ),
        ("narratives:\n  - id: Bad Id\n    title: X\n    claims: [a]\n", "does not match"),
        (
            "narratives:\n  - {id: x, title: X, claims: [a], debunks: [{source: S, url: ftp://x}]}\n",
            "debunks[0].url",
        ),
        (
            "narratives:\n  - {id: x, title: X, claims: [a]}\n  - {id: x, title: Y, claims: [b]}\n",
            "duplicate id 'x'",
        ),
        ("narratives: [\n", "invalid YAML"),
    ],
)
def test_invalid_narratives_name_the_problem(tmp_path: Path, text: str, message: str) -> None:
    folder = _copy_pack(tmp_path)
    (folder / "narratives.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(PackError, match="narratives.yaml") as info:
        load_pack(folder)
    assert message in str(info.value)


# -- with the real embedder -----------------------------------------------------------------
@pytest.fixture(scope="module")
def pack_index(embedder):  # type: ignore[no-untyped-def]
    pack = load_pack()
    targets = narratives.narrative_targets(pack.narratives)
    return narratives.build_index(targets, embedder.encode)


@pytest.mark.models
@pytest.mark.parametrize(
    "text, narrative, relation",
    [
        ("Russia is not the aggressor in Ukraine.", "russia-not-aggressor", "repeats"),
        ("It is false that Russia is not the aggressor.", "russia-not-aggressor", "rebuts"),
        (
            "Zelensky's mandate ran out, so he is an illegitimate leader.",
            "president-illegitimate",
            "repeats",
        ),
        ("NATO broke its promise not to move east.", "russia-self-defence", "repeats"),
        ("The weather in Paris was sunny on Tuesday.", None, None),
        ("We will deliver more air defence to Kyiv next month.", None, None),
    ],
)
def test_real_matches(pack_index, embedder, text, narrative, relation) -> None:  # type: ignore[no-untyped-def]
    found = narratives.match_texts(["s"], [text], pack_index, embedder.encode, top_k=1)
    if narrative is None:
        assert found == []
    else:
        assert (found[0].target_id, found[0].relation) == (narrative, relation)


@pytest.mark.models
def test_gate_keeps_ordinary_debate_talk_from_matching_narratives(embedder) -> None:  # type: ignore[no-untyped-def]
    pack = load_pack()
    targets = narratives.narrative_targets(pack.narratives)
    background = [t for p in pack.positions for t in (p.proposition, *p.supports, *p.opposes)]
    gated = narratives.build_index(targets, embedder.encode, background)
    claims_only = [t for t in targets if not t.counter]
    plain = narratives.build_index(claims_only, embedder.encode)  # no background: no gate
    assert gated.gate is not None and plain.gate is None
    assert narratives.BACKGROUND in gated.gate.classes
    talk = [
        "Europe must keep up its military aid to Ukraine until a ceasefire holds.",
        "Sanctions on Russia should stay in place until the war ends.",
    ]
    ids = [str(i) for i in range(len(talk))]
    assert narratives.match_texts(ids, talk, gated, embedder.encode) == []
    assert narratives.match_texts(ids, talk, plain, embedder.encode) != []  # the gate did it
    claim = ["Zelensky's term ran out, so he is no longer the legitimate president."]
    found = narratives.match_texts(["s"], claim, gated, embedder.encode, top_k=1)
    assert [(m.target_id, m.relation) for m in found] == [("president-illegitimate", "repeats")]


@pytest.mark.models
def test_project_stores_and_counts_repetitions(tmp_path: Path) -> None:
    from stancewatch.api import Project

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text(
        "---\ntitle: Lavrov on Kyiv\npublished: 2025-02-10\n---\n\n"
        'Sergei Lavrov said that Ukraine is ruled by neo-Nazis. "Zelensky is an illegitimate '
        'president," Lavrov told reporters.\n',
        encoding="utf-8",
    )
    (corpus / "b.md").write_text(
        "---\ntitle: Peskov echoes\npublished: 2025-02-20\n---\n\n"
        "Dmitry Peskov said that Zelensky is an illegitimate leader whose term has run out.\n",
        encoding="utf-8",
    )
    bank = tmp_path / "bank.csv"
    bank.write_text("claim,label\nKyiv is ruled by fascists,nazis\n", encoding="utf-8")
    with Project(tmp_path / "t.db") as project:
        assert project.import_bank(bank, text_column="claim") == 1
        project.ingest([corpus])
        project.analyze()
        report = project.narrative_report()
        assert {"president-illegitimate", "ukraine-run-by-nazis"} <= set(report["label"])
        row = report[report["label"] == "president-illegitimate"].iloc[0]
        assert row["debunk_url"].startswith("https://") and row["actor"] == "lavrov"
        assert set(project.narrative_matches(kind="bank")["label"]) == {"nazis"}
        counts = project.narrative_counts()
        legit = counts[counts["label"] == "president-illegitimate"]
        assert len(legit) == 2 and legit["actor"].iloc[0] == "lavrov"  # first, by date
        chains = project.narrative_chains()
        first = chains[(chains["key"] == "president-illegitimate") & chains["first"]]
        assert list(first["actor"]) == ["lavrov"]
        assert not project.narrative_timeline().empty
        stored = project.store.query("SELECT DISTINCT method FROM narrative_matches")
        assert stored == [{"method": narratives.METHOD}]
        project.analyze(force=True)  # re-analysis replaces, never duplicates
        assert len(project.narrative_report()) == len(report)


def test_store_replaces_bank_and_matches(tmp_path: Path) -> None:
    from stancewatch.store.database import Store

    with Store(tmp_path / "s.db") as store:
        assert store.save_bank("b", [BankClaim("1", "a"), BankClaim("2", "b")]) == 2
        assert store.save_bank("b", [BankClaim("3", "c")]) == 1
        assert [r["id"] for r in store.query("SELECT id FROM bank_claims")] == ["3"]
        match = narratives.Match("s1", "bank", "3", None, "c", None, "repeats", 0.8, 0.8)
        store.save_narrative_matches("d1", [match])
        store.save_narrative_matches("d1", [match])
        assert store.count("narrative_matches") == 1
        store.save_narrative_matches("d1", [])
        assert store.count("narrative_matches") == 0


def test_a_statement_closer_to_a_counter_claim_rebuts_the_narrative() -> None:
    targets = [
        Target("narrative", "aggr", "Russia is not the aggressor.", "aggr", None),
        Target(
            "narrative",
            "aggr",
            "Russia is the aggressor; Ukraine is the victim.",
            "aggr",
            None,
            True,
        ),
    ]
    index = ClaimIndex(targets, np.stack([_unit(1, 0.3), _unit(1, 0)]))
    text = "There was an aggressor, Russia, and a victim, Ukraine."
    found = match_vectors(["s"], [text], _unit(1, 0.05)[None], index)
    # No negation to tell them apart, but the statement is closest to the counter-claim.
    assert [(m.target_id, m.relation, m.text) for m in found] == [
        ("aggr", "rebuts", "Russia is not the aggressor.")
    ]
    found = match_vectors(["s"], ["Russia is not the aggressor here."], _unit(1, 0.32)[None], index)
    assert [(m.target_id, m.relation) for m in found] == [("aggr", "repeats")]


def test_counter_claims_load_from_the_pack() -> None:
    pack = load_pack()
    assert all(n.counter_claims for n in pack.narratives)
    targets = narratives.narrative_targets(pack.narratives)
    counters = [t for t in targets if t.counter]
    assert len(counters) == sum(len(n.counter_claims) for n in pack.narratives)
    assert all(not polarity(c).refutations for c in (t.text for t in counters))


@pytest.mark.models
def test_the_gate_is_fitted_once_per_pack_and_encoder_then_read_back(  # type: ignore[no-untyped-def]
    embedder, tmp_path, monkeypatch
) -> None:
    from stancewatch.nlp import CACHE_ENV

    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    pack = load_pack()
    targets = narratives.narrative_targets(pack.narratives)
    background = [p.proposition for p in pack.positions]
    first = narratives.build_index(targets, embedder.encode, background)
    [entry] = (tmp_path / "narrative-gates").iterdir()
    again = narratives.build_index(targets, embedder.encode, background)
    texts = ["Zelensky is an illegitimate president.", "Sanctions must stay."]
    vectors = embedder.encode(texts)
    assert first.gate is not None and again.gate is not None
    assert np.array_equal(
        first.gate.predict_proba(texts, vectors), again.gate.predict_proba(texts, vectors)
    )
    # another background is another gate, kept beside the first
    narratives.build_index(targets, embedder.encode, background[:-1])
    assert len(list((tmp_path / "narrative-gates").iterdir())) == 2
    assert entry.exists()
