"""The review web app: ``create_app(db_path)`` returns a FastAPI application.

Pages are rendered on the server with Jinja2 (autoescape on: article text is always shown as
text); ``/api/...`` returns JSON for the same data, documented at ``/openapi.json``. Every API
error has one shape: ``{"ok": false, "error": "...", "status": 404}``.
"""

from __future__ import annotations

import contextlib
import secrets
import sqlite3
import threading
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from urllib.parse import quote

import anyio
import anyio.to_thread
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from stancewatch.errors import InputError
from stancewatch.store.database import Store
from stancewatch.version import __version__
from stancewatch.web.auth import AuthError
from stancewatch.web.deps import (
    AGREEMENT_THREADS,
    SESSION_COOKIE,
    THREADS,
    Settings,
    StorePool,
    WriterLock,
    busy,
    valid_text,
)
from stancewatch.web.guard import Guard
from stancewatch.web.review import ReviewError

HERE = Path(__file__).parent
#: The environment variable through which ``stancewatch serve`` hands its options to each
#: server process (a JSON object of :func:`create_app`'s arguments).
APP_OPTIONS = "STANCEWATCH_APP_OPTIONS"


def error_body(status: int, message: str) -> dict[str, object]:
    return {"ok": False, "error": message, "status": status}


async def _text_params(request: Request) -> None:
    """Path and query values must be valid text (a lone surrogate is refused with 422)."""
    for where, values in (("path", request.path_params), ("query", request.query_params)):
        for key, value in values.items():
            if isinstance(value, str) and not (valid_text(value) and valid_text(key)):
                raise HTTPException(422, f"Invalid request: {where}.{key}: not valid UTF-8 text")


def create_app(
    db_path: str | Path,
    *,
    public: bool = True,
    secret_key: str | None = None,
    resamples: int = 1000,
    max_body: int = 1 << 20,
    https: bool = False,
    threads: int | None = None,
) -> FastAPI:
    """The app over ``db_path`` (created or migrated now, and switched to WAL mode so that
    readers never wait for the writer).

    ``public=False`` makes every page and API read need a logged-in coder. ``secret_key``
    signs the login form's CSRF token (a random key is made when none is given, so login
    forms do not survive a restart). ``resamples`` sets the bootstrap size for alpha (and
    the most a caller who is not logged in may ask for). ``max_body`` is the largest request
    body accepted, in bytes. ``https=True`` (behind a TLS proxy) marks cookies ``Secure``
    and sends ``Strict-Transport-Security``. ``threads`` is the most requests of one server
    process that run their database work at once: the size of its worker-thread pool
    (default ``THREADS``). Each process keeps its database connections open in a
    :class:`~stancewatch.web.deps.StorePool` from request to request.
    """
    with Store(db_path) as store:
        store.db.execute("PRAGMA journal_mode = WAL")
    pool = StorePool(Path(db_path))

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = threads or THREADS
        yield
        pool.close()

    app = FastAPI(
        lifespan=lifespan,
        title="stancewatch review",
        version=__version__,
        description="Browse statements, stances, claims and verdicts; review them; measure "
        "agreement (Krippendorff's alpha). Writes need `Authorization: Bearer <token>` "
        "(see `stancewatch coders add NAME --token`) or a session cookie plus the "
        '`X-CSRF-Token` header. Errors: `{"ok": false, "error": ..., "status": ...}`.',
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        dependencies=[Depends(_text_params)],
    )
    app.state.settings = Settings(
        db_path=Path(db_path),
        public=public,
        secret_key=secret_key or secrets.token_urlsafe(32),
        resamples=resamples,
        max_body=max_body,
        https=https,
    )
    app.state.store_pool = pool
    app.state.write_lock = WriterLock(Path(db_path))
    app.state.cache_lock = threading.Lock()
    app.state.agreement_cache = {}
    app.state.agreement_limiter = anyio.CapacityLimiter(AGREEMENT_THREADS)
    app.add_middleware(Guard, max_body=max_body, session_cookie=SESSION_COOKIE, https=https)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    app.state.templates = templates
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api") or request.url.path == "/openapi.json"

    def error(
        request: Request, status: int, message: str, headers: Mapping[str, str] | None = None
    ) -> Response:
        if wants_json(request):
            return JSONResponse(error_body(status, message), status_code=status, headers=headers)
        if status == 401 and request.method == "GET":
            target = quote(
                request.url.path + (f"?{request.url.query}" if request.url.query else "")
            )
            return RedirectResponse(f"/login?next={target}", status_code=303)
        return templates.TemplateResponse(
            request,
            "error.html",
            {"status": status, "message": message, "viewer": None},
            status_code=status,
            headers=headers,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return error(request, exc.status_code, str(exc.detail), exc.headers)

    # Another process held the write lock past the busy timeout and the retries: the
    # request may be tried again; nothing of it was stored.
    @app.exception_handler(sqlite3.OperationalError)
    async def locked(request: Request, exc: sqlite3.OperationalError) -> Response:
        if not busy(exc):
            raise exc
        return error(
            request,
            503,
            "The database is busy with another writer; nothing was stored, try again",
            {"Retry-After": "1"},
        )

    @app.exception_handler(UnicodeError)
    async def not_text(request: Request, exc: UnicodeError) -> Response:
        return error(request, 422, "Invalid request: a value is not valid UTF-8 text")

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors()
        )
        return error(request, 422, f"Invalid request: {problems}")

    # An unknown id (NotFoundError, a KeyError too) is 404; a refused account or review 400.
    @app.exception_handler(KeyError)
    async def missing(request: Request, exc: KeyError) -> Response:
        return error(request, 404, str(exc.args[0]) if exc.args else "Not found")

    @app.exception_handler(ReviewError)
    @app.exception_handler(AuthError)
    async def bad(request: Request, exc: InputError) -> Response:
        return error(request, 400, str(exc))

    from stancewatch.web import routes_api, routes_pages

    app.include_router(routes_api.router)
    app.include_router(routes_pages.router)
    return app


def app_from_environment() -> FastAPI:
    """The app ``stancewatch serve`` runs in each worker process, from ``APP_OPTIONS``."""
    import json
    import os

    return create_app(**json.loads(os.environ[APP_OPTIONS]))
