"""Publication dates of ingested documents: from metadata first, then from a dateline.

A wrong date moves a statement to the wrong day in every timeline built from it, so these
functions refuse to guess: a value without a day, a numeric date that reads differently in the
US and the UK ("02/03/2025"), or a dateline without a year when no year is known all give
``None``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from dateutil import parser as dateutil_parser

__all__ = ["DATE_KEYS", "find_dateline", "find_published", "parse_date"]

#: Metadata keys that hold a publication date, in the order they are tried. Keys are compared
#: after lower-casing and dropping everything but letters and digits, so ``pubDate``,
#: ``published_at`` and ``article:published_time`` all match.
DATE_KEYS: tuple[str, ...] = (
    "published",
    "datepublished",
    "pubdate",
    "publishedat",
    "publisheddate",
    "publicationdate",
    "articlepublishedtime",
    "date",
    "issued",
    "dcdate",
)

_MIN_YEAR, _MAX_YEAR = 1800, 2100
# Two defaults that differ in year, month and day: a component the text does not give comes
# out different under the two, which is how a missing day or year is detected.
_DEFAULT_A = datetime(2000, 1, 1)
_DEFAULT_B = datetime(2001, 2, 2)

_NUMERIC = re.compile(r"^\s*(\d{1,2})([/.-])(\d{1,2})\2(\d{2}|\d{4})\b")

_MONTH = (
    r"(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WEEKDAY = r"(?:(?i:mon|tue(?:s)?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?i:day)?\.?,?\s+)?"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_YEAR = r"(?:1[89]|20)\d\d"
_DATE = (
    rf"{_WEEKDAY}(?:{_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?|{_DAY}\s+{_MONTH}(?:,?\s+{_YEAR})?)"
    rf"|\d{{4}}-\d\d-\d\d"
)
# "BRUSSELS, ", "KYIV, Ukraine, ", "RIO DE JANEIRO, ": capitalised words ending in a comma.
_PLACE = r"(?:[A-Z][\w.'’-]*(?:[ \t]+[A-Z][\w.'’-]*)*,[ \t]+)*"
_AGENCY = r"(?:[ \t]*\([^()\n]{1,40}\))?"
_DATELINE = re.compile(
    rf"^[ \t]*{_PLACE}(?P<date>{_DATE}){_AGENCY}[ \t]*(?:[—–-]+|:|/|$)",
    re.MULTILINE,
)
_DATELINE_LINES = 5
_DATELINE_CHARS = 600


def _norm_key(key: object) -> str:
    return re.sub(r"[^a-z0-9]", "", str(key).lower())


def _in_range(year: int) -> bool:
    return _MIN_YEAR <= year <= _MAX_YEAR


def _parse_parts(text: str) -> tuple[int | None, int | None, int | None]:
    """(year, month, day) that ``text`` states; a part it does not state is ``None``."""
    text = text.strip()
    if not text or len(text) > 100:
        return None, None, None
    numeric = _NUMERIC.match(text)
    if numeric:
        first, sep, second = int(numeric.group(1)), numeric.group(2), int(numeric.group(3))
        # 12.02.2025 is day-first by convention; 02/03/2025 reads differently in the US and UK.
        if sep != "." and first <= 12 and second <= 12 and first != second:
            return None, None, None
        dayfirst = sep == "." or first > 12
    else:
        dayfirst = False
    try:
        a = dateutil_parser.parse(text, default=_DEFAULT_A, dayfirst=dayfirst)
        b = dateutil_parser.parse(text, default=_DEFAULT_B, dayfirst=dayfirst)
    except (ValueError, OverflowError, TypeError):
        return None, None, None
    year = a.year if a.year == b.year else None
    month = a.month if a.month == b.month else None
    day = a.day if a.day == b.day else None
    return year, month, day


def parse_date(value: Any) -> date | None:
    """A calendar date from a metadata value, or ``None`` when it does not state a full date.

    Accepts ``date``/``datetime`` objects, ``time.struct_time`` (as feedparser gives) and
    strings: ISO 8601 ("2025-02-12", "2025-02-12T09:30:00+01:00"), RFC 822 ("Wed, 12 Feb 2025
    10:00:00 GMT") and common written forms ("Feb. 19, 2025", "12 February 2025"). A
    timestamp keeps the calendar day of its own time zone. Strings without a day or year
    ("February 2025") and ambiguous numeric dates ("02/03/2025") give ``None``.
    """
    if isinstance(value, datetime):
        result: date | None = value.date()
    elif isinstance(value, date):
        result = value
    elif isinstance(value, time.struct_time):
        try:
            result = date(value.tm_year, value.tm_mon, value.tm_mday)
        except ValueError:
            return None
    elif isinstance(value, str):
        result = _parse_string(value)
    else:
        return None
    if result is None or not _in_range(result.year):
        return None
    return result


def _parse_string(text: str) -> date | None:
    text = text.strip()
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        pass
    year, month, day = _parse_parts(text)
    if year is None or month is None or day is None:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _metadata_year(metadata: Mapping[str, Any]) -> int | None:
    """A year the metadata states, even without a full date ("year: 2025", "February 2025")."""
    by_key = {_norm_key(k): v for k, v in metadata.items()}
    year_value = by_key.get("year")
    if isinstance(year_value, int | str) and str(year_value).strip().isdecimal():
        year = int(str(year_value).strip())
        if _in_range(year):
            return year
    for key in DATE_KEYS:
        value = by_key.get(key)
        if isinstance(value, date | datetime):
            return value.year
        if isinstance(value, str):
            year_part = _parse_parts(value)[0]
            if year_part is not None and _in_range(year_part):
                return year_part
    return None


def find_dateline(text: str, year: int | None = None) -> date | None:
    """The date in a dateline near the start of ``text``, or ``None``.

    A dateline is a date at the start of one of the first lines, optionally after a place and
    followed by an agency and a dash: "BRUSSELS, Feb 12 (Reuters) —", "KYIV, 12 February
    2025 —", or a line that is only a date ("Feb. 19, 2025"). A dateline without a year takes
    ``year``; when ``year`` is ``None`` it is ignored rather than guessed.
    """
    head = "\n".join(text[:_DATELINE_CHARS].splitlines()[:_DATELINE_LINES])
    for match in _DATELINE.finditer(head):
        y, month, day = _parse_parts(match.group("date"))
        if month is None or day is None:
            continue
        y = y if y is not None else year
        if y is None or not _in_range(y):
            continue
        try:
            return date(y, month, day)
        except ValueError:
            continue
    return None


def find_published(text: str, metadata: Mapping[str, Any]) -> date | None:
    """The publication date of a document, or ``None`` when it cannot be told without guessing.

    Metadata is tried first, key by key in :data:`DATE_KEYS` order (``published``,
    ``datePublished``, ``pubDate``, ..., ``date``); then a dateline at the start of the text
    (see :func:`find_dateline`), whose year, when missing, comes from the metadata (a ``year``
    key, or a date key that states only a month and year).
    """
    by_key = {_norm_key(k): v for k, v in metadata.items()}
    for key in DATE_KEYS:
        if key in by_key:
            found = parse_date(by_key[key])
            if found is not None:
                return found
    return find_dateline(text, _metadata_year(metadata))
