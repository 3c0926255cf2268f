"""The review web app in-process (httpx ASGI transport) over a real SQLite file."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi.routing import APIRoute
from typer.testing import CliRunner
from web_fixtures import PASSWORD, SCRIPT_TEXT

from stancewatch.cli import app as cli_app
from stancewatch.store.database import Store
from stancewatch.web.app import create_app
from stancewatch.web.browse import segments

pytestmark = pytest.mark.anyio
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def client(path, **options) -> httpx.AsyncClient:
    web = create_app(path, secret_key="test-key", resamples=50, **options)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://test")


async def login(c: httpx.AsyncClient, name: str = "ann") -> str:
    """Log in through the form; returns the session's CSRF token."""
    page = await c.get("/login")
    token = CSRF.search(page.text).group(1)
    done = await c.post("/login", data={"csrf": token, "name": name, "password": PASSWORD})
    assert done.status_code == 303 and "sw_session" in c.cookies
    return (await c.get("/api/me")).json()["csrf"]


def route_table(routes, prefix=""):
    """Every route as (path, methods, route), through included routers (any FastAPI)."""
    found = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            found += route_table(inner.routes, prefix + route.include_context.prefix)
        elif hasattr(route, "path"):
            found.append((prefix + route.path, set(getattr(route, "methods", None) or ()), route))
    return found


def assert_error(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status
    body = response.json()
    assert body["ok"] is False and body["status"] == status and isinstance(body["error"], str)
    return body


@pytest.mark.parametrize(
    "params, expected",
    [
        ({}, {"first", "second"}),
        ({"actor": "trump"}, {"first"}),
        ({"actor": "putin"}, set()),
        ({"position": "no-nato-membership"}, {"first"}),
        ({"position": "cede-occupied-territory"}, {"first", "second"}),
        ({"outlet": "Daily"}, {"second"}),
        ({"verdict": "inaccurate"}, {"first"}),
        ({"verdict": "accurate"}, set()),
        ({"since": "2025-02-20"}, {"second"}),
        ({"until": "2025-02-12"}, {"first"}),
        ({"q": "trade our land"}, {"second"}),
        ({"q": "Trump"}, {"first"}),
        ({"q": "100%"}, set()),  # % is matched literally, not as a wildcard
    ],
)
async def test_document_filters(review_db, params, expected):
    path, ids = review_db
    async with client(path) as c:
        body = (await c.get("/api/documents", params=params)).json()
    names = {k for k in ("first", "second") if ids[k] in {d["id"] for d in body["documents"]}}
    assert names == expected and body["total"] == len(expected)


async def test_document_has_statements_stances_claims_and_highlights(review_db):
    path, ids = review_db
    async with client(path) as c:
        doc = (await c.get(f"/api/documents/{ids['first']}")).json()["document"]
        page = await c.get(f"/documents/{ids['first']}")
    assert [s["actor"] for s in doc["statements"]] == ["trump"]
    assert {st["position_id"] for st in doc["statements"][0]["stances"]} == {
        "cede-occupied-territory",
        "no-nato-membership",
    }
    assert doc["claims"][0]["verdict"] == "inaccurate"
    assert "".join(s["text"] for s in doc["segments"]) == SCRIPT_TEXT
    assert page.status_code == 200
    assert f'data-statement="{ids["s1"]}"' in page.text and 'class="claim' in page.text


async def test_article_script_shows_as_text(review_db):
    path, ids = review_db
    async with client(path) as c:
        pages = [await c.get(f"/documents/{ids['first']}"), await c.get("/")]
    for page in pages:
        assert "<script>alert(1)</script>" not in page.text and "<b>Trump</b>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[0].text


@pytest.mark.parametrize(
    "text, spans, expected",
    [
        ("abcdef", [], [("abcdef", [])]),
        ("abcdef", [(1, 4, "quote")], [("a", []), ("bcd", ["quote"]), ("ef", [])]),
        ("abcdef", [(0, 9, "quote")], [("abcdef", [])]),  # out of range: ignored
        (
            "abcdef",
            [(0, 4, "quote"), (2, 6, "claim")],
            [("ab", ["quote"]), ("cd", ["claim", "quote"]), ("ef", ["claim"])],
        ),
    ],
)
def test_segments_cover_the_text_once(text, spans, expected):
    statements = [
        {"id": f"s{i}", "content_start": a, "content_end": b}
        for i, (a, b, kind) in enumerate(spans)
        if kind == "quote"
    ]
    claims = [
        {"id": f"c{i}", "start": a, "end": b}
        for i, (a, b, kind) in enumerate(spans)
        if kind == "claim"
    ]
    pieces = segments(text, statements, claims)
    assert [(p["text"], p["classes"]) for p in pieces] == expected


async def test_every_write_endpoint_refuses_an_anonymous_request(review_db):
    path, _ = review_db
    web = create_app(path, secret_key="k", resamples=10)
    writes = [
        (route_path, method)
        for route_path, methods, _ in route_table(web.routes)
        for method in methods
        if method not in ("GET", "HEAD")
    ]
    assert {("/login", "POST"), ("/review/code", "POST"), ("/api/review/codings", "POST")} <= set(
        writes
    )
    transport = httpx.ASGITransport(app=web)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        for route_path, method in writes:
            url = re.sub(r"\{[^}]+\}", "x", route_path)
            response = await c.request(
                method, url, data={"kind": "stance", "item_id": "x", "value": "support"}
            )
            assert response.status_code in (401, 403), (method, url, response.status_code)
            if url.startswith("/api"):
                assert_error(response, response.status_code)
    with Store(path) as store:
        assert store.count("review_codings") == 0 and store.count("adjudications") == 0


async def test_api_errors_have_one_shape(review_db):
    path, ids = review_db
    bearer = {"Authorization": f"Bearer {ids['token']}"}
    async with client(path) as c:
        assert_error(await c.get("/api/no-such-thing"), 404)
        assert_error(await c.get("/api/documents/nope"), 404)
        assert_error(await c.get("/api/documents", params={"since": "yesterday"}), 422)
        assert_error(await c.post("/api/review/codings", json={}, headers=bearer), 422)
        bad = {"kind": "stance", "item_id": f"{ids['s1']}:no-nato-membership", "value": "maybe"}
        body = assert_error(await c.post("/api/review/codings", json=bad, headers=bearer), 400)
        assert "support, oppose, neutral" in body["error"]
        gone = {"kind": "verdict", "item_id": "nope", "value": "accurate"}
        assert_error(await c.post("/api/review/codings", json=gone, headers=bearer), 404)
        assert_error(await c.get("/api/me", headers={"Authorization": "Bearer wrong"}), 401)
        assert_error(await c.delete("/api/documents"), 405)


async def test_login_needs_csrf_and_the_right_password(review_db):
    path, _ = review_db
    async with client(path) as c:
        page = await c.get("/login")
        token = CSRF.search(page.text).group(1)
        no_csrf = await c.post("/login", data={"name": "ann", "password": PASSWORD})
        assert no_csrf.status_code == 403
        wrong = await c.post("/login", data={"csrf": token, "name": "ann", "password": "nope"})
        assert wrong.status_code == 303 and "failed=1" in wrong.headers["location"]
        assert "sw_session" not in c.cookies
        token = CSRF.search((await c.get("/login")).text).group(1)  # each form serves one try
        escape = await c.post(
            "/login",
            data={"csrf": token, "name": "ann", "password": PASSWORD, "next": "//evil.example"},
        )
        assert escape.headers["location"] == "/"
        me = (await c.get("/api/me")).json()
        assert me["coder"] == {"name": "ann", "adjudicator": True}


async def test_form_writes_need_the_session_csrf_token(review_db):
    path, ids = review_db
    item = f"{ids['s1']}:cede-occupied-territory"
    form = {"kind": "stance", "item_id": item, "value": "oppose"}
    async with client(path) as c:
        csrf = await login(c, "bob")
        assert (await c.post("/review/code", data=form)).status_code == 403
        assert (await c.post("/review/code", data={**form, "csrf": "forged"})).status_code == 403
        done = await c.post("/review/code", data={**form, "csrf": csrf})
        assert done.status_code == 303
        # The JSON API with a session cookie needs the token in a header.
        api = {"kind": "stance", "item_id": item, "value": "neutral"}
        assert_error(await c.post("/api/review/codings", json=api), 403)
        ok = await c.post("/api/review/codings", json=api, headers={"X-CSRF-Token": csrf})
        assert ok.status_code == 201
    with Store(path) as store:
        rows = store.query("SELECT coder, value, machine_value FROM review_codings ORDER BY id")
    assert rows == [
        {"coder": "bob", "value": "oppose", "machine_value": "support"},
        {"coder": "bob", "value": "neutral", "machine_value": "support"},
    ]


async def test_queue_is_lowest_confidence_first_and_skips_coded_items(review_db):
    path, ids = review_db
    bearer = {"Authorization": f"Bearer {ids['token']}"}
    async with client(path) as c:
        queue = (await c.get("/api/review/queue", headers=bearer)).json()
        assert [i["confidence"] for i in queue["items"]] == [0.55, 0.75, 0.95]
        first = queue["items"][0]["item_id"]
        coding = {"kind": "stance", "item_id": first, "value": "support"}
        assert (await c.post("/api/review/codings", json=coding, headers=bearer)).status_code == 201
        queue = (await c.get("/api/review/queue", headers=bearer)).json()
        assert first not in [i["item_id"] for i in queue["items"]] and queue["remaining"] == 2
        speakers = (await c.get("/api/review/queue?kind=speaker", headers=bearer)).json()
        assert [i["machine"] for i in speakers["items"]] == ["trump", "zelensky"]


def _alpha(rows, variable, comparison, level="nominal", position=None):
    for row in rows:
        if (row["variable"], row["comparison"], row["level"], row["position"]) == (
            variable,
            comparison,
            level,
            position,
        ):
            return row
    raise AssertionError("row not found")


async def test_agreement_changes_with_codings_and_adjudication(review_db):
    path, ids = review_db
    items = [
        f"{ids['s1']}:cede-occupied-territory",
        f"{ids['s1']}:no-nato-membership",
        f"{ids['s2']}:cede-occupied-territory",
    ]
    async with client(path) as c:
        before = (await c.get("/api/agreement")).json()
        assert before["thresholds"] == {"tentative": 0.667, "reliable": 0.8}
        assert _alpha(before["rows"], "stance", "coders")["alpha"] is None
        for name, labels in (
            ("ann", ["support", "neutral", "oppose"]),
            ("bob", ["support", "oppose", "oppose"]),
        ):
            async with client(path) as coder:
                csrf = await login(coder, name)
                for item, label in zip(items, labels, strict=True):
                    body = {"kind": "stance", "item_id": item, "value": label}
                    r = await coder.post(
                        "/api/review/codings", json=body, headers={"X-CSRF-Token": csrf}
                    )
                    assert r.status_code == 201
        rows = (await c.get("/api/agreement")).json()["rows"]
        coders = _alpha(rows, "stance", "coders")
        assert coders["units"] == 3 and coders["percent_agreement"] == pytest.approx(2 / 3)
        assert coders["alpha"] is not None and coders["alpha"] < 1
        ordinal = _alpha(rows, "stance", "coders", "ordinal")
        assert ordinal["alpha"] > coders["alpha"]  # neutral vs oppose is a near miss
        per_position = _alpha(rows, "stance", "coders", position="cede-occupied-territory")
        assert per_position["alpha"] == 1.0 and per_position["units"] == 2
        assert _alpha(rows, "stance", "machine_vs_adjudicated")["units"] == 0
        # bob may not adjudicate; ann may.
        async with client(path) as bob:
            csrf = await login(bob, "bob")
            final = {"kind": "stance", "item_id": items[1], "value": "oppose"}
            r = await bob.post(
                "/api/review/adjudications", json=final, headers={"X-CSRF-Token": csrf}
            )
            assert_error(r, 403)
        async with client(path) as ann:
            csrf = await login(ann, "ann")
            for item, label in zip(items, ["support", "oppose", "oppose"], strict=True):
                final = {"kind": "stance", "item_id": item, "value": label}
                r = await ann.post(
                    "/api/review/adjudications", json=final, headers={"X-CSRF-Token": csrf}
                )
                assert r.status_code == 201
            page = await ann.get(f"/review/stance/{items[1]}")
        assert 'id="final">oppose' in page.text and "bob" in page.text
        rows = (await c.get("/api/agreement")).json()["rows"]
        adjudicated = _alpha(rows, "stance", "machine_vs_adjudicated")
        assert adjudicated["units"] == 3 and adjudicated["percent_agreement"] == pytest.approx(
            2 / 3
        )
        html = (await c.get("/agreement")).text
        assert "0.667" in html and "0.8" in html and "cede-occupied-territory" in html


async def test_private_reading_needs_a_login(review_db):
    path, ids = review_db
    async with client(path, public=False) as c:
        assert_error(await c.get("/api/documents"), 401)
        page = await c.get(f"/documents/{ids['first']}")
        assert page.status_code == 303 and page.headers["location"].startswith("/login?next=")
        assert (await c.get("/login")).status_code == 200
        bearer = {"Authorization": f"Bearer {ids['token']}"}
        assert (await c.get("/api/documents", headers=bearer)).json()["total"] == 2
    async with client(path, public=True) as c:
        assert (await c.get("/api/documents")).status_code == 200


async def test_openapi_documents_the_api_only(review_db):
    path, _ = review_db
    async with client(path) as c:
        spec = (await c.get("/openapi.json")).json()
    paths = set(spec["paths"])
    assert {
        "/api/documents",
        "/api/documents/{document_id}",
        "/api/agreement",
        "/api/review/codings",
        "/api/review/queue",
        "/api/filters",
    } <= paths
    assert not any(not p.startswith("/api") for p in paths)


def test_api_routes_are_all_under_api(review_db):
    path, _ = review_db
    web = create_app(path, secret_key="k")
    api = [
        p
        for p, _, route in route_table(web.routes)
        if isinstance(route, APIRoute) and route.include_in_schema
    ]
    assert api and all(p.startswith("/api/") for p in api)


@pytest.mark.parametrize(
    "args, code, message",
    [
        (["coders", "add", "cat", "--password", "long enough"], 0, "Created coder 'cat'"),
        (["coders", "add", "dan", "--no-password", "--token", "--adjudicator"], 0, "API token"),
        (["coders", "add", "ann", "--password", "long enough"], 1, "already exists"),
        (["coders", "add", "eve", "--password", "short"], 1, "at least 8"),
        (["coders", "add", "machine", "--password", "long enough"], 1, "not valid"),
        (["coders", "add", "fay", "--no-password"], 1, "--no-password needs --token"),
    ],
)
def test_coders_add(review_db, args, code, message):
    path, _ = review_db
    result = CliRunner().invoke(cli_app, [*args, "--db", str(path)])
    assert result.exit_code == code, result.output
    assert message in result.output


def test_coders_add_prompts_for_the_password(review_db):
    path, _ = review_db
    result = CliRunner().invoke(
        cli_app, ["coders", "add", "gil", "--db", str(path)], input="long enough\nlong enough\n"
    )
    assert result.exit_code == 0, result.output
    listed = CliRunner().invoke(cli_app, ["coders", "list", "--db", str(path)])
    assert re.search(r"gil\s+coder", listed.output) and re.search(
        r"ann\s+adjudicator", listed.output
    )
