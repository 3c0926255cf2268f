"""The HTML report and Markdown summary, built over a small hand-made store (no models)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stancewatch.api import Project
from stancewatch.packs import Pack
from stancewatch.records import (
    Actor,
    Claim,
    Document,
    Fact,
    Position,
    Stance,
    Statement,
    Verdict,
)
from stancewatch.report.build import render_report, render_summary_markdown
from stancewatch.report.formatting import (
    anchor,
    format_figure,
    format_ratio,
    md_escape,
    md_link,
    safe_url,
    unquote,
)
from stancewatch.store.database import Store

NASTY = 'He said <script>alert(1)</script> and "no" & never to NATO for Ukraine.'
KIIS_URL = "https://kiis.com.ua/?lang=eng&cat=reports&id=1487"

PACK = Pack(
    name="test-pack",
    version="2025.01",
    description="A pack for report tests.",
    path=Path("."),
    actors=(
        Actor("trump", "Donald Trump", affiliation="United States", gender="male"),
        Actor("putin", "Vladimir Putin", affiliation="Russia", gender="male"),
        Actor("kallas", "Kaja Kallas", affiliation="European Union", gender="female"),
    ),
    positions=(
        Position("cede-territory", "territory", "Ukraine must cede occupied territory", ("putin",)),
        Position("no-nato", "security", "Ukraine must never join NATO", ("putin",)),
    ),
    facts=(
        Fact(
            id="zelensky-trust-2025-02",
            measure="trust in Zelensky",
            subject="zelensky",
            value=57,
            unit="percent",
            source="KIIS",
            url=KIIS_URL,
            retrieved=date(2025, 3, 1),
            period="February 2025",
        ),
    ),
)

TEXT_A = (
    "Donald Trump said on Wednesday: “Ukraine will have to give up land.” "
    "Trump also claimed Zelensky has 4% approval. "
    "An official said the land would never be given up. "
    "Putin said Ukraine's approval figures were 57% in the poll."
)
TEXT_B = (
    f"At a rally Trump spoke to 20,000 people. {NASTY} "
    "Putin said Kyiv must withdraw from the four regions."
)


def _statement(doc: Document, sid: str, content: str, actor: str | None, speaker: str, when: date):
    start = doc.text.index(content)
    return Statement(
        id=sid,
        document_id=doc.id,
        kind="direct",
        content=content,
        content_start=start,
        content_end=start + len(content),
        speaker=speaker,
        actor=actor,
        date=when,
        confidence=0.9,
        method="attribution.test.v1",
    )


def _stance(sid: str, position: str, label: str) -> Stance:
    return Stance(sid, position, label, 0.8, 0.7, "stance.test.v1")  # type: ignore[arg-type]


def build_corpus(db: Path) -> Pack:
    """Write a small analysed corpus into a real Store; returns the pack it was built with."""
    doc_a = Document.from_text(
        TEXT_A,
        title="Trump on the talks",
        url="https://example.org/a",
        outlet="Example News",
        published=date(2025, 2, 19),
        language="en",
    )
    doc_b = Document.from_text(
        TEXT_B,
        title="Rally <b>report</b>",
        url="javascript:alert(1)",
        outlet="Evil Daily",
        published=date(2025, 3, 2),
        language="en",
    )
    a, b = date(2025, 2, 19), date(2025, 3, 2)
    s1 = _statement(doc_a, "s1", "Ukraine will have to give up land.", "trump", "Donald Trump", a)
    s2 = _statement(doc_a, "s2", "Zelensky has 4% approval", "trump", "Trump", a)
    s3 = _statement(doc_a, "s3", "the land would never be given up", None, "An official", a)
    s4 = _statement(
        doc_a, "s4", "Ukraine's approval figures were 57% in the poll", "putin", "Putin", a
    )
    s5 = _statement(doc_b, "s5", NASTY, "trump", "Trump", b)
    s6 = _statement(doc_b, "s6", "Kyiv must withdraw from the four regions", "putin", "Putin", b)
    claim_false = Claim(
        id="c1",
        document_id=doc_a.id,
        statement_id="s2",
        text="4% approval",
        start=TEXT_A.index("4% approval"),
        end=TEXT_A.index("4% approval") + 11,
        value=4,
        unit="percent",
        measure="trust in Zelensky",
        subject="zelensky",
        claimant="trump",
    )
    claim_true = Claim(
        id="c2",
        document_id=doc_a.id,
        statement_id="s4",
        text="57%",
        start=TEXT_A.index("57%"),
        end=TEXT_A.index("57%") + 3,
        value=57,
        unit="percent",
        measure="trust in Zelensky",
        subject="zelensky",
        claimant="putin",
    )
    claim_narration = Claim(
        id="c3",
        document_id=doc_b.id,
        statement_id=None,
        text="20,000 people",
        start=TEXT_B.index("20,000 people"),
        end=TEXT_B.index("20,000 people") + 13,
        value=20000,
        unit="count",
        measure="rally attendance",
    )
    with Store(db) as store:
        store.add_documents([doc_a, doc_b])
        store.save_pack(PACK)
        run = store.start_run(
            PACK,
            {
                "pack": PACK.name,
                "pack_version": PACK.version,
                "stance_method": "stance.test.v1",
                "shortlist_min_similarity": 0.45,
            },
        )
        store.save_analysis(
            doc_a.id,
            run_id=run,
            statements=[s1, s2, s3, s4],
            stances=[
                _stance("s1", "cede-territory", "support"),
                _stance("s2", "cede-territory", "neutral"),
                _stance("s3", "cede-territory", "oppose"),
            ],
            claims=[claim_false, claim_true],
            verdicts=[
                Verdict(
                    "c1",
                    "inaccurate",
                    "the claim is 0.07× the sourced figure: inaccurate.",
                    "factcheck.test.v1",
                    "zelensky-trust-2025-02",
                    4 / 57,
                    0.9,
                ),
                Verdict(
                    "c2",
                    "accurate",
                    "matches.",
                    "factcheck.test.v1",
                    "zelensky-trust-2025-02",
                    1.0,
                    0.9,
                ),
            ],
        )
        store.save_analysis(
            doc_b.id,
            run_id=run,
            statements=[s5, s6],
            stances=[
                _stance("s5", "no-nato", "support"),
                _stance("s6", "cede-territory", "support"),
            ],
            claims=[claim_narration],
            verdicts=[Verdict("c3", "unverifiable", "no sourced figure.", "factcheck.test.v1")],
        )
        store.finish_run(run, 2)
    return PACK


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    db = tmp_path_factory.mktemp("report") / "corpus.db"
    pack = build_corpus(db)
    with Project(db, pack=pack) as opened:
        yield opened


@pytest.fixture(scope="module")
def html(project) -> str:
    return render_report(project)


class Page(HTMLParser):
    """Collects tags, ids, hrefs and visible text of a page."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.ids: set[str] = set()
        self.text_parts: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if attributes.get("id"):
            self.ids.add(attributes["id"])

    def handle_data(self, data):
        self.text_parts.append(data)

    @property
    def hrefs(self) -> list[str]:
        return [a["href"] or "" for tag, a in self.tags if tag == "a" and "href" in a]

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.text_parts).split())


def _section(html: str, section_id: str) -> str:
    start = html.index(f'<section id="{section_id}">')
    end = html.find("<section id=", start + 10)
    return html[start : end if end != -1 else None]


# -- safety ---------------------------------------------------------------------------------
def test_script_from_an_article_appears_only_escaped(html):
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&#34;no&#34; &amp; never" in html  # the quote's " and & are escaped too
    assert not any(tag == "script" for tag, _ in Page(html).tags)


def test_only_http_urls_and_fragments_are_links(html):
    page = Page(html)
    assert page.hrefs, "the report should contain links"
    for href in page.hrefs:
        assert href.startswith("#") or re.match(r"https?://", href), href
    assert "javascript:alert(1)" in page.text  # shown as text, not dropped silently
    assert "Rally <b>report</b>" in page.text  # a title with markup is shown as written


def test_every_evidence_link_has_its_anchor(html):
    page = Page(html)
    fragments = [h[1:] for h in page.hrefs if h.startswith("#")]
    statement_links = {f for f in fragments if f.startswith("st-")}
    assert statement_links >= {"st-s1", "st-s5", "st-s6", "st-s2"}
    missing = [f for f in fragments if f not in page.ids]
    assert missing == []


def test_page_is_self_contained(html):
    page = Page(html)
    assert "<svg" in html
    for tag, attrs in page.tags:
        assert not (tag == "link" and "stylesheet" in (attrs.get("rel") or "")), attrs
        assert not re.match(r"(https?:)?//", attrs.get("src") or ""), (tag, attrs)
    assert not re.search(r"<script[^>]*\bsrc=", html)
    assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", html)


# -- content --------------------------------------------------------------------------------
def test_header_summarises_the_corpus(html):
    text = Page(_section_header(html)).text
    for needle in ("2 documents", "2025-02-19 to 2025-03-02", "2 outlets", "test-pack", "2025.01"):
        assert needle in text
    assert re.search(r"6 statements\s+5 with a known actor", text)


def _section_header(html: str) -> str:
    return html[html.index("<header>") : html.index("</header>")]


def test_actor_section_lists_the_supporting_quote_with_its_evidence(html):
    section = _section(html, "actors")
    text = Page(section).text
    assert "Donald Trump" in text and "Supports" in text
    assert "Ukraine will have to give up land." in text
    assert 'href="#st-s1"' in section
    assert "An official" not in text  # statements without a known actor are left out
    assert "Kaja Kallas" not in text  # actors with no stance get no section


def test_matrix_counts_link_to_their_statements(html):
    section = _section(html, "matrix")
    assert "<svg" in section
    trump_row = section[section.index("Donald Trump</th>") :].split("</tr>")[0]
    assert re.search(r'href="#st-s1">1</a> / 0</td>', trump_row)
    assert re.search(r'href="#st-s5">1</a> / 0</td>', trump_row)


def test_alignment_line_with_counts(html):
    text = Page(_section(html, "alignment")).text
    assert (
        "Donald Trump took Vladimir Putin’s side on 2 of 2 positions both took one side on: "
        "100% [34%–100%]" in text
    )
    assert (
        "Donald Trump’s statements and acts on positions where Vladimir Putin’s side is known: 2 (+ E4 ) "
        "of 2 on Vladimir Putin’s side, 0 against: 100% [34%–100%]" in text
    )
    assert " of 0 " not in text


def test_false_claim_shows_the_sourced_figure_and_ratio(html):
    section = _section(html, "claims")
    false_table = section[: section.index("Other claims")]
    text = Page(false_table).text
    for needle in ("4% approval", "Donald Trump", "inaccurate", "57%", "February 2025", "0.0702"):
        assert needle in text, needle
    assert f'href="{KIIS_URL.replace("&", "&amp;")}"' in false_table
    assert "Ukraine's approval figures" not in text
    own_at = section.index("The documents’ own numbers")
    other = Page(section[section.index("Other claims") : own_at]).text
    assert "accurate" in other and "20,000 people" not in other
    # A claim with no statement is the document's own: listed apart, with no claimant.
    own = Page(section[own_at : section.index("Figures that disagree")]).text
    start = TEXT_B.index("20,000 people")
    assert "20,000 people" in own and "(the document’s own) 2025-03-02 unverifiable" in own
    assert f"javascript:alert(1) ) , characters {start}–{start + 13}" in own
    assert other.index("57% Vladimir Putin 2025-02-19") < other.index("accurate")


def test_methods_come_from_the_latest_run(html):
    text = Page(_section(html, "methods")).text
    for needle in (
        "stance.test.v1",
        "shortlist_min_similarity",
        "0.45",
        "attribution.test.v1",
        "reviewed",
    ):
        assert needle in text


def test_evidence_entry_carries_quote_speaker_document_and_offsets(html, project):
    section = _section(html, "evidence")
    entry = section[section.index('id="st-s1"') :].split("</li>")[0]
    text = Page(entry).text
    start = TEXT_A.index("Ukraine will have to give up land.")
    for needle in ("Donald Trump", "2025-02-19", "Trump on the talks", f"{start}–{start + 34}"):
        assert needle in text
    assert 'href="https://example.org/a"' in entry


def test_window_and_focus(project):
    html = render_report(project, since="2025-03-01", focus=[("putin", "trump")])
    page = Page(html)
    assert "st-s1" not in page.ids  # 19 February is outside the window
    assert "st-s6" in page.ids
    # from March on they spoke on different positions: named apart, never "0 of 0"
    alignment = Page(_section(html, "alignment")).text
    assert "Not compared, for want of any position in common: Vladimir Putin and Donald Trump" in (
        alignment
    )
    assert " of 0 " not in alignment


@pytest.mark.parametrize(
    "trump_affiliation, since, expected",
    [
        ("United States", None, "Donald Trump took Vladimir Putin’s side on 2 of 2 positions"),
        ("U.S.", "2025-03-01", "Donald Trump took Vladimir Putin’s side on 1 of 1 position both"),
        # not a US actor: the most active pair that shares a position is shown instead
        ("Canada", None, "Donald Trump took Vladimir Putin’s side on 2 of 2 positions"),
        # from March on Trump and Putin spoke on different positions: no pair to compare
        ("Canada", "2025-03-01", "No pair of actors shares a position to compare."),
    ],
)
def test_default_alignment_pairs(project, trump_affiliation, since, expected):
    actors = tuple(
        replace(a, affiliation=trump_affiliation) if a.id == "trump" else a for a in PACK.actors
    )
    with Project(project.store.path, pack=replace(PACK, actors=actors)) as variant:
        text = Page(_section(render_report(variant, since=since), "alignment")).text
    assert expected in text
    leads = re.findall(r"took [A-Z][\w ]+’s side on \d+ of \d+", text)
    assert len(leads) == (0 if expected.startswith("No pair") else 1)


def test_unknown_focus_actor_names_the_known_ones(project):
    with pytest.raises(KeyError, match="Known actors: kallas, putin, trump"):
        render_report(project, focus=[("trump", "nobody")])


def test_empty_database_renders(tmp_path):
    with Project(tmp_path / "empty.db", pack=PACK) as empty:
        html = render_report(empty, title="Nothing yet")
        summary = render_summary_markdown(empty)
    text = Page(html).text
    assert "Nothing yet" in text and "0 documents" in text
    assert "No stances to tabulate." in text
    assert "<svg" not in html
    assert "No numeric claim was found" in summary


def test_markdown_summary(project):
    summary = render_summary_markdown(project, title="Peace *talks*")
    assert summary.startswith("# Peace \\*talks\\*\n")
    assert "“4% approval” — **inaccurate**. Sourced figure: 57% (February 2025), [KIIS](" in summary
    assert "claim ÷ source 0.0702" in summary
    assert "statement `s2`" in summary
    assert (
        "Donald Trump took Vladimir Putin’s side on 2 of 2 positions both took one side on: 100% "
        "(95% interval 34%–100%); Donald Trump’s statements and acts on positions where Vladimir Putin’s "
        "side is known: 2 of 2 on that side, 100% (95% interval 34%–100%)." in summary
    )
    assert (
        "Counted as the press counts: Donald Trump’s statements and acts matched Vladimir "
        "Putin’s positions 2 times between 2025-02-19 and 2025-03-02 (one per event), and went "
        "against them 0 times." in summary
    )
    assert "](javascript" not in summary and "<script>" not in summary


# -- helpers --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://example.org/a?b=1&c=2", "https://example.org/a?b=1&c=2"),
        ("  HTTP://Example.org/  ", "HTTP://Example.org/"),
        ("javascript:alert(1)", None),
        (" JavaScript:alert(1)", None),
        ("java\tscript:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("//evil.example/x.js", None),
        ("http:///no-host", None),
        ("mailto:someone@example.org", None),
        ("/relative/path", None),
        ("", None),
        (None, None),
        (float("nan"), None),
    ],
)
def test_safe_url(url, expected):
    assert safe_url(url) == expected


@given(st.text())
def test_safe_url_only_ever_returns_http(url):
    result = safe_url(url)
    assert result is None or re.match(r"(?i)https?://", result)


@pytest.mark.parametrize(
    "args, expected",
    [
        ((57, None, "percent"), "57%"),
        ((3, 5, "percentage_point"), "3–5 percentage points"),
        ((114e9, None, "money", "USD"), "USD 114 billion"),
        ((2_500_000, None, "count"), "2.5 million"),
        ((1234, None, "count"), "1,234"),
        ((0.125, None, "multiple"), "0.125×"),
        ((None, None, "percent"), ""),
    ],
)
def test_format_figure(args, expected):
    assert format_figure(*args) == expected


@pytest.mark.parametrize(
    "ratio, expected",
    [(4 / 57, "0.0702"), (1.5, "1.5"), (250.4, "250"), (None, ""), (float("inf"), "")],
)
def test_format_ratio(ratio, expected):
    assert format_ratio(ratio) == expected


@pytest.mark.parametrize(
    "statement_id, expected",
    [
        ("1a2b3c", "st-1a2b3c"),
        ("with space", "st-with_20_space"),
        ('x"><b>', "st-x_22__3e__3c_b_3e_"),
    ],
)
def test_anchor(statement_id, expected):
    assert anchor(statement_id) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("plain words", "plain words"),
        ("*bold* _it_ [x](y) <b>#1|2`", "\\*bold\\* \\_it\\_ \\[x\\](y) \\<b\\>\\#1\\|2\\`"),
        ("two\nlines", "two lines"),
        (None, ""),
    ],
)
def test_md_escape(text, expected):
    assert md_escape(text) == expected


@pytest.mark.parametrize(
    "title, url, expected",
    [
        ("KIIS", "https://kiis.com.ua/a (b)", "[KIIS](https://kiis.com.ua/a%20%28b%29)"),
        ("Evil", "javascript:alert(1)", "Evil"),
        (None, None, "untitled document"),
    ],
)
def test_md_link(title, url, expected):
    assert md_link(title, url) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ('"We will not trade our land,"', "We will not trade our land,"),
        ("“Ukraine must be at the table”", "Ukraine must be at the table"),
        ('"One," he said, "two."', '"One," he said, "two."'),  # not one enclosing pair
        ("no quotes at all", "no quotes at all"),
        ('"', '"'),
        ("", ""),
    ],
)
def test_unquote(text, expected):
    assert unquote(text) == expected


# -- analytics sections ---------------------------------------------------------------------
def test_alignment_pair_has_chance_corrected_figures_and_breakdowns(html):
    section = _section(html, "alignment")
    text = Page(section).text
    # trump and putin both support both positions: one category only, pi and kappa undefined
    assert (
        "Chance-corrected: not shown (undefined: both took the same single side on every one "
        "of the 2 shared positions)" in text
    )
    assert "By month" in text and "2025-02" in text and "2025-03" in text
    assert "By topic" in text and "territory" in text and "security" in text
    assert "Statements and acts count together" in text


def test_alignment_counts_matches_as_the_press_does(html):
    section = _section(html, "alignment")
    text = Page(section).text
    assert (
        "Donald Trump’s statements and acts matched Vladimir Putin’s positions 2 times between "
        "2025-02-19 and 2025-03-02; they went against them 0 times." in text
    )
    matches = section[section.index('id="align-1-matches"') :].split("</table>")[0]
    assert 'href="#st-s1"' in matches and 'href="#st-s5"' in matches
    assert matches.count("<tr>") == 3  # header and one row per event
    assert 'id="chart-cumulative"' in section


def test_ranking_links_every_count(html):
    section = _section(html, "ranking")
    text = Page(section).text
    assert "alignment with Vladimir Putin" in text
    row = section[section.index("Donald Trump") :].split("</tr>")[0]
    assert "<strong>2 of 2</strong>" in row  # same side on 2 positions: s1 first, s5 listed
    assert 'href="#st-s1">evidence</a>' in row and 'href="#st-s5"' in row
    assert "not shown: undefined" in row
    assert "100% [34%–100%]" in Page(row).text  # 2 of 2 positions, Wilson 95%
    assert "Ukraine will have to give up land." in Page(row).text  # the strongest evidence
    assert "Ranked by the lower end of the 95% Wilson interval" in text
    assert "Kaja Kallas" not in text  # took no side
    matrix = section[section.index('id="ranking-matrix"') :]
    # position × actor: each cell links to the actor's statements on the position
    assert re.search(r'<a class="out-agree" href="#st-s1">same</a>', matrix)
    assert re.search(r'<a class="out-agree" href="#st-s5">same</a>', matrix)


def test_echo_chain_and_test(html):
    section = _section(html, "echo")
    text = Page(section).text
    # cede-territory, support: trump on 19 February, putin 11 days later on 2 March
    assert re.search(
        r"Donald Trump 2025-02-19 \( ?first ?\) → Vladimir Putin 2025-03-02 \(\+ ?11 days ?\)", text
    )
    assert 'href="#st-s6">11 days</a>' in section
    tests = section[section.index('id="echo-tests"') :]
    # trump's one statement came before putin voiced the position: capped lag, no p-value
    assert re.search(r"Donald Trump</td><td>Vladimir Putin</td><td class=\"cnt\">.*>1</a>", tests)
    assert "undefined" in Page(tests).text


def test_every_chart_is_inline_svg_and_exported(project):
    from stancewatch.report.build import build_context, chart_files

    context = build_context(project)
    assert set(context["charts"]) == {
        "matrix",
        "alignment-heatmap",
        "alignment-over-time",
        "matches-cumulative",
        "echo-timeline",
    }
    files = chart_files(context, scale=1)
    assert set(files) == {f"{n}.{ext}" for n in context["charts"] for ext in ("svg", "png")}
    for name, data in files.items():
        if name.endswith(".png"):
            assert data.startswith(b"\x89PNG\r\n\x1a\n")
        else:
            assert data.lstrip().startswith(b"<svg")


def test_methods_name_the_analytics_settings(html):
    text = Page(_section(html, "methods")).text
    for needle in ("2000 resamples", "seed 20250120", "capped at 30 days", "Not searched"):
        assert needle in text, needle
    assert "Acts that are not speech (votes, decisions, orders" in text


def test_unknown_rival_names_the_known_actors(project):
    with pytest.raises(KeyError, match="Known actors"):
        render_report(project, rival="nobody")


def test_markdown_summary_has_ranking_and_echoes(project):
    summary = render_summary_markdown(project)
    assert "Kappa and pi not shown (undefined: both took the same single side" in summary
    assert "## Alignment with Vladimir Putin, ranked" in summary
    assert "Ranked by the lower end of the 95% Wilson interval" in summary
    assert (
        "1. Donald Trump: 2 of 2 positions on Vladimir Putin’s side, 100% (95% interval "
        "34%–100%); statements 2 of 2, 100% (95% interval 34%–100%). Strongest evidence: "
        "[Trump on the talks](https://example.org/a), 2025-02-19" in summary
    )
    assert (
        "- Ukraine must cede occupied territory (support): first Donald Trump on 2025-02-19; "
        "then Vladimir Putin after 11 days." in summary
    )
    assert (
        "Does Donald Trump follow Vladimir Putin? Mean lag 30.0 days over 1 statements" in summary
    )
