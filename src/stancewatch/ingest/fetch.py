"""Reading ``http://`` and ``https://`` inputs: article pages, plain text, RSS and Atom feeds.

A feed becomes one Document per entry: the entry's link is fetched as an article, and when
that page fails the entry's own content or summary is used instead, so one dead link does not
lose the entry. Use :func:`stancewatch.ingest.inputs.read_source` or :func:`stancewatch.ingest.inputs.ingest`
rather than calling this module directly.

Fetching is bounded: each response may be at most ``max_bytes`` and must arrive within
``DEADLINE`` seconds in all (a server trickling one byte a second is cut off), and at most
``MAX_REDIRECTS`` redirects are followed. A URL whose host is or resolves to a loopback,
link-local, private, shared, multicast or reserved address is refused unless
``allow_private`` (for an intranet): a feed entry must not make ingest read the machine's own
services or the cloud metadata endpoint. Every redirect target is checked the same way.
"""

from __future__ import annotations

import io
import ipaddress
import socket
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import feedparser
import httpx

from stancewatch.ingest.decoding import decode_bytes, html_declared_charset
from stancewatch.ingest.readers import (
    IngestError,
    IngestProblem,
    document_from_fields,
    html_to_text,
    read_html,
)
from stancewatch.records import Document
from stancewatch.version import __version__

__all__ = ["USER_AGENT", "fetch", "make_client", "read_feed", "read_url", "url_name"]

USER_AGENT = f"stancewatch/{__version__}"
TIMEOUT = httpx.Timeout(20.0, connect=10.0)
#: Seconds one fetch may take in all, redirects included.
DEADLINE = 60.0
MAX_REDIRECTS = 10

_FEED_TYPES = {
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
    "application/feed+json",
}
_HTML_TYPES = {"text/html", "application/xhtml+xml"}
_SNIFF_TYPES = {"", "application/octet-stream", "text/plain"}
_FEED_STARTS = (b"<?xml", b"<rss", b"<feed", b"<rdf:rdf")
_HTML_STARTS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<p", b"<div", b"<article")
_PAGE_SUFFIXES = {".html", ".htm", ".shtml", ".php", ".asp", ".aspx", ".xml", ".rss", ".txt", ".md"}


@dataclass(frozen=True)
class Fetched:
    """A successful response: the final URL after redirects, its media type and body."""

    url: str
    content_type: str
    charset: str | None
    body: bytes


def make_client() -> httpx.Client:
    """An httpx client with stancewatch's timeout, redirects and User-Agent."""
    return httpx.Client(timeout=TIMEOUT, follow_redirects=True, headers={"User-Agent": USER_AGENT})


def url_name(url: str) -> str:
    """A short name for a URL: its last path segment without a page suffix, or its host."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    if segments:
        last = PurePosixPath(unquote(segments[-1]))
        name = last.stem if last.suffix.lower() in _PAGE_SUFFIXES else last.name
        if name:
            return name
    return parts.hostname or url


def _host(url: str) -> str | None:
    host = urlsplit(url).hostname
    return host.removeprefix("www.") if host else None


def _refused_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def check_public(url: str) -> None:
    """Refuse (:class:`IngestError`) a URL whose host is, or resolves to, an address that is
    not public: loopback, link-local (169.254.x.x, the cloud metadata service), private,
    shared (100.64/10), multicast, reserved or unspecified."""
    host = urlsplit(url).hostname
    if not host:
        raise IngestError(url, "the URL has no host")
    port = urlsplit(url).port or (443 if url.lower().startswith("https") else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise IngestError(url, f"could not fetch: cannot resolve host {host!r} ({exc})") from None
    for info in infos:
        address = str(info[4][0])
        if _refused_address(address):
            raise IngestError(
                url,
                f"refused: {host} is a loopback, link-local or private address ({address}); "
                "allow private addresses (--allow-private-addresses) to read an intranet",
            )


def fetch(
    url: str,
    client: httpx.Client,
    max_bytes: int,
    *,
    allow_private: bool = False,
    deadline: float = DEADLINE,
) -> Fetched:
    """GET ``url``, following redirects; raises :class:`IngestError` for network errors, HTTP
    errors, bodies over ``max_bytes``, fetches longer than ``deadline`` seconds and, unless
    ``allow_private``, any hop to an address that is not public."""
    headers = {}
    if client.headers.get("user-agent", "").startswith("python-httpx"):
        headers["User-Agent"] = USER_AGENT
    ends = time.monotonic() + deadline
    current = url
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            if not allow_private:
                check_public(current)
            with client.stream("GET", current, headers=headers, follow_redirects=False) as response:
                if response.is_redirect and "location" in response.headers:
                    current = urljoin(str(response.url), response.headers["location"])
                    if not current.lower().startswith(("http://", "https://")):
                        raise IngestError(url, f"redirected to a non-http(s) URL {current!r}")
                    continue
                return _body(url, response, max_bytes, ends, deadline)
        raise IngestError(url, f"more than {MAX_REDIRECTS} redirects")
    except httpx.TimeoutException:
        raise IngestError(url, "timed out (the server did not answer in time)") from None
    except httpx.HTTPError as exc:
        raise IngestError(url, f"could not fetch: {str(exc) or type(exc).__name__}") from None


def _body(
    url: str, response: httpx.Response, max_bytes: int, ends: float, deadline: float
) -> Fetched:
    if response.status_code >= 400:
        raise IngestError(url, f"HTTP {response.status_code} {response.reason_phrase}")
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise IngestError(
            url,
            f"too large: {int(declared):,} bytes, over the limit of {max_bytes:,} bytes",
        )
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise IngestError(url, f"too large: more than the limit of {max_bytes:,} bytes")
        if time.monotonic() > ends:
            raise IngestError(url, f"timed out: the whole response took longer than {deadline:g} s")
        chunks.append(chunk)
    media_type, _, _params = response.headers.get("content-type", "").partition(";")
    return Fetched(
        url=str(response.url),
        content_type=media_type.strip().lower(),
        charset=response.charset_encoding,
        body=b"".join(chunks),
    )


def _looks_like(body: bytes, starts: tuple[bytes, ...]) -> bool:
    head = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:200].lower()
    return head.startswith(starts)


def _page(
    fetched: Fetched,
    source: str,
    defaults: Mapping[str, Any],
    extra: Mapping[str, Any] | None = None,
) -> Document:
    """A Document from a fetched HTML or plain-text page; raises for anything else."""
    defaults = {"url": fetched.url, "outlet": _host(fetched.url), **defaults}
    name = url_name(fetched.url)
    kind = fetched.content_type
    if kind in _HTML_TYPES or (kind in _SNIFF_TYPES and _looks_like(fetched.body, _HTML_STARTS)):
        declared = fetched.charset or html_declared_charset(fetched.body)
        html = decode_bytes(fetched.body, source, declared=declared)
        return read_html(html, source=source, name=name, defaults=defaults, extra=extra)
    if kind in _SNIFF_TYPES:
        text = decode_bytes(fetched.body, source, declared=fetched.charset)
        return document_from_fields(
            text, dict(extra or {}), source=source, name=name, defaults=defaults
        )
    raise IngestError(
        source,
        f"unsupported content type {kind!r} (supported: HTML, plain text, RSS and Atom feeds)",
    )


def _entry_date_fields(entry: dict[str, Any]) -> dict[str, Any]:
    """The entry's dates as find_published keys: its published date, else its updated one.

    Read with ``dict.get``: feedparser's own ``get`` maps a missing ``updated`` to
    ``published`` (with a DeprecationWarning).
    """
    fields: dict[str, Any] = {}
    if dict.get(entry, "published"):
        fields["published"] = dict.get(entry, "published")
    if dict.get(entry, "updated"):
        fields["date"] = dict.get(entry, "updated")
    return fields


def _entry_link(entry: dict[str, Any]) -> str | None:
    """The article an entry links to. feedparser copies an Atom ``id`` or RSS ``guid`` into
    ``link`` when there is no link element; such a copy counts only if it is an http(s) URL."""
    for link in entry.get("links") or []:
        if link.get("href") and link.get("rel", "alternate") == "alternate":
            return str(link["href"])
    link = entry.get("link")
    if link and str(link).lower().startswith(("http://", "https://")):
        return str(link)
    return None


def _entry_content(entry: dict[str, Any]) -> str:
    """The text of an entry's own content (Atom content, content:encoded) or summary."""
    for content in entry.get("content") or []:
        text = html_to_text(content.get("value") or "")
        if text:
            return text
    return html_to_text(entry.get("summary") or "")


def _parse_feed(data: bytes, content_type: str, base_url: str | None) -> Any:
    headers = {"content-type": content_type}
    if base_url:
        headers["content-location"] = base_url
    return feedparser.parse(io.BytesIO(data), response_headers=headers)


def _feed_entries(
    feed: Any,
    source: str,
    base_url: str | None,
    client: httpx.Client,
    max_bytes: int,
    allow_private: bool,
) -> Iterator[Document | IngestProblem]:
    feed_title = feed.feed.get("title")
    feed_name = url_name(base_url) if base_url else PurePosixPath(source).stem
    for index, entry in enumerate(feed.entries, start=1):
        link = _entry_link(entry)
        title = entry.get("title")
        label = f"entry {index}" + (f" ({title!r})" if title else "")
        extra = {
            "feed": base_url or source,
            "feed_title": feed_title,
            "entry_id": entry.get("id"),
            "entry_title": title,
            "entry_link": link,
            "entry_published": dict.get(entry, "published") or dict.get(entry, "updated"),
        }
        extra = {k: v for k, v in extra.items() if v}
        defaults = {"title": title, **_entry_date_fields(entry)}
        failure = "the entry has no link"
        if link and link.lower().startswith(("http://", "https://")):
            try:
                page = fetch(link, client, max_bytes, allow_private=allow_private)
                yield _page(page, link, {**defaults, "url": link}, extra)
                continue
            except IngestError as exc:
                failure = f"its page failed: {exc.reason}"
        elif link:
            failure = f"its link {link!r} is not an http(s) URL"
        text = _entry_content(entry)
        if not text:
            yield IngestProblem(source, f"{label}: {failure}, and it has no summary or content")
            continue
        fallback = {**extra, "fallback": f"feed summary ({failure})"}
        name = url_name(link) if link else f"{feed_name}-{index}"
        host = _host(link or base_url or "")
        entry_defaults = {**defaults, "url": link, "outlet": host}
        yield document_from_fields(
            text, fallback, source=source, name=name, defaults=entry_defaults
        )


def read_feed(
    data: bytes,
    source: str,
    *,
    content_type: str = "application/xml",
    base_url: str | None = None,
    client: httpx.Client | None = None,
    max_bytes: int = 20_000_000,
    allow_private: bool = False,
) -> Iterator[Document | IngestProblem]:
    """One Document per entry of an RSS, Atom or JSON feed (``data`` as fetched or saved).

    Each entry's link is fetched as an article; when that fails, the entry's content or
    summary is used and ``metadata["fallback"]`` says why. An entry with neither is yielded as
    an :class:`IngestProblem`. Raises :class:`IngestError` when ``data`` is not a feed.
    """
    feed = _parse_feed(data, content_type, base_url)
    yield from _read_parsed_feed(feed, source, base_url, client, max_bytes, allow_private)


def _read_parsed_feed(
    feed: Any,
    source: str,
    base_url: str | None,
    client: httpx.Client | None,
    max_bytes: int,
    allow_private: bool,
) -> Iterator[Document | IngestProblem]:
    if not feed.get("version"):
        why = feed.get("bozo_exception")
        detail = f": {str(why).splitlines()[0]}" if why else ""
        raise IngestError(source, f"not an RSS or Atom feed{detail}")
    if not feed.entries:
        raise IngestError(source, f"the feed ({feed.version}) has no entries")
    if client is None:
        with make_client() as own:
            yield from _feed_entries(feed, source, base_url, own, max_bytes, allow_private)
    else:
        yield from _feed_entries(feed, source, base_url, client, max_bytes, allow_private)


def read_url(
    url: str,
    *,
    client: httpx.Client | None = None,
    max_bytes: int = 20_000_000,
    allow_private: bool = False,
) -> Iterator[Document | IngestProblem]:
    """Documents from a URL: one for an article page, one per entry for an RSS/Atom feed.

    Raises :class:`IngestError` when the URL itself cannot be read; problems with single feed
    entries are yielded as :class:`IngestProblem` in their place.
    """
    if client is None:
        with make_client() as own:
            yield from read_url(url, client=own, max_bytes=max_bytes, allow_private=allow_private)
        return
    fetched = fetch(url, client, max_bytes, allow_private=allow_private)
    kind = fetched.content_type
    declared_feed = kind in _FEED_TYPES or kind.endswith(("+xml", "/json"))
    sniffed_feed = kind in _SNIFF_TYPES | _HTML_TYPES and _looks_like(fetched.body, _FEED_STARTS)
    if declared_feed or sniffed_feed:
        feed = _parse_feed(fetched.body, kind, fetched.url)
        if feed.get("version") or declared_feed:
            yield from _read_parsed_feed(feed, url, fetched.url, client, max_bytes, allow_private)
            return
    yield _page(fetched, url, {})
