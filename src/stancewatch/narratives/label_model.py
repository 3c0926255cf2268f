"""Which label a statement belongs to, learned from a labelled claim bank.

A fact-checker's archive often says more than "this claim is false": each row carries a
label, such as the narrative it serves ("the West controls Ukraine") or the specific false
claim it repeats. Retrieval finds the closest archived claims; the label of a new statement
is better decided by a classifier that has seen every labelled row at once.

:class:`LabelModel` (``labels.minilm-tfidf-logreg.v1``) averages the probabilities of two
logistic regressions: one over the statement's sentence embedding (the meaning), one over
word and character n-grams (names, places and spellings that embeddings blur). Its training
rows are the bank's labelled claims plus each label's own text, so a label with a descriptive
name ("Russia is not the aggressor") is learned even when few rows carry it.

The module is pure: callers pass texts and their unit-normalised embeddings.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from stancewatch.errors import ModelError

METHOD = "labels.minilm-tfidf-logreg.v1"
# Regularisation of the two regressions (inverse strength), chosen by 5-fold cross-validation
# on the training file of VoxCheck's narrative cases; values from 4 to 16 scored within 0.01.
EMBEDDING_C = 8.0
NGRAM_C = 10.0
MAX_LABELS = 1_000  # beyond this a bank's "labels" are identifiers, not classes
# BLAS threads while fitting. The regressions multiply matrices of a few hundred rows, where
# a second OpenBLAS thread costs more than it gives; the pack's narrative gate is fitted in a
# user's first command (`bench/pipeline_speed.py`'s first-command loading time). The
# coefficients differ from a two-thread fit only in the last bits (summation order), and
# every fit uses the same count.
FIT_BLAS_THREADS = 1


class LabelModelError(ModelError):
    """The rows cannot train a label model; the message says why."""


@dataclass(frozen=True)
class LabelExamples:
    """Training rows: texts with their labels."""

    texts: tuple[str, ...]
    labels: tuple[str, ...]


def fit_settings() -> tuple[str, ...]:
    """What decides a fitted :class:`LabelModel` besides its rows and vectors: the method,
    the regularisation and the scikit-learn release (a cached fit is reused only under the
    same)."""
    import sklearn

    return (
        METHOD,
        repr(EMBEDDING_C),
        repr(NGRAM_C),
        sklearn.__version__,
        f"blas-threads={FIT_BLAS_THREADS}",
    )


def examples(
    texts: Sequence[str], labels: Sequence[str | None], *, label_texts: bool = True
) -> LabelExamples:
    """Rows with a label, plus (``label_texts``) one row per label holding the label itself."""
    pairs = [(t, lab) for t, lab in zip(texts, labels, strict=True) if lab and t.strip()]
    if label_texts:
        pairs += [(lab, lab) for lab in dict.fromkeys(lab for _, lab in pairs)]
    return LabelExamples(tuple(t for t, _ in pairs), tuple(lab for _, lab in pairs))


def trainable(labels: Sequence[str | None]) -> bool:
    """Whether the labels make a classification: two classes or more, and not one per row."""
    distinct = {lab for lab in labels if lab}
    return 2 <= len(distinct) <= MAX_LABELS


class LabelModel:
    """Logistic regressions over embeddings and over word and character n-grams."""

    method = METHOD

    def __init__(
        self,
        *,
        embedding_c: float = EMBEDDING_C,
        ngram_c: float = NGRAM_C,
        balanced: bool = True,
    ) -> None:
        self.embedding_c = embedding_c
        self.ngram_c = ngram_c
        self.balanced = balanced
        self.classes: tuple[str, ...] = ()
        self._embedding_model: object | None = None
        self._ngram_model: object | None = None
        self._vectorizers: tuple[object, object] | None = None

    def fit(self, rows: LabelExamples, vectors: np.ndarray) -> LabelModel:
        """Learn from ``rows``; ``vectors`` holds the rows' embeddings, one per text."""
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=FIT_BLAS_THREADS, user_api="blas"):
            return self._fit(rows, vectors)

    def _fit(self, rows: LabelExamples, vectors: np.ndarray) -> LabelModel:
        from scipy.sparse import hstack
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        if len(rows.texts) != len(vectors):
            raise LabelModelError(f"{len(rows.texts)} texts but {len(vectors)} embeddings")
        if not trainable(rows.labels):
            distinct = len(set(rows.labels))
            raise LabelModelError(
                f"a label model needs between 2 and {MAX_LABELS} distinct labels; "
                f"the rows have {distinct}"
            )
        y = np.asarray(rows.labels)
        self.classes = tuple(sorted(set(rows.labels)))
        weight = "balanced" if self.balanced else None
        self._embedding_model = LogisticRegression(
            C=self.embedding_c, max_iter=5000, class_weight=weight
        ).fit(np.asarray(vectors, dtype=np.float32), y)
        words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
        chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)
        texts = list(rows.texts)
        try:
            grams = hstack([words.fit_transform(texts), chars.fit_transform(texts)]).tocsr()
        except ValueError:  # too few rows for min_df: characters seen once are kept
            chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
            grams = hstack([words.fit_transform(texts), chars.fit_transform(texts)]).tocsr()
        self._vectorizers = (words, chars)
        self._ngram_model = LogisticRegression(
            C=self.ngram_c, max_iter=5000, class_weight=weight
        ).fit(grams, y)
        return self

    def predict_proba(self, texts: Sequence[str], vectors: np.ndarray) -> np.ndarray:
        """``(n, len(classes))`` probabilities, columns in the order of :attr:`classes`."""
        from scipy.sparse import hstack

        if self._vectorizers is None:
            raise LabelModelError("the label model is not trained; call fit() first")
        if len(texts) == 0:
            return np.zeros((0, len(self.classes)))
        words, chars = self._vectorizers
        grams = hstack([words.transform(list(texts)), chars.transform(list(texts))]).tocsr()  # type: ignore[attr-defined]
        both = self._columns(self._embedding_model, np.asarray(vectors, dtype=np.float32))
        both += self._columns(self._ngram_model, grams)
        return both / 2.0

    def _columns(self, model: object, features: object) -> np.ndarray:
        proba = model.predict_proba(features)  # type: ignore[attr-defined]
        out = np.zeros((proba.shape[0], len(self.classes)))
        out[:, np.searchsorted(np.asarray(self.classes), model.classes_)] = proba  # type: ignore[attr-defined]
        return out

    def predict(self, texts: Sequence[str], vectors: np.ndarray) -> list[tuple[str, float]]:
        """The most probable label of each text, with its probability."""
        proba = self.predict_proba(texts, vectors)
        best = proba.argmax(axis=1) if len(proba) else np.zeros(0, dtype=int)
        return [(self.classes[j], float(proba[i, j])) for i, j in enumerate(best)]


def fit_bank_model(
    texts: Sequence[str],
    labels: Sequence[str | None],
    vectors: np.ndarray,
    embed: Callable[[list[str]], np.ndarray],
) -> LabelModel | None:
    """A label model trained on a bank's labelled claims, or None when the labels do not
    make a classification (fewer than two, or about one per claim).

    ``vectors`` are the claims' embeddings (already computed for retrieval); ``embed`` embeds
    the label texts added as rows of their own.
    """
    if not trainable(labels) or len({lab for lab in labels if lab}) * 2 > len(texts):
        return None
    keep = [i for i, lab in enumerate(labels) if lab and texts[i].strip()]
    rows = examples([texts[i] for i in keep], [labels[i] for i in keep])
    extra = rows.texts[len(keep) :]
    label_vectors = embed(list(extra))
    stacked = np.vstack([np.asarray(vectors)[keep], label_vectors])
    return LabelModel().fit(rows, stacked)
