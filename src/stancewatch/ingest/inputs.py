"""Reading inputs into ``Document`` records: files, folders, tables, URLs and feeds.

Ingest does I/O and returns records; it never writes to the store. :func:`ingest` is lenient
(a bad input becomes an :class:`IngestProblem` and the rest go on); :func:`read_source` is
strict (it raises :class:`IngestError` at the first problem).

Formats, chosen by file extension:

- ``.txt``: plain text.
- ``.md``, ``.markdown``: Markdown with optional YAML front matter (``title``, ``published``
  or ``date``, ``outlet``, ``url``, ``language``; other keys become metadata).
- ``.html``, ``.htm``: main text and metadata extracted by trafilatura.
- ``.jsonl``, ``.ndjson``, ``.csv``, ``.tsv``: one document per line or row, with the text
  in ``text_column`` and the columns ``title``, ``url``, ``outlet``, ``published``/``date``,
  ``language`` and ``id``/``name`` as fields; other columns become metadata. These files are
  streamed, so ``max_bytes`` limits each record rather than the file.
- ``.rss``, ``.atom``, ``.xml``: a saved RSS or Atom feed; each entry's link is fetched.
- ``http://`` and ``https://`` URLs: pages, plain text, RSS and Atom feeds (see
  :mod:`stancewatch.ingest.fetch`).
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

import httpx

from stancewatch.errors import InvalidValueError
from stancewatch.ingest.decoding import decode_bytes, html_declared_charset
from stancewatch.ingest.fetch import make_client, read_feed, read_url
from stancewatch.ingest.readers import (
    IngestError,
    IngestProblem,
    read_html,
    read_markdown,
    read_plain,
    shown,
)
from stancewatch.ingest.tables import TABLE_FORMATS, read_table
from stancewatch.records import Document

__all__ = [
    "FORMATS",
    "IngestError",
    "IngestProblem",
    "ingest",
    "iter_sources",
    "read_source",
]

#: File extensions stancewatch reads, and the format each is read as.
FORMATS: dict[str, str] = {
    ".txt": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".tsv": "tsv",
    ".rss": "feed",
    ".atom": "feed",
    ".xml": "feed",
}
DEFAULT_MAX_BYTES = 20_000_000

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def _is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def _needs_client(source: str) -> bool:
    """Whether reading ``source`` fetches over HTTP (a URL, or a feed whose entries link)."""
    return _is_url(source) or FORMATS.get(Path(source).suffix.lower()) == "feed"


def iter_sources(paths: Iterable[str | Path]) -> Iterator[str]:
    """Every input named by ``paths``: folders expanded recursively, URLs kept as they are.

    Files in a folder come sorted by path; hidden files and folders (names starting with
    ".") and files with unsupported extensions are skipped. A file or path named directly is
    yielded whatever it is, so that reading it reports what is wrong (missing, unsupported).
    The same file named twice is yielded once.
    """
    seen: set[str] = set()
    for item in paths:
        source = str(item)
        if _URL.match(source):
            if source not in seen:
                seen.add(source)
                yield source
            continue
        path = Path(source)
        found = _folder_files(path) if path.is_dir() else [path]
        for file in found:
            key = os.path.normcase(os.path.abspath(file))
            if key not in seen:
                seen.add(key)
                yield str(file)


def _folder_files(root: Path) -> list[Path]:
    """Supported, non-hidden files under ``root`` sorted by path; unreadable folders too."""
    files: list[Path] = []
    unreadable: list[Path] = []

    def on_error(error: OSError) -> None:
        unreadable.append(Path(error.filename))

    for folder, dirnames, filenames in os.walk(root, onerror=on_error):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for filename in filenames:
            if not filename.startswith(".") and Path(filename).suffix.lower() in FORMATS:
                files.append(Path(folder, filename))
    files.sort(key=lambda p: p.relative_to(root).parts)
    # Unreadable folders are listed too, so that reading them reports the problem.
    return files + unreadable


def read_source(
    source: str | Path,
    *,
    text_column: str = "text",
    client: httpx.Client | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    allow_private: bool = False,
) -> Iterator[Document]:
    """The Documents in one input: a file, a folder, or an ``http(s)://`` URL.

    Raises :class:`IngestError` naming the source and the problem at the first thing that
    cannot be read (for tables and feeds, after yielding the rows before it).
    """
    for item in _read_items(str(source), text_column, client, max_bytes, allow_private):
        if isinstance(item, IngestProblem):
            raise IngestError(item.source, item.reason)
        yield item


def ingest(
    paths: Iterable[str | Path],
    *,
    text_column: str = "text",
    client: httpx.Client | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    allow_private: bool = False,
) -> Iterator[Document | IngestProblem]:
    """Documents from files, folders and URLs, streamed in order; never raises for bad input.

    An input (or a row or feed entry) that cannot be read is yielded as an
    :class:`IngestProblem` and the rest go on: whatever goes wrong inside one input (a parser
    failing on a hostile file too) never stops the others. URLs share one HTTP client:
    ``client`` when given, else one made here and closed at the end. URLs on loopback,
    link-local and private addresses are refused unless ``allow_private`` (an intranet).
    """
    _check_options(text_column, max_bytes)
    own_client: httpx.Client | None = None
    try:
        for source in iter_sources(paths):
            if client is None and own_client is None and _needs_client(source):
                own_client = make_client()
            try:
                yield from _read_items(
                    source, text_column, client or own_client, max_bytes, allow_private
                )
            except IngestError as exc:
                yield IngestProblem(exc.source, exc.reason)
            except Exception as exc:  # noqa: BLE001 - one input fails, never the batch
                detail = str(exc).splitlines()[0][:200] if str(exc) else ""
                yield IngestProblem(
                    source,
                    f"could not be read ({type(exc).__name__}{': ' + detail if detail else ''})",
                )
    finally:
        if own_client is not None:
            own_client.close()


def _check_options(text_column: str, max_bytes: int) -> None:
    if not isinstance(text_column, str) or not text_column.strip():
        raise InvalidValueError(f"text_column must be a column name, got {text_column!r}")
    if not isinstance(max_bytes, int) or max_bytes <= 0:
        raise InvalidValueError(f"max_bytes must be a positive number of bytes, got {max_bytes!r}")


def _read_items(
    source: str,
    text_column: str,
    client: httpx.Client | None,
    max_bytes: int,
    allow_private: bool = False,
) -> Iterator[Document | IngestProblem]:
    _check_options(text_column, max_bytes)
    if _URL.match(source):
        if not _is_url(source):
            scheme = source.split(":", 1)[0]
            raise IngestError(source, f"unsupported URL scheme {scheme!r} (use http or https)")
        yield from read_url(source, client=client, max_bytes=max_bytes, allow_private=allow_private)
        return
    path = Path(source)
    if path.is_dir():
        if not os.access(path, os.R_OK | os.X_OK):
            raise IngestError(source, "cannot read folder: permission denied")
        for file in iter_sources([path]):
            yield from _read_items(file, text_column, client, max_bytes, allow_private)
        return
    kind = FORMATS.get(path.suffix.lower())
    regular_file(path, source)
    if kind is None:
        raise IngestError(
            source,
            f"unsupported file type {shown(path.suffix) or '(no extension)'!r} "
            f"(supported: {', '.join(FORMATS)})",
        )
    if kind in TABLE_FORMATS:
        yield from read_table(path, source, kind, text_column, max_bytes)
        return
    data = read_bounded(path, source, max_bytes)
    if kind == "feed":
        if not data.strip():
            raise IngestError(source, "empty: the file has no text")
        yield from read_feed(
            data, source, client=client, max_bytes=max_bytes, allow_private=allow_private
        )
    else:
        yield document_from_bytes(data, kind, source, path.stem)


_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)


def regular_file(path: Path, source: str) -> os.stat_result:
    """The status of the regular file ``path`` names, symlinks followed; anything else (a
    FIFO, a device, a socket, a broken symlink or a symlink loop) is refused by name, before
    it is opened: reading a FIFO can block for ever, and a device never ends."""
    try:
        info = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise IngestError(source, "a broken symlink (its target does not exist)") from None
        raise IngestError(source, "no such file or folder") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise IngestError(source, "a symlink loop") from None
        raise IngestError(source, f"cannot read: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        kind = next((name for test, name in _KINDS if test(info.st_mode)), "not a file")
        raise IngestError(source, f"not a regular file: {kind}; only regular files are read")
    return info


def read_bounded(path: Path, source: str, max_bytes: int) -> bytes:
    """The bytes of the regular file ``path``, refused past ``max_bytes`` *read* (not the size
    the file system reports, which is 0 for ``/proc`` files and devices). Opened without
    blocking, and checked again once open, so a file swapped for a FIFO cannot hang ingest."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise IngestError(source, "no such file or folder") from None
    except OSError as exc:
        raise IngestError(source, f"cannot read: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise IngestError(source, "not a regular file; only regular files are read")
        if info.st_size > max_bytes:
            raise IngestError(
                source,
                f"too large: {info.st_size:,} bytes, over the limit of {max_bytes:,} bytes "
                "(raise max_bytes to read it)",
            )
        try:
            data = handle.read(max_bytes + 1)
        except OSError as exc:
            raise IngestError(source, f"cannot read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise IngestError(
            source,
            f"too large: more than the limit of {max_bytes:,} bytes (raise max_bytes to read it)",
        )
    return data


def document_from_bytes(data: bytes, kind: str, source: str, name: str) -> Document:
    """One document from a file's bytes: ``kind`` is ``html``, ``markdown`` or plain text."""
    if kind == "html":
        text = decode_bytes(data, source, declared=html_declared_charset(data))
        return read_html(text, source=source, name=name)
    if kind == "markdown":
        return read_markdown(decode_bytes(data, source), source=source, name=name)
    return read_plain(decode_bytes(data, source), source=source, name=name)
