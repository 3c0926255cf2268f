"""Request-scoped dependencies: the store, who is asking, and the write guards."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar

import anyio
import anyio.to_thread
from fastapi import Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool

from stancewatch.store.database import Store
from stancewatch.web import auth

SESSION_COOKIE = "sw_session"
LOGIN_COOKIE = "sw_login"
BUSY_TIMEOUT_S = 10.0
# The largest offset or page a request may ask for: far beyond any corpus, far below the
# 64-bit integers SQLite takes.
MAX_OFFSET = 1_000_000_000
MAX_RESAMPLES = 10_000
AGREEMENT_CACHE = 32
AGREEMENT_TTL_S = 300.0
WRITE_RETRIES = 4
#: Worker threads of one server process (requests whose database work runs at once).
THREADS = 8
#: Agreement computations (bootstrap resamples: CPU for up to seconds) one server process
#: runs at once. They run on threads counted apart from ``THREADS``, so that a burst of them
#: (distinct seeds are distinct cache entries) never holds every thread the other requests need.
AGREEMENT_THREADS = 2
#: Idle connections a server process keeps open for the next requests.
POOL_IDLE = 64
T = TypeVar("T")


@dataclass(frozen=True)
class Settings:
    db_path: Path
    public: bool
    secret_key: str
    resamples: int
    max_body: int = 1 << 20
    https: bool = False


@dataclass(frozen=True)
class Viewer:
    """Who is asking: a coder via a session cookie or an API token, or nobody."""

    coder: auth.Coder | None = None
    csrf: str | None = None
    via: str | None = None


def text(values: dict[str, str] | Any, where: str = "form") -> None:
    """Refuse (422) strings that are not valid Unicode text (a lone surrogate cannot be
    stored or shown); ``values`` maps field names to strings."""
    for key, value in values.items():
        if isinstance(value, str) and not valid_text(value):
            raise HTTPException(422, f"Invalid request: {where}.{key}: not valid UTF-8 text")


def valid_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def settings(request: Request) -> Settings:
    return request.app.state.settings


def open_store(path: Path) -> Store:
    """A store whose connection may move between the worker threads of one request.

    FastAPI runs sync dependencies and endpoints on pool threads, so one request's
    connection can be used from two threads, one after the other (never at once).
    """
    conn = sqlite3.connect(str(path), check_same_thread=False, timeout=BUSY_TIMEOUT_S)
    conn.execute("PRAGMA foreign_keys = ON")
    return Store.over(path, conn)


class StorePool:
    """The open connections of one server process, reused from request to request.

    Opening a connection per request costs a file open, a parse of the schema on its first
    query and, when it was the last connection open, a WAL checkpoint on close; under load
    that was a large share of each request's time. A request takes an idle connection (or
    opens a new one when none is idle) and gives it back when it is done: rolled back if it
    was left inside a transaction, closed instead of kept when ``idle`` connections are
    already waiting or the pool is closed. One request uses a connection at a time.
    """

    def __init__(self, path: Path, idle: int = POOL_IDLE) -> None:
        self.path = path
        self.idle = idle
        self._stores: list[Store] = []
        self._lock = threading.Lock()
        self.closed = False
        self.opened = 0

    def take(self) -> Store | None:
        """An idle store, or None when a new one must be opened (:meth:`open`)."""
        with self._lock:
            return self._stores.pop() if self._stores else None

    def open(self) -> Store:
        store = open_store(self.path)
        with self._lock:
            self.opened += 1
        return store

    def give_back(self, store: Store) -> None:
        conn = store.db.conn
        try:
            if conn.in_transaction:
                conn.rollback()
        except sqlite3.Error:
            conn.close()
            return
        with self._lock:
            if not self.closed and len(self._stores) < self.idle:
                self._stores.append(store)
                return
        conn.close()

    def close(self) -> None:
        with self._lock:
            self.closed = True
            stores, self._stores = self._stores, []
        for store in stores:
            store.close()


async def get_store(request: Request) -> AsyncIterator[Store]:
    """The request's store from the process's pool. Taking an idle connection happens on
    the event loop (it does no I/O); opening a new one, and a rollback, run on a thread."""
    pool: StorePool = request.app.state.store_pool
    store = pool.take()
    if store is None:
        store = await run_in_threadpool(pool.open)
    try:
        yield store
    finally:
        if store.db.conn.in_transaction:
            await run_in_threadpool(pool.give_back, store)
        else:
            pool.give_back(store)


StoreDep = Annotated[Store, Depends(get_store)]


def _review_state(store: Store) -> tuple[Any, ...]:
    """What alpha depends on: the codings, the adjudications and the analyses stored."""
    row = store.query(
        "SELECT (SELECT max(id) FROM review_codings) AS c, (SELECT count(*) FROM review_codings) "
        "AS cn, (SELECT max(id) FROM adjudications) AS a, (SELECT count(*) FROM adjudications) "
        "AS an, (SELECT max(analyzed_at) FROM analyses) AS t, (SELECT count(*) FROM analyses) "
        "AS tn, (SELECT max(id) FROM runs) AS r"
    )[0]
    return tuple(row.values())


def _agreement(request: Request, store: Store, resamples: int, seed: int) -> list[dict[str, Any]]:
    """``review.agreement`` through a small cache keyed by the review state (entries expire
    after ``AGREEMENT_TTL_S`` in any case), so repeated requests cost one computation."""
    from stancewatch.web import review

    cache: dict[tuple[Any, ...], tuple[float, list[dict[str, Any]]]] = (
        request.app.state.agreement_cache
    )
    key = (_review_state(store), resamples, seed)
    now = time.monotonic()
    with request.app.state.cache_lock:
        found = cache.get(key)
        if found and now - found[0] < AGREEMENT_TTL_S:
            return found[1]
    rows = review.agreement(store, resamples=resamples, seed=seed)
    with request.app.state.cache_lock:
        cache[key] = (now, rows)
        while len(cache) > AGREEMENT_CACHE:
            cache.pop(next(iter(cache)))
    return rows


async def agreement(
    request: Request, store: Store, resamples: int, seed: int
) -> list[dict[str, Any]]:
    """:func:`_agreement` on a thread of the agreement limiter (``AGREEMENT_THREADS``)."""
    limiter: anyio.CapacityLimiter = request.app.state.agreement_limiter
    return await anyio.to_thread.run_sync(
        _agreement, request, store, resamples, seed, limiter=limiter
    )


class WriterLock:
    """One writer at a time among the threads of this process and, through an advisory
    ``flock`` on ``<database>.writer.lock``, among the server processes (``--workers``): a
    writer waiting there wakes the moment the one before it finishes, instead of polling
    SQLite's lock with growing sleeps. Other programs writing the database (``analyze``)
    are still waited for by SQLite's busy timeout."""

    def __init__(self, db_path: Path) -> None:
        self.thread_lock = threading.Lock()
        self.fd: int | None = None
        try:
            import fcntl  # noqa: F401 - POSIX only

            self.fd = os.open(f"{db_path}.writer.lock", os.O_RDWR | os.O_CREAT, 0o600)
        except (ImportError, OSError):
            self.fd = None  # another platform or a read-only folder: threads only

    def __del__(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def __enter__(self) -> WriterLock:
        self.thread_lock.acquire()
        if self.fd is not None:
            import fcntl

            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX)
            except BaseException:
                self.thread_lock.release()
                raise
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self.fd is not None:
                import fcntl

                fcntl.flock(self.fd, fcntl.LOCK_UN)
        finally:
            self.thread_lock.release()


def busy(exc: BaseException) -> bool:
    """Whether an SQLite error is another writer holding the lock (worth a retry)."""
    message = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in message or "busy" in message)


def write(request: Request, store: Store, work: Callable[[], T]) -> T:
    """The app's one writer path: ``work`` runs in one ``BEGIN IMMEDIATE`` transaction (its
    checks and its writes together), one writer of this process at a time, and is retried with
    back-off when another process holds the database's write lock past the busy timeout. A
    failed attempt is rolled back whole, so a write is stored once or not at all."""
    lock: WriterLock = request.app.state.write_lock
    for attempt in range(WRITE_RETRIES):
        try:
            with lock, store.immediate():
                return work()
        except sqlite3.OperationalError as exc:
            if not busy(exc) or attempt == WRITE_RETRIES - 1:
                raise
        time.sleep(0.05 * 2**attempt)
    raise AssertionError("unreachable")


async def viewer(request: Request, store: StoreDep) -> Viewer:
    """Who is asking. Only a request with a token or a session cookie needs the database
    (looked up on a worker thread); an anonymous one is answered on the event loop."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        coder = await run_in_threadpool(auth.check_token, store, header[7:].strip())
        if coder is None:
            raise HTTPException(401, "The API token is not valid")
        return Viewer(coder=coder, via="token")
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        found = await run_in_threadpool(auth.session_coder, store, session)
        if found:
            return Viewer(coder=found[0], csrf=found[1], via="session")
    return Viewer()


ViewerDep = Annotated[Viewer, Depends(viewer)]


async def reader(request: Request, who: ViewerDep) -> Viewer:
    """Anyone when reading is public; a logged-in coder otherwise."""
    if not settings(request).public and who.coder is None:
        raise HTTPException(401, "Log in to read this database (reading is private)")
    return who


async def api_writer(request: Request, who: ViewerDep) -> auth.Coder:
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
    text(form)
    if who.via != "session" or not auth.same(form.get("csrf"), who.csrf):
        raise HTTPException(403, "The form's CSRF token is missing or out of date; reload the page")
    return who.coder, form


ReaderDep = Annotated[Viewer, Depends(reader)]
ApiWriterDep = Annotated[auth.Coder, Depends(api_writer)]
FormWriterDep = Annotated[tuple[auth.Coder, dict[str, Any]], Depends(form_writer)]
