"""A real HTTP receiver of webhooks on 127.0.0.1, in a thread: for the tests and the bench.

It records every request (path, headers, body) and answers each with the next status of
``answers`` (the last one repeats; 204 if none), or with ``redirect`` as a 302, after
``delay`` seconds. Use it as a
context manager: it listens on a free port while the block runs.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


@dataclasses.dataclass(frozen=True)
class Received:
    """One request the receiver got."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    """An HTTP server that records requests and answers as it is told."""

    def __init__(
        self,
        *answers: int,
        redirect: str | None = None,
        record: bool = True,
        delay: float = 0.0,
    ) -> None:
        self.answers = list(answers) or [204]
        self.redirect = redirect
        self.delay = delay
        self.record = record
        self.received: list[Received] = []
        self.count = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        """Return the port it listens on."""
        return int(self._server.server_address[1])

    def url(self, path: str = "/hook") -> str:
        """Return the http:// URL of ``path`` on this receiver."""
        return f"http://127.0.0.1:{self.port}{path}"

    def _answer(self) -> int:
        with self._lock:
            status = self.answers[min(self.count, len(self.answers) - 1)]
            self.count += 1
            return status

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                got = Received("POST", self.path, headers, body)
                if receiver.record:
                    with receiver._lock:
                        receiver.received.append(got)
                status = receiver._answer()
                if receiver.delay:
                    time.sleep(receiver.delay)  # a receiver slower than the registry waits
                if receiver.redirect is not None and self.path != receiver.redirect:
                    self.send_response(302)
                    self.send_header("Location", receiver.redirect)
                else:
                    self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet

        return Handler

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
