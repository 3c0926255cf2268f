"""Known narratives and claim banks: which statements repeat catalogued claims.

Matching runs in two steps, both pure (no I/O; the caller passes embeddings):

1. **Retrieval.** Each statement's sentence embedding is compared (cosine) with every example
   claim of the pack's narratives and every claim of the imported banks; the best candidates
   above a threshold are kept. A matrix product over unit vectors: 10,000 bank claims cost
   about a millisecond per statement batch.
2. **Polarity re-ranking.** Embeddings find the topic, not the direction: "Russia is not the
   aggressor" and "it is false that Russia is not the aggressor" are nearly identical vectors.
   :func:`polarity` reads refutation frames ("it is false that", "falsely", "there is no
   evidence that", "the myth that") and negations ("not", "never", "denied") from word lists in
   ``data/rebuttal_cues.yaml``; a statement *repeats* a claim when its polarity equals the
   claim's, and *rebuts* it otherwise. A statement with a refutation frame, or whose polarity
   differs from its closest claim's, rebuts everything it matches. Rebuttals are kept (who debunks what is worth knowing)
   but never counted as repetitions.

Every match records its ``method`` (with version) and scores, so a stored result says what
produced it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Literal

import numpy as np
import yaml

from stancewatch.nlp import cache_key, cached
from stancewatch.records import BankClaim, Narrative

if TYPE_CHECKING:
    from stancewatch.narratives.label_model import LabelModel

METHOD = "narratives.minilm-polarity-gate.v2"
BACKGROUND = "__background__"  # the gate's label for talk that asserts no narrative
MIN_SIMILARITY = 0.55  # cosine (MiniLM) below which a candidate is not a match
TOP_K = 3  # matches kept per statement
LABEL_VOTES = 5  # best bank matches that vote for ``match_label``
MIN_CLAIM_WORDS = 4  # statements shorter than this never match a narrative
POLARITY_WINDOW = 0.05  # example claims this close to the closest one also decide polarity

Relation = Literal["repeats", "rebuts"]
TargetKind = Literal["narrative", "bank"]
Embed = Callable[[list[str]], np.ndarray]


@dataclass(frozen=True)
class Target:
    """A candidate a statement can match: a narrative's example claim or a bank claim."""

    kind: TargetKind
    id: str  # narrative id or bank claim id
    text: str
    label: str | None  # narrative id for narratives; the bank label for bank claims
    url: str | None
    counter: bool = False  # a narrative's counter-claim: what its critics say instead


@dataclass(frozen=True)
class Match:
    """A statement matched to a target, with the relation and the scores."""

    statement_id: str
    kind: TargetKind
    target_id: str
    label: str | None
    text: str  # the matched claim
    url: str | None
    relation: Relation
    score: float  # the similarity, set to 0 for rebuttals so they never rank as repetitions
    similarity: float
    cues: tuple[str, ...] = ()  # refutation and negation cues behind the relation
    method: str = METHOD


@dataclass(frozen=True)
class Polarity:
    """Refutation frames and negations in a text; ``negative`` is their combined polarity.

    ``words`` holds the text's distinct words (lower case) and ``prefixed`` those that carry a
    negative prefix ("*illegitimate*"), so that :func:`relation` can tell that "not
    legitimate" says what "illegitimate" says.
    """

    refutations: tuple[str, ...]
    negations: tuple[str, ...]
    words: tuple[str, ...] = ()
    prefixed: tuple[str, ...] = ()

    @property
    def negative(self) -> bool:
        return bool(self.refutations) != bool(self.negations)


class ClaimIndex:
    """Targets with their unit-vector embeddings, ready for :func:`match_vectors`.

    ``gate`` (optional) is a :class:`~stancewatch.narratives.label_model.LabelModel` that tells a narrative
    from ordinary talk about the same subject (label :data:`BACKGROUND`): see
    :func:`build_index`.
    """

    def __init__(
        self, targets: Sequence[Target], vectors: np.ndarray, gate: LabelModel | None = None
    ) -> None:
        if len(targets) != len(vectors):
            raise ValueError(f"{len(targets)} targets but {len(vectors)} vectors")
        self.targets = tuple(targets)
        vectors = np.asarray(vectors, dtype=np.float32)
        self.vectors = vectors.reshape(len(targets), -1) if len(targets) else vectors
        self.polarities = tuple(polarity(t.text) for t in self.targets)
        self.gate = gate

    def __len__(self) -> int:
        return len(self.targets)


# -- cues -----------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _rebuttal_cues() -> dict[str, list[str]]:
    """``data/rebuttal_cues.yaml``: refutation frames, negations, negative prefixes."""
    text = (resources.files("stancewatch") / "data" / "rebuttal_cues.yaml").read_text("utf-8")
    data: dict[str, list[str]] = yaml.safe_load(text)
    return data


@lru_cache(maxsize=1)
def _cue_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    data = _rebuttal_cues()

    def pattern(words: list[str]) -> re.Pattern[str]:
        ordered = sorted({w.lower() for w in words if w != "n't"}, key=len, reverse=True)
        alternatives = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in ordered)
        return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.I)

    negations = pattern(data["negations"])
    if "n't" in data["negations"]:  # "isn't", "didn't", "don’t": a suffix, not a word
        negations = re.compile(rf"{negations.pattern}|(?<=\w)n['’]t(?!\w)", re.I)
    return pattern(data["refutations"]), negations


@lru_cache(maxsize=1)
def _prefixes() -> tuple[str, ...]:
    return tuple(_rebuttal_cues()["negative_prefixes"])


_WORD = re.compile(r"[A-Za-z][A-Za-z-]*")


def _prefixed_words(words: tuple[str, ...]) -> tuple[str, ...]:
    prefixes = _prefixes()
    return tuple(w for w in words if len(w) > 5 and w.startswith(prefixes))


def polarity(text: str) -> Polarity:
    """The refutation frames and negations in ``text``.

    >>> polarity("It is false that Russia is not the aggressor.").negative
    False
    >>> polarity("Russia is not the aggressor.").negative
    True
    """
    refute, negate = _cue_patterns()
    refutations = tuple(m.group(0).lower() for m in refute.finditer(text))
    rest = refute.sub(" ", text)
    negations = tuple(m.group(0).lower() for m in negate.finditer(rest))
    words = tuple(dict.fromkeys(w.lower() for w in _WORD.findall(rest)))
    return Polarity(refutations, negations, words, _prefixed_words(words))


def _uses_root(words: tuple[str, ...], prefixed: tuple[str, ...]) -> bool:
    """Whether ``words`` hold the root of a prefixed word ("legitimate" for "illegitimate")
    without the prefixed word itself: the two texts then differ in polarity by that prefix."""
    roots = {w[len(p) :].lstrip("-") for w in prefixed for p in _prefixes() if w.startswith(p)}
    return any(word in roots for word in words) and not set(prefixed) & set(words)


def relation(statement: Polarity, claim: Polarity) -> Relation:
    """``repeats`` when the statement asserts what the claim asserts, else ``rebuts``.

    A negative prefix in one text whose root the other text uses counts as a negation:
    "Zelensky is not a legitimate president" repeats "Zelensky is illegitimate", and
    "Zelensky is a legitimate president" rebuts it.
    """
    said, claimed = statement.negative, claim.negative
    if _uses_root(statement.words, claim.prefixed):
        claimed = not claimed
    elif _uses_root(claim.words, statement.prefixed):
        said = not said
    return "repeats" if said == claimed else "rebuts"


# -- index ----------------------------------------------------------------------------------
def narrative_targets(narratives: Sequence[Narrative]) -> list[Target]:
    """One target per example claim and counter-claim; the label is the narrative id."""
    targets: list[Target] = []
    for n in narratives:
        url = n.debunks[0].url if n.debunks else None
        targets += [Target("narrative", n.id, claim, n.id, url) for claim in n.claims]
        targets += [Target("narrative", n.id, c, n.id, url, True) for c in n.counter_claims]
    return targets


def bank_targets(claims: Sequence[BankClaim]) -> list[Target]:
    return [Target("bank", c.id, c.text, c.label, c.url) for c in claims]


def build_index(
    targets: Sequence[Target], embed: Embed, background: Sequence[str] = ()
) -> ClaimIndex:
    """Embed the targets' texts (``embed`` returns unit vectors, one row per text).

    ``background`` holds texts on the same subject that assert no narrative (a pack's
    position phrasings: "Ukraine must keep its army", "sanctions must stay"). When given, a
    gate is trained on the narratives' example claims against them, and a statement matches
    a narrative only when the gate, too, reads it as one. Similarity alone matches far too
    much: in a debate about Ukraine, almost every statement is close to some narrative.
    """
    texts = [t.text for t in targets]
    vectors = embed(texts) if texts else np.zeros((0, 1), dtype=np.float32)
    return ClaimIndex(targets, vectors, _gate(targets, vectors, background, embed))


def _gate(
    targets: Sequence[Target], vectors: np.ndarray, background: Sequence[str], embed: Embed
) -> LabelModel | None:
    from stancewatch.narratives.label_model import LabelModel, examples, fit_settings

    chosen = [
        i for i, t in enumerate(targets) if t.kind == "narrative" and t.label and not t.counter
    ]
    counters = [t.text for t in targets if t.kind == "narrative" and t.counter]
    background = [t for t in dict.fromkeys([*background, *counters]) if t.strip()]
    if not chosen or not background:
        return None
    rows = examples(
        [targets[i].text for i in chosen] + background,
        [targets[i].label for i in chosen] + [BACKGROUND] * len(background),
        label_texts=False,
    )
    stacked = np.vstack([np.asarray(vectors)[chosen], embed(background)])
    # fitted once per pack and encoder, then read back from the on-disk cache
    key = cache_key(repr(fit_settings()), *rows.texts, *rows.labels, stacked.tobytes())
    gate: LabelModel = cached("narrative-gates", key, lambda: LabelModel().fit(rows, stacked))
    return gate


# -- matching -------------------------------------------------------------------------------
def match_vectors(
    statement_ids: Sequence[str],
    texts: Sequence[str],
    vectors: np.ndarray,
    index: ClaimIndex,
    *,
    min_similarity: float = MIN_SIMILARITY,
    top_k: int = TOP_K,
    include_rebuttals: bool = True,
) -> list[Match]:
    """Matches for each statement, best first: retrieval by cosine, then polarity.

    For narrative targets only the best example claim per narrative is kept. A statement
    that matches nothing yields nothing.
    """
    if len(index) == 0 or len(texts) == 0:
        return []
    # float64: a statement's scores do not depend on the other statements matched with it
    sims = np.asarray(vectors, dtype=np.float64) @ index.vectors.T.astype(np.float64)
    allowed = _gate_allows(index, texts, vectors)
    width = min(len(index), max(top_k * 8, 16))
    matches: list[Match] = []
    for row, (statement_id, text) in enumerate(zip(statement_ids, texts, strict=True)):
        scores = sims[row]
        if width < len(index):
            candidates = np.argpartition(-scores, width - 1)[:width]
        else:
            candidates = np.arange(len(index))
        candidates = candidates[np.argsort(-scores[candidates], kind="stable")]
        stance = polarity(text)
        candidates = np.array(
            [
                i
                for i in candidates
                if index.targets[i].kind != "narrative"
                or (index.targets[i].label in allowed[row] and _is_claim(text))
            ],
            dtype=int,
        )
        # A refutation frame makes the whole statement a rebuttal; so does a polarity that
        # differs from its closest claim's (a negated claim matches other claims' wording).
        claims = [i for i in candidates if not index.targets[i].counter]
        rebuttal = bool(stance.refutations) or (
            len(claims) > 0
            and scores[claims[0]] >= min_similarity
            and _relation(stance, claims[0], candidates, scores, index) == "rebuts"
        )
        seen: set[tuple[str, str]] = set()
        kept: list[Match] = []
        for i in candidates:
            similarity = float(scores[i])
            if similarity < min_similarity or len(kept) >= top_k:
                break
            target = index.targets[i]
            key = (target.kind, target.id)
            if key in seen or target.counter:
                continue
            seen.add(key)
            claim = index.polarities[i]
            rel: Relation = (
                "rebuts" if rebuttal else _relation(stance, i, candidates, scores, index)
            )
            if rel == "rebuts" and not include_rebuttals:
                continue
            cues = stance.refutations + stance.negations + claim.negations
            kept.append(
                Match(
                    statement_id=statement_id,
                    kind=target.kind,
                    target_id=target.id,
                    label=target.label,
                    text=target.text,
                    url=target.url,
                    relation=rel,
                    score=round(similarity if rel == "repeats" else 0.0, 4),
                    similarity=round(similarity, 4),
                    cues=tuple(dict.fromkeys(cues)),
                )
            )
        matches.extend(kept)
    return matches


def _gate_allows(index: ClaimIndex, texts: Sequence[str], vectors: np.ndarray) -> list[set[str]]:
    """For each text, the narratives the gate finds likelier than ordinary talk (every
    narrative when the index has no gate)."""
    everything = {t.label for t in index.targets if t.kind == "narrative" and t.label}
    if index.gate is None:
        return [everything for _ in texts]
    proba = index.gate.predict_proba(list(texts), np.asarray(vectors, dtype=np.float32))
    classes = list(index.gate.classes)
    background = proba[:, classes.index(BACKGROUND)]
    return [
        {label for j, label in enumerate(classes) if label != BACKGROUND and row[j] > background[n]}
        for n, row in enumerate(proba)
    ]


def _is_claim(text: str) -> bool:
    """A narrative is a proposition: a phrase of a few words ("Zelensky's legitimacy")
    names a subject and asserts nothing."""
    return len(text.split()) >= MIN_CLAIM_WORDS


def _relation(
    stance: Polarity, i: int, candidates: np.ndarray, scores: np.ndarray, index: ClaimIndex
) -> Relation:
    """The statement's relation to target ``i``. A narrative has several example claims, some
    phrased with a negation and some without; the statement repeats the narrative when its
    polarity agrees with any example nearly as close as the closest one."""
    target = index.targets[i]
    if target.kind != "narrative":
        return relation(stance, index.polarities[i])
    same = [
        j
        for j in candidates
        if index.targets[j].kind == "narrative" and index.targets[j].id == target.id
    ]
    if any(index.targets[j].counter and scores[j] > scores[i] for j in same):
        return "rebuts"  # closer to what the narrative's critics say than to the narrative
    close = [
        j for j in same if not index.targets[j].counter and scores[j] >= scores[i] - POLARITY_WINDOW
    ]
    agree = any(relation(stance, index.polarities[j]) == "repeats" for j in [i, *close])
    return "repeats" if agree else "rebuts"


def match_texts(
    statement_ids: Sequence[str],
    texts: Sequence[str],
    index: ClaimIndex,
    embed: Embed,
    **options: float | int | bool,
) -> list[Match]:
    """:func:`match_vectors` after embedding ``texts`` with ``embed``."""
    vectors = embed(list(texts)) if texts else np.zeros((0, index.vectors.shape[1]))
    return match_vectors(statement_ids, texts, vectors, index, **options)  # type: ignore[arg-type]


def best_label(matches: Sequence[Match], votes: int = LABEL_VOTES) -> str | None:
    """The label decided from the best repetitions: similarity-weighted vote of the top
    ``votes``; None when no repeating match has a label."""
    tally: dict[str, float] = {}
    for match in [m for m in matches if m.relation == "repeats"][:votes]:
        if match.label:
            tally[match.label] = tally.get(match.label, 0.0) + match.similarity
    if not tally:
        return None
    return max(sorted(tally), key=lambda label: tally[label])


def repetitions(matches: Sequence[Match]) -> list[Match]:
    """Only the matches that repeat their claim."""
    return [m for m in matches if m.relation == "repeats"]
