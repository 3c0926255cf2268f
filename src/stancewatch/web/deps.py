"""Request-scoped dependencies: the store, who is asking, and the write guards."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import sqlite_utils
from fastapi import Depends, HTTPException, Request

from stancewatch.store.database import Store
from stancewatch.web import auth

SESSION_COOKIE = "sw_session"
LOGIN_COOKIE = "sw_login"


@dataclass(frozen=True)
class Settings:
    db_path: Path
    public: bool
    secret_key: str
    resamples: int


@dataclass(frozen=True)
class Viewer:
    """Who is asking: a coder via a session cookie or an API token, or nobody."""

    coder: auth.Coder | None = None
    csrf: str | None = None
    via: str | None = None


def settings(request: Request) -> Settings:
    return request.app.state.settings


def open_store(path: Path) -> Store:
    """A store whose connection may move between the worker threads of one request.

    FastAPI runs sync dependencies and endpoints on pool threads, so one request's
    connection can be used from two threads, one after the other (never at once).
    """
    store = Store(path)
    store.db.conn.close()
    conn = sqlite3.connect(str(path), check_same_thread=False, timeout=10)
    conn.execute("PRAGMA foreign_keys = ON")
    store.db = sqlite_utils.Database(conn)
    return store


def get_store(request: Request) -> Iterator[Store]:
    store = open_store(settings(request).db_path)
    try:
        yield store
    finally:
        store.close()


StoreDep = Annotated[Store, Depends(get_store)]


def viewer(request: Request, store: StoreDep) -> Viewer:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        coder = auth.check_token(store, header[7:].strip())
        if coder is None:
            raise HTTPException(401, "The API token is not valid")
        return Viewer(coder=coder, via="token")
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        found = auth.session_coder(store, session)
        if found:
            return Viewer(coder=found[0], csrf=found[1], via="session")
    return Viewer()


ViewerDep = Annotated[Viewer, Depends(viewer)]


def reader(request: Request, who: ViewerDep) -> Viewer:
    """Anyone when reading is public; a logged-in coder otherwise."""
    if not settings(request).public and who.coder is None:
        raise HTTPException(401, "Log in to read this database (reading is private)")
    return who


def api_writer(request: Request, who: ViewerDep) -> auth.Coder:
    """A coder with a token, or with a session and the ``X-CSRF-Token`` header."""
    if who.coder is None:
        raise HTTPException(401, "Log in or send 'Authorization: Bearer <token>' to write")
    if who.via == "session" and not auth.same(request.headers.get("x-csrf-token"), who.csrf):
        raise HTTPException(403, "Missing or wrong X-CSRF-Token header for this session")
    return who.coder


async def form_writer(request: Request, who: ViewerDep) -> tuple[auth.Coder, dict[str, Any]]:
    """A logged-in coder whose form carries the session's CSRF token; returns the form."""
    if who.coder is None:
        raise HTTPException(401, "Log in to change anything")
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    if who.via != "session" or not auth.same(form.get("csrf"), who.csrf):
        raise HTTPException(403, "The form's CSRF token is missing or out of date; reload the page")
    return who.coder, form


ReaderDep = Annotated[Viewer, Depends(reader)]
ApiWriterDep = Annotated[auth.Coder, Depends(api_writer)]
FormWriterDep = Annotated[tuple[auth.Coder, dict[str, Any]], Depends(form_writer)]
