"""Label models learned from labelled claim banks (stancewatch.narratives.label_model)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from stancewatch.narratives import label_model as labels

# A small labelled bank written for these tests: three narratives, four claims each.
BANK = {
    "nazis": [
        "Ukraine is ruled by neo-Nazis.",
        "Fascist battalions run the government in Kyiv.",
        "Nazi ideology dominates the Ukrainian army.",
        "Ukrainian leaders glorify Nazi collaborators.",
    ],
    "west-controls": [
        "Washington decides every step Kyiv takes.",
        "Ukraine is a puppet of the West.",
        "NATO uses Ukraine as a tool against Russia.",
        "Western governments dictate Ukrainian policy.",
    ],
    "mh17": [
        "A Ukrainian missile shot down flight MH17.",
        "Kyiv is to blame for the MH17 crash.",
        "The Malaysian airliner was downed by the Ukrainian air force.",
        "Russia had nothing to do with the MH17 disaster.",
    ],
}
TEXTS = [t for ts in BANK.values() for t in ts]
LABELS = [label for label, ts in BANK.items() for _ in ts]


@pytest.mark.parametrize(
    ("texts", "given", "with_labels", "expected"),
    [
        (["a", "b", "c"], ["x", None, "y"], False, (("a", "x"), ("c", "y"))),
        (["a", "b"], ["x", "x"], True, (("a", "x"), ("b", "x"), ("x", "x"))),
        (["a", "  "], ["x", "y"], True, (("a", "x"), ("x", "x"))),  # an empty text is no row
        (["a"], [""], True, ()),
    ],
)
def test_examples(texts, given, with_labels, expected) -> None:  # type: ignore[no-untyped-def]
    rows = labels.examples(texts, given, label_texts=with_labels)
    assert tuple(zip(rows.texts, rows.labels, strict=True)) == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (["a", "b"], True),
        (["a", "a", None], False),  # one class is no classification
        ([None, None], False),
        ([str(i) for i in range(labels.MAX_LABELS + 1)], False),
    ],
)
def test_trainable(given: list[str | None], expected: bool) -> None:
    assert labels.trainable(given) is expected


def test_untrained_and_untrainable_models_say_why() -> None:
    rows = labels.examples(["a", "b"], ["x", "x"], label_texts=False)
    with pytest.raises(labels.LabelModelError, match="the rows have 1"):
        labels.LabelModel().fit(rows, np.zeros((2, 4)))
    with pytest.raises(labels.LabelModelError, match="2 texts but 3 embeddings"):
        labels.LabelModel().fit(rows, np.zeros((3, 4)))
    with pytest.raises(labels.LabelModelError, match="not trained"):
        labels.LabelModel().predict(["a"], np.zeros((1, 4)))


@pytest.mark.models
def test_label_model_labels_fresh_statements(embedder) -> None:  # type: ignore[no-untyped-def]
    rows = labels.examples(TEXTS, LABELS)
    model = labels.LabelModel().fit(rows, embedder.encode(list(rows.texts)))
    assert model.classes == ("mh17", "nazis", "west-controls")
    fresh = [
        "The so-called government in Kyiv is full of Nazis.",
        "The Americans give the orders and Zelensky follows them.",
        "It was Ukraine that brought down the Boeing over Donbas in 2014.",
    ]
    predicted = model.predict(fresh, embedder.encode(fresh))
    assert [label for label, _ in predicted] == ["nazis", "west-controls", "mh17"]
    proba = model.predict_proba(fresh, embedder.encode(fresh))
    assert proba.shape == (3, 3) and np.allclose(proba.sum(1), 1.0)
    assert all(0.33 < p <= 1.0 for _, p in predicted)
    assert model.predict([], np.zeros((0, embedder.dimension))) == []


@pytest.mark.models
def test_fit_is_repeatable_and_gives_the_process_its_blas_threads_back(embedder) -> None:  # type: ignore[no-untyped-def]
    from threadpoolctl import threadpool_info, threadpool_limits

    rows = labels.examples(TEXTS, LABELS)
    vectors = embedder.encode(list(rows.texts))
    fresh = ["Kyiv takes its orders from Washington.", "Nazis rule Ukraine."]
    with threadpool_limits(limits=2, user_api="blas"):
        before = [(i["filepath"], i["num_threads"]) for i in threadpool_info()]
        first = labels.LabelModel().fit(rows, vectors)
        assert [(i["filepath"], i["num_threads"]) for i in threadpool_info()] == before
    with threadpool_limits(limits=1, user_api="blas"):
        second = labels.LabelModel().fit(rows, vectors)
    fresh_vectors = embedder.encode(fresh)
    # the same bits whatever the caller's BLAS threads: a cached gate equals a fresh fit
    assert np.array_equal(
        first.predict_proba(fresh, fresh_vectors), second.predict_proba(fresh, fresh_vectors)
    )
    assert f"blas-threads={labels.FIT_BLAS_THREADS}" in labels.fit_settings()


@pytest.mark.models
def test_bank_model_only_for_labels_that_are_classes(embedder) -> None:  # type: ignore[no-untyped-def]
    vectors = embedder.encode(TEXTS)
    model = labels.fit_bank_model(TEXTS, LABELS, vectors, embedder.encode)
    assert model is not None and set(model.classes) == set(BANK)
    one_per_claim = [f"case-{i}" for i in range(len(TEXTS))]  # identifiers, not classes
    assert labels.fit_bank_model(TEXTS, one_per_claim, vectors, embedder.encode) is None
    assert labels.fit_bank_model(TEXTS, [None] * len(TEXTS), vectors, embedder.encode) is None


@pytest.mark.models
def test_match_command_labels_rows_with_the_bank_model(tmp_path: Path) -> None:
    from stancewatch.cli import app

    bank = tmp_path / "bank.csv"
    with bank.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["claim", "narrative"])
        writer.writerows(zip(TEXTS, LABELS, strict=True))
    source = tmp_path / "in.csv"
    source.write_text(
        "text\n"
        "Neo-Nazis rule Ukraine and its army.\n"
        "Ukraine is only a puppet that the West controls.\n"
        "The price of bread rose in Lyon.\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    args = ["match", str(source), "--text-column", "text", "--bank", str(bank)]
    args += ["--bank-text-column", "claim", "--bank-label-column", "narrative", "-o", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["match_label"] for r in rows] == ["nazis", "west-controls", ""]
    assert rows[2]["match_text"] == "" and rows[0]["match_text"] in BANK["nazis"]
