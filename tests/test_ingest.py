"""Reading files, folders, tables, URLs and feeds into Documents (stancewatch.ingest.inputs).

Every input is a real file written into tmp_path; URLs are served by a real HTTP server on
127.0.0.1 started by the test.
"""

from __future__ import annotations

import json
import random
import socket
import tempfile
import threading
from collections.abc import Iterator
from datetime import date
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stancewatch.ingest.inputs import (
    FORMATS,
    IngestError,
    IngestProblem,
    ingest,
    iter_sources,
    read_source,
)
from stancewatch.ingest.readers import guess_language
from stancewatch.records import Document, content_hash

ENGLISH = (
    "The foreign minister said on Wednesday that the plan was unrealistic and that the "
    "government would not accept it, according to officials who were at the meeting."
)


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_bytes(content.encode("utf-8"))
    else:
        path.write_bytes(content)
    return path


def docs_and_problems(items: list) -> tuple[list[Document], list[IngestProblem]]:
    docs = [item for item in items if isinstance(item, Document)]
    problems = [item for item in items if isinstance(item, IngestProblem)]
    assert len(docs) + len(problems) == len(items)
    return docs, problems


def one_doc(path: Path, **options: object) -> Document:
    (doc,) = list(read_source(path, **options))
    return doc


# --- formats -------------------------------------------------------------------------------

HTML_ARTICLE = f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8">
<title>Minister rejects plan | The Daily Example</title>
<link rel="canonical" href="https://example.com/news/minister-rejects-plan">
<meta property="og:site_name" content="The Daily Example">
<meta property="article:published_time" content="2025-02-12T09:30:00+01:00">
<meta name="author" content="Jane Doe">
</head><body>
<nav><a href="/">Home</a> | <a href="/world">World</a></nav>
<article><h1>Minister rejects plan</h1>
<p>{ENGLISH}</p>
<p>"We will not cede any territory," she told reporters in Brussels after a meeting of
the alliance's defence ministers on Wednesday afternoon.</p>
<p>Officials said talks would continue next week in Riyadh, where delegations from both
countries are expected to discuss the terms of a ceasefire.</p>
</article>
<footer>Copyright 2019 The Daily Example. All rights reserved.</footer>
</body></html>"""


@pytest.mark.parametrize(
    "filename, content, expected",
    [
        ("story.txt", ENGLISH + "\n", {"name": "story", "title": None, "language": "en"}),
        (
            "kyiv.txt",
            "KYIV, 12 February 2025 — " + ENGLISH,
            {"published": date(2025, 2, 12), "title": None},
        ),
        (
            "demo-article.md",
            "---\ntitle: Minister rejects plan\npublished: 2025-02-12\noutlet: Example News\n"
            "url: https://example.com/a\nnote: written for the demo\n---\n\n" + ENGLISH + "\n",
            {
                "name": "demo-article",
                "title": "Minister rejects plan",
                "published": date(2025, 2, 12),
                "outlet": "Example News",
                "url": "https://example.com/a",
                "metadata": {"note": "written for the demo"},
                "text": ENGLISH,
            },
        ),
        (
            "dated.markdown",
            "---\ntitle: T\ndate: 'Feb. 19, 2025'\nlanguage: de\ntags: [a, b]\n---\n" + ENGLISH,
            {"published": date(2025, 2, 19), "language": "de", "metadata": {"tags": ["a", "b"]}},
        ),
        (
            "heading.md",
            "# Minister rejects plan\n\n" + ENGLISH,
            {"title": "Minister rejects plan", "published": None, "metadata": {}},
        ),
        (
            "rule.md",
            "---\n\n" + ENGLISH,  # a horizontal rule, not front matter
            {"title": None, "text": "---\n\n" + ENGLISH},
        ),
        (
            "article.html",
            HTML_ARTICLE,
            {
                "name": "article",
                "title": "Minister rejects plan",
                "outlet": "The Daily Example",
                "url": "https://example.com/news/minister-rejects-plan",
                "published": date(2025, 2, 12),
                "language": "en",
            },
        ),
        (
            "broken.htm",
            "<html><body><p>Unclosed <b>bold <div>" + ENGLISH,
            {"name": "broken", "language": "en"},
        ),
        (
            "fragment.html",
            "<p>" + ENGLISH + "<script>var hidden = 1;</script>",
            {"text": ENGLISH},
        ),
    ],
)
def test_single_document_formats(
    tmp_path: Path, filename: str, content: str, expected: dict[str, object]
) -> None:
    path = write(tmp_path, filename, content)
    doc = one_doc(path)
    assert doc.id == content_hash(doc.text)
    assert doc.source == str(path)
    assert ENGLISH[:60] in doc.text
    assert "<" not in doc.text or filename.endswith(".md")
    for field, value in expected.items():
        assert getattr(doc, field) == value, field


def test_html_keeps_main_text_only(tmp_path: Path) -> None:
    doc = one_doc(write(tmp_path, "article.html", HTML_ARTICLE))
    assert "cede any territory" in doc.text
    assert "Home" not in doc.text and "Copyright" not in doc.text
    assert doc.metadata["author"] == "Jane Doe"


@pytest.mark.parametrize(
    "filename, content, reason",
    [
        ("empty.txt", b"", "empty"),
        ("blank.md", b"  \n\t\r\n  ", "empty"),
        ("blank16.txt", "   \n".encode("utf-16"), "empty"),
        ("front-only.md", b"---\ntitle: T\n---\n\n", "empty"),
        ("junk.txt", random.Random(7).randbytes(4000) + b"\x00\x00", "not a text file"),
        ("controls.txt", b"\x01\x02\x03\x04\x05\x06abc" * 50, "not a text file"),
        ("script.html", b"<html><head><title>T</title></head><body></body></html>", "no text"),
        ("bad-yaml.md", b"---\ntitle: [unclosed\n---\nText.", "front matter is not valid YAML"),
        ("list-yaml.md", b"---\n- a: 1\n---\nText.", "front matter must be YAML keys"),
        ("paper.pdf", b"%PDF-1.4", "unsupported file type '.pdf'"),
        ("README", b"text", "unsupported file type '(no extension)'"),
        ("empty.jsonl", b"", "empty"),
        ("blank.jsonl", b"\n\n  \n", "empty"),
        ("empty.csv", b"", "empty"),
        ("header-only.csv", b"id,text\n", "no rows after the header"),
        ("junk.csv", random.Random(8).randbytes(2000) + b"\x00", "not a text file"),
        ("not-a-feed.xml", b"<?xml version='1.0'?><sitemap><url>x</url></sitemap>", "not an RSS"),
        ("empty.rss", b"", "empty"),
    ],
)
def test_unreadable_inputs(tmp_path: Path, filename: str, content: bytes, reason: str) -> None:
    path = write(tmp_path, filename, content)
    with pytest.raises(IngestError) as caught:
        list(read_source(path))
    assert caught.value.source == str(path)
    assert caught.value.reason.startswith(reason) or reason in caught.value.reason
    assert "\n" not in caught.value.reason
    assert str(path) in str(caught.value)
    # the lenient reader reports the same thing and does not raise
    assert list(ingest([path])) == [IngestProblem(str(path), caught.value.reason)]


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    assert list(ingest([missing])) == [IngestProblem(str(missing), "no such file or folder")]


# --- encodings and line endings -------------------------------------------------------------

ACCENTED = "The minister said “peace is near” in Genève; the café was closed – again."


@pytest.mark.parametrize(
    "encoded",
    [
        ACCENTED.encode("utf-8"),
        b"\xef\xbb\xbf" + ACCENTED.encode("utf-8"),
        ACCENTED.encode("utf-16"),  # with its byte-order mark
        b"\xfe\xff" + ACCENTED.encode("utf-16-be"),
        ACCENTED.encode("cp1252"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-le-bom", "utf-16-be-bom", "cp1252"],
)
def test_encodings(tmp_path: Path, encoded: bytes) -> None:
    assert one_doc(write(tmp_path, "a.txt", encoded)).text == ACCENTED


@pytest.mark.parametrize(
    "text, encoding",
    [
        ("Президент заявил, что переговоры продолжатся в феврале в Эр-Рияде.", "cp1251"),
        ("Der Minister sagte „Frieden“ – die Größe der Übergabe ist unklar.", "cp1252"),
    ],
)
def test_legacy_encodings_are_detected(tmp_path: Path, text: str, encoding: str) -> None:
    assert one_doc(write(tmp_path, "a.txt", text.encode(encoding))).text == text


def test_html_meta_charset(tmp_path: Path) -> None:
    html = f'<html><head><meta charset="iso-8859-1"></head><body><p>{ACCENTED}</p></body></html>'
    # browsers read iso-8859-1 as windows-1252, which has the curly quotes
    doc = one_doc(write(tmp_path, "a.html", html.encode("cp1252")))
    assert doc.text == ACCENTED


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\n"])
def test_line_endings_are_normalised(tmp_path: Path, newline: str) -> None:
    content = newline.join(["First line.", "", "Second line.", ""])
    for name in ("a.txt", "a.md"):
        doc = one_doc(write(tmp_path, name, content))
        assert doc.text == "First line.\n\nSecond line."


def test_same_content_twice_gets_one_id(tmp_path: Path) -> None:
    text = "Minister rejects plan\n\n" + ENGLISH
    first = write(tmp_path, "one/article.txt", text + "\n")
    windows = "---\ntitle: A copy\n---\n" + text.replace("\n", "\r\n") + "\r\n\r\n"
    second = write(tmp_path, "two/copy.md", windows.encode("utf-16"))
    third = write(tmp_path, "three.jsonl", json.dumps({"text": text}) + "\n")
    other = write(tmp_path, "other.txt", text + " More.")
    docs = [one_doc(first), one_doc(second), next(read_source(third))]
    assert {doc.text for doc in docs} == {text}
    assert {doc.id for doc in docs} == {content_hash(text)}
    assert [doc.name for doc in docs] == ["article", "copy", "three-1"]
    assert one_doc(other).id != docs[0].id


def test_size_limit(tmp_path: Path) -> None:
    path = write(tmp_path, "huge.txt", ENGLISH * 100)
    size = path.stat().st_size
    (problem,) = list(ingest([path], max_bytes=1000))
    assert problem.source == str(path)
    assert f"{size:,} bytes" in problem.reason and "1,000" in problem.reason
    assert len(one_doc(path, max_bytes=size).text) == size


def test_size_limit_applies_per_row_in_tables(tmp_path: Path) -> None:
    rows = [f'{{"text": "{"word " * n}"}}' for n in (10, 500, 10)]
    path = write(tmp_path, "rows.jsonl", "\n".join(rows))
    docs, problems = docs_and_problems(list(ingest([path], max_bytes=1000)))
    assert [doc.name for doc in docs] == ["rows-1", "rows-3"]
    assert [p.reason for p in problems] == [
        "line 2: the text is 2,500 bytes, over the limit of 1,000 bytes"
    ]


@pytest.mark.parametrize("bad", [{"max_bytes": 0}, {"max_bytes": -5}, {"text_column": ""}])
def test_invalid_options(tmp_path: Path, bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        list(ingest([write(tmp_path, "a.txt", ENGLISH)], **bad))


# --- tables ---------------------------------------------------------------------------------


def test_jsonl_broken_line_in_the_middle(tmp_path: Path) -> None:
    lines = [
        '{"id": "a1", "text": "First article text.", "title": "One", "published": "2025-02-01",'
        ' "outlet": "Wire", "url": "https://e.com/1", "section": "world", "rank": 3}',
        "",
        '{"text": "Second article, broken", "title": ',
        '["not", "an", "object"]',
        '{"text": "Third article text.", "name": "third", "date": "Feb. 19, 2025"}',
        '{"title": "Has no text field"}',
        '{"text": "   "}',
        '{"text": 42}',
        '{"text": "Last article text."}',
    ]
    path = write(tmp_path, "corpus.ndjson", "\n".join(lines) + "\n")
    docs, problems = docs_and_problems(list(ingest([path])))
    assert [doc.text for doc in docs] == [
        "First article text.",
        "Third article text.",
        "Last article text.",
    ]
    assert [doc.name for doc in docs] == ["a1", "third", "corpus-9"]
    first = docs[0]
    assert (first.title, first.outlet, first.url) == ("One", "Wire", "https://e.com/1")
    assert first.published == date(2025, 2, 1)
    assert first.metadata == {"section": "world", "rank": 3}
    assert docs[1].published == date(2025, 2, 19)
    assert all(problem.source == str(path) for problem in problems)
    reasons = [problem.reason for problem in problems]
    assert reasons[0].startswith("line 3: not valid JSON")
    assert reasons[1] == "line 4: expected a JSON object, got list"
    assert reasons[2].startswith("line 6: no 'text' column; columns found: 'title'")
    assert reasons[3:] == [
        "line 7: the 'text' field is empty",
        "line 8: the 'text' field is not a string",
    ]
    # read_source is strict: it yields the first row, then raises at line 3
    strict = read_source(path)
    assert next(strict).name == "a1"
    with pytest.raises(IngestError, match="line 3: not valid JSON"):
        next(strict)


def test_jsonl_wrong_text_column_stops_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "rows.jsonl", '{"body": "x", "headline": "y"}\n{"body": "z"}\n')
    (problem,) = list(ingest([path]))
    assert problem == IngestProblem(
        str(path),
        "line 1: no 'text' column; columns found: 'body', 'headline' "
        "(choose the text column with text_column / --text-column)",
    )
    assert [d.text for d in ingest([path], text_column="body")] == ["x", "z"]


def test_csv_with_custom_text_column(tmp_path: Path) -> None:
    content = (
        "id,body,title,published,outlet,comment\r\n"
        'r1,"A first body, with a comma\r\nand a second line.",First,2025-02-12,Wire,ok\r\n'
        'r2,"Second ""quoted"" body.",Second,,,\r\n'
        ",Third body.,Third,12 February 2025,,\r\n"
    )
    path = write(tmp_path, "table.csv", content)
    docs = list(read_source(path, text_column="body"))
    assert [doc.text for doc in docs] == [
        "A first body, with a comma\nand a second line.",
        'Second "quoted" body.',
        "Third body.",
    ]
    assert [doc.name for doc in docs] == ["r1", "r2", "table-3"]
    assert [doc.published for doc in docs] == [date(2025, 2, 12), None, date(2025, 2, 12)]
    assert docs[0].outlet == "Wire" and docs[0].title == "First"
    assert docs[0].metadata == {"comment": "ok"}
    assert docs[1].metadata == {}


def test_csv_missing_text_column(tmp_path: Path) -> None:
    path = write(tmp_path, "table.csv", "id,body,title\n1,Some text,T\n")
    with pytest.raises(IngestError) as caught:
        list(read_source(path))
    assert caught.value.source == str(path)
    assert caught.value.reason == (
        "line 1: no 'text' column; columns found: 'id', 'body', 'title' "
        "(choose the text column with text_column / --text-column)"
    )


def test_csv_semicolons_get_a_hint(tmp_path: Path) -> None:
    path = write(tmp_path, "table.csv", "id;text\n1;Some text\n")
    with pytest.raises(IngestError, match="separated by ';'"):
        list(read_source(path))


def test_csv_bad_rows_are_problems(tmp_path: Path) -> None:
    content = "text,title\nGood one.,A\nToo, many, fields,B\n,Empty text\nGood two.,C\n"
    path = write(tmp_path, "t.csv", content)
    docs, problems = docs_and_problems(list(ingest([path])))
    assert [doc.text for doc in docs] == ["Good one.", "Good two."]
    assert [doc.name for doc in docs] == ["t-1", "t-4"]
    assert [p.reason for p in problems] == [
        "line 3: 4 fields but the header has 2 (a field with an unquoted delimiter or quote?)",
        "line 4: the 'text' field is empty",
    ]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "cp1252"])
def test_tsv_encodings(tmp_path: Path, encoding: str) -> None:
    content = f"name\ttext\nr1\t{ACCENTED}\n"
    doc = one_doc(write(tmp_path, "t.tsv", content.encode(encoding)))
    assert (doc.name, doc.text) == ("r1", ACCENTED)


# --- folders --------------------------------------------------------------------------------


def test_folders_recursive_sorted_skipping_hidden_and_unsupported(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    write(root, "b.txt", "B text.")
    write(root, "a/z.md", "Z text.")
    write(root, "a/deeper/still/y.HTML", "<p>Y text.</p>")
    write(root, "a/rows.jsonl", '{"text": "Row one."}\n{"text": "Row two."}\n')
    write(root, ".hidden.txt", "hidden")
    write(root, ".git/objects/x.txt", "hidden")
    write(root, "image.png", b"\x89PNG\x00")
    write(root, "notes.docx", b"PK\x00")
    sources = list(iter_sources([root, "https://example.org/story", root / "b.txt"]))
    rel = [Path(s).relative_to(root).as_posix() if not s.startswith("http") else s for s in sources]
    assert rel == [
        "a/deeper/still/y.HTML",
        "a/rows.jsonl",
        "a/z.md",
        "b.txt",
        "https://example.org/story",
    ]
    texts = [doc.text for doc in ingest([root])]
    assert texts == ["Y text.", "Row one.", "Row two.", "Z text.", "B text."]
    # read_source reads a folder too
    assert [doc.text for doc in read_source(root)] == texts


def test_named_files_are_kept_whatever_they_are(tmp_path: Path) -> None:
    odd = write(tmp_path, ".hidden.txt", "Hidden but named.")
    assert list(iter_sources([odd, tmp_path / "missing.txt"])) == [
        str(odd),
        str(tmp_path / "missing.txt"),
    ]
    assert [doc.text for doc in ingest([odd])] == ["Hidden but named."]


def test_a_bad_file_does_not_stop_the_rest(tmp_path: Path) -> None:
    write(tmp_path, "1.txt", "First.")
    write(tmp_path, "2.txt", b"")
    write(tmp_path, "3.txt", b"\x00\x01\x02" * 100)
    write(tmp_path, "4.txt", "Fourth.")
    docs, problems = docs_and_problems(list(ingest([tmp_path])))
    assert [doc.text for doc in docs] == ["First.", "Fourth."]
    assert [Path(p.source).name for p in problems] == ["2.txt", "3.txt"]


# --- language -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        (ENGLISH, "en"),
        ("Putin said the war would end soon.", "en"),
        (
            "Der Außenminister sagte am Mittwoch, der Plan sei unrealistisch und werde "
            "von der Regierung nicht akzeptiert.",
            None,
        ),
        (
            "Le ministre a déclaré mercredi que le plan était irréaliste et que le "
            "gouvernement ne l'accepterait pas.",
            None,
        ),
        ("Президент заявил, что переговоры продолжатся.", None),
        ("Peace talks", None),  # too short to tell
        ("", None),
    ],
)
def test_guess_language(text: str, expected: str | None) -> None:
    assert guess_language(text) == expected


# --- no input crashes ingest ----------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    content=st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)),
    suffix=st.sampled_from(sorted(set(FORMATS) - {".rss", ".atom", ".xml"})),
)
def test_ingest_never_raises(content: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder), "input" + suffix, content)
        for item in ingest([path]):
            if isinstance(item, Document):
                assert item.id == content_hash(item.text)
                assert "\r" not in item.text and item.text == item.text.strip()
                assert item.text
            else:
                assert item.source == str(path) and item.reason and "\n" not in item.reason


# --- URLs and feeds -------------------------------------------------------------------------


class _Handler(SimpleHTTPRequestHandler):
    user_agents: list[str] = []

    def do_GET(self) -> None:
        type(self).user_agents.append(self.headers.get("User-Agent", ""))
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        pass


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Path]]:
    """(base URL, folder it serves): a real HTTP server on 127.0.0.1."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    site = tmp_path / "site"
    site.mkdir()
    _Handler.user_agents = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Handler, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", site
    finally:
        httpd.shutdown()
        httpd.server_close()


LOCAL = {"allow_private": True}  # the test server is on loopback


def _article(title: str, body: str) -> str:
    return (
        f"<html><head><title>{title}</title>"
        '<meta property="og:site_name" content="Local News"></head>'
        f"<body><article><h1>{title}</h1><p>{body} {ENGLISH}</p>"
        f"<p>{ENGLISH}</p></article></body></html>"
    )


def test_url_to_html_article(server: tuple[str, Path]) -> None:
    base, site = server
    write(site, "news/minister.html", HTML_ARTICLE)
    url = f"{base}/news/minister.html"
    (doc,) = list(ingest([url], allow_private=True))
    assert isinstance(doc, Document)
    assert doc.source == url
    assert doc.name == "minister"
    assert doc.title == "Minister rejects plan"
    assert doc.outlet == "The Daily Example"
    assert doc.url == "https://example.com/news/minister-rejects-plan"  # canonical
    assert doc.published == date(2025, 2, 12)
    assert "cede any territory" in doc.text
    assert _Handler.user_agents == [f"stancewatch/{__import__('stancewatch').__version__}"]


def test_url_redirect_plain_text_and_host_outlet(server: tuple[str, Path]) -> None:
    base, site = server
    write(site, "section/index.html", "<html><body><p>" + ENGLISH + "</p></body></html>")
    write(site, "notes.txt", "KYIV, 12 February 2025 — " + ENGLISH)
    # /section redirects to /section/ (a real 301 from the server)
    page, text = list(ingest([f"{base}/section", f"{base}/notes.txt"], **LOCAL))
    assert isinstance(page, Document) and isinstance(text, Document)
    assert page.url == f"{base}/section/" and page.outlet.startswith("127.0.0.1")
    assert ENGLISH[:50] in page.text
    assert text.text.startswith("KYIV") and text.published == date(2025, 2, 12)
    assert text.name == "notes" and text.url == f"{base}/notes.txt"


def test_url_problems(server: tuple[str, Path]) -> None:
    base, site = server
    write(site, "big.html", "<p>" + ENGLISH * 50 + "</p>")
    write(site, "data.bin", b"\x00\x01")
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    urls = [f"{base}/missing.html", f"{base}/big.html", f"{base}/data.bin"]
    urls.append(f"http://127.0.0.1:{closed}/x")
    with httpx.Client(trust_env=False) as client:
        items = list(ingest(urls, client=client, max_bytes=2000, allow_private=True))
    assert [item.source for item in items] == urls
    assert all(isinstance(item, IngestProblem) for item in items)
    reasons = [item.reason for item in items]
    assert reasons[0] == "HTTP 404 File not found"
    assert reasons[1].startswith("too large:") and "2,000" in reasons[1]
    assert reasons[2].startswith("not a text file")
    assert reasons[3].startswith("could not fetch")
    # a client without a User-Agent of its own still sends stancewatch's
    assert all(ua.startswith("stancewatch/") for ua in _Handler.user_agents)
    with pytest.raises(IngestError) as caught:
        list(read_source(urls[0], allow_private=True))
    assert (caught.value.source, caught.value.reason) == (urls[0], "HTTP 404 File not found")


RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Local News: World</title><link>{base}/</link>
<description>World news</description>
<item><title>Minister rejects plan</title><link>{base}/a/minister.html</link>
<guid>{base}/a/minister.html</guid><pubDate>Wed, 12 Feb 2025 10:00:00 GMT</pubDate></item>
<item><title>Talks resume</title><link>{base}/a/talks.html</link>
<pubDate>Thu, 13 Feb 2025 08:00:00 GMT</pubDate></item>
<item><title>Gone story</title><link>{base}/a/gone.html</link>
<pubDate>Fri, 14 Feb 2025 08:00:00 GMT</pubDate>
<description>&lt;p&gt;The summary of the &lt;b&gt;gone&lt;/b&gt; story survives.&lt;/p&gt;</description></item>
<item><title>Dead and empty</title><link>{base}/a/dead.html</link></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Local Atom</title>
<id>urn:feed</id><updated>2025-02-20T00:00:00Z</updated>
<entry><title>Atom talks</title><link href="{base}/a/talks.html"/><id>urn:1</id>
<published>2025-02-18T23:30:00-05:00</published><updated>2025-02-20T00:00:00Z</updated></entry>
<entry><title>Atom only content</title><id>urn:2</id><updated>2025-02-19T09:00:00Z</updated>
<content type="html">&lt;p&gt;Full content of the second entry.&lt;/p&gt;</content></entry>
</feed>"""


def _write_site(site: Path, base: str) -> None:
    write(site, "a/minister.html", _article("Minister rejects plan", "Minister body."))
    write(site, "a/talks.html", _article("Talks resume in Riyadh", "Talks body."))
    write(site, "rss", RSS.format(base=base))  # no extension: served as octet-stream, sniffed
    write(site, "atom.xml", ATOM.format(base=base))  # served as application/xml


def test_rss_feed(server: tuple[str, Path]) -> None:
    base, site = server
    _write_site(site, base)
    feed = f"{base}/rss"
    docs, problems = docs_and_problems(list(ingest([feed], allow_private=True)))
    assert [doc.title for doc in docs] == [
        "Minister rejects plan",
        "Talks resume in Riyadh",
        "Gone story",
    ]
    minister, talks, gone = docs
    assert minister.source == f"{base}/a/minister.html" and minister.name == "minister"
    assert minister.url == f"{base}/a/minister.html" and minister.outlet == "Local News"
    assert minister.published == date(2025, 2, 12)  # from the feed: the page has no date
    assert "Minister body." in minister.text
    assert minister.metadata["feed"] == feed
    assert minister.metadata["feed_title"] == "Local News: World"
    assert minister.metadata["entry_title"] == "Minister rejects plan"
    assert talks.published == date(2025, 2, 13) and "Talks body." in talks.text
    # the dead link falls back to the entry's summary, and says so
    assert gone.text == "The summary of the gone story survives."
    assert gone.source == feed and gone.url == f"{base}/a/gone.html"
    assert gone.published == date(2025, 2, 14)
    assert gone.metadata["fallback"].startswith("feed summary (its page failed: HTTP 404")
    (problem,) = problems
    assert problem.source == feed
    assert problem.reason.startswith("entry 4 ('Dead and empty'): its page failed: HTTP 404")
    assert problem.reason.endswith("and it has no summary or content")


def test_atom_feed(server: tuple[str, Path]) -> None:
    base, site = server
    _write_site(site, base)
    feed = f"{base}/atom.xml"
    talks, content_only = list(read_source(feed, allow_private=True))
    assert talks.source == f"{base}/a/talks.html" and talks.title == "Talks resume in Riyadh"
    # the entry's own published date, on its own calendar day (not UTC, not "updated")
    assert talks.published == date(2025, 2, 18)
    assert content_only.text == "Full content of the second entry."
    assert content_only.title == "Atom only content"
    assert content_only.published == date(2025, 2, 19)  # only "updated" is given
    assert content_only.name == "atom-2" and content_only.source == feed
    assert content_only.metadata["fallback"] == "feed summary (the entry has no link)"


def test_saved_feed_file_fetches_its_links(server: tuple[str, Path], tmp_path: Path) -> None:
    base, site = server
    _write_site(site, base)
    saved = write(tmp_path, "saved/world.rss", RSS.format(base=base))
    docs, problems = docs_and_problems(list(ingest([saved], allow_private=True)))
    assert [doc.title for doc in docs][:2] == ["Minister rejects plan", "Talks resume in Riyadh"]
    assert docs[2].source == str(saved)
    assert [p.source for p in problems] == [str(saved)]


def test_same_article_from_url_and_feed_has_one_id(server: tuple[str, Path]) -> None:
    base, site = server
    _write_site(site, base)
    direct = list(read_source(f"{base}/a/talks.html", allow_private=True))[0]
    via_feed = [
        d for d in ingest([f"{base}/atom.xml"], allow_private=True) if isinstance(d, Document)
    ][0]
    assert direct.id == via_feed.id and direct.text == via_feed.text
