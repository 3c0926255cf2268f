"""Measuring stance backends on public stance datasets, and stance for a table of pairs.

Three dataset formats are read (see ``../shared/data/*/SOURCE.md``):

- ``vast``: VAST (Allaway & McKeown 2020), columns ``Tweet``, ``Target 1``, ``Stance 1`` and
  ``seen?`` (1 = few-shot: the target also occurs in train; 0 = zero-shot);
- ``ruw``: RUW, one tweet with two targets (``Target 1``/``Stance 1``, ``Target 2``/``Stance 2``),
  read as two rows;
- ``pairs``: one (text, position, label) pair per row, with an optional ``source`` column. A
  position is a pack position's id (coded against that position, with its codebook), an id
  defined in a ``propositions.yaml`` beside the file (``id: wording``), or the proposition's
  own words. Labels are ``support``, ``oppose``, ``neutral``.

VAST and RUW labels map ``FAVOR`` -> support, ``AGAINST`` -> oppose, ``NONE`` -> neutral. The
metric is macro-F1 over the three labels; for ``pairs`` also the support/oppose F1 (the mean
F1 of the two sides, the figures that rest on a side being taken), per proposition and per
source. Every backend scores ``(text, Position(proposition=target))``
pairs through :class:`stancewatch.stance.base.StanceBackend`; two trained baselines implement the
same protocol so they are measured the same way:

- :class:`TfidfStance`: TF-IDF over ``"text [SEP] target"`` + logistic regression;
- :class:`PairFeatureStance`: MiniLM embeddings ``u`` (text) and ``v`` (target), features
  ``[u, v, |u-v|, u*v]`` + logistic regression.

:func:`read_stance_rows` is the only function here that reads files. :func:`classify_frame`
adds a stance to every row of a table of (text, target) pairs.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from stancewatch.errors import InvalidValueError
from stancewatch.nlp import Embedder
from stancewatch.records import STANCE_LABELS, Position, stable_id

DatasetFormat = Literal["vast", "ruw", "pairs"]
FORMATS: tuple[str, ...] = ("vast", "ruw", "pairs")
GOLD_LABELS = {
    "FAVOR": "support",
    "AGAINST": "oppose",
    "NONE": "neutral",
    **{label.upper(): label for label in STANCE_LABELS},
}
SIDES = ("support", "oppose")
SEPARATOR = " [SEP] "
DEFAULT_TRAIN = {"vast": "vast_train_subset10.csv", "ruw": "ruw_train.csv", "pairs": "train.csv"}
PROPOSITIONS_FILE = "propositions.yaml"  # id: wording, beside a pairs file


@dataclass(frozen=True)
class StanceRow:
    """One gold (text, target, label) pair; ``seen`` is VAST's few-shot flag (None elsewhere).

    ``target`` is the proposition's words; ``position`` is the pack position or id it was
    given as (None: a free-text target), ``source`` where the text comes from (pairs files).
    """

    text: str
    target: str
    label: str
    seen: bool | None = None
    position: Position | None = None
    source: str | None = None

    @property
    def target_position(self) -> Position:
        """What a backend codes the text against: the pack position with its codebook, or the
        target's words alone."""
        return self.position if self.position is not None else target_position(self.target)


def _label(value: Any, where: str) -> str:
    key = str(value).strip().upper()
    if key not in GOLD_LABELS:
        raise InvalidValueError(f"{where}: stance {value!r} is not one of {', '.join(GOLD_LABELS)}")
    return GOLD_LABELS[key]


def _require(frame: pd.DataFrame, columns: Sequence[str], source: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        found = ", ".join(map(str, frame.columns)) or "none"
        raise InvalidValueError(
            f"{source} has no column {', '.join(repr(c) for c in missing)} (columns found: {found})"
        )


def vast_rows(frame: pd.DataFrame, source: str = "the table") -> list[StanceRow]:
    """Rows of a VAST one-column table (``Tweet``, ``Target 1``, ``Stance 1``, ``seen?``)."""
    _require(frame, ["Tweet", "Target 1", "Stance 1", "seen?"], source)
    return [
        StanceRow(
            str(r["Tweet"]),
            str(r["Target 1"]),
            _label(r["Stance 1"], f"{source} row {i + 2}"),
            bool(int(r["seen?"])),
        )
        for i, r in enumerate(frame.to_dict("records"))
    ]


def ruw_rows(frame: pd.DataFrame, source: str = "the table") -> list[StanceRow]:
    """Rows of a RUW table: each tweet gives one row per target (Russia, then Ukraine)."""
    _require(frame, ["Tweet", "Target 1", "Stance 1", "Target 2", "Stance 2"], source)
    rows = []
    for i, r in enumerate(frame.to_dict("records")):
        for k in (1, 2):
            label = _label(r[f"Stance {k}"], f"{source} row {i + 2}")
            rows.append(StanceRow(str(r["Tweet"]), str(r[f"Target {k}"]), label))
    return rows


def pair_rows(
    frame: pd.DataFrame,
    positions: Sequence[Position] = (),
    propositions: dict[str, str] | None = None,
    source: str = "the table",
) -> list[StanceRow]:
    """Rows of a pairs table (``text``, ``position``, ``label``, optional ``source``): a
    position id of ``positions`` (a pack's) is coded with its codebook; an id of
    ``propositions`` by its wording; anything else is taken as the proposition's words."""
    _require(frame, ["text", "position", "label"], source)
    by_id = {p.id: p for p in positions}
    worded = propositions or {}
    rows = []
    for i, r in enumerate(frame.to_dict("records")):
        given = str(r["position"]).strip()
        pack_position = by_id.get(given)
        if pack_position is not None:
            position: Position | None = pack_position
            target = pack_position.proposition
        elif given in worded:
            position = Position(id=given, topic=given, proposition=worded[given])
            target = worded[given]
        else:
            position, target = None, given
        rows.append(
            StanceRow(
                str(r["text"]),
                target,
                _label(r["label"], f"{source} row {i + 2}"),
                position=position,
                source=str(r["source"]) if "source" in r and r["source"] != "" else None,
            )
        )
    return rows


def read_propositions(path: Path) -> dict[str, str]:
    """``id: wording`` pairs from a YAML file (as ``propositions.yaml`` beside a pairs file)."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InvalidValueError(f"{path} cannot be read as YAML: {exc}") from None
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise InvalidValueError(f"{path}: expected a mapping of proposition id to its wording")
    return dict(data)


def read_stance_rows(path: Path, fmt: str, positions: Sequence[Position] = ()) -> list[StanceRow]:
    """The gold rows of a VAST, RUW or pairs CSV file; ``positions`` (a pack's) resolve the
    position ids of a pairs file, and so does a ``propositions.yaml`` beside it."""
    if fmt not in FORMATS:
        raise InvalidValueError(
            f"unknown stance data format {fmt!r}; use one of: {', '.join(FORMATS)}"
        )
    if not path.is_file():
        raise InvalidValueError(f"{path} does not exist or is not a file")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except ValueError as exc:  # pandas' parser errors and UnicodeDecodeError
        raise InvalidValueError(f"{path} cannot be read as a UTF-8 CSV file: {exc}") from None
    if fmt == "pairs":
        worded = path.parent / PROPOSITIONS_FILE
        propositions = read_propositions(worded) if worded.is_file() else {}
        return pair_rows(frame, positions, propositions, str(path))
    return vast_rows(frame, str(path)) if fmt == "vast" else ruw_rows(frame, str(path))


def default_train_file(eval_file: Path, fmt: str) -> Path | None:
    """The matching train split next to an eval file, when it is there."""
    candidate = eval_file.parent / DEFAULT_TRAIN.get(fmt, "")
    return candidate if candidate.is_file() and candidate != eval_file else None


def macro_f1(
    gold: Sequence[Hashable],
    predicted: Sequence[Hashable],
    labels: Sequence[Hashable] = STANCE_LABELS,
) -> float:
    """Mean F1 over ``labels`` (support, oppose and neutral; a label with no gold and no
    prediction counts as 0, as in scikit-learn's ``f1_score(average="macro", labels=...)``)."""
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold labels but {len(predicted)} predictions")
    scores = []
    for label in labels:
        tp = sum(g == label and p == label for g, p in zip(gold, predicted, strict=True))
        fp = sum(g != label and p == label for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == label and p != label for g, p in zip(gold, predicted, strict=True))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return float(np.mean(scores)) if gold else 0.0


def sides_f1(gold: Sequence[Hashable], predicted: Sequence[Hashable]) -> float:
    """Mean F1 of support and oppose: how well the sides taken are found (neutral left out)."""
    return macro_f1(gold, predicted, labels=SIDES)


def target_position(target: str) -> Position:
    """A free-text target as a position with no codebook phrasings."""
    return Position(id=stable_id("target", target), topic=target, proposition=target)


class TfidfStance:
    """Baseline: TF-IDF over ``"text [SEP] target"`` and logistic regression."""

    name = "baseline.tfidf-logreg.v1"

    def __init__(self) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        self.vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
        self.model = LogisticRegression(max_iter=2000)

    def fit(self, rows: Sequence[StanceRow]) -> TfidfStance:
        _check_trainable(rows)
        x = self.vectorizer.fit_transform([r.text + SEPARATOR + r.target for r in rows])
        self.model.fit(x, [STANCE_LABELS.index(r.label) for r in rows])  # type: ignore[arg-type]
        return self

    def score(self, texts: Sequence[str], positions: Sequence[Position]) -> np.ndarray:
        joined = [t + SEPARATOR + p.proposition for t, p in zip(texts, positions, strict=True)]
        return _full_probs(self.model, self.vectorizer.transform(joined), len(joined))


class PairFeatureStance:
    """Baseline: MiniLM features ``[u, v, |u-v|, u*v]`` and logistic regression."""

    name = "baseline.minilm-pair-logreg.v1"

    def __init__(self, embedder: Embedder) -> None:
        from sklearn.linear_model import LogisticRegression

        self.embedder = embedder
        self.model = LogisticRegression(max_iter=2000)

    def features(self, texts: Sequence[str], targets: Sequence[str]) -> np.ndarray:
        u = self.embedder.encode(list(texts))
        v = self.embedder.encode(list(targets))
        return np.hstack([u, v, np.abs(u - v), u * v])

    def fit(self, rows: Sequence[StanceRow]) -> PairFeatureStance:
        _check_trainable(rows)
        x = self.features([r.text for r in rows], [r.target for r in rows])
        self.model.fit(x, [STANCE_LABELS.index(r.label) for r in rows])  # type: ignore[arg-type]
        return self

    def score(self, texts: Sequence[str], positions: Sequence[Position]) -> np.ndarray:
        x = self.features(texts, [p.proposition for p in positions])
        return _full_probs(self.model, x, len(texts))


def _check_trainable(rows: Sequence[StanceRow]) -> None:
    if len({r.label for r in rows}) < 2:
        raise InvalidValueError("the training rows need at least two different stance labels")


def _full_probs(model: Any, x: Any, n: int) -> np.ndarray:
    """Probabilities in STANCE_LABELS order, with 0 for a label absent from training."""
    out = np.zeros((n, 3), dtype=np.float32)
    if n:
        out[:, list(model.classes_)] = model.predict_proba(x)
    return out


@dataclass(frozen=True)
class StanceScores:
    """One method's result on one evaluation set."""

    method: str
    rows: int
    macro_f1: float
    groups: dict[str, float] = field(default_factory=dict)
    pairs_per_s: float = 0.0
    fit_s: float | None = None
    sides_f1: float | None = None  # support/oppose F1 (pairs files)
    sources: dict[str, float] = field(default_factory=dict)  # macro-F1 per source (pairs)
    predicted: tuple[str, ...] = field(default=(), repr=False)  # one label per row, in order


def group_scores(rows: Sequence[StanceRow], predicted: Sequence[str], fmt: str) -> dict[str, float]:
    """Macro-F1 by VAST zero-/few-shot rows, or per target (RUW) or position (pairs)."""
    if fmt == "pairs":
        keys = [r.position.id if r.position is not None else r.target for r in rows]
        names = sorted(set(keys))
    elif fmt == "vast":
        keys = ["few-shot" if r.seen else "zero-shot" for r in rows]
        names = ["zero-shot", "few-shot"]
    else:
        keys = [r.target for r in rows]
        names = list(dict.fromkeys(keys))
    out = {}
    for name in names:
        idx = [i for i, k in enumerate(keys) if k == name]
        if idx:
            out[name] = round(
                macro_f1([rows[i].label for i in idx], [predicted[i] for i in idx]), 4
            )
    return out


def evaluate_backend(
    backend: Any, rows: Sequence[StanceRow], fmt: str, fit_s: float | None = None
) -> StanceScores:
    """Score every row with ``backend.score`` (one batch) and compare with the gold labels."""
    started = time.perf_counter()
    probs = backend.score([r.text for r in rows], [r.target_position for r in rows])
    elapsed = time.perf_counter() - started
    predicted = [STANCE_LABELS[int(k)] for k in np.argmax(probs, axis=1)] if len(rows) else []
    gold = [r.label for r in rows]
    sources: dict[str, float] = {}
    if fmt == "pairs":
        for name in sorted({r.source for r in rows if r.source}):
            idx = [i for i, r in enumerate(rows) if r.source == name]
            sources[name] = round(macro_f1([gold[i] for i in idx], [predicted[i] for i in idx]), 4)
    return StanceScores(
        method=getattr(backend, "name", type(backend).__name__),
        rows=len(rows),
        macro_f1=round(macro_f1(gold, predicted), 4),
        groups=group_scores(rows, predicted, fmt),
        pairs_per_s=round(len(rows) / elapsed, 1) if elapsed > 0 else 0.0,
        fit_s=None if fit_s is None else round(fit_s, 1),
        sides_f1=round(sides_f1(gold, predicted), 4) if fmt == "pairs" else None,
        sources=sources,
        predicted=tuple(predicted),
    )


def fresh_embedder(embedder: Embedder) -> Embedder:
    """The same model with an empty cache, so each method pays for its own embeddings."""
    return Embedder(embedder._model, embedder.name, precision=embedder.precision)


def compare_stance(
    rows: Sequence[StanceRow],
    fmt: str,
    backend: Any,
    embedder: Embedder,
    train: Sequence[StanceRow] = (),
    on_step: Callable[[str], None] | None = None,
) -> list[StanceScores]:
    """The backend and, when train rows are given, both baselines on the same rows."""
    step = on_step or (lambda _: None)
    step(f"scoring {backend.name}")
    results = [evaluate_backend(backend, rows, fmt)]
    if train:
        baselines: list[Any] = [TfidfStance(), PairFeatureStance(fresh_embedder(embedder))]
        for baseline in baselines:
            step(f"training {baseline.name}")
            started = time.perf_counter()
            baseline.fit(train)
            fit_s = time.perf_counter() - started
            if isinstance(baseline, PairFeatureStance):  # score without train embeddings cached
                baseline.embedder = fresh_embedder(embedder)
            step(f"scoring {baseline.name}")
            results.append(evaluate_backend(baseline, rows, fmt, fit_s))
    return results


def classify_frame(
    frame: pd.DataFrame,
    text_column: str,
    target_column: str,
    backend: Any,
    *,
    source: str = "the table",
    batch_size: int = 64,
    on_batch: Callable[[int], None] | None = None,
    positions: Sequence[Position] = (),
) -> pd.DataFrame:
    """``frame`` with ``stance`` and ``stance_score`` added, rows and columns kept in order.

    A target equal to the id of one of ``positions`` (a pack's) is coded against that
    position, with its codebook; any other target is a free-text proposition. Rows whose
    text or target is empty are not scored: both new cells stay empty.
    """
    _require(frame, [text_column, target_column], source)
    taken = [c for c in ("stance", "stance_score") if c in frame.columns]
    if taken:
        raise InvalidValueError(
            f"{source} already has a column {', '.join(map(repr, taken))}; rename it first"
        )
    texts = ["" if pd.isna(v) else str(v).strip() for v in frame[text_column]]
    targets = ["" if pd.isna(v) else str(v).strip() for v in frame[target_column]]
    by_id = {p.id: p for p in positions}
    todo = [i for i in range(len(frame)) if texts[i] and targets[i]]
    labels: list[str] = [""] * len(frame)
    scores: list[float | None] = [None] * len(frame)
    for start in range(0, len(todo), batch_size):
        batch = todo[start : start + batch_size]
        against = [by_id.get(targets[i]) or target_position(targets[i]) for i in batch]
        probs = backend.score([texts[i] for i in batch], against)
        for i, p in zip(batch, probs, strict=True):
            k = int(np.argmax(p))
            labels[i], scores[i] = STANCE_LABELS[k], round(float(p[k]), 4)
        if on_batch:
            on_batch(len(batch))
    out = frame.copy()
    out["stance"] = labels
    out["stance_score"] = scores
    return out
