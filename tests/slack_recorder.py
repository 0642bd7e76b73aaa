"""A real HTTP server on loopback that records what is POSTed to it, standing in for a Slack incoming webhook.

`fail_first` answers that many requests with HTTP 500 before accepting, to exercise the notifier's retries.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Recorder:
    url: str
    posts: list[dict[str, Any]] = field(default_factory=list)
    attempts: int = 0
    fail_first: int = 0
    status: int = 200


@contextmanager
def slack_webhook(fail_first: int = 0, status: int = 200) -> Iterator[Recorder]:
    recorder = Recorder(url="", fail_first=fail_first, status=status)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            recorder.attempts += 1
            if recorder.attempts <= recorder.fail_first:
                self.send_response(500)
                self.end_headers()
                return
            if recorder.status == 200:
                recorder.posts.append(json.loads(body))
            self.send_response(recorder.status)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    recorder.url = f"http://127.0.0.1:{server.server_address[1]}/services/T000/B000/XXXX"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield recorder
    finally:
        server.shutdown()
        server.server_close()
