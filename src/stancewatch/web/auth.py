"""Coder accounts, login sessions and CSRF tokens for the review web app.

Passwords are hashed with Argon2id (``argon2-cffi``); API tokens and session ids are random
256-bit strings stored only as SHA-256 digests, so a copy of the database gives no way in.
Every form carries the session's CSRF token; before login, the login form uses a
double-submit token signed with the app's secret key, over a nonce that is stored when the
form is made and deleted when it is used, so each form serves one try.

Every login attempt is recorded in ``login_attempts`` (name, client address, outcome): the
failures are the audit trail and the source of the back-off. After ``FREE_FAILURES`` failures
in a row for an account (``FREE_CLIENT_FAILURES`` for a client address, which many people
behind one proxy may share) within ``FAILURE_WINDOW``, each further try must wait twice as
long as the one before (1 s, 2 s, 4 s, ... up to ``MAX_WAIT``); a success clears it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from stancewatch.errors import InputError
from stancewatch.store.database import Store

SESSION_HOURS = 12
NONCE_MINUTES = 60
MAX_NONCES = 10_000
FREE_FAILURES = 5
FREE_CLIENT_FAILURES = 20
FAILURE_WINDOW = timedelta(hours=1)
MAX_WAIT = 900.0
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
MIN_PASSWORD = 8
RESERVED_NAMES = frozenset({"machine", "adjudicated", "unknown"})

_hasher = PasswordHasher()


class AuthError(InputError):
    """An account cannot be created or used; the message says why."""


@dataclass(frozen=True)
class Coder:
    id: int
    name: str
    adjudicator: bool


@dataclass(frozen=True)
class NewCoder:
    coder: Coder
    token: str | None


def _now() -> datetime:
    return datetime.now(UTC)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _coder(row: dict) -> Coder:
    return Coder(id=int(row["id"]), name=row["name"], adjudicator=bool(row["adjudicator"]))


def add_coder(
    store: Store,
    name: str,
    *,
    password: str | None = None,
    token: bool = False,
    adjudicator: bool = False,
) -> NewCoder:
    """Create a coder with a password and/or an API token (returned once, stored hashed)."""
    if not NAME_PATTERN.match(name) or name.lower() in RESERVED_NAMES:
        raise AuthError(
            f"Coder name {name!r} is not valid: use 1-40 letters, digits, '.', '_' or '-', "
            f"starting with a letter or digit, and not one of {', '.join(sorted(RESERVED_NAMES))}"
        )
    if password is None and not token:
        raise AuthError("Give the coder a password, a token, or both")
    if password is not None and len(password) < MIN_PASSWORD:
        raise AuthError(f"The password must have at least {MIN_PASSWORD} characters")
    if store.query("SELECT 1 FROM coders WHERE name = ?", [name]):
        raise AuthError(f"A coder named {name!r} already exists")
    secret = secrets.token_urlsafe(32) if token else None
    with store.db.atomic():
        cursor = store.db.execute(
            "INSERT INTO coders (name, password_hash, token_hash, adjudicator, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                name,
                _hasher.hash(password) if password is not None else None,
                digest(secret) if secret else None,
                int(adjudicator),
                _now().isoformat(timespec="seconds"),
            ],
        )
    coder = Coder(id=int(cursor.lastrowid or 0), name=name, adjudicator=adjudicator)
    return NewCoder(coder=coder, token=secret)


def coders(store: Store) -> list[Coder]:
    return [_coder(r) for r in store.query("SELECT * FROM coders ORDER BY name")]


def check_password(store: Store, name: str, password: str) -> Coder | None:
    """The coder when ``password`` is theirs, else ``None`` (same work either way)."""
    rows = store.query("SELECT * FROM coders WHERE name = ?", [name])
    stored = rows[0]["password_hash"] if rows else None
    try:
        _hasher.verify(stored or _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    return _coder(rows[0]) if rows and stored else None


def check_token(store: Store, token: str) -> Coder | None:
    rows = store.query("SELECT * FROM coders WHERE token_hash = ?", [digest(token)])
    return _coder(rows[0]) if rows else None


def start_session(store: Store, coder: Coder) -> tuple[str, str]:
    """A new session for ``coder``: ``(session id for the cookie, CSRF token)``."""
    session, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = _now()
    with store.immediate():
        store.db.execute("DELETE FROM coder_sessions WHERE expires_at < ?", [now.isoformat()])
        store.db.execute(
            "INSERT INTO coder_sessions (id, coder_id, csrf, created_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                digest(session),
                coder.id,
                csrf,
                now.isoformat(),
                (now + timedelta(hours=SESSION_HOURS)).isoformat(),
            ],
        )
    return session, csrf


def session_coder(store: Store, session: str) -> tuple[Coder, str] | None:
    """The coder and CSRF token of a live session, or ``None``."""
    rows = store.query(
        "SELECT c.*, s.csrf FROM coder_sessions s JOIN coders c ON c.id = s.coder_id "
        "WHERE s.id = ? AND s.expires_at > ?",
        [digest(session), _now().isoformat()],
    )
    return (_coder(rows[0]), rows[0]["csrf"]) if rows else None


def end_session(store: Store, session: str) -> None:
    with store.immediate():
        store.db.execute("DELETE FROM coder_sessions WHERE id = ?", [digest(session)])


def new_login_nonce(store: Store) -> str:
    """A nonce for one login form (stored as a digest until used or an hour has passed)."""
    nonce = secrets.token_urlsafe(16)
    now = _now()
    with store.immediate():
        store.db.execute("DELETE FROM login_nonces WHERE expires_at < ?", [now.isoformat()])
        store.db.execute(
            "DELETE FROM login_nonces WHERE digest IN (SELECT digest FROM login_nonces "
            "ORDER BY expires_at DESC LIMIT -1 OFFSET ?)",
            [MAX_NONCES - 1],
        )
        store.db.execute(
            "INSERT INTO login_nonces (digest, expires_at) VALUES (?, ?)",
            [digest(nonce), (now + timedelta(minutes=NONCE_MINUTES)).isoformat()],
        )
    return nonce


def use_login_nonce(store: Store, nonce: str) -> bool:
    """Whether ``nonce`` was issued and not used yet; it cannot be used again."""
    with store.immediate():
        cursor = store.db.execute(
            "DELETE FROM login_nonces WHERE digest = ? AND expires_at > ?",
            [digest(nonce), _now().isoformat()],
        )
    return cursor.rowcount == 1


def record_login(store: Store, name: str, client: str, *, ok: bool, reason: str) -> None:
    """Append one login attempt to the audit table."""
    with store.immediate():
        store.db.execute(
            "INSERT INTO login_attempts (at, name, client, ok, reason) VALUES (?, ?, ?, ?, ?)",
            [_now().isoformat(timespec="milliseconds"), name[:200], client, int(ok), reason],
        )


def login_wait(store: Store, name: str, client: str) -> float:
    """Seconds this account or this client address must wait before its next try (0: none)."""
    now = _now()
    since = (now - FAILURE_WINDOW).isoformat(timespec="milliseconds")
    wait = 0.0
    for column, value, free in (
        ("name", name[:200], FREE_FAILURES),
        ("client", client, FREE_CLIENT_FAILURES),
    ):
        rows = store.query(
            f"SELECT at, ok FROM login_attempts WHERE {column} = ? AND at > ? "
            "AND reason != 'throttled' ORDER BY id DESC LIMIT ?",
            [value, since, free + 32],
        )
        failures = 0
        for row in rows:
            if row["ok"]:
                break
            failures += 1
        if failures >= free:
            last = datetime.fromisoformat(rows[0]["at"])
            backoff = min(MAX_WAIT, 2.0 ** (failures - free))
            wait = max(wait, backoff - (now - last).total_seconds())
    return max(wait, 0.0)


def login_csrf(secret_key: str, nonce: str) -> str:
    """The login form's CSRF token: an HMAC of the nonce kept in a cookie."""
    return hmac.new(secret_key.encode(), nonce.encode(), hashlib.sha256).hexdigest()


def same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


_DUMMY_HASH = _hasher.hash("not a password of anyone")
