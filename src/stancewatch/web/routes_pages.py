"""Server-rendered pages: documents, one document, login, the review queue, agreement."""

from __future__ import annotations

import math
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from stancewatch.analytics.reliability import RELIABLE, TENTATIVE
from stancewatch.store.database import Store
from stancewatch.web import auth, browse, review
from stancewatch.web.deps import (
    LOGIN_COOKIE,
    MAX_OFFSET,
    SESSION_COOKIE,
    FormWriterDep,
    ReaderDep,
    StoreDep,
    Viewer,
    ViewerDep,
    agreement,
    settings,
    text,
    write,
)

router = APIRouter(include_in_schema=False)
PAGE = 50


def render(request: Request, name: str, who: Viewer, **context: Any) -> HTMLResponse:
    templates = request.app.state.templates
    context.update(viewer=who.coder, csrf=who.csrf, public=settings(request).public)
    return templates.TemplateResponse(request, name, context)


def _date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise HTTPException(400, f"{value!r} is not a date (expected YYYY-MM-DD)") from None


def _safe_next(target: str | None) -> str:
    """Only same-site paths (``/...`` but not ``//host``) are followed after login."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


@router.get("/", response_class=HTMLResponse)
def index(
    request: Request,
    store: StoreDep,
    who: ReaderDep,
    page: Annotated[int, Query(ge=0, le=MAX_OFFSET // PAGE)] = 0,
) -> Response:
    p = request.query_params
    filters = browse.Filters(
        q=p.get("q") or None,
        actor=p.get("actor") or None,
        position=p.get("position") or None,
        outlet=p.get("outlet") or None,
        verdict=p.get("verdict") or None,
        since=_date(p.get("since")),
        until=_date(p.get("until")),
    )
    rows, total = browse.documents(store, filters, limit=PAGE, offset=page * PAGE)
    query = filters.as_dict()
    return render(
        request,
        "documents.html",
        who,
        documents=rows,
        total=total,
        filters=query,
        options=browse.filter_options(store),
        page=page,
        pages=(total + PAGE - 1) // PAGE,
        query=urlencode(query),
    )


@router.get("/documents/{document_id}", response_class=HTMLResponse)
def show_document(request: Request, document_id: str, store: StoreDep, who: ReaderDep) -> Response:
    return render(request, "document.html", who, doc=browse.document(store, document_id))


@router.get("/login", response_class=HTMLResponse)
def login_form(
    request: Request,
    store: StoreDep,
    who: ViewerDep,
    next: str = "/",
    failed: Annotated[int, Query(ge=0, le=1)] = 0,
) -> Response:
    nonce = write(request, store, lambda: auth.new_login_nonce(store))
    response = render(
        request,
        "login.html",
        who,
        next=_safe_next(next),
        failed=bool(failed),
        login_csrf=auth.login_csrf(settings(request).secret_key, nonce),
    )
    response.set_cookie(
        LOGIN_COOKIE, nonce, httponly=True, samesite="strict", secure=settings(request).https
    )
    return response


@router.post("/login")
async def login(request: Request, store: StoreDep) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    text(form)
    # Password hashing and the database writes run off the event loop.
    return await run_in_threadpool(_login, request, store, form)


def _login(request: Request, store: StoreDep, form: dict[str, str]) -> Response:
    nonce = request.cookies.get(LOGIN_COOKIE, "")
    expected = auth.login_csrf(settings(request).secret_key, nonce) if nonce else None
    if not auth.same(form.get("csrf"), expected) or not write(
        request, store, lambda: auth.use_login_nonce(store, nonce)
    ):
        raise HTTPException(
            403, "The login form's CSRF token is missing, stale or used already; reload it"
        )
    target = _safe_next(form.get("next"))
    name, client = form.get("name", ""), request.client.host if request.client else "unknown"
    wait = auth.login_wait(store, name, client)
    if wait > 0:
        write(
            request,
            store,
            lambda: auth.record_login(store, name, client, ok=False, reason="throttled"),
        )
        seconds = math.ceil(wait)
        raise HTTPException(
            429,
            f"Too many failed logins for this account or address; try again in {seconds} s",
            headers={"Retry-After": str(seconds)},
        )
    coder = auth.check_password(store, name, form.get("password", ""))
    write(
        request,
        store,
        lambda: auth.record_login(
            store, name, client, ok=coder is not None, reason="ok" if coder else "password"
        ),
    )
    if coder is None:
        return RedirectResponse(f"/login?{urlencode({'next': target, 'failed': 1})}", 303)
    session, _ = write(request, store, lambda: auth.start_session(store, coder))
    response = RedirectResponse(target, status_code=303)
    secure = settings(request).https
    response.set_cookie(SESSION_COOKIE, session, httponly=True, samesite="lax", secure=secure)
    response.delete_cookie(LOGIN_COOKIE, secure=secure, httponly=True, samesite="strict")
    return response


@router.post("/logout")
def logout(request: Request, store: StoreDep, writer: FormWriterDep) -> Response:
    session = request.cookies.get(SESSION_COOKIE, "")
    write(request, store, lambda: auth.end_session(store, session))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, secure=settings(request).https, httponly=True)
    return response


@router.get("/review", response_class=HTMLResponse)
def review_queue(
    request: Request,
    store: StoreDep,
    who: ViewerDep,
    kind: str = "stance",
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Response:
    if who.coder is None:
        raise HTTPException(401, "Log in to review")
    kind = review.check_kind(kind)
    offset = max(offset, 0)
    items = review.queue(store, who.coder.name, kind, limit=1, offset=offset)
    current = review.item(store, kind, items[0]["item_id"]) if items else None
    return render(
        request,
        "review.html",
        who,
        kind=kind,
        kinds=review.KINDS,
        offset=offset,
        item=current,
        remaining=review.remaining(store, who.coder.name, kind),
        done=review.progress(store),
    )


@router.post("/review/code")
def code_item(request: Request, store: StoreDep, writer: FormWriterDep) -> Response:
    coder, form = writer
    kind = review.check_kind(form.get("kind", ""))
    item_id, value = form.get("item_id", ""), form.get("value", "")
    write(request, store, lambda: review.add_coding(store, kind, item_id, value, coder.name))
    offset = form.get("offset", "0")
    if not (offset.isascii() and offset.isdigit() and int(offset) <= MAX_OFFSET):
        offset = "0"
    return RedirectResponse(f"/review?{urlencode({'kind': kind, 'offset': offset})}", 303)


@router.get("/review/{kind}/{item_id}", response_class=HTMLResponse)
def show_item(
    request: Request, kind: str, item_id: str, store: StoreDep, who: ReaderDep
) -> Response:
    return render(request, "item.html", who, item=review.item(store, kind, item_id))


@router.post("/review/adjudicate")
def adjudicate(request: Request, store: StoreDep, writer: FormWriterDep) -> Response:
    coder, form = writer
    if not coder.adjudicator:
        raise HTTPException(403, f"{coder.name} is not an adjudicator")
    kind = review.check_kind(form.get("kind", ""))
    item_id, value = form.get("item_id", ""), form.get("value", "")
    write(request, store, lambda: review.adjudicate(store, kind, item_id, value, coder.name))
    return RedirectResponse(f"/review/{kind}/{quote(item_id, safe=':')}", 303)


@router.get("/agreement", response_class=HTMLResponse)
async def agreement_page(request: Request, store: StoreDep, who: ReaderDep) -> Response:
    rows = await agreement(request, store, settings(request).resamples, 20250212)
    return await run_in_threadpool(_agreement_page, request, store, who, rows)


def _agreement_page(
    request: Request, store: Store, who: Viewer, rows: list[dict[str, Any]]
) -> Response:
    overall = [r for r in rows if r["position"] is None]
    by_position = [
        r for r in rows if r["position"] is not None and r["level"] == "ordinal" and r["units"] > 0
    ]
    return render(
        request,
        "agreement.html",
        who,
        overall=overall,
        by_position=by_position,
        tentative=TENTATIVE,
        reliable=RELIABLE,
        progress=review.progress(store),
        retraining=review.retraining(store),
    )
