"""What a person sees: the review app in headless Chromium (Debian's /usr/bin/chromium).

Skipped when Chromium or the ``playwright`` package is missing; never downloads a browser.
Screenshots of the main pages are saved under the test's tmp dir.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from web_fixtures import PASSWORD, build_db, free_port

from stancewatch.web.app import create_app

CHROMIUM = Path("/usr/bin/chromium")
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
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium")


@pytest.fixture
def server(tmp_path):
    import uvicorn

    path = tmp_path / "review.db"
    ids = build_db(path)
    port = free_port()
    web = create_app(path, secret_key="browser-test", resamples=100)
    srv = uvicorn.Server(uvicorn.Config(web, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}", ids
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def page():
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        tab = context.new_page()
        dialogs: list[str] = []
        tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        tab.dialogs = dialogs  # type: ignore[attr-defined]
        # Anything the Content-Security-Policy blocks is reported on the console.
        refused: list[str] = []
        tab.on(
            "console",
            lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
        )
        tab.csp_refused = refused  # type: ignore[attr-defined]
        yield tab
        browser.close()


def _alpha_cell(page, comparison: str, level: str = "nominal") -> str:
    selector = (
        f'#overall td.alpha[data-variable="stance"][data-comparison="{comparison}"]'
        f'[data-level="{level}"]'
    )
    return page.locator(selector).inner_text().strip()


def test_login_review_with_keyboard_and_see_alpha_change(server, page, tmp_path):
    base, ids = server
    shots = tmp_path / "screenshots"
    shots.mkdir()

    page.goto(f"{base}/")
    assert page.locator("table tbody tr").count() == 2
    page.screenshot(path=str(shots / "documents.png"), full_page=True)

    page.goto(f"{base}/documents/{ids['first']}")
    text = page.locator("#text").inner_text()
    assert "<script>alert(1)</script>" in text  # shown as text, never run
    assert page.locator(f'#text span.quote[data-statement="{ids["s1"]}"]').count() >= 1
    assert page.dialogs == []
    page.screenshot(path=str(shots / "document.png"), full_page=True)

    page.goto(f"{base}/review")
    assert "/login" in page.url
    page.fill("#name", "ann")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/review")

    page.goto(f"{base}/agreement")
    before = _alpha_cell(page, "machine_vs_coders")
    assert before == "—"

    page.goto(f"{base}/review")
    assert "3 stance items left" in page.inner_text("h1")
    first_item = page.get_attribute("#item", "data-item")
    page.screenshot(path=str(shots / "review.png"), full_page=True)
    page.keyboard.press("j")  # skip to the next item
    page.wait_for_url("**/review?kind=stance&offset=1")
    page.keyboard.press("k")  # and back
    page.wait_for_url("**/review?kind=stance&offset=0")
    assert page.get_attribute("#item", "data-item") == first_item
    for key in ("o", "a", "n"):  # the machine said support, neutral, oppose (by confidence)
        with page.expect_navigation():
            page.keyboard.press(key)
    assert page.locator("#done").count() == 1

    page.goto(f"{base}/agreement")
    after = _alpha_cell(page, "machine_vs_coders")
    assert after != before and float(after) < 1.0
    assert "0.667" in page.inner_text("main") and "0.8" in page.inner_text("main")
    page.screenshot(path=str(shots / "agreement.png"), full_page=True)

    page.goto(f"{base}/review/stance/{first_item}")
    assert "ann" in page.inner_text("table") and "oppose" in page.inner_text("table")
    page.select_option("select[name=value]", "oppose")
    page.click("text=Adjudicate")
    assert page.locator("#final").inner_text() == "oppose"
    page.screenshot(path=str(shots / "item.png"), full_page=True)

    for name in ("documents", "document", "review", "agreement", "item"):
        assert (shots / f"{name}.png").stat().st_size > 5_000


def test_pages_satisfy_the_content_security_policy(server, page):
    """The strict policy is sent, the styles still apply (from /static) and nothing on the
    pages is refused by it."""
    base, ids = server
    response = page.goto(f"{base}/agreement")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert response.headers["x-frame-options"] == "DENY"
    header = page.locator("header")
    assert header.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(31, 58, 95)"
    assert page.locator("svg.scale rect.th").count() >= 2
    for path in (
        "/",
        f"/documents/{ids['first']}",
        "/login",
        f"/review/stance/{ids['s1']}:no-nato-membership",
    ):
        page.goto(f"{base}{path}")
    page.goto(f"{base}/login")
    page.fill("#name", "ann")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{base}/review")
    page.keyboard.press("j")
    page.wait_for_url("**/review?kind=stance&offset=1")  # the script still runs
    assert page.csp_refused == []
