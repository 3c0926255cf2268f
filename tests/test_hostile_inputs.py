"""Hostile files, packs and feeds: each is refused with one line naming it, in bounded time
and memory, and the rest of the batch is read and stored. Every hostile input is built here
in a temporary folder; URLs are served by a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import os
import resource
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from stancewatch.cli import app as cli_app
from stancewatch.ingest.fetch import fetch
from stancewatch.ingest.inputs import IngestProblem, ingest
from stancewatch.packs import PackError, load_pack
from stancewatch.records import Document
from stancewatch.store.database import Store

ENGLISH = (
    "The foreign minister said on Wednesday that the plan was unrealistic and that the "
    "government would not accept it, according to officials who were at the meeting."
)
ALIAS_BOMB = "\n".join(
    [
        "---",
        "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]",
        *(
            f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]"
            for i in range(9)
        ),
        "title: boom",
        "---",
        ENGLISH,
    ]
)


def finished_within(seconds: float, work) -> list:
    """Run ``work`` in a thread; fail (instead of hanging the suite) if it takes longer."""
    found: list = []

    def run() -> None:
        try:
            found.append(work())
        except Exception as exc:  # noqa: BLE001 - raised again in the test's thread
            found.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds} s"
    if isinstance(found[0], Exception):
        raise found[0]
    return found[0]


def by_name(items) -> dict[str, list]:
    out: dict[str, list] = {}
    for item in items:
        name = Path(item.source).name
        out.setdefault(name, []).append(item)
    return out


def test_special_files_are_refused_by_name(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "a-good.txt").write_text(ENGLISH)
    os.mkfifo(root / "fifo.txt")
    (root / "zero.txt").symlink_to("/dev/zero")
    (root / "loop.txt").symlink_to(root / "loop.txt")
    (root / "broken.txt").symlink_to(root / "nowhere.txt")
    (root / "z-good.md").write_text(f"# Title\n\n{ENGLISH}")
    (root / "link-good.txt").symlink_to(root / "a-good.txt")  # a link to a file is read
    items = finished_within(20, lambda: list(ingest([root])))
    found = by_name(items)
    reasons = {
        name: found[name][0].reason for name in found if isinstance(found[name][0], IngestProblem)
    }
    assert "FIFO" in reasons["fifo.txt"]
    assert "character device" in reasons["zero.txt"]
    assert "symlink loop" in reasons["loop.txt"]
    assert "broken symlink" in reasons["broken.txt"]
    docs = [item for item in items if isinstance(item, Document)]
    assert len(docs) == 3  # a-good, link-good (same text: stored once later), z-good
    # Named directly, a FIFO is refused the same way (no read that waits for a writer).
    (problem,) = finished_within(10, lambda: list(ingest([root / "fifo.txt"])))
    assert isinstance(problem, IngestProblem) and "FIFO" in problem.reason


def test_a_proc_file_is_read_by_what_it_holds_not_its_size(tmp_path: Path) -> None:
    """/proc files say size 0; the limit applies to the bytes actually read."""
    status = Path("/proc/self/status")
    if not status.exists():
        pytest.skip("no /proc")
    link = tmp_path / "status.txt"
    link.symlink_to(status)
    (problem,) = list(ingest([link], max_bytes=64))
    assert isinstance(problem, IngestProblem) and "too large" in problem.reason


def test_deep_json_and_long_lines_fail_alone(tmp_path: Path) -> None:
    first = tmp_path / "a.txt"
    first.write_text(ENGLISH)
    rows = tmp_path / "b.jsonl"
    rows.write_text(
        f'{{"text": "{ENGLISH} one"}}\n'
        + '{"text": "x", "meta": '
        + "[" * 5_000  # past the JSON parser's recursion limit
        + "]" * 5_000
        + "}\n"
        + '{"text": "y", "meta": '
        + "[" * 100
        + "]" * 100
        + "}\n"
        + '{"text": "'
        + "z" * 130_000  # not held in memory: longer than 6 x 10,000 + 64 KiB
        + '"}\n'
        + f'{{"text": "{ENGLISH} two"}}\n'
    )
    last = tmp_path / "c.txt"
    last.write_text(ENGLISH + " three")
    items = finished_within(30, lambda: list(ingest([tmp_path], max_bytes=10_000)))
    docs = [i for i in items if isinstance(i, Document)]
    problems = [str(i) for i in items if isinstance(i, IngestProblem)]
    assert len(docs) == 4
    assert any("line 2: JSON nested deeper than 64 levels" in p for p in problems)
    assert any("line 3: JSON nested deeper than 64 levels" in p for p in problems)
    assert any("line 4: longer than" in p for p in problems)
    with Store(tmp_path / "s.db") as store:
        assert store.add_documents(iter(docs)).added == 4
        assert store.count("documents") == 4


def test_yaml_alias_bomb_in_front_matter(tmp_path: Path) -> None:
    (tmp_path / "bomb.md").write_text(ALIAS_BOMB)
    (tmp_path / "deep.md").write_text("---\nx: " + "[" * 50_000 + "]" * 50_000 + "\n---\nText.")
    (tmp_path / "good.md").write_text(f"---\ntitle: Fine\n---\n{ENGLISH}")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    items = finished_within(30, lambda: list(ingest([tmp_path])))
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    found = by_name(items)
    assert "aliases (*a) are not allowed" in found["bomb.md"][0].reason
    assert "nested deeper than 64 levels" in found["deep.md"][0].reason
    assert isinstance(found["good.md"][0], Document)
    assert grown_mb < 200


def test_a_failing_input_does_not_lose_documents_read_before(tmp_path: Path) -> None:
    docs = [Document.from_text(f"{ENGLISH} {n}") for n in range(5)]

    def broken() -> Iterator[Document]:
        yield from docs
        raise RecursionError("a parser gave up")

    with Store(tmp_path / "s.db") as store:
        with pytest.raises(RecursionError):
            store.add_documents(broken(), batch_size=200)
        assert store.count("documents") == 5


def test_file_names_are_escaped_in_messages(tmp_path: Path) -> None:
    evil = tmp_path / "evil\nStored 99 new document(s)\x1b[31m[bold]x.txt"
    evil.write_bytes(b"\x00\x01\x02 binary")
    (tmp_path / "good.txt").write_text(ENGLISH)
    result = CliRunner().invoke(cli_app, ["ingest", str(tmp_path), "--db", str(tmp_path / "s.db")])
    assert result.exit_code == 0, result.output
    output = result.output
    assert "\x1b[31m" not in output
    skipped = [line for line in output.splitlines() if line.startswith("Skipped")]
    assert len(skipped) == 1
    assert "\\n" in skipped[0] and "\\x1b" in skipped[0] and "[bold]x" in skipped[0]
    assert not any(line.startswith("Stored 99") for line in output.splitlines())


# -- packs -------------------------------------------------------------------------------

PACK = {
    "pack.yaml": "name: hostile\nversion: '1'\n",
    "actors.yaml": "actors:\n  - id: a\n    name: A\n",
    "positions.yaml": (
        "version: '1'\npositions:\n  - id: p\n    topic: t\n    proposition: P.\n"
        "    holders: [a]\n    supports: [Yes.]\n    opposes: [No.]\n"
    ),
    "facts.csv": "id,measure,subject,value,unit,source\n",
}


def pack(root: Path, **files: str) -> Path:
    root.mkdir()
    for name, text in {**PACK, **files}.items():
        (root / name).write_text(text)
    return root


def test_pack_alias_bomb_is_refused(tmp_path: Path) -> None:
    bomb = ALIAS_BOMB.split("---")[1].replace("title: boom", "actors: *j")
    folder = pack(tmp_path / "p", **{"actors.yaml": bomb})
    with pytest.raises(PackError) as caught:
        load_pack(folder)  # refused when read, before any alias is expanded
    assert "actors.yaml" in str(caught.value) and "aliases" in str(caught.value)


def test_pack_deep_nesting_is_refused(tmp_path: Path) -> None:
    folder = pack(tmp_path / "p", **{"positions.yaml": "positions: " + "[" * 50_000 + "]" * 50_000})
    with pytest.raises(PackError) as caught:
        finished_within(30, lambda: load_pack(folder))
    assert "positions.yaml" in str(caught.value) and "nested deeper" in str(caught.value)


def test_pack_facts_symlink_loop_is_an_error(tmp_path: Path) -> None:
    folder = pack(tmp_path / "p")
    (folder / "facts.csv").unlink()
    (folder / "facts.csv").symlink_to(folder / "facts.csv")
    with pytest.raises(PackError) as caught:
        load_pack(folder)
    assert "facts.csv" in str(caught.value) and "symlink loop" in str(caught.value)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
@pytest.mark.parametrize("name", ["facts.csv", "rates.csv", "actions.csv"])
def test_a_pack_csv_file_that_is_a_fifo_is_refused(tmp_path: Path, name: str) -> None:
    """Every CSV a pack reads goes through one reader that takes regular files only: a FIFO
    would otherwise block the read for ever."""
    folder = pack(tmp_path / "p")
    (folder / name).unlink(missing_ok=True)
    os.mkfifo(folder / name)
    with pytest.raises(PackError) as caught:
        load_pack(folder)
    assert name in str(caught.value) and "not a regular file" in str(caught.value)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_the_facts_and_rates_commands_refuse_a_fifo_before_reading_or_appending(
    tmp_path: Path,
) -> None:
    """`facts rates validate FILE`, `facts import FILE` and the commands that append to a
    pack's facts.csv or rates.csv read through the pack's reader: a FIFO in the place of
    a file is refused at once, named, and nothing is written."""
    from stancewatch.claims.factbase import add_fact, add_rate, import_facts, load_rates

    fifo = tmp_path / "given.csv"
    os.mkfifo(fifo)
    folder = pack(tmp_path / "p")
    for name in ("facts.csv", "rates.csv"):
        (folder / name).unlink(missing_ok=True)
        os.mkfifo(folder / name)
    fact = {"id": "f1", "measure": "aid", "subject": "a", "value": "1", "unit": "count"}
    fact |= {"period": "2024", "source": "S", "url": "https://example.org/f"}
    fact["retrieved"] = "2025-01-02"
    rate = {"date": "2024-12-31", "base": "EUR", "quote": "USD", "rate": "1.0389"}
    rate |= {"source": "ECB", "url": "https://example.org/r"}
    attempts = {
        "rates validate": lambda: load_rates(fifo),
        "facts import": lambda: import_facts(folder, fifo),
        "facts add": lambda: add_fact(folder, fact),
        "rates add": lambda: add_rate(folder, rate),
    }
    for what, attempt in attempts.items():
        with pytest.raises(PackError) as caught:
            finished_within(10, attempt)
        assert "not a regular file" in str(caught.value), what
        assert ".csv" in str(caught.value), what


# -- feeds and URLs -----------------------------------------------------------------------


class _Site(BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        if self.path == "/slow":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            for _ in range(600):
                try:
                    self.wfile.write(b"a")
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(0.05)
            return
        body = f"<html><body><article><p>{ENGLISH}</p></article></body></html>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    _Site.requests = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_feeds_refuse_private_addresses_by_default(tmp_path: Path, site: str) -> None:
    feed = tmp_path / "feed.rss"
    entries = [
        f"{site}/internal",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.1.2.3/admin",
        "http://[::1]/x",
        "http://localhost/x",
    ]
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>'
        + "".join(
            f"<item><title>E{i}</title><link>{link}</link>"
            f"<description>Summary {i}: {ENGLISH}</description></item>"
            for i, link in enumerate(entries)
        )
        + "</channel></rss>"
    )
    items = finished_within(30, lambda: list(ingest([feed])))
    assert _Site.requests == []  # nothing was fetched from the machine itself
    assert all(isinstance(i, Document) for i in items) and len(items) == len(entries)
    for item in items:
        assert "refused" in item.metadata["fallback"] and "private" in item.metadata["fallback"]
    (direct,) = list(ingest([f"{site}/page"]))
    assert isinstance(direct, IngestProblem) and "--allow-private-addresses" in direct.reason
    # For an intranet they may be allowed.
    (allowed,) = list(ingest([f"{site}/page"], allow_private=True))
    assert isinstance(allowed, Document) and _Site.requests == ["/page"]


def test_a_trickling_server_is_cut_off_at_the_deadline(site: str) -> None:
    started = time.perf_counter()
    with httpx.Client(trust_env=False) as client, pytest.raises(Exception) as caught:
        fetch(f"{site}/slow", client, 1_000_000, allow_private=True, deadline=1.0)
    # the server would trickle for minutes; a generous bound only tells a cut-off from a hang
    assert time.perf_counter() - started < 30
    assert "longer than 1 s" in str(caught.value)


if sys.platform == "win32":  # pragma: no cover - FIFOs and /dev are POSIX
    pytestmark = pytest.mark.skip("POSIX file types")
