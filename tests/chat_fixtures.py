"""A local HTTP server that speaks the OpenAI chat API, for the chat stance backend's tests
and as the teacher of ``stancewatch label``."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = tuple[int, str]


class ChatServer:
    """Answers /v1/chat/completions from a list of canned replies, or with ``replies(prompt)``
    when it is a function of the user message."""

    def __init__(self, replies: list[Reply] | Callable[[str], Reply]):
        self.answer = replies if callable(replies) else None
        self.replies = [] if callable(replies) else list(replies)
        self.requests: list[tuple[str, Any, str | None]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                owner.requests.append((self.path, body, self.headers.get("Authorization")))
                if owner.answer is not None:
                    status, content = owner.answer(body["messages"][0]["content"])
                else:
                    status, content = owner.replies.pop(0) if owner.replies else (500, "")
                payload = json.dumps(
                    {"choices": [{"message": {"role": "assistant", "content": content}}]}
                ).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
