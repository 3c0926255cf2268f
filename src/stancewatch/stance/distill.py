"""Teacher and student: a stronger model codes a sample of the corpus, the offline model learns
the pack from those codings and the reviewers' (``stancewatch label``, ``train-stance
--from-db``).

A *teacher* is any stance backend (an OpenAI-compatible chat endpoint, a hub NLI model): it
codes a stratified sample of a corpus's (statement, position) pairs, reading each statement as
the stance model reads it (:func:`stancewatch.stance.reading.reading`). The *student* is the
trained offline model (:mod:`stancewatch.stance.model`), trained from the shipped one on those
codings and on the reviewers', a reviewer's label winning where both exist, with a stratified
part held back to choose the epoch and to measure agreement before and after.

Pure functions over plain values: the store and the command line read and write the codings
(``stancewatch.store.teacher``, ``stancewatch.cli.teacher``). Nothing here imports torch until
a model is trained or scored.
"""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from stancewatch.errors import InvalidValueError
from stancewatch.records import STANCE_LABELS, Position

# The share of a sample drawn from pairs off the machine's shortlist (a statement with a
# position it was not coded against), so that the teacher also codes plain neutral pairs.
OFF_SHORTLIST_SHARE = 0.2
OFF_SHORTLIST = "off-shortlist"  # the stratum of those pairs
HUMAN, TEACHER = "human", "teacher"  # where a training pair's label comes from
HOLDOUT_SHARE = 0.2


@dataclass(frozen=True)
class SampledPair:
    """A (statement, position) pair chosen for the teacher, with the stratum it came from:
    ``"<position id>/<machine label>"`` for a pair on the shortlist, else ``off-shortlist``."""

    statement_id: str
    position_id: str
    stratum: str
    machine_label: str | None = None


@dataclass(frozen=True)
class CodedPair:
    """A training pair: what the model reads, the position, and its label (a reviewer's where
    there is one, else the teacher's), with both kept for measuring agreement."""

    statement_id: str
    position_id: str
    text: str
    label: str
    teacher_label: str | None = None
    human_label: str | None = None

    @property
    def source(self) -> str:
        return HUMAN if self.human_label is not None else TEACHER

    @property
    def item_id(self) -> str:
        """The review app's item id of the pair (``"<statement id>:<position id>"``)."""
        return f"{self.statement_id}:{self.position_id}"


def sample_pairs(
    shortlisted: Iterable[tuple[str, str, str]],
    statement_ids: Sequence[str],
    position_ids: Sequence[str],
    n: int,
    *,
    seed: int = 13,
    off_share: float = OFF_SHORTLIST_SHARE,
) -> list[SampledPair]:
    """``n`` pairs for the teacher, stratified by position and by the machine's label.

    ``shortlisted`` holds the machine's codings as ``(statement id, position id, label)``.
    Strata (one per position and label) are drawn from in turn, one pair each, so support and
    oppose are not drowned by neutral; about ``off_share`` of the sample pairs statements with
    random positions they were not coded against. The draw is seeded and its order fixed, so
    the same seed gives the same pairs, and a larger ``n`` the same pairs and more.
    """
    if n < 1:
        raise InvalidValueError(f"the sample size must be at least 1, not {n}")
    rng = random.Random(seed)
    strata: dict[str, list[SampledPair]] = defaultdict(list)
    coded: set[tuple[str, str]] = set()
    for statement_id, position_id, label in sorted(set(shortlisted)):
        coded.add((statement_id, position_id))
        stratum = f"{position_id}/{label}"
        strata[stratum].append(SampledPair(statement_id, position_id, stratum, label))
    order = sorted(strata)
    rng.shuffle(order)
    for name in order:
        rng.shuffle(strata[name])
    on: list[SampledPair] = []
    while any(strata[name] for name in order):
        on.extend(strata[name].pop() for name in order if strata[name])
    off = _off_shortlist(sorted(set(statement_ids)), list(position_ids), coded, rng)
    n_off = min(len(off), max(round(n * off_share), 1 if off_share > 0 else 0))
    n_on = min(len(on), n - n_off)
    n_off = min(len(off), n - n_on)  # fill from the other side when one runs short
    return on[:n_on] + off[:n_off]


def _off_shortlist(
    statements: list[str], positions: list[str], coded: set[tuple[str, str]], rng: random.Random
) -> list[SampledPair]:
    """Statement × position pairs the machine did not code, in a seeded order: each statement
    once with a random other position, then again, and so on."""
    out: list[SampledPair] = []
    left = {s: [p for p in positions if (s, p) not in coded] for s in statements}
    for options in left.values():
        rng.shuffle(options)
    while any(left.values()):
        round_ = [s for s in statements if left[s]]
        rng.shuffle(round_)
        out.extend(SampledPair(s, left[s].pop(), OFF_SHORTLIST) for s in round_)
    return out


def label_of(probs: Sequence[float]) -> str:
    """The label with the highest probability (support, oppose, neutral)."""
    return STANCE_LABELS[int(np.argmax(np.asarray(probs)))]


def merge_codings(
    teacher: dict[tuple[str, str], tuple[str, str]],
    human: dict[tuple[str, str], tuple[str, str]],
) -> list[CodedPair]:
    """Training pairs from the teacher's and the reviewers' codings, each given as
    ``{(statement id, position id): (label, text)}``; a reviewer's label wins."""
    pairs = []
    for key in sorted(set(teacher) | set(human)):
        taught, reviewed = teacher.get(key), human.get(key)
        chosen = reviewed or taught
        assert chosen is not None
        pairs.append(
            CodedPair(
                key[0],
                key[1],
                chosen[1],
                chosen[0],
                teacher_label=taught[0] if taught else None,
                human_label=reviewed[0] if reviewed else None,
            )
        )
    return pairs


def split_holdout(
    pairs: Sequence[CodedPair], share: float = HOLDOUT_SHARE, *, seed: int = 13
) -> tuple[list[CodedPair], list[CodedPair]]:
    """``(train, held out)``: about ``share`` of each stratum (source × label) held out, at
    least one pair of every stratum with two or more, never a whole stratum."""
    if not 0 <= share < 1:
        raise InvalidValueError(f"the held-out share must be in [0, 1), not {share}")
    rng = random.Random(seed)
    strata: dict[tuple[str, str], list[CodedPair]] = defaultdict(list)
    for pair in pairs:
        strata[(pair.source, pair.label)].append(pair)
    train: list[CodedPair] = []
    held: list[CodedPair] = []
    for key in sorted(strata):
        members = strata[key][:]
        rng.shuffle(members)
        k = round(share * len(members))
        if share > 0 and len(members) >= 2:
            k = min(max(k, 1), len(members) - 1)
        held.extend(members[:k])
        train.extend(members[k:])
    return train, held


def cohen_kappa(gold: Sequence[Hashable], predicted: Sequence[Hashable]) -> float | None:
    """Cohen's kappa of two codings of the same items (None when undefined: no items, or both
    gave one and the same label throughout)."""
    n = len(gold)
    if n == 0:
        return None
    observed = sum(a == b for a, b in zip(gold, predicted, strict=True)) / n
    left, right = Counter(gold), Counter(predicted)
    expected = sum(left[k] * right[k] for k in left) / (n * n)
    if expected >= 1:
        return None
    return (observed - expected) / (1 - expected)


def agreement_scores(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    """Items, accuracy, Cohen's kappa and macro-F1 (over support, oppose, neutral) of the
    ``predicted`` labels against ``gold``; None for a figure that is undefined."""
    from stancewatch.stance.evaluation import macro_f1

    n = len(gold)
    if n == 0:
        return {"items": 0, "accuracy": None, "kappa": None, "macro_f1": None}
    accuracy = sum(a == b for a, b in zip(gold, predicted, strict=True)) / n
    kappa = cohen_kappa(gold, predicted)
    return {
        "items": n,
        "accuracy": round(accuracy, 4),
        "kappa": None if kappa is None else round(kappa, 4),
        "macro_f1": round(macro_f1(gold, predicted, labels=STANCE_LABELS), 4),
    }


def predict(backend: Any, pairs: Sequence[CodedPair], positions: dict[str, Position]) -> list[str]:
    """The backend's label for each pair, scored as analyze scores it (with the position's
    codebook)."""
    if not pairs:
        return []
    probs = backend.score([p.text for p in pairs], [positions[p.position_id] for p in pairs])
    return [label_of(row) for row in probs]


def agreement_with(pairs: Sequence[CodedPair], predicted: Sequence[str]) -> dict[str, Any]:
    """Agreement of ``predicted`` with the teacher (pairs it coded) and with people (pairs a
    reviewer coded): ``{"teacher": scores, "people": scores}``."""
    out = {}
    for who, attribute in ((TEACHER, "teacher_label"), ("people", "human_label")):
        rows = [
            (getattr(p, attribute), label)
            for p, label in zip(pairs, predicted, strict=True)
            if getattr(p, attribute) is not None
        ]
        out[who] = agreement_scores([g for g, _ in rows], [m for _, m in rows])
    return out


def training_pairs(pairs: Iterable[CodedPair], positions: dict[str, Position]) -> list[Any]:
    """Pairs as the trainer takes them: (what the model reads, the proposition, label index)."""
    from stancewatch.stance.training_data import Pair

    return [
        Pair(p.text, positions[p.position_id].proposition, STANCE_LABELS.index(p.label))  # type: ignore[arg-type]
        for p in pairs
    ]


def start_config(init: Path, **changes: Any) -> Any:
    """A :class:`~stancewatch.stance.training.TrainConfig` that starts from the trained model
    in ``init`` (its adapters' rank and alpha read from its config.json) and trains only on
    the pairs given (no data-folder sources); ``changes`` set other fields."""
    from stancewatch.stance.model import StanceModelError
    from stancewatch.stance.training import TrainConfig

    try:
        start = json.loads((init / "config.json").read_text("utf-8"))
        rank, alpha = int(start["rank"]), float(start["alpha"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StanceModelError(
            f"{init} holds no trained stance model to start from (config.json: {exc})"
        ) from None
    cfg = TrainConfig(init=str(init), rank=rank, alpha=alpha, sources=[], arch=start["arch"])
    for name, value in changes.items():
        if value is not None:
            setattr(cfg, name, value)
    return cfg


def distill(
    train_pairs: Sequence[CodedPair],
    heldout: Sequence[CodedPair],
    positions: Sequence[Position],
    out: Path,
    cfg: Any,
    *,
    device: str = "cpu",
    log: Callable[[str], None] = print,
    time_limit_s: float | None = None,
) -> dict[str, Any]:
    """Train the student from ``cfg.init`` on ``train_pairs`` and the positions' codebook
    phrasings, choosing the epoch on ``heldout`` (macro-F1); the model is saved in ``out``."""
    from stancewatch.nlp import packaged_minilm_path
    from stancewatch.stance.training import train
    from stancewatch.stance.training_data import phrasing_pairs

    by_id = {p.id: p for p in positions}
    written = training_pairs(train_pairs, by_id)
    if not written:
        raise InvalidValueError("no coded pairs are left to train on after the held-out part")
    held = training_pairs(heldout, by_id)
    return train(
        packaged_minilm_path(),
        None,
        out,
        cfg,
        extra=phrasing_pairs(positions),
        written=written,
        extra_dev={"heldout": held} if held else None,
        data_dev=False,
        device=device,
        log=log,
        time_limit_s=time_limit_s,
    )
