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
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stancewatch.errors import InputError, ModelError
from stancewatch.records import Statement

if TYPE_CHECKING:
    from stancewatch.attribution.cue_model import CueModel

QUOTE_CHARS = frozenset('"“”')
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
    spans, relations = _standoff(ann, text, name)
    items = []
    cues = []
    for roles in relations:
        content = spans.get(roles.get("Content", ""), ())
        source = spans.get(roles.get("Source", ""), ())
        if content:
            items.append(Item(_chars(content), source, _quoted(text, content)))
        cue = spans.get(roles.get("Cue", ""), ())
        if cue:
            cues.append(GoldCue(cue, _chars(content), source))
    return items, tuple(cues)


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
        gold, cues = parse_gold(ann.read_text(encoding="utf-8"), text, name=str(ann))
        articles.append(Article(path.stem, text, tuple(gold), cues))
    if not articles:
        raise EvaluationError(
            f"{folder}: no article in text/ has an annotation file in attributions/ "
            "(expected text/NAME.txt with attributions/NAME_ANNOTATOR.ann)."
        )
    return articles


def statement_items(statements: Sequence[Statement]) -> list[Item]:
    """Statements as scored items; statements that share a cue count as one attribution."""
    groups: dict[object, list[Statement]] = defaultdict(list)
    for s in statements:
        key = (s.cue_start, s.cue_end) if s.cue_start is not None else s.id
        groups[key].append(s)
    items = []
    for members in groups.values():
        content = _chars((s.content_start, s.content_end) for s in members)
        speakers = tuple(
            sorted(
                {
                    (s.speaker_start, s.speaker_end)
                    for s in members
                    if s.speaker_start is not None and s.speaker_end is not None
                }
            )
        )
        quoted = any(ch in QUOTE_CHARS for s in members for ch in s.content)
        items.append(Item(content, speakers, quoted))
    return items


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


def _prf(tp: int, pred: int, gold: int) -> tuple[float, float, float]:
    p = tp / pred if pred else 0.0
    r = tp / gold if gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


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
        p, r, f = _prf(self.matched, self.pred, self.gold)
        ep, er, ef = _prf(self.speaker, self.pred, self.gold)
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
    seconds: float = 0.0  # time spent in the extractor itself
    articles: int = 0
    parse_seconds: float = 0.0

    def add(self, gold: Sequence[Item], pred: Sequence[Item]) -> None:
        self.all.add(gold, pred)
        self.quoted.add([g for g in gold if g.quoted], [p for p in pred if p.quoted])

    @property
    def articles_per_second(self) -> float:
        """Articles per second, spaCy parsing included."""
        total = self.seconds + self.parse_seconds
        return self.articles / total if total else 0.0

    def rows(self) -> list[dict[str, Any]]:
        """One row per attribution set (quoted, all) for tables and JSON output."""
        return [
            {"system": self.name, "attributions": label, **score.measures()}
            | {"articles_per_s": round(self.articles_per_second, 1)}
            for label, score in (("quoted", self.quoted), ("all", self.all))
        ]


Extractor = Callable[[Any, str], list[Item]]


def stancewatch_extractor(doc: Any, name: str) -> list[Item]:
    """stancewatch's attribution of a parsed document, as scored items."""
    from stancewatch.attribution.attribute import attribute

    return statement_items(attribute(doc, document_id=name))


def model_extractor(model: CueModel | None) -> Extractor:
    """stancewatch's attribution with a given cue model (None: the word lists alone)."""
    from stancewatch.attribution.attribute import attribute

    def extract(doc: Any, name: str) -> list[Item]:
        return statement_items(attribute(doc, document_id=name, cues=model or False))

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

    def extract(doc: Any, name: str) -> list[Item]:
        try:
            triples = list(direct_quotations(doc))
        except (ValueError, IndexError):
            return []  # textacy refuses unbalanced quotation marks in a document
        items = []
        for triple in triples:
            content = (triple.content.start_char, triple.content.end_char)
            speakers = tuple((t.idx, t.idx + len(t)) for t in triple.speaker)
            items.append(Item(_chars([content]), speakers, True))
        return items

    return extract


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
            result.add(article.gold, pred)
    parse = time.perf_counter() - started - spent
    for result in results.values():
        result.parse_seconds = parse
    return list(results.values())
