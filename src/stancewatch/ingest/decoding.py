"""Bytes to text for ingest: byte-order marks, declared charsets, legacy encodings, junk.

Valid UTF-8 is read as UTF-8; a byte-order mark names UTF-8, UTF-16 or UTF-32; otherwise a
declared charset (HTTP header or HTML meta tag), windows-1252 when the result reads like
Western text, and charset-normalizer's guess are tried in that order. Binary data, blank input
and text full of control characters are refused with :class:`IngestError`.
"""

from __future__ import annotations

import re

import charset_normalizer

from stancewatch.ingest.readers import IngestError

__all__ = ["bom_encoding", "check_text", "decode_bytes", "detect_encoding", "html_declared_charset"]


_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
# Control characters other than tab, newline, vertical tab, form feed and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_MAX_CONTROL_SHARE = 0.01
# Labels that browsers (WHATWG) decode as windows-1252.
_LATIN1_LABELS = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "us-ascii", "ascii"}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)


def bom_encoding(data: bytes) -> tuple[str, int] | None:
    """The encoding a byte-order mark at the start of ``data`` names, and the mark's length."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding, len(bom)
    return None


def html_declared_charset(data: bytes) -> str | None:
    """The charset a ``<meta charset>`` or ``http-equiv`` tag in the first 4 KB declares."""
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii") if match else None


def _plausible_cp1252(text: str) -> bool:
    """Whether ``text`` (decoded as cp1252) reads like Western European text.

    Cyrillic or Greek bytes decoded as cp1252 are nearly all accented letters ("Ïðåçèäåíò");
    Central European ones put symbols inside words ("bêd¹"). Real English, French or German
    text has few accented letters and no symbols between letters other than apostrophes.
    """
    letters = non_ascii = 0
    for i, char in enumerate(text):
        if char.isalpha():
            letters += 1
            if ord(char) > 127:
                non_ascii += 1
        elif (
            ord(char) > 127
            and char not in "’‘"
            and 0 < i < len(text) - 1
            and text[i - 1].isalpha()
            and text[i + 1].isalpha()
        ):
            return False
    return letters == 0 or non_ascii / letters <= 0.25


def detect_encoding(data: bytes, declared: str | None = None) -> str | None:
    """The encoding to read ``data`` with (no byte-order mark), or ``None`` when none fits.

    UTF-8 first (valid UTF-8 with non-ASCII bytes is almost never anything else), then the
    declared charset (HTTP header or HTML meta tag), then windows-1252 when the result reads
    like Western text, then charset-normalizer's best guess.
    """
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # A sample cut in the middle of a character is still UTF-8.
        if exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            return "utf-8"
    if declared:
        label = declared.strip().lower()
        label = "cp1252" if label in _LATIN1_LABELS else label
        try:
            data.decode(label)
            return label
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        if _plausible_cp1252(data.decode("cp1252")):
            return "cp1252"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data).best()
    return best.encoding if best is not None else None


def decode_bytes(data: bytes, source: str, *, declared: str | None = None) -> str:
    """The text in ``data``; raises :class:`IngestError` when it is empty or not text.

    Handles UTF-8 (with or without a byte-order mark), UTF-16/32 with a byte-order mark, and
    legacy encodings such as windows-1252 (see :func:`detect_encoding`).
    """
    if not data.strip():
        raise IngestError(source, "empty: the input has no text")
    bom = bom_encoding(data)
    if bom is not None:
        encoding, skip = bom
        try:
            text = data[skip:].decode(encoding)
        except UnicodeDecodeError as exc:
            raise IngestError(
                source, f"not a text file: it starts with a {encoding} byte-order mark but {exc}"
            ) from None
    else:
        if b"\x00" in data:
            raise IngestError(source, "not a text file: it contains NUL bytes (binary data?)")
        detected = detect_encoding(data, declared)
        if detected is None:
            raise IngestError(source, "not a text file: its encoding could not be detected")
        text = data.decode(detected, errors="replace")
    check_text(text, source)
    return text


def check_text(text: str, source: str, *, allow_blank: bool = False) -> None:
    """Raise :class:`IngestError` when decoded text is blank or has many control characters."""
    if not allow_blank and not text.strip():
        raise IngestError(source, "empty: the input has only whitespace")
    controls = len(_CONTROL.findall(text))
    if controls > _MAX_CONTROL_SHARE * len(text):
        raise IngestError(
            source,
            f"not a text file: {controls} of its {len(text)} characters are control characters",
        )
