"""Call an ASGI app in-process, as a server would: one HTTP request in, the status, headers and body out.

Starlette's TestClient needs httpx, which the project does not install; this drives the ASGI protocol itself, and
can also send the body in timed chunks or go away after sending it, which the HTTP edge's limits are about.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass
class Answer:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def scope(method: str, path: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """An HTTP scope as uvicorn builds it (path without its query, lower-case header names as bytes)."""
    path, _, query = path.partition("?")
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }


async def acall(
    app: Any,
    method: str,
    path: str,
    body: bytes | Sequence[bytes] = b"",
    headers: dict[str, str] | None = None,
    pause_s: float = 0.0,
    hang_up: bool = False,
) -> Answer:
    """`body` as one chunk or several (`pause_s` between them); after it the client waits for its answer, or goes
    away at once when `hang_up`."""
    chunks = [body] if isinstance(body, bytes) else list(body)
    messages = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)]
    sent: list[dict[str, Any]] = []
    done = asyncio.Event()

    async def receive() -> dict[str, Any]:
        if messages:
            if pause_s and len(messages) < len(chunks):
                await asyncio.sleep(pause_s)
            return messages.pop(0)
        if not hang_up:
            await done.wait()  # a client that waits for its answer, until the answer is sent
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body"):
            done.set()

    await app(scope(method, path, headers), receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    names = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in start.get("headers", [])}
    data = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return Answer(start["status"], names, data)


_LOOP = asyncio.new_event_loop()


def call(app: Any, method: str, path: str, **options: Any) -> Answer:
    """`acall` from synchronous code. One event loop serves every call and is never closed, as a server's is not:
    work of a request whose client left may still be answered on it after the call returned."""
    return _LOOP.run_until_complete(acall(app, method, path, **options))


def run(awaitable: Any) -> Any:
    """Any coroutine on that same loop (several requests at once, with `acall`)."""
    return _LOOP.run_until_complete(awaitable)


def post_json(app: Any, path: str, payload: Any, headers: dict[str, str] | None = None) -> Answer:
    body = json.dumps(payload).encode()
    all_headers = {"content-type": "application/json", "content-length": str(len(body)), **(headers or {})}
    return call(app, "POST", path, body=body, headers=all_headers)
