"""Training the reporting-cue model (:mod:`stancewatch.attribution.cue_model`) on annotated news.

The training data is a brat folder laid out as PolNeAR is (``text/*.txt`` beside
``attributions/*.ann``; the first annotation file per article). Every verb outside
quotations is a row; it is a cue when it lies inside a gold ``Cue`` span.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from spacy.attrs import IDX

from stancewatch.attribution.cue_model import (
    CueModel,
    candidate,
    child_features,
    content_candidates,
    features,
    fit,
    source_features,
)
from stancewatch.attribution.cues import RELATIVE, cue_of, subject
from stancewatch.attribution.evaluation import Article, load_folder
from stancewatch.attribution.quotes import QuoteLookup, find_quotes

if TYPE_CHECKING:
    from spacy.tokens import Doc


def quoted_tokens(doc: Doc) -> list[int]:
    """For each token, the index of the quotation its first character stands in, or -1 (as
    attribution marks them)."""
    return QuoteLookup(find_quotes(doc.text)).each(doc.to_array(IDX).tolist())


Row = tuple[list[str], bool]


def rows(article: Article, doc: Doc) -> tuple[list[Row], list[Row], list[Row]]:
    """The training rows of one annotated article: (features, is-a-cue) for every candidate
    verb, (features, in-the-content) for every dependent of a verb that is a gold cue, and
    (features, is-the-source) for the subject found for such a verb."""
    quoted = quoted_tokens(doc)
    verbs: list[Row] = []
    dependents: list[Row] = []
    sources: list[Row] = []
    for token in doc:
        if not candidate(token, quoted):
            continue
        start, end = token.idx, token.idx + len(token)
        gold = next(
            (cue for cue in article.cues if any(s <= start and end <= e for s, e in cue.spans)),
            None,
        )
        listed = cue_of(token, quoted) is not None
        verbs.append((features(token, listed), gold is not None))
        if gold is None:
            continue
        subj = subject(token, quoted)
        if subj is not None:
            # "Cruz, who refused to ...": the subject found is the relative clause's
            # antecedent; annotators may mark the relative pronoun itself as the source
            marks = [subj] + [
                c for c in token.children if c.dep_ == "nsubj" and c.lower_ in RELATIVE
            ]
            said = any(s < t.idx + len(t) and t.idx < e for t in marks for s, e in gold.source)
            sources.append((source_features(token, subj), said))
        if not gold.content:
            continue
        for child in content_candidates(token):
            chars = [i for t in child.subtree for i in range(t.idx, t.idx + len(t))]
            inside = sum(1 for i in chars if i in gold.content)
            dependents.append((child_features(token, child), inside * 2 > len(chars)))
    return verbs, dependents, sources


@dataclass
class TrainReport:
    articles: int
    verbs: int
    cues: int


def train(
    folder: str | Path,
    nlp: Any,
    *,
    c: float = 0.3,
    threshold: float = 0.54,
    content_threshold: float = 0.2,
    source_threshold: float = 0.35,
    limit: int | None = None,
    n_process: int = 1,
    progress: Callable[[Iterable[Any], int], Iterable[Any]] | None = None,
) -> tuple[CueModel, TrainReport]:
    """Train a cue model on a brat folder's articles, parsed with ``nlp``."""
    articles = load_folder(Path(folder))[:limit]
    docs: Iterable[Doc] = nlp.pipe((a.text for a in articles), batch_size=16, n_process=n_process)
    if progress is not None:
        docs = progress(docs, len(articles))
    model = fit_articles(
        zip(articles, docs, strict=True),
        c=c,
        threshold=threshold,
        content_threshold=content_threshold,
        source_threshold=source_threshold,
    )
    model.meta.update({"articles": len(articles), "data": Path(folder).name})
    counts = cast(dict[str, int], model.meta)  # fit() counts the rows it was given
    report = TrainReport(len(articles), counts["verbs"], counts["cues"])
    return model, report


def fit_articles(
    parsed: Iterable[tuple[Article, Doc]],
    *,
    c: float,
    threshold: float,
    content_threshold: float,
    source_threshold: float,
) -> CueModel:
    """A cue model fitted on already parsed annotated articles (see :func:`train`)."""
    verbs: list[Row] = []
    dependents: list[Row] = []
    sources: list[Row] = []
    for article, doc in parsed:
        v, d, s = rows(article, doc)
        verbs.extend(v)
        dependents.extend(d)
        sources.extend(s)
    return fit(
        verbs,
        dependents,
        sources,
        c=c,
        threshold=threshold,
        content_threshold=content_threshold,
        source_threshold=source_threshold,
    )


def fit_like(model: CueModel, parsed: Iterable[tuple[Article, Doc]]) -> CueModel:
    """A cue model fitted on ``parsed`` with the regularisation and thresholds of ``model``
    (the packaged one, say): to score articles it was trained on, held out."""
    return fit_articles(
        parsed,
        c=float(model.meta.get("c", 0.3)),  # type: ignore[arg-type]
        threshold=model.threshold,
        content_threshold=model.content_threshold,
        source_threshold=model.source_threshold,
    )
