"""The review web app: ``create_app(db_path)`` returns a FastAPI application.

Pages are rendered on the server with Jinja2 (autoescape on: article text is always shown as
text); ``/api/...`` returns JSON for the same data, documented at ``/openapi.json``. Every API
error has one shape: ``{"ok": false, "error": "...", "status": 404}``.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from stancewatch.errors import InputError
from stancewatch.store.database import Store
from stancewatch.version import __version__
from stancewatch.web.auth import AuthError
from stancewatch.web.deps import Settings
from stancewatch.web.review import ReviewError

HERE = Path(__file__).parent


def error_body(status: int, message: str) -> dict[str, object]:
    return {"ok": False, "error": message, "status": status}


def create_app(
    db_path: str | Path,
    *,
    public: bool = True,
    secret_key: str | None = None,
    resamples: int = 1000,
) -> FastAPI:
    """The app over ``db_path`` (created or migrated now).

    ``public=False`` makes every page and API read need a logged-in coder. ``secret_key``
    signs the login form's CSRF token (a random key is made when none is given, so login
    forms do not survive a restart). ``resamples`` sets the bootstrap size for alpha.
    """
    Store(db_path).close()
    app = FastAPI(
        title="stancewatch review",
        version=__version__,
        description="Browse statements, stances, claims and verdicts; review them; measure "
        "agreement (Krippendorff's alpha). Writes need `Authorization: Bearer <token>` "
        "(see `stancewatch coders add NAME --token`) or a session cookie plus the "
        '`X-CSRF-Token` header. Errors: `{"ok": false, "error": ..., "status": ...}`.',
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.settings = Settings(
        db_path=Path(db_path),
        public=public,
        secret_key=secret_key or secrets.token_urlsafe(32),
        resamples=resamples,
    )
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    app.state.templates = templates
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api") or request.url.path == "/openapi.json"

    def error(request: Request, status: int, message: str) -> Response:
        if wants_json(request):
            return JSONResponse(error_body(status, message), status_code=status)
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
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return error(request, exc.status_code, str(exc.detail))

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
