"""Scoring attribution against gold annotations in brat standoff (PolNeAR and alike).

A gold folder holds ``text/<article>.txt`` and ``attributions/<article>_<annotator>.ann``.
:func:`parse_ann` reads one brat file (discontinuous spans ``start end;start end``, span
text running over several lines, notes, ``Attribution-no-source`` relations); the offsets
are trusted, the echoed span text is not. :func:`load_folder` is the only function here that
reads files: it takes the first annotation file of each article by name.

Scoring, for quoted attributions (content holding a quotation mark) and for all of them:

- content precision / recall / F1: a prediction matches a gold attribution when their content
  spans overlap by at least half of the gold content's characters (one-to-one, largest
  overlap first). Predictions that share a cue (the pieces of a split quotation) count as one,
  as PolNeAR annotates them as one attribution with a discontinuous content;
- speaker accuracy on matched items: the predicted speaker span overlaps a gold source span
  (or both are absent);
- end-to-end precision / recall / F1: content matched and speaker right.

Beside these, every system is also scored by the reference rules
(:mod:`stancewatch.attribution.reference_scoring`, the rules of the reference scorer that
published figures use); docs/attribution_scoring.md explains where the two differ.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stancewatch.attribution.predictions import (
    QUOTE_CHARS,
    Prediction,
    reference_predictions,
    statement_predictions,
)
from stancewatch.attribution.reference_scoring import (
    ReferenceGold,
    ReferenceScore,
    prf,
    quoted_subset,
)
from stancewatch.errors import InputError, ModelError
from stancewatch.records import Statement

if TYPE_CHECKING:
    from stancewatch.attribution.cue_model import CueModel

_SPAN = re.compile(r"^(\d+) (\d+)$")

Spans = tuple[tuple[int, int], ...]


class EvaluationError(InputError):
    """A gold folder or annotation file that cannot be read as brat standoff."""


@dataclass(frozen=True)
class Item:
    """One attribution, gold or predicted: content characters, speaker spans, quotedness."""

    content: frozenset[int]
    speakers: Spans
    quoted: bool


@dataclass(frozen=True)
class GoldCue:
    """A gold cue's character spans, the characters of the content it introduces and the
    spans of its source (empty when the attribution has none)."""

    spans: Spans
    content: frozenset[int]
    source: Spans = ()


@dataclass(frozen=True)
class Article:
    """One article of a gold folder: its text and gold attributions."""

    name: str
    text: str
    gold: tuple[Item, ...]
    cues: tuple[GoldCue, ...] = ()
    reference: tuple[ReferenceGold, ...] = ()


def _chars(spans: Iterable[tuple[int, int]]) -> frozenset[int]:
    return frozenset(i for s, e in spans for i in range(s, e))


def _quoted(text: str, spans: Iterable[tuple[int, int]]) -> bool:
    return any(ch in QUOTE_CHARS for s, e in spans for ch in text[s:e])


def _standoff(ann: str, text: str, name: str) -> tuple[dict[str, Spans], list[dict[str, str]]]:
    """The text spans (``T`` lines) and attribution relations (``E`` lines, role → span id)
    of one brat ``.ann`` file, offsets checked against ``text``."""
    spans: dict[str, Spans] = {}
    relations: list[dict[str, str]] = []
    for number, line in enumerate(ann.splitlines(), 1):
        head, _, rest = line.partition("\t")
        if head.startswith("T") and head[1:].isdigit():
            kind_offsets = rest.partition("\t")[0]
            _, _, offsets = kind_offsets.partition(" ")
            parsed = []
            for piece in offsets.split(";"):
                match = _SPAN.match(piece.strip())
                if match is None:
                    raise EvaluationError(
                        f"{name}:{number}: bad span offsets {offsets!r}; expected "
                        "'START END' or 'START END;START END'."
                    )
                start, end = int(match[1]), int(match[2])
                if not 0 <= start <= end <= len(text):
                    raise EvaluationError(
                        f"{name}:{number}: span {start}-{end} lies outside the article text "
                        f"({len(text)} characters)."
                    )
                parsed.append((start, end))
            spans[head] = tuple(parsed)
        elif head.startswith("E") and head[1:].isdigit():
            roles: dict[str, str] = {}
            for arg in rest.split():
                role, _, target = arg.partition(":")
                roles.setdefault(role, target)
            relations.append(roles)
    return spans, relations


def parse_gold(
    ann: str, text: str, *, name: str = "<ann>"
) -> tuple[list[Item], tuple[GoldCue, ...]]:
    """Gold attributions and gold cues of one brat ``.ann`` file whose offsets point into
    ``text`` (see :func:`parse_ann` and :func:`parse_cues`), the file read once."""
    items, cues, _ = _parse_all(ann, text, name)
    return items, cues


def parse_reference(ann: str, text: str, *, name: str = "<ann>") -> list[ReferenceGold]:
    """Gold attributions of one brat ``.ann`` file as the reference scorer reads them:
    ``Content`` and ``Content2`` spans together, quoted when they hold a quotation mark."""
    return _parse_all(ann, text, name)[2]


def _parse_all(
    ann: str, text: str, name: str
) -> tuple[list[Item], tuple[GoldCue, ...], list[ReferenceGold]]:
    spans, relations = _standoff(ann, text, name)
    items = []
    cues = []
    reference = []
    for roles in relations:
        content = spans.get(roles.get("Content", ""), ())
        source = spans.get(roles.get("Source", ""), ())
        if content:
            items.append(Item(_chars(content), source, _quoted(text, content)))
            whole = content + spans.get(roles.get("Content2", ""), ())
            reference.append(ReferenceGold(whole, source, _quoted(text, whole)))
        cue = spans.get(roles.get("Cue", ""), ())
        if cue:
            cues.append(GoldCue(cue, _chars(content), source))
    return items, tuple(cues), reference


def parse_ann(ann: str, text: str, *, name: str = "<ann>") -> list[Item]:
    """Gold attributions of one brat ``.ann`` file whose offsets point into ``text``.

    Relations (``E`` lines) with a ``Content`` role become items; ``Source`` gives the
    speaker (absent for ``Attribution-no-source``). Lines that do not start with an id are
    the continuation of a multi-line span text and are skipped.
    """
    return parse_gold(ann, text, name=name)[0]


def parse_cues(ann: str, text: str, *, name: str = "<ann>") -> tuple[GoldCue, ...]:
    """The gold cues of one brat ``.ann`` file, each with the content it introduces and its
    source."""
    return parse_gold(ann, text, name=name)[1]


def load_folder(folder: Path) -> list[Article]:
    """Articles of a brat gold folder, each with its first annotation file by name.

    Raises :class:`EvaluationError` naming what is missing when ``folder`` is not laid out as
    ``text/*.txt`` beside ``attributions/*.ann``.
    """
    text_dir, ann_dir = folder / "text", folder / "attributions"
    if not text_dir.is_dir() or not ann_dir.is_dir():
        raise EvaluationError(
            f"{folder} is not a gold folder: expected {text_dir} (articles as .txt) and "
            f"{ann_dir} (brat .ann files named <article>_<annotator>.ann)."
        )
    anns: dict[str, Path] = {}
    for path in sorted(ann_dir.glob("*.ann")):
        article = path.stem.rsplit("_", 1)[0]
        anns.setdefault(article, path)
    articles = []
    for path in sorted(text_dir.glob("*.txt")):
        ann = anns.get(path.stem)
        if ann is None:
            continue
        text = path.read_text(encoding="utf-8")
        gold, cues, reference = _parse_all(ann.read_text(encoding="utf-8"), text, str(ann))
        articles.append(Article(path.stem, text, tuple(gold), cues, tuple(reference)))
    if not articles:
        raise EvaluationError(
            f"{folder}: no article in text/ has an annotation file in attributions/ "
            "(expected text/NAME.txt with attributions/NAME_ANNOTATOR.ann)."
        )
    return articles


def grouped_items(predictions: Sequence[Prediction]) -> list[Item]:
    """Predictions as scored items; predictions that share a cue count as one attribution."""
    groups: dict[object, list[Prediction]] = defaultdict(list)
    for p in predictions:
        groups[p.group].append(p)
    items = []
    for members in groups.values():
        content = _chars(p.content for p in members)
        speakers = tuple(sorted({span for p in members for span in p.speakers}))
        items.append(Item(content, speakers, any(p.quoted for p in members)))
    return items


def statement_items(statements: Sequence[Statement]) -> list[Item]:
    """Statements as scored items; statements that share a cue count as one attribution."""
    return grouped_items(statement_predictions(statements))


def match(gold: Sequence[Item], pred: Sequence[Item]) -> list[tuple[Item, Item]]:
    """One-to-one matching, largest overlap first, each pair covering half the gold content."""
    pairs = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            overlap = len(g.content & p.content)
            if g.content and overlap * 2 >= len(g.content):
                pairs.append((overlap, gi, pi))
    pairs.sort(key=lambda pair: (-pair[0], pair[1], pair[2]))
    used_g: set[int] = set()
    used_p: set[int] = set()
    out = []
    for _, gi, pi in pairs:
        if gi in used_g or pi in used_p:
            continue
        used_g.add(gi)
        used_p.add(pi)
        out.append((gold[gi], pred[pi]))
    return out


def speaker_right(gold: Item, pred: Item) -> bool:
    """Whether a predicted speaker overlaps a gold source (or both are absent)."""
    if not gold.speakers:
        return not pred.speakers
    return any(ps < ge and gs < pe for ps, pe in pred.speakers for gs, ge in gold.speakers)


@dataclass
class Score:
    """Counts over many articles, and the measures built from them."""

    gold: int = 0
    pred: int = 0
    matched: int = 0
    speaker: int = 0
    overlap_chars: int = 0  # characters of matched predictions inside their gold content
    matched_chars: int = 0  # characters of matched predictions

    def add(self, gold: Sequence[Item], pred: Sequence[Item]) -> None:
        pairs = match(gold, pred)
        self.gold += len(gold)
        self.pred += len(pred)
        self.matched += len(pairs)
        self.speaker += sum(speaker_right(g, p) for g, p in pairs)
        self.overlap_chars += sum(len(g.content & p.content) for g, p in pairs)
        self.matched_chars += sum(len(p.content) for _, p in pairs)

    def measures(self) -> dict[str, float | int]:
        """gold, predicted, content P/R/F1, speaker accuracy, end-to-end P/R/F1, and the
        share of matched predictions' characters that lie in their gold content (how tight
        the matched spans are, which the half-overlap match does not ask)."""
        p, r, f = prf(self.matched, self.pred, self.gold)
        ep, er, ef = prf(self.speaker, self.pred, self.gold)
        return {
            "gold": self.gold,
            "predicted": self.pred,
            "content_p": p,
            "content_r": r,
            "content_f1": f,
            "speaker_accuracy": self.speaker / self.matched if self.matched else 0.0,
            "end_to_end_p": ep,
            "end_to_end_r": er,
            "end_to_end_f1": ef,
            "content_char_p": (
                self.overlap_chars / self.matched_chars if self.matched_chars else 0.0
            ),
        }


@dataclass
class SystemResult:
    """One system's scores on a folder: quoted and all attributions, and its speed."""

    name: str
    quoted: Score = field(default_factory=Score)
    all: Score = field(default_factory=Score)
    reference_quoted: ReferenceScore = field(default_factory=lambda: ReferenceScore(quoted_subset))
    reference_all: ReferenceScore = field(default_factory=ReferenceScore)
    seconds: float = 0.0  # time spent in the extractor itself
    articles: int = 0
    parse_seconds: float = 0.0

    def add(self, gold: Sequence[Item], pred: Sequence[Item]) -> None:
        """Score one article by stancewatch's own rules (items grouped by cue)."""
        self.all.add(gold, pred)
        self.quoted.add([g for g in gold if g.quoted], [p for p in pred if p.quoted])

    def add_article(self, article: Article, predictions: Sequence[Prediction]) -> None:
        """Score one article's predictions by both scorings."""
        self.add(article.gold, grouped_items(predictions))
        reference = reference_predictions(predictions)
        self.reference_all.add(article.reference, reference)
        self.reference_quoted.add(article.reference, reference)

    @property
    def articles_per_second(self) -> float:
        """Articles per second, spaCy parsing included."""
        total = self.seconds + self.parse_seconds
        return self.articles / total if total else 0.0

    def rows(self) -> list[dict[str, Any]]:
        """One row per scoring (reference, grouped) and attribution set (quoted, all) for
        tables and JSON output; the grouped rows also give how tight matched spans are."""
        speed = {"articles_per_s": round(self.articles_per_second, 1)}
        rows: list[dict[str, Any]] = []
        for label, ref in (("quoted", self.reference_quoted), ("all", self.reference_all)):
            measures = ref.measures()
            measures.pop("matched")
            rows.append(
                {"system": self.name, "scoring": "reference", "attributions": label}
                | measures
                | {"content_char_p": None}
                | speed
            )
        for label, score in (("quoted", self.quoted), ("all", self.all)):
            rows.append(
                {"system": self.name, "scoring": "grouped", "attributions": label}
                | score.measures()
                | speed
            )
        return rows


Extractor = Callable[[Any, str], list[Prediction]]


def stancewatch_extractor(doc: Any, name: str) -> list[Prediction]:
    """stancewatch's attribution of a parsed document, as predictions."""
    from stancewatch.attribution.attribute import attribute

    return statement_predictions(attribute(doc, document_id=name))


def model_extractor(model: CueModel | None) -> Extractor:
    """stancewatch's attribution with a given cue model (None: the word lists alone)."""
    from stancewatch.attribution.attribute import attribute

    def extract(doc: Any, name: str) -> list[Prediction]:
        return statement_predictions(attribute(doc, document_id=name, cues=model or False))

    return extract


def textacy_extractor() -> Extractor:
    """textacy's ``direct_quotations`` as an extractor; ModelError when textacy is missing."""
    try:
        from textacy.extract.triples import direct_quotations
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ModelError(
            f"--compare textacy needs textacy, which cannot be imported here ({exc}). "
            "Install the optional extra: pip install 'stancewatch[compare]'."
        ) from None

    def extract(doc: Any, name: str) -> list[Prediction]:
        try:
            triples = list(direct_quotations(doc))
        except (ValueError, IndexError):
            return []  # textacy refuses unbalanced quotation marks in a document
        predictions = []
        for number, triple in enumerate(triples):
            content = (triple.content.start_char, triple.content.end_char)
            speakers = tuple((t.idx, t.idx + len(t)) for t in triple.speaker)
            predictions.append(Prediction(content, speakers, True, number))
        return predictions

    return extract


def score_parsed(
    articles: Sequence[Article], docs: Sequence[Any], extract: Extractor, name: str = "stancewatch"
) -> SystemResult:
    """One system's scores on articles already parsed (``docs`` in the same order); no
    timing."""
    result = SystemResult(name)
    for article, doc in zip(articles, docs, strict=True):
        result.articles += 1
        result.add_article(article, extract(doc, article.name))
    return result


def evaluate(
    articles: Sequence[Article],
    nlp: Any,
    systems: dict[str, Extractor],
    *,
    n_process: int = 1,
    batch_size: int = 16,
) -> list[SystemResult]:
    """Parse every article once and score each system on it.

    Speed counts the parsing time (shared) plus each system's own extraction time.
    """
    results = {name: SystemResult(name) for name in systems}
    started = time.perf_counter()
    spent = 0.0
    docs = nlp.pipe((a.text for a in articles), batch_size=batch_size, n_process=n_process)
    for article, doc in zip(articles, docs, strict=True):
        for name, extract in systems.items():
            t0 = time.perf_counter()
            pred = extract(doc, article.name)
            took = time.perf_counter() - t0
            spent += took
            result = results[name]
            result.seconds += took
            result.articles += 1
            result.add_article(article, pred)
    parse = time.perf_counter() - started - spent
    for result in results.values():
        result.parse_seconds = parse
    return list(results.values())
