"""Stance evaluation (VAST/RUW loaders, macro-F1, baselines) and batch classification."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import shared_data
from typer.testing import CliRunner

from stancewatch.cli import app
from stancewatch.stance.base import FunctionStance
from stancewatch.stance.evaluation import (
    PairFeatureStance,
    StanceRow,
    TfidfStance,
    classify_frame,
    evaluate_backend,
    group_scores,
    macro_f1,
    read_stance_rows,
    ruw_rows,
    target_position,
    vast_rows,
)

runner = CliRunner()

# Toy pairs written for these tests: "good"/"great" words support, "bad"/"awful" oppose.
TOY = [
    ("wind farms are good and great for us", "wind power", "support"),
    ("solar is great, a good investment", "solar power", "support"),
    ("nuclear plants are bad and awful", "nuclear power", "oppose"),
    ("coal is awful, a bad idea", "coal", "oppose"),
    ("the meeting is on tuesday", "wind power", "neutral"),
    ("the report came out on monday", "coal", "neutral"),
]


def keyword_backend() -> FunctionStance:
    def fn(text, position):
        if "good" in text or "great" in text:
            return (0.8, 0.1, 0.1)
        if "bad" in text or "awful" in text:
            return (0.1, 0.8, 0.1)
        return (0.2, 0.2, 0.6)

    return FunctionStance(fn, name="test.keywords")


@pytest.mark.parametrize(
    "gold, predicted, expected",
    [
        (["support", "oppose", "neutral"], ["support", "oppose", "neutral"], 1.0),
        (["support", "oppose", "neutral"], ["oppose", "neutral", "support"], 0.0),
        # support F1 = 2/3, oppose F1 = 1, neutral has no gold and no prediction = 0
        (["support", "support", "oppose"], ["support", "oppose", "oppose"], (2 / 3 + 2 / 3) / 3),
        ([], [], 0.0),
    ],
)
def test_macro_f1(gold, predicted, expected):
    assert macro_f1(gold, predicted) == pytest.approx(expected)


def test_macro_f1_agrees_with_scikit_learn():
    from sklearn.metrics import f1_score

    rng = np.random.default_rng(3)
    labels = ["support", "oppose", "neutral"]
    gold = list(rng.choice(labels, 200))
    pred = list(rng.choice(labels, 200))
    expected = f1_score(gold, pred, average="macro", labels=labels)
    assert macro_f1(gold, pred) == pytest.approx(expected)


def test_macro_f1_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="2 gold labels but 1"):
        macro_f1(["support", "oppose"], ["support"])


def vast_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Tweet": ["a text", "b text", "c text"],
            "Target 1": ["wind", "coal", "tax"],
            "Stance 1": ["FAVOR", "AGAINST", "NONE"],
            "seen?": ["1", "0", "0"],
        }
    )


def test_vast_rows_map_labels_and_the_seen_flag():
    rows = vast_rows(vast_frame())
    assert [(r.target, r.label, r.seen) for r in rows] == [
        ("wind", "support", True),
        ("coal", "oppose", False),
        ("tax", "neutral", False),
    ]


def test_ruw_rows_give_two_pairs_per_tweet_in_order():
    frame = pd.DataFrame(
        {
            "Tweet": ["t1", "t2"],
            "Target 1": ["Russia", "Russia"],
            "Stance 1": ["AGAINST", "NONE"],
            "Target 2": ["Ukraine", "Ukraine"],
            "Stance 2": ["FAVOR", "NONE"],
        }
    )
    rows = ruw_rows(frame)
    assert [(r.text, r.target, r.label, r.seen) for r in rows] == [
        ("t1", "Russia", "oppose", None),
        ("t1", "Ukraine", "support", None),
        ("t2", "Russia", "neutral", None),
        ("t2", "Ukraine", "neutral", None),
    ]


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda f: f.drop(columns=["Stance 1"]), r"no column 'Stance 1' \(columns found: Tweet"),
        (lambda f: f.assign(**{"Stance 1": ["FAVOR", "PRO", "NONE"]}), "row 3: stance 'PRO'"),
    ],
)
def test_bad_vast_tables_are_explained(change, message):
    with pytest.raises(ValueError, match=message):
        vast_rows(change(vast_frame()), "dev.csv")


def test_read_stance_rows_checks_format_and_file(tmp_path):
    path = tmp_path / "dev.csv"
    vast_frame().to_csv(path, index=False)
    assert len(read_stance_rows(path, "vast")) == 3
    with pytest.raises(ValueError, match="use one of: vast, ruw"):
        read_stance_rows(path, "semeval")
    with pytest.raises(ValueError, match="does not exist"):
        read_stance_rows(tmp_path / "missing.csv", "vast")


def test_group_scores_split_vast_by_seen_and_ruw_by_target():
    rows = [
        StanceRow("x", "a", "support", True),
        StanceRow("y", "b", "oppose", False),
    ]
    assert group_scores(rows, ["support", "support"], "vast") == {
        "zero-shot": 0.0,
        "few-shot": pytest.approx(1 / 3, abs=1e-4),
    }
    ruw = [StanceRow("x", "Russia", "oppose"), StanceRow("x", "Ukraine", "support")]
    assert set(group_scores(ruw, ["oppose", "oppose"], "ruw")) == {"Russia", "Ukraine"}


def test_evaluate_backend_scores_a_perfect_backend_as_one():
    rows = [StanceRow(t, g, label) for t, g, label in TOY]
    result = evaluate_backend(keyword_backend(), rows, "vast")
    assert result.macro_f1 == 1.0
    assert result.rows == len(TOY)
    assert result.method == "test.keywords"


def test_tfidf_baseline_learns_separable_pairs():
    rows = [StanceRow(t, g, label) for t, g, label in TOY] * 3
    model = TfidfStance().fit(rows)
    probs = model.score([r.text for r in rows], [target_position(r.target) for r in rows])
    assert probs.shape == (len(rows), 3)
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    assert evaluate_backend(model, rows, "vast").macro_f1 == 1.0


def test_baselines_need_two_labels():
    with pytest.raises(ValueError, match="two different stance labels"):
        TfidfStance().fit([StanceRow("a", "b", "support")] * 3)


def test_classify_frame_keeps_rows_and_columns_in_order():
    frame = pd.DataFrame(
        {
            "id": ["3", "1", "2", "4"],
            "text": ["solar is great", "coal is awful", "", "the meeting is on tuesday"],
            "target": ["solar", "coal", "tax", "wind"],
            "note": ["n3", "n1", "n2", "n4"],
        }
    )
    out = classify_frame(frame, "text", "target", keyword_backend(), batch_size=2)
    assert list(out.columns) == ["id", "text", "target", "note", "stance", "stance_score"]
    assert list(out["id"]) == ["3", "1", "2", "4"]
    assert list(out["stance"]) == ["support", "oppose", "", "neutral"]
    assert out["stance_score"].iloc[0] == pytest.approx(0.8)
    assert pd.isna(out["stance_score"].iloc[2])  # empty text: not scored


@pytest.mark.parametrize(
    "columns, message",
    [
        (["body", "target"], r"data.csv has no column 'text' \(columns found: body, target\)"),
        (["text", "target", "stance"], "already has a column 'stance'"),
    ],
)
def test_classify_frame_explains_column_problems(columns, message):
    frame = pd.DataFrame({c: ["x"] for c in columns})
    with pytest.raises(ValueError, match=message):
        classify_frame(frame, "text", "target", keyword_backend(), source="data.csv")


def test_classify_command_names_the_file_and_columns(tmp_path):
    path = tmp_path / "in.csv"
    pd.DataFrame({"body": ["x"], "topic": ["y"]}).to_csv(path, index=False)
    result = runner.invoke(
        app,
        ["classify", str(path), "--text-column", "text", "--target-column", "topic",
         "--output", str(tmp_path / "out.csv")],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "in.csv has no column 'text'" in result.output
    assert "columns found: body, topic" in result.output
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.models
def test_classify_command_with_the_prototype_backend(tmp_path, embedder):
    path = tmp_path / "in.csv"
    frame = pd.DataFrame(
        {
            "n": ["1", "2", "3"],
            "statement": [t for t, _, _ in TOY[:3]],
            "position": [g for _, g, _ in TOY[:3]],
        }
    )
    frame.to_csv(path, index=False)
    out = tmp_path / "out.csv"
    result = runner.invoke(
        app,
        ["classify", str(path), "--text-column", "statement", "--target-column", "position",
         "--output", str(out), "--stance", "prototype"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    coded = pd.read_csv(out, dtype=str)
    assert list(coded.columns) == ["n", "statement", "position", "stance", "stance_score"]
    assert list(coded["n"]) == ["1", "2", "3"]
    assert set(coded["stance"]) <= {"support", "oppose", "neutral"}
    assert all(0.0 <= float(s) <= 1.0 for s in coded["stance_score"])


@pytest.mark.models
def test_pair_feature_baseline_scores_probabilities(embedder):
    rows = [StanceRow(t, g, label) for t, g, label in TOY] * 2
    model = PairFeatureStance(embedder).fit(rows)
    probs = model.score([r.text for r in rows], [target_position(r.target) for r in rows])
    assert probs.shape == (len(rows), 3)
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    assert evaluate_backend(model, rows, "ruw").macro_f1 > 0.5


@pytest.mark.models
def test_eval_stance_command_prints_backend_and_baselines(tmp_path, embedder):
    def write(name, rows):
        frame = pd.DataFrame(
            {
                "Tweet": [t for t, _, _ in rows],
                "Target 1": [g for _, g, _ in rows],
                "Stance 1": [{"support": "FAVOR", "oppose": "AGAINST"}.get(s, "NONE")
                             for _, _, s in rows],
                "seen?": ["1", "0"] * (len(rows) // 2),
            }
        )  # fmt: skip
        frame.to_csv(tmp_path / name, index=False)
        return tmp_path / name

    dev = write("dev.csv", TOY)
    train = write("train.csv", TOY * 2)
    result = runner.invoke(
        app, ["eval", "stance", str(dev), "--format", "vast", "--train", str(train)]
    )
    assert result.exit_code == 0, result.output
    for name in ("minilm-lora", "tfidf", "zero-shot", "few-shot", "pairs/s"):
        assert name in result.output


def test_vast_dev_loads_with_its_documented_counts():
    rows = read_stance_rows(shared_data("vast", "vast_dev.csv"), "vast")
    assert len(rows) == 2062
    assert sum(r.seen for r in rows) == 1043
    assert {r.label for r in rows} == {"support", "oppose", "neutral"}


def test_ruw_val_loads_two_targets_per_tweet():
    rows = read_stance_rows(shared_data("ruw", "ruw_val.csv"), "ruw")
    assert len(rows) == 1200
    assert sum(r.target == "Russia" and r.label == "oppose" for r in rows) == 267
    assert sum(r.target == "Ukraine" and r.label == "support" for r in rows) == 230


def write_pairs(folder, rows, *, propositions=None):
    """A pairs file (text, position, label, source) and, optionally, its propositions.yaml."""
    folder.mkdir(parents=True, exist_ok=True)
    frame = pd.DataFrame(rows, columns=["text", "position", "label", "source"])
    frame.to_csv(folder / "dev.csv", index=False)
    if propositions is not None:
        lines = [f"{key}: {value!r}" for key, value in propositions.items()]
        (folder / "propositions.yaml").write_text("\n".join(lines) + "\n", "utf-8")
    return folder / "dev.csv"


def test_pairs_resolve_pack_ids_listed_ids_and_free_text(tmp_path):
    from stancewatch.packs import load_pack

    pack = load_pack()
    nato = pack.position("no-nato-membership")
    path = write_pairs(
        tmp_path,
        [
            ("Kyiv will never join the alliance.", "no-nato-membership", "Support", "news"),
            ("Markets rose on Monday.", "E9-markets", "neutral", "news"),
            ("Wind power is great.", "Wind power is good", "SUPPORT", ""),
        ],
        propositions={"E9-markets": "Markets will rise."},
    )
    a, b, c = read_stance_rows(path, "pairs", pack.positions)
    assert a.position == nato and a.target == nato.proposition and a.target_position.supports
    assert (a.label, a.source) == ("support", "news")
    assert (b.position.id, b.target, b.label) == ("E9-markets", "Markets will rise.", "neutral")
    assert c.position is None and c.target == "Wind power is good" and c.source is None
    assert c.target_position.proposition == "Wind power is good"


def test_pairs_are_scored_by_sides_source_and_position(tmp_path):
    path = write_pairs(
        tmp_path,
        [
            ("wind farms are good", "wind power", "support", "a"),
            ("coal is awful", "coal", "oppose", "a"),
            ("the meeting is on tuesday", "coal", "neutral", "b"),
            ("solar is great", "solar power", "oppose", "b"),  # the keyword backend errs here
        ],
    )
    rows = read_stance_rows(path, "pairs")
    scores = evaluate_backend(keyword_backend(), rows, "pairs")
    # support F1 = 2/3 (one right, one false support), oppose F1 = 2/3, neutral 1
    assert scores.sides_f1 == pytest.approx(2 / 3, abs=1e-4)
    assert scores.macro_f1 == pytest.approx((2 / 3 + 2 / 3 + 1) / 3, abs=1e-4)
    # per source, over all three labels (a label with no gold and no prediction counts 0)
    assert scores.sources == {
        "a": pytest.approx(2 / 3, abs=1e-4),
        "b": pytest.approx(1 / 3, abs=1e-4),
    }
    assert set(scores.groups) == {"wind power", "coal", "solar power"}


@pytest.mark.parametrize(
    "rows, message",
    [
        ([("text", "p", "maybe", "s")], "'maybe' is not one of"),
    ],
)
def test_bad_pairs_are_explained(tmp_path, rows, message):
    path = write_pairs(tmp_path, rows)
    with pytest.raises(ValueError, match=message):
        read_stance_rows(path, "pairs")


def test_a_malformed_propositions_file_names_itself(tmp_path):
    path = write_pairs(tmp_path, [("text", "p", "neutral", "s")])
    (tmp_path / "propositions.yaml").write_text("- a list, not a mapping\n", "utf-8")
    with pytest.raises(ValueError, match="propositions.yaml: expected a mapping"):
        read_stance_rows(path, "pairs")


@pytest.mark.models
def test_eval_stance_command_on_pairs_prints_sides_sources_and_positions(tmp_path, embedder):
    rows = [(t, "no-nato-membership" if i % 2 else "E9-x", s, f"src{i % 2}")
            for i, (t, _, s) in enumerate(TOY)]  # fmt: skip
    dev = write_pairs(tmp_path, rows, propositions={"E9-x": "Coal is bad."})
    result = runner.invoke(
        app,
        ["eval", "stance", str(dev), "--format", "pairs", "--stance", "prototype"],
        env={"COLUMNS": "250"},
    )
    assert result.exit_code == 0, result.output
    for name in ("support/oppose", "src0", "src1", "no-nato-membership", "E9-x"):
        assert name in result.output
    assert "No train file" in result.output


def test_domain_dev_loads_with_its_documented_counts():
    from stancewatch.packs import load_pack

    rows = read_stance_rows(shared_data("stance-domain", "dev.csv"), "pairs", load_pack().positions)
    assert len(rows) == 760
    assert all(r.position is not None for r in rows)  # every id is a pack id or listed
    assert {r.source for r in rows} == {"ruw", "euvsdisinfo", "voxcheck-case", "voxcheck-debunk"}


def test_classify_frame_codes_a_pack_position_id_with_its_codebook():
    from stancewatch.packs import load_pack

    seen = []

    def fn(text, position):
        seen.append(position)
        return (0.2, 0.2, 0.6)

    positions = load_pack().positions
    frame = pd.DataFrame(
        {"text": ["a", "b"], "target": ["no-nato-membership", "Ukraine must not join NATO"]}
    )
    classify_frame(frame, "text", "target", FunctionStance(fn), positions=positions)
    by_id, free = seen
    assert by_id.id == "no-nato-membership" and by_id.supports and by_id.opposes
    assert free.proposition == "Ukraine must not join NATO" and not free.supports
