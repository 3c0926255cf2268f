"""The review app under load and against hostile clients: concurrent writes, body limits,
bounded parameters, text validation, login back-off, single-use login forms, headers."""

from __future__ import annotations

import http.client
import json
import re
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from web_fixtures import PASSWORD, free_port

from stancewatch.store.database import Store
from stancewatch.web import auth, deps
from stancewatch.web.app import create_app

pytestmark = pytest.mark.anyio
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def client(path, **options) -> httpx.AsyncClient:
    web = create_app(path, secret_key="test-key", resamples=50, **options)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://test")


def assert_error(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["ok"] is False and body["status"] == status and isinstance(body["error"], str)
    return body


@pytest.fixture
def live(review_db):
    """The app on a real uvicorn server on loopback."""
    import uvicorn

    path, ids = review_db
    port = free_port()
    web = create_app(path, secret_key="live", resamples=20)
    server = uvicorn.Server(uvicorn.Config(web, host="127.0.0.1", port=port, log_level="critical"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield port, path, ids
    server.should_exit = True
    thread.join(timeout=10)


def _items(ids):
    return [
        ("stance", f"{ids['s1']}:cede-occupied-territory"),
        ("stance", f"{ids['s1']}:no-nato-membership"),
        ("stance", f"{ids['s2']}:cede-occupied-territory"),
    ]


def test_concurrent_writes_all_succeed_once(live):
    """20 clients, each on its own keep-alive connection, write and read at once: every
    write is acknowledged and stored exactly once (before WAL, BEGIN IMMEDIATE and the one
    writer path, a sixth of them failed with 'database is locked')."""
    port, path, ids = live
    items = _items(ids)
    headers = {"Authorization": f"Bearer {ids['token']}", "Content-Type": "application/json"}

    def worker(n: int) -> list[tuple[int, str]]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        seen = []
        for i in range(12):
            kind, item = items[(n + i) % len(items)]
            marker = f"{n}-{i}"
            if i % 3 == 2:
                conn.request("GET", "/api/review/progress")
            else:
                body = json.dumps({"kind": kind, "item_id": item, "value": "neutral"})
                conn.request("POST", "/api/review/codings", body=body, headers=headers)
            response = conn.getresponse()
            data = json.loads(response.read())
            seen.append((response.status, marker if i % 3 != 2 else "read"))
            assert data["ok"] is True, data
        conn.close()
        return seen

    with ThreadPoolExecutor(20) as pool:
        results = [r for rows in pool.map(worker, range(20)) for r in rows]
    assert {status for status, _ in results} <= {200, 201}
    written = sum(1 for status, _ in results if status == 201)
    assert written == 20 * 8
    with Store(path) as store:
        assert store.count("review_codings") == written
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_an_error_keeps_the_connection_usable(live):
    """An unexpected server error is answered in the JSON error shape and the same
    keep-alive connection serves the next request."""
    port, path, ids = live
    with sqlite3.connect(path) as db:
        db.execute("ALTER TABLE review_codings RENAME TO review_codings_gone")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/api/review/progress")
    response = conn.getresponse()
    body = json.loads(response.read())
    assert response.status == 500 and body["ok"] is False and body["status"] == 500
    assert response.getheader("content-security-policy")
    conn.request("GET", "/api/filters")  # the same connection
    again = conn.getresponse()
    assert again.status == 200 and json.loads(again.read())["ok"] is True
    conn.close()


async def test_a_writer_holding_the_lock_gives_503_and_nothing_stored(review_db, monkeypatch):
    path, ids = review_db
    monkeypatch.setattr(deps, "BUSY_TIMEOUT_S", 0.1)
    monkeypatch.setattr(deps, "WRITE_RETRIES", 2)
    bearer = {"Authorization": f"Bearer {ids['token']}"}
    coding = {"kind": "stance", "item_id": _items(ids)[0][1], "value": "oppose"}
    async with client(path) as c:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another process writing for a long time
        try:
            busy = await c.post("/api/review/codings", json=coding, headers=bearer)
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert_error(busy, 503)
        assert busy.headers["retry-after"] == "1"
        assert (await c.post("/api/review/codings", json=coding, headers=bearer)).status_code == 201
    with Store(path) as store:
        assert store.count("review_codings") == 1


async def test_large_bodies_are_refused_before_they_are_read(review_db):
    path, ids = review_db
    bearer = {"Authorization": f"Bearer {ids['token']}"}
    pulled = 0

    async def stream():
        nonlocal pulled
        chunk = b" " * 65536
        for _ in range(800):  # 50 MB if it were all read
            pulled += 1
            yield chunk

    async with client(path, max_body=1 << 20) as c:
        declared = await c.post(
            "/api/review/codings", content=b"[" + b"0," * 600_000 + b"0]", headers=bearer
        )
        assert_error(declared, 413)
        streamed = await c.post("/api/review/codings", content=stream(), headers=bearer)
        assert_error(streamed, 413)
        assert pulled <= 20
        pulled = 0
        anonymous = await c.post("/api/review/codings", content=stream())
        assert_error(anonymous, 401)
        assert pulled <= 1  # refused before the body was read or a credential checked
        form = await c.post("/login", content=b"a=" + b"x" * (2 << 20))
        assert form.status_code == 413


@pytest.mark.parametrize(
    "url",
    [
        "/api/documents?offset=9223372036854775808",
        "/api/documents?offset=99999999999999999999999",
        "/api/documents?limit=0",
        "/api/review/queue?offset=9223372036854775808",
        "/api/agreement?seed=-1",
        "/api/agreement?resamples=10001",
    ],
)
async def test_integer_parameters_are_bounded(review_db, url):
    path, ids = review_db
    async with client(path) as c:
        body = assert_error(
            await c.get(url, headers={"Authorization": f"Bearer {ids['token']}"}), 422
        )
        assert re.search(r"offset|limit|seed|resamples", body["error"])


async def test_page_parameters_are_bounded(review_db):
    path, _ = review_db
    async with client(path) as c:
        assert (await c.get("/?page=9223372036854775808")).status_code == 422
        await login(c, "bob")
        assert (await c.get("/review?offset=9223372036854775808")).status_code == 422
        assert (await c.get("/review?offset=-1")).status_code == 422


async def login(c: httpx.AsyncClient, name: str = "ann", password: str = PASSWORD):
    page = await c.get("/login")
    token = CSRF.search(page.text).group(1)
    return await c.post("/login", data={"csrf": token, "name": name, "password": password})


async def test_strings_must_be_text(review_db):
    path, ids = review_db
    bearer = {"Authorization": f"Bearer {ids['token']}", "Content-Type": "application/json"}
    async with client(path) as c:
        for field in ("item_id", "value"):
            coding = {"kind": "stance", "item_id": "x", "value": "support", field: "\ud800"}
            body = json.dumps(coding)  # ASCII, with the lone surrogate as an escape
            response = await c.post("/api/review/codings", content=body, headers=bearer)
            assert field in assert_error(response, 422)["error"]
        path_item = await c.get("/api/review/items/stance/%ED%A0%80")  # decoded as U+FFFD
        assert_error(path_item, 404)


async def test_agreement_resamples_capped_for_anonymous_and_cached(review_db):
    path, ids = review_db
    web = create_app(path, secret_key="k", resamples=50)
    transport = httpx.ASGITransport(app=web)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        assert_error(await c.get("/api/agreement", params={"resamples": 10000}), 422)
        assert (await c.get("/api/agreement", params={"resamples": 50})).status_code == 200
        bearer = {"Authorization": f"Bearer {ids['token']}"}
        assert (
            await c.get("/api/agreement", params={"resamples": 200}, headers=bearer)
        ).status_code == 200
        assert len(web.state.agreement_cache) == 2
        first = (await c.get("/api/agreement", params={"resamples": 50})).json()
        assert len(web.state.agreement_cache) == 2  # served from the cache
        coding = {"kind": "stance", "item_id": _items(ids)[0][1], "value": "oppose"}
        await c.post("/api/review/codings", json=coding, headers=bearer)
        second = (await c.get("/api/agreement", params={"resamples": 50})).json()
        assert second != first  # a new coding is a new cache key
        assert len(web.state.agreement_cache) == 3


async def test_login_backs_off_per_account_and_records_failures(review_db):
    path, _ = review_db
    async with client(path) as c:
        for _ in range(auth.FREE_FAILURES):
            failed = await login(c, "bob", "wrong password")
            assert failed.status_code == 303 and "failed=1" in failed.headers["location"]
        # Now even the right password waits.
        throttled = await login(c, "bob", PASSWORD)
        assert throttled.status_code == 429 and int(throttled.headers["retry-after"]) >= 1
        assert "sw_session" not in c.cookies
        # Another account from the same address is not held up by bob's failures.
        assert (await login(c, "ann")).status_code == 303 and "sw_session" in c.cookies
    with Store(path) as store:
        rows = store.query("SELECT name, client, ok, reason FROM login_attempts ORDER BY id")
    assert [r["reason"] for r in rows] == ["password"] * 5 + ["throttled", "ok"]
    assert {r["client"] for r in rows} == {"127.0.0.1"}
    assert rows[-1]["ok"] == 1 and rows[0]["name"] == "bob"


async def test_login_backs_off_per_address(review_db):
    path, _ = review_db
    async with client(path) as c:
        for n in range(auth.FREE_CLIENT_FAILURES):
            assert (await login(c, f"guess{n}", "x")).status_code == 303
        assert (await login(c, "ann")).status_code == 429


def test_back_off_doubles_and_expires(review_db):
    path, _ = review_db
    with Store(path) as store:
        for _ in range(auth.FREE_FAILURES + 3):
            auth.record_login(store, "bob", "10.0.0.1", ok=False, reason="password")
        wait = auth.login_wait(store, "bob", "10.0.0.9")
        assert 7 < wait <= 8  # 2 ** 3 seconds after the last failure
        store.db.execute("UPDATE login_attempts SET at = '2000-01-01T00:00:00.000+00:00'")
        assert auth.login_wait(store, "bob", "10.0.0.9") == 0


async def test_a_login_form_serves_one_try(review_db):
    path, _ = review_db
    async with client(path) as c:
        page = await c.get("/login")
        token = CSRF.search(page.text).group(1)
        form = {"csrf": token, "name": "ann", "password": "wrong one"}
        assert (await c.post("/login", data=form)).status_code == 303
        replay = await c.post("/login", data={**form, "password": PASSWORD})
        assert replay.status_code == 403 and "sw_session" not in c.cookies


async def test_security_headers_on_every_response(review_db):
    path, ids = review_db
    async with client(path) as c:
        for response in (
            await c.get("/"),
            await c.get("/api/documents"),
            await c.get("/static/review.js"),
            await c.get("/api/nope"),
            await c.post("/api/review/codings", content=b"x" * (2 << 20)),
        ):
            assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
            assert "'unsafe-inline'" not in response.headers["content-security-policy"]
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.headers["x-frame-options"] == "DENY"
            assert response.headers["referrer-policy"] == "same-origin"
            assert "strict-transport-security" not in response.headers
        page = await c.get("/")
        assert "<style" not in page.text and " style=" not in page.text


async def test_https_mode_marks_cookies_secure(review_db):
    path, _ = review_db
    async with client(path, https=True) as c:
        page = await c.get("/login")
        assert "max-age=" in page.headers["strict-transport-security"]
        assert "secure" in page.headers["set-cookie"].lower()
        token = CSRF.search(page.text).group(1)
        nonce = page.headers["set-cookie"].split(";")[0].split("=", 1)[1]
        done = await c.post(
            "/login",
            data={"csrf": token, "name": "ann", "password": PASSWORD},
            cookies={"sw_login": nonce},
        )
        session = [h for h in done.headers.get_list("set-cookie") if h.startswith("sw_session")]
        assert session and "secure" in session[0].lower() and "httponly" in session[0].lower()


def test_serve_with_two_workers_shares_logins(review_db, tmp_path):
    """`stancewatch serve --workers 2`: a login form made by one process is accepted by the
    other (one secret key, nonces in the database), and writes from both are stored."""
    import os
    import subprocess
    import sys

    path, ids = review_db
    port = free_port()
    code = "import sys; from stancewatch.cli import app; sys.argv[0] = 'stancewatch'; app()"
    server = subprocess.Popen(
        [sys.executable, "-c", code, "serve", "--db", str(path), "--port", str(port),
         "--workers", "2"],
        env={**os.environ, "STANCEWATCH_SECRET_KEY": ""},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{base}/api/filters", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.3)
        for _ in range(8):  # new connections land on either process
            with httpx.Client(base_url=base, trust_env=False) as c:
                token = CSRF.search(c.get("/login").text).group(1)
            with httpx.Client(base_url=base, trust_env=False, cookies=c.cookies) as d:
                done = d.post("/login", data={"csrf": token, "name": "ann", "password": PASSWORD})
                assert done.status_code == 303 and "failed" not in done.headers["location"]
        bearer = {"Authorization": f"Bearer {ids['token']}"}
        coding = {"kind": "stance", "item_id": _items(ids)[0][1], "value": "oppose"}
        for _ in range(6):
            with httpx.Client(base_url=base, trust_env=False) as c:
                assert c.post("/api/review/codings", json=coding, headers=bearer).status_code == 201
    finally:
        server.terminate()
        server.wait(20)
    with Store(path) as store:
        assert store.count("review_codings") == 6
