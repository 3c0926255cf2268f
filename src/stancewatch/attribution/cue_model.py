"""A learned reporting-cue model: which verbs introduce an attribution, what they report,
and whether their subject said it.

The word lists in ``data/reporting_verbs.txt`` name the common reporting verbs, but news
attributes speech, beliefs and intentions through a long tail of verbs ("urged", "cited",
"refuses", "pledged", "blasted") and through verbs that report only in some frames ("shows
that ...", "called X a disgrace"). :class:`CueModel` holds three logistic regressions over
sparse features of the parse, trained on annotated news (``stancewatch train-cues``; the
packaged model's card is ``models/cues-v1/MODEL_CARD.md``):

- :meth:`CueModel.probability`: how likely a verb is to be a cue;
- :meth:`CueModel.content`: which of a cue's dependents its content is made of;
- :meth:`CueModel.is_source`: whether the subject found for a cue is who said it.

The model is stored as its non-zero weights in JSON, and scoring is a sum of weights, so it
adds no dependency and little time to attribution.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from stancewatch.errors import ModelError

if TYPE_CHECKING:
    from spacy.tokens import Token

FORMAT = "stancewatch.cue-model.v1"
MODEL_FILE = "models/cues-v1/model.json"

_SUBJECTS = frozenset({"nsubj", "nsubjpass", "csubj"})
_ARGUMENT_DEPS = frozenset(
    {"ccomp", "xcomp", "dobj", "dative", "prep", "prt", "agent", "advcl", "oprd", "attr", "acomp"}
)


def _logit(probability: float) -> float:
    return math.log(probability / (1.0 - probability))


def _score(weights: dict[str, float], feats: Iterable[str]) -> float:
    """A logistic regression's logit: the sum of the weights of the features present."""
    return sum(weights.get(f, 0.0) for f in feats)


class CueModelError(ModelError):
    """A cue model file that cannot be read."""


def candidate(token: Token, quoted: Sequence[int] = ()) -> bool:
    """Whether a token can be a verb cue: a verb outside quotations ("according to X" has a
    rule of its own)."""
    return (
        token.pos_ == "VERB"
        and token.lower_ != "according"
        and not (quoted and quoted[token.i] >= 0)
    )


def features(token: Token, in_lexicon: bool) -> list[str]:
    """The sparse features of a candidate verb (see :func:`candidate`)."""
    lemma = token.lemma_.lower()
    deps = sorted({c.dep_ for c in token.children if c.dep_ in _ARGUMENT_DEPS})
    preps = sorted({c.lower_ for c in token.children if c.dep_ in ("prep", "prt")})
    subj = next((c for c in token.children if c.dep_ in _SUBJECTS), None)
    subject = "none" if subj is None else f"{subj.dep_}:{subj.pos_}:{subj.ent_type_ or '-'}"
    negated = any(c.dep_ == "neg" for c in token.children)
    passive = any(c.dep_ == "auxpass" for c in token.children)
    marks = sorted(
        {
            g.lower_
            for c in token.children
            if c.dep_ == "ccomp"
            for g in c.children
            if g.dep_ == "mark"
        }
    )
    out = [
        "bias",
        f"lemma={lemma}",
        f"tag={token.tag_}",
        f"dep={token.dep_}",
        f"subj={subject}",
        f"head={token.head.pos_}:{token.dep_}",
        f"lemma={lemma}|dep={token.dep_}",
        f"lemma={lemma}|tag={token.tag_}",
        f"lemma={lemma}|subj={'none' if subj is None else subj.pos_}",
        f"lexicon={in_lexicon}",
        f"lexicon={in_lexicon}|dep={token.dep_}",
    ]
    if negated:
        out += ["neg", f"lemma={lemma}|neg"]
    if passive:
        out += ["passive", f"lemma={lemma}|passive"]
    for dep in deps:
        out += [f"child={dep}", f"lemma={lemma}|child={dep}", f"lexicon={in_lexicon}|child={dep}"]
    for prep in preps:
        out += [f"prep={prep}", f"lemma={lemma}|prep={prep}"]
    for mark in marks:
        out.append(f"mark={mark}")
    if not deps:
        out.append("child=none")
    if subj is not None:
        out.append(f"subj_word={subj.lemma_.lower() if subj.pos_ != 'PROPN' else 'PROPN'}")
    objects = [c for c in token.children if c.dep_ in ("dobj", "xcomp", "ccomp")]
    for obj in objects[:2]:
        out.append(f"{obj.dep_}_word={obj.lemma_.lower() if obj.pos_ != 'PROPN' else 'PROPN'}")
    out.append(f"head_lemma={token.head.lemma_.lower()}|dep={token.dep_}")
    for aux in (c for c in token.children if c.dep_ == "aux"):
        out.append(f"aux={aux.lower_}")
    return out


_NOT_CONTENT = frozenset({"nsubj", "nsubjpass", "csubj", "aux", "auxpass", "neg", "punct", "cc"})


def content_candidates(verb: Token) -> list[Token]:
    """The dependents of a cue verb that may hold (part of) its content."""
    return [c for c in verb.children if c.dep_ not in _NOT_CONTENT and not c.is_space]


def child_features(verb: Token, child: Token) -> list[str]:
    """The sparse features of one dependent of a cue verb, for the content choice."""
    lemma = verb.lemma_.lower()
    side = "right" if child.i > verb.i else "left"
    word = (
        child.lower_ if child.dep_ in ("prep", "prt", "mark", "advmod", "dative", "agent") else ""
    )
    size = len(list(child.subtree))
    out = [
        "bias",
        f"dep={child.dep_}",
        f"dep={child.dep_}|{side}",
        f"dep={child.dep_}|pos={child.pos_}",
        f"dep={child.dep_}|tag={child.tag_}",
        f"lemma={lemma}|dep={child.dep_}",
        f"lemma={lemma}|dep={child.dep_}|{side}",
        f"size={min(size, 8)}",
        f"dep={child.dep_}|size={min(size, 8)}",
    ]
    if word:
        out += [f"word={word}", f"dep={child.dep_}|word={word}", f"lemma={lemma}|word={word}"]
    if child.ent_type_:
        out.append(f"dep={child.dep_}|ent={child.ent_type_}")
    marks = sorted({g.lower_ for g in child.children if g.dep_ in ("mark", "aux")})
    for mark in marks:
        out.append(f"dep={child.dep_}|mark={mark}")
    return out


def source_features(verb: Token, subject: Token) -> list[str]:
    """The sparse features of a cue verb and the subject found for it, for deciding whether
    that subject is who said it (it is not in "Republicans seem confident", "Asked about X,
    Clinton said" for "asked", or "the plan was said to ...")."""
    lemma = verb.lemma_.lower()
    climbed = subject.head.i != verb.i
    word = subject.lower_ if subject.pos_ in ("PRON", "DET") else subject.pos_
    out = [
        "bias",
        f"lemma={lemma}",
        f"tag={verb.tag_}",
        f"dep={verb.dep_}",
        f"subj={subject.dep_}:{subject.pos_}:{subject.ent_type_ or '-'}",
        f"subj_word={word}",
        f"climbed={climbed}",
        f"climbed={climbed}|dep={verb.dep_}|tag={verb.tag_}",
        f"lemma={lemma}|climbed={climbed}",
        f"lemma={lemma}|subj={subject.pos_}",
    ]
    if any(c.dep_ == "auxpass" for c in verb.children):
        out.append("passive")
    if not any(c.dep_ in ("aux", "auxpass") for c in verb.children) and verb.tag_ == "VBN":
        out.append("bare_participle")
    return out


@dataclass(frozen=True)
class CueModel:
    """The weights of the three regressions (cue, content, source) and the probability
    each one's decision turns on."""

    weights: dict[str, float]
    threshold: float
    meta: dict[str, object]
    content_weights: dict[str, float] = field(default_factory=dict)
    content_threshold: float = 0.5
    source_weights: dict[str, float] = field(default_factory=dict)
    source_threshold: float = 0.5

    def is_source(self, verb: Token, subject: Token) -> bool:
        """Whether ``subject`` is who said what ``verb`` reports: its probability reaches
        ``source_threshold`` (always True without source weights)."""
        if not self.source_weights:
            return True
        return _score(self.source_weights, source_features(verb, subject)) >= _logit(
            self.source_threshold
        )

    def content(self, verb: Token) -> list[Token]:
        """The dependents of a cue verb that its content is made of: those whose probability
        of lying in the content reaches ``content_threshold``."""
        least = _logit(self.content_threshold)
        return [
            child
            for child in content_candidates(verb)
            if _score(self.content_weights, child_features(verb, child)) > least
        ]

    def probability(self, token: Token, in_lexicon: bool) -> float:
        """The probability that ``token`` introduces an attribution."""
        score = _score(self.weights, features(token, in_lexicon))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, score))))

    @property
    def version(self) -> str:
        """The model's name for stored settings: its file's hash when it was loaded."""
        return f"cue-model@{self.meta.get('sha256', 'unsaved')}"

    def to_json(self) -> str:
        data = {
            "format": FORMAT,
            "threshold": self.threshold,
            "content_threshold": self.content_threshold,
            "source_threshold": self.source_threshold,
            "meta": {k: v for k, v in self.meta.items() if k != "sha256"},
            "weights": dict(sorted(self.weights.items())),
            "content_weights": dict(sorted(self.content_weights.items())),
            "source_weights": dict(sorted(self.source_weights.items())),
        }
        return json.dumps(data, indent=0, sort_keys=False)

    def save(self, path: str | Path) -> None:
        Path(path).write_text(self.to_json(), "utf-8")

    @classmethod
    def from_json(cls, text: str, *, name: str = "<cue model>") -> CueModel:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CueModelError(f"{name}: not JSON ({exc})") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise CueModelError(f"{name}: not a stancewatch cue model (format {FORMAT})")
        if "weights" not in data or "threshold" not in data:
            raise CueModelError(f"{name}: 'weights' and 'threshold' are required")
        tables = {k: data.get(k, {}) for k in ("weights", "content_weights", "source_weights")}
        for key, table in tables.items():
            if not isinstance(table, dict) or not all(
                isinstance(k, str) and isinstance(v, int | float) for k, v in table.items()
            ):
                raise CueModelError(f"{name}: '{key}' must map feature names to numbers")
        thresholds = {
            k: data.get(k, 0.5) for k in ("threshold", "content_threshold", "source_threshold")
        }
        for key, value in thresholds.items():
            if not isinstance(value, int | float) or not 0.0 < value < 1.0:
                raise CueModelError(f"{name}: '{key}' must be a probability between 0 and 1")
        weights, content, source = ({k: float(v) for k, v in t.items()} for t in tables.values())
        meta = dict(data.get("meta", {}))
        meta["sha256"] = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
        return cls(
            weights,
            float(thresholds["threshold"]),
            meta,
            content,
            float(thresholds["content_threshold"]),
            source,
            float(thresholds["source_threshold"]),
        )

    @classmethod
    def load(cls, path: str | Path) -> CueModel:
        path = Path(path)
        try:
            text = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CueModelError(f"{path}: cannot read the cue model ({exc})") from None
        return cls.from_json(text, name=str(path))


@lru_cache(maxsize=1)
def default_model() -> CueModel:
    """The packaged cue model (``models/cues-v1/model.json``)."""
    path = resources.files("stancewatch").joinpath(MODEL_FILE)
    return CueModel.from_json(path.read_text("utf-8"), name=MODEL_FILE)


def load_cue_model(argument: str | None = None) -> CueModel:
    """The cue model a :data:`stancewatch.registry.CUE_MODELS` spec names: the packaged one,
    or (``file:PATH``) one trained by ``stancewatch train-cues``."""
    return default_model() if argument is None else CueModel.load(argument)


def _logistic(rows: Iterable[tuple[list[str], bool]], c: float, what: str) -> dict[str, float]:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    xs, ys = [], []
    for feats, label in rows:
        xs.append(dict.fromkeys(feats, 1.0))
        ys.append(int(label))
    if len(set(ys)) < 2:
        raise CueModelError(f"training needs both kinds of {what}")
    vectorizer = DictVectorizer()
    matrix = vectorizer.fit_transform(xs)
    model = LogisticRegression(C=c, max_iter=2000, fit_intercept=False)
    model.fit(matrix, ys)
    names = vectorizer.get_feature_names_out()
    return {
        str(name): round(float(w), 3)
        for name, w in zip(names, model.coef_[0], strict=True)
        if abs(w) >= 5e-3
    }


def _both(rows: Sequence[tuple[list[str], bool]]) -> bool:
    return len({label for _, label in rows}) == 2


def fit(
    rows: Sequence[tuple[list[str], bool]],
    content_rows: Sequence[tuple[list[str], bool]] = (),
    source_rows: Sequence[tuple[list[str], bool]] = (),
    *,
    c: float = 0.3,
    threshold: float = 0.5,
    content_threshold: float = 0.5,
    source_threshold: float = 0.5,
) -> CueModel:
    """Train a cue model on (features, is-a-cue) rows of verbs, (features, in-content) rows
    of cue verbs' dependents and (features, is-the-source) rows of cue verbs' subjects
    (scikit-learn's logistic regression)."""
    weights = _logistic(rows, c, "verbs (cues and others)")
    # The content and source parts need examples of both kinds; without them they stay
    # empty and attribution falls back to the word lists' content and the subject as speaker.
    content = _logistic(content_rows, c, "dependents") if _both(content_rows) else {}
    source = _logistic(source_rows, c, "subjects") if _both(source_rows) else {}
    meta: dict[str, object] = {
        "verbs": len(rows),
        "cues": sum(1 for _, y in rows if y),
        "dependents": len(content_rows),
        "subjects": len(source_rows),
        "c": c,
    }
    return CueModel(weights, threshold, meta, content, content_threshold, source, source_threshold)
