"""The report in real headless Chromium (Debian's ``chromium``, driven by Playwright).

Skipped when ``/usr/bin/chromium`` or the ``playwright`` package is missing; ``.ci/run``
installs Debian's chromium so CI runs it. Playwright's own browser download is never used.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stancewatch.api import Project
from stancewatch.cli import app
from stancewatch.packs import Pack
from stancewatch.records import Actor, Document, Position, Stance, Statement
from stancewatch.report.build import render_report
from stancewatch.store.database import Store

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None,
    reason="Debian's chromium is not installed (apt-get install chromium)",
)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


class Loaded:
    """A page opened from a file, with what it logged and any network it tried to reach."""

    def __init__(self, browser, path: Path) -> None:
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page = browser.new_page(viewport={"width": 1200, "height": 900})
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))

        def route(r):
            if r.request.url.startswith("file://"):
                r.continue_()
            else:
                self.requests.append(r.request.url)
                r.abort()

        self.page.route("**/*", route)
        self.page.goto(path.as_uri())
        self.page.wait_for_load_state("load")


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("browser-demo")
    result = CliRunner().invoke(app, ["demo", "--output", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out / "report.html"


@pytest.mark.models
def test_demo_report_in_chromium(browser, demo_report, tmp_path):
    loaded = Loaded(browser, demo_report)
    page = loaded.page
    page.screenshot(path=str(tmp_path / "demo-report.png"), full_page=True)
    assert (tmp_path / "demo-report.png").stat().st_size > 10_000
    assert loaded.errors == [] and loaded.requests == []

    charts = page.locator("figure.chart svg")
    assert charts.count() == 5  # matrix, over time, cumulative matches, heatmap, echo timeline
    for i in range(charts.count()):
        box = charts.nth(i).bounding_box()
        assert box is not None and box["width"] > 50 and box["height"] > 50

    hrefs = page.eval_on_selector_all(
        'a[href^="#"]', "links => [...new Set(links.map(a => a.getAttribute('href')))]"
    )
    assert len(hrefs) > 50
    missing = page.evaluate(
        "hrefs => hrefs.filter(h => !document.getElementById(decodeURIComponent(h.slice(1))))",
        hrefs,
    )
    assert missing == []
    # Click every distinct link (the first of each) and read where its target landed.
    landed = page.evaluate(
        """hrefs => hrefs.map(h => {
            window.scrollTo(0, 0);
            document.querySelector(`a[href="${h}"]`).click();
            const top = document.getElementById(decodeURIComponent(h.slice(1)))
                .getBoundingClientRect().top;
            return [h, top, window.innerHeight];
        })""",
        hrefs,
    )
    off = [(h, top) for h, top, height in landed if not -2 <= top < height]  # sub-pixel slack
    assert off == []
    # the ranking states its rule, lists unranked actors apart, draws each interval, and its
    # position × actor matrix links every cell to the evidence; no "0 of 0" anywhere
    assert "Ranked by the lower end of the 95% Wilson interval" in page.inner_text("#ranking-rule")
    assert page.locator("#ranking-table tbody tr").count() >= 3
    bands = page.locator("#ranking-table .bar-ci")
    assert bands.count() >= 3
    assert all((bands.nth(i).bounding_box() or {}).get("width", 0) > 1 for i in range(3))
    cells = page.locator("#ranking-matrix td a")
    assert cells.count() >= 5
    # the press count lists each match beside the United States' vote of 24 February 2025
    assert page.locator("table.count-list").count() >= 1
    assert page.locator('a[href="#st-act-us-unga-vote-2025-02-24"]').count() >= 1
    body = page.inner_text("body")
    assert " of 0 " not in body and "0 of 0" not in body
    # one real (trusted) click through Playwright too
    page.evaluate("() => window.scrollTo(0, 0)")
    page.locator(f'a[href="{hrefs[-1]}"]').first.click()
    assert page.evaluate("() => location.hash") == hrefs[-1]


NASTY = (
    'Putin said <script>window.__pwned = 1; alert("script")</script> and '
    "<img src=x onerror=\"window.__pwned = 2; alert('img')\"> that Ukraine must stay out of NATO."
)


def _nasty_store(db: Path) -> Pack:
    pack = Pack(
        name="browser-test",
        version="1",
        description="",
        path=Path("."),
        actors=(Actor("putin", "Vladimir Putin"), Actor("trump", "Donald Trump")),
        positions=(Position("no-nato", "NATO", "Ukraine must never join NATO", ("putin",)),),
        facts=(),
    )
    document = Document.from_text(
        NASTY, title='<img src=x onerror="window.__pwned = 3">Title', published=date(2025, 2, 1)
    )
    statement = Statement(
        id="s1",
        document_id=document.id,
        kind="direct",
        content=NASTY,
        content_start=0,
        content_end=len(NASTY),
        speaker="Putin",
        actor="putin",
        date=date(2025, 2, 1),
        confidence=0.9,
        method="attribution.test.v1",
    )
    with Store(db) as store:
        store.add_documents([document])
        store.save_pack(pack)
        run = store.start_run(pack, {"stance_method": "stance.test.v1"})
        store.save_analysis(
            document.id,
            run_id=run,
            statements=[statement],
            stances=[Stance("s1", "no-nato", "support", 0.9, 0.8, "stance.test.v1")],
            claims=[],
            verdicts=[],
        )
        store.finish_run(run, 1)
    return pack


def test_article_html_is_shown_as_text_and_never_runs(browser, tmp_path):
    db = tmp_path / "nasty.db"
    pack = _nasty_store(db)
    with Project(db, pack=pack) as project:
        html = render_report(project)
    path = tmp_path / "nasty.html"
    path.write_text(html, encoding="utf-8")
    loaded = Loaded(browser, path)
    page = loaded.page
    page.screenshot(path=str(tmp_path / "nasty-report.png"), full_page=True)
    assert page.evaluate("() => window.__pwned") is None
    assert loaded.dialogs == [] and loaded.errors == [] and loaded.requests == []
    assert page.locator("img").count() == 0 and page.locator("script").count() == 0
    evidence = page.locator("#st-s1 blockquote").inner_text()
    assert "<script>window.__pwned = 1;" in evidence
    assert '<img src=x onerror="window.__pwned = 2;' in evidence
    assert '<img src=x onerror="window.__pwned = 3">Title' in page.locator("#st-s1").inner_text()
