"""Reading JSON Lines, CSV and TSV files: one Document per line or row, streamed.

A bad line or row is yielded as an :class:`IngestProblem` naming the file and line, and the
rows after it still come through. A text column missing from the CSV header, or from the
first JSON object, stops the file: it almost always means the wrong ``text_column``.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from stancewatch.ingest.decoding import bom_encoding, check_text, detect_encoding
from stancewatch.ingest.readers import (
    IngestError,
    IngestProblem,
    document_from_fields,
)
from stancewatch.records import Document

__all__ = ["TABLE_FORMATS", "read_table"]

#: Table formats and the field delimiter of each (``None``: JSON Lines).
TABLE_FORMATS: dict[str, str | None] = {"jsonl": None, "csv": ",", "tsv": "\t"}

_SAMPLE_BYTES = 65_536
#: The deepest nesting of arrays and objects accepted in a JSON line.
MAX_JSON_DEPTH = 64
# A JSON line holds its text (up to max_bytes, perhaps all of it as 6-character \u escapes)
# and other fields; a longer line is skipped without being held in memory.
_LINE_FACTOR = 6
_LINE_SLACK = 65_536
_TOO_DEEP = object()


def _number(text: str) -> float | str:
    """A JSON number as a float, or as its text when it is beyond the float range (1e400),
    so that it is never stored or printed as Infinity; NaN and Infinity stay text too."""
    value = float(text)
    return value if math.isfinite(value) else text


# Python codecs that read (and drop) a byte-order mark themselves.
_BOM_CODECS = {
    "utf-8": "utf-8-sig",
    "utf-16-le": "utf-16",
    "utf-16-be": "utf-16",
    "utf-32-le": "utf-32",
    "utf-32-be": "utf-32",
}

Row = tuple[int, int, dict[str, Any]]  # (line in the file, row number, fields)


def _open(path: Path, source: str, *, newline: str | None) -> IO[str]:
    """``path`` opened as text in the encoding its first 64 KB show."""
    with path.open("rb") as handle:
        sample = handle.read(_SAMPLE_BYTES)
    if not sample.strip():
        raise IngestError(source, "empty: the file has no text")
    bom = bom_encoding(sample)
    if bom is not None:
        encoding = _BOM_CODECS[bom[0]]
    elif b"\x00" in sample:
        raise IngestError(source, "not a text file: it contains NUL bytes (binary data?)")
    else:
        detected = detect_encoding(sample)
        if detected is None:
            raise IngestError(source, "not a text file: its encoding could not be detected")
        encoding = detected
    check_text(sample.decode(encoding, errors="replace"), source, allow_blank=True)
    return path.open("r", encoding=encoding, newline=newline)


def _missing_column(line: int, text_column: str, found: Iterable[Any], delimiter: str) -> str:
    names = [str(name) for name in found]
    hint = ""
    if len(names) == 1 and delimiter != ";" and ";" in names[0]:
        hint = "; the file looks separated by ';', which is not supported: save it with ','"
    listed = ", ".join(repr(name) for name in names) or "none"
    return (
        f"line {line}: no {text_column!r} column; columns found: {listed} "
        f"(choose the text column with text_column / --text-column{hint})"
    )


def read_table(
    path: Path, source: str, kind: str, text_column: str, max_bytes: int
) -> Iterator[Document | IngestProblem]:
    """Documents from a ``jsonl``, ``csv`` or ``tsv`` file, with problems in their place.

    A row is named by its ``id`` or ``name`` column, else ``<file stem>-<row number>`` (the
    line number for JSON Lines, the data row number for CSV/TSV). ``max_bytes`` limits each
    row's text.
    """
    delimiter = TABLE_FORMATS[kind]
    if delimiter is None:
        rows = _jsonl_rows(path, source, text_column, max_bytes)
    else:
        rows = _csv_rows(path, source, delimiter, text_column, max_bytes)
    for item in rows:
        if isinstance(item, IngestProblem):
            yield item
            continue
        line, number, row = item
        text = row.pop(text_column, None)
        if not isinstance(text, str) or not text.strip():
            what = "empty" if text is None or isinstance(text, str) else "not a string"
            yield IngestProblem(source, f"line {line}: the {text_column!r} field is {what}")
            continue
        size = len(text.encode("utf-8"))
        if size > max_bytes:
            yield IngestProblem(
                source,
                f"line {line}: the text is {size:,} bytes, over the limit of {max_bytes:,} bytes",
            )
            continue
        yield document_from_fields(
            text, row, source=source, name=f"{path.stem}-{number}", use_name_keys=True
        )


def _bounded_lines(handle: IO[str], limit: int) -> Iterator[tuple[int, str | None]]:
    """(line number, line) of a text file, never holding more than ``limit`` characters of
    one line: a longer line is skipped to its end and given as ``None``."""
    number = 0
    while True:
        raw = handle.readline(limit + 1)
        if not raw:
            return
        number += 1
        if len(raw) > limit and not raw.endswith("\n"):
            while True:
                rest = handle.readline(1 << 20)
                if not rest or rest.endswith("\n"):
                    break
            yield number, None
            continue
        yield number, raw


def json_depth_over(value: Any, limit: int) -> bool:
    """Whether arrays and objects in ``value`` nest deeper than ``limit`` (no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list))
    return False


def _jsonl_rows(
    path: Path, source: str, text_column: str, max_bytes: int
) -> Iterator[Row | IngestProblem]:
    line = 0
    objects = problems = 0
    with _open(path, source, newline=None) as handle:
        try:
            limit = max_bytes * _LINE_FACTOR + _LINE_SLACK
            for line, raw in _bounded_lines(handle, limit):
                if raw is None:
                    problems += 1
                    yield IngestProblem(
                        source,
                        f"line {line}: longer than {limit:,} characters, skipped "
                        f"(its text may be at most {max_bytes:,} bytes)",
                    )
                    continue
                if not raw.strip():
                    continue
                try:
                    row = json.loads(raw, parse_float=_number, parse_constant=str)
                except json.JSONDecodeError as exc:
                    problems += 1
                    yield IngestProblem(
                        source, f"line {line}: not valid JSON ({exc.msg} at column {exc.colno})"
                    )
                    continue
                except RecursionError:
                    row = _TOO_DEEP
                if row is _TOO_DEEP or (
                    isinstance(row, dict | list) and json_depth_over(row, MAX_JSON_DEPTH)
                ):
                    problems += 1
                    yield IngestProblem(
                        source, f"line {line}: JSON nested deeper than {MAX_JSON_DEPTH} levels"
                    )
                    continue
                if not isinstance(row, dict):
                    problems += 1
                    kind = type(row).__name__
                    yield IngestProblem(source, f"line {line}: expected a JSON object, got {kind}")
                    continue
                objects += 1
                if text_column not in row:
                    reason = _missing_column(line, text_column, row, "")
                    if objects == 1:
                        raise IngestError(source, reason)
                    yield IngestProblem(source, reason)
                    continue
                yield line, line, row
        except UnicodeDecodeError as exc:
            raise IngestError(
                source, f"line {line + 1}: not valid {exc.encoding} text ({exc.reason})"
            ) from None
    if objects == 0 and problems == 0:
        raise IngestError(source, "empty: the file has only blank lines")


def _csv_rows(
    path: Path, source: str, delimiter: str, text_column: str, max_bytes: int
) -> Iterator[Row | IngestProblem]:
    # Articles are longer than the csv module's default field limit of 128 KB.
    csv.field_size_limit(max(csv.field_size_limit(), max_bytes + 1))
    header: list[str] | None = None
    number = 0
    with _open(path, source, newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        last_line = 0
        try:
            for row in reader:
                line, last_line = last_line + 1, reader.line_num
                if not any(cell.strip() for cell in row):
                    continue
                if header is None:
                    header = [cell.strip() for cell in row]
                    if text_column not in header:
                        raise IngestError(
                            source, _missing_column(line, text_column, header, delimiter)
                        )
                    continue
                number += 1
                if len(row) != len(header):
                    yield IngestProblem(
                        source,
                        f"line {line}: {len(row)} fields but the header has {len(header)} "
                        "(a field with an unquoted delimiter or quote?)",
                    )
                    continue
                yield line, number, dict(zip(header, row, strict=True))
        except csv.Error as exc:
            raise IngestError(source, f"line {last_line + 1}: {exc}") from None
        except UnicodeDecodeError as exc:
            raise IngestError(
                source, f"line {last_line + 1}: not valid {exc.encoding} text ({exc.reason})"
            ) from None
    if header is None:
        raise IngestError(source, "empty: the file has only blank lines")
    if number == 0:
        raise IngestError(source, "no rows after the header")
