"""The app's outer guard, an ASGI middleware in front of routing and every dependency.

- A request body larger than the limit is refused with 413 before anything reads it: at once
  when ``Content-Length`` says so, else as soon as the streamed body passes the limit.
- A write to ``/api`` that carries no credentials at all (no ``Authorization`` header, no
  session cookie) is refused with 401 before its body is read or parsed.
- Every response carries the security headers (a strict Content-Security-Policy that the
  server-rendered pages satisfy: scripts and styles come only from ``/static``).
- An error no handler caught becomes a 500 in the app's error shape (JSON under ``/api``),
  and the connection stays usable: nothing is re-raised to the server.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.exceptions import HTTPException

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

log = logging.getLogger("stancewatch.web")

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = (
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)
HSTS = (b"strict-transport-security", b"max-age=31536000")
WRITES = frozenset({"POST"})  # the only method of a write route


class BodyTooLarge(HTTPException):
    """The streamed body passed the limit (an HTTP error, so that FastAPI's body reader passes
    it on to the app's error handler instead of calling it a parse error)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than the limit of {limit} bytes")


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value)
    return None


class Guard:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body: int,
        session_cookie: str,
        https: bool = False,
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.session_cookie = session_cookie
        self.headers = HEADERS + ((HSTS,) if https else ())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = [
                    *[(k, v) for k, v in message.get("headers", ()) if k.lower() != b"server"],
                    *self.headers,
                ]
            await send(message)

        path: str = scope.get("path", "")
        length = _header(scope, b"content-length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                await self.refuse(scope, send_with_headers, 400, "Content-Length is not a number")
                return
            if declared > self.max_body:
                await self.refuse(scope, send_with_headers, 413, self.too_large())
                return
        if (
            scope.get("method") in WRITES
            and path.startswith("/api/")
            and _header(scope, b"authorization") is None
            and self.session_cookie.encode() not in (_header(scope, b"cookie") or b"")
        ):
            await self.refuse(
                scope,
                send_with_headers,
                401,
                "Log in or send 'Authorization: Bearer <token>' to write",
            )
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise BodyTooLarge(self.max_body)
            return message

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except BodyTooLarge:
            if not started:
                await self.refuse(scope, send_with_headers, 413, self.too_large())
        except Exception:
            log.exception("Unhandled error on %s %s", scope.get("method"), path)
            if not started:
                await self.refuse(
                    scope, send_with_headers, 500, "Internal error; it has been logged"
                )

    def too_large(self) -> str:
        return str(BodyTooLarge(self.max_body).detail)

    async def refuse(self, scope: Scope, send: Send, status: int, message: str) -> None:
        """An error response in the app's shape (JSON under ``/api``, plain text elsewhere);
        ``Connection: close`` when the request body was not read, so that the unread bytes
        never reach the next request on this connection."""
        path = scope.get("path", "")
        if path.startswith("/api") or path == "/openapi.json":
            body = json.dumps({"ok": False, "error": message, "status": status}).encode()
            kind = b"application/json"
        else:
            body = f"{status}: {message}\n".encode()
            kind = b"text/plain; charset=utf-8"
        headers = [(b"content-type", kind), (b"content-length", str(len(body)).encode())]
        if status in (400, 401, 413):
            headers.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
