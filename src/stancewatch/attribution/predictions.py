"""Predicted attributions as the scorers read them: from statements or from a JSONL file.

A :class:`Prediction` is one predicted statement: its content span, speaker spans, whether its
content holds a quotation mark and the key of its cue. :func:`statement_predictions` makes
them from stancewatch's statements, :func:`read_predictions` from a file of
``stancewatch attribute --format jsonl`` output (or any tool's with the same fields), so that
another tool's output is scored by the same rules.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from stancewatch.attribution.reference_scoring import ReferencePrediction, Spans
from stancewatch.errors import InputError
from stancewatch.records import Statement

QUOTE_CHARS = frozenset('"“”')

__all__ = [
    "QUOTE_CHARS",
    "Prediction",
    "PredictionsError",
    "read_predictions",
    "reference_predictions",
    "statement_predictions",
]


class PredictionsError(InputError):
    """A predictions file that cannot be read."""


@dataclass(frozen=True)
class Prediction:
    """One predicted statement: its content span, speaker spans, whether its content holds
    a quotation mark, and the key of its cue (statements sharing a cue share the key)."""

    content: tuple[int, int]
    speakers: Spans
    quoted: bool
    group: object


def read_predictions(path: Path) -> dict[str, list[Prediction]]:
    """Predictions from a JSONL file (``stancewatch attribute --format jsonl``), by article.

    An article is named by its ``document`` field without folders and without ``.txt``; each
    line needs ``content_start`` and ``content_end``, and may give ``speaker_start`` and
    ``speaker_end`` and ``cue_start`` and ``cue_end`` (statements sharing a cue are one
    prediction in the grouped scoring). Lines without content offsets are skipped, as the reference scorer does.
    Raises :class:`PredictionsError` naming the file and line of anything else malformed.
    """

    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise PredictionsError(f"{path}: cannot read the predictions ({exc}).") from None
    out: dict[str, list[Prediction]] = defaultdict(list)
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row, dict):
                raise ValueError("not a JSON object")
            if row.get("content_start") is None or row.get("content_end") is None:
                continue
            content = (int(row["content_start"]), int(row["content_end"]))
            speakers: Spans = ()
            if row.get("speaker_start") is not None and row.get("speaker_end") is not None:
                speakers = ((int(row["speaker_start"]), int(row["speaker_end"])),)
        except (ValueError, TypeError) as exc:
            raise PredictionsError(
                f"{path}:{number}: not a prediction ({exc}); expected a JSON object with "
                "content_start and content_end."
            ) from None
        name = str(row.get("document", "")).rsplit("/", 1)[-1].removesuffix(".txt")
        quoted = any(ch in QUOTE_CHARS for ch in str(row.get("content") or ""))
        group: object = ("line", number)
        if row.get("cue_start") is not None and row.get("cue_end") is not None:
            group = (name, row["cue_start"], row["cue_end"])
        out[name].append(Prediction(content, speakers, quoted, group))
    return dict(out)


def statement_predictions(statements: Sequence[Statement]) -> list[Prediction]:
    """Statements as predictions, keyed by their cue."""
    return [
        Prediction(
            (s.content_start, s.content_end),
            ((s.speaker_start, s.speaker_end),)
            if s.speaker_start is not None and s.speaker_end is not None
            else (),
            any(ch in QUOTE_CHARS for ch in s.content),
            (s.cue_start, s.cue_end) if s.cue_start is not None else s.id,
        )
        for s in statements
    ]


def reference_predictions(predictions: Sequence[Prediction]) -> list[ReferencePrediction]:
    """Predictions as the reference scorer reads them: one per statement, and one speaker
    span (from the first to the last character of the speakers) or none."""
    out = []
    for p in predictions:
        source: Spans = ()
        if p.speakers:
            source = ((min(s for s, _ in p.speakers), max(e for _, e in p.speakers)),)
        out.append(ReferencePrediction((p.content,), source))
    return out
