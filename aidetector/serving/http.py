"""The HTTP edge's own limits, for the model server and the local gateway alike: a time limit on reading a
request's headers and on its body, a cap on the headers' size and on the body's, and no stack trace for a client
that goes away.

uvicorn's h11 protocol caps the headers (`h11_max_incomplete_event_size`) but waits for them forever, and answers
protocol errors in plain text; `GuardedH11Protocol` closes a connection that has not sent its headers in time and
answers errors as JSON. Bodies are read by `read_body`, which stops at the cap and at the time limit.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

import anyio
import h11
from starlette.requests import ClientDisconnect, Request
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger("aidetector.http")


class BodyTooLarge(Exception):
    """The body passed the cap (announced in Content-Length, or counted while it streamed in)."""


class BodyTimeout(Exception):
    """The client did not send its whole body within the time limit."""


def protocol_class(
    header_timeout_s: float, max_header_bytes: int, error_body: Callable[[int, str], dict[str, Any]]
) -> type[asyncio.Protocol]:
    """An h11 protocol class that drops a connection whose headers do not arrive within `header_timeout_s`
    (a slow-headers client holds a connection, never the server) and answers malformed or oversized requests with
    a JSON `error_body(status, message)`."""

    class GuardedH11Protocol(H11Protocol):
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            self._header_timer: asyncio.TimerHandle | None = None
            super().connection_made(transport)
            self._arm_header_timer()

        def _arm_header_timer(self) -> None:
            if self._header_timer is None:
                self._header_timer = self.loop.call_later(header_timeout_s, self._header_timeout)

        def _header_timeout(self) -> None:
            self._header_timer = None
            if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
                log.info("closing a connection that sent no complete request headers in %.0f s", header_timeout_s)
                self.transport.close()

        def data_received(self, data: bytes) -> None:
            if self.conn.their_state is h11.IDLE:
                self._arm_header_timer()  # a new request starts: its headers have header_timeout_s
            super().data_received(data)
            if self.conn.their_state is not h11.IDLE and self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def connection_lost(self, exc: Exception | None) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None
            super().connection_lost(exc)

        def send_400_response(self, msg: str) -> None:
            too_big = len(self.conn.trailing_data[0]) >= max_header_bytes
            status = 431 if too_big else 400
            text = "request headers are too large" if too_big else "malformed HTTP request"
            body = json.dumps(error_body(status, text)).encode()
            headers = [(b"content-type", b"application/json"), (b"connection", b"close")]
            try:
                self.transport.write(self.conn.send(h11.Response(status_code=status, headers=headers)) or b"")
                self.transport.write(self.conn.send(h11.Data(data=body)) or b"")
                self.transport.write(self.conn.send(h11.EndOfMessage()) or b"")
            except h11.LocalProtocolError:
                pass
            self.transport.close()

    return GuardedH11Protocol


class HeaderLimit:
    """ASGI wrapper: a request whose line and headers pass `max_bytes` is answered 431 (JSON) before the app sees
    it. h11 refuses headers that pass the cap while still incomplete; this catches those that arrive whole."""

    def __init__(self, app: Any, max_bytes: int, error_body: Callable[[int, str], dict[str, Any]]):
        self.app, self.max_bytes, self.error_body = app, max_bytes, error_body

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            size = len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"")
            size += sum(len(k) + len(v) + 4 for k, v in scope.get("headers") or ())
            if size > self.max_bytes:
                body = json.dumps(self.error_body(431, "request headers are too large")).encode()
                headers = [(b"content-type", b"application/json"), (b"connection", b"close")]
                await send({"type": "http.response.start", "status": 431, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


def uvicorn_options(
    header_timeout_s: float, max_header_bytes: int, error_body: Callable[[int, str], dict[str, Any]]
) -> dict[str, Any]:
    """Arguments for `uvicorn.run` that put these limits in place."""
    return {
        "http": protocol_class(header_timeout_s, max_header_bytes, error_body),
        "h11_max_incomplete_event_size": max_header_bytes,
    }


async def read_body(request: Request, max_bytes: int, timeout_s: float) -> bytes:
    """The body, read as it streams in: `BodyTooLarge` as soon as it passes `max_bytes` (nothing more is read),
    `BodyTimeout` when it takes longer than `timeout_s`, `ClientDisconnect` when the client goes away."""
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > max_bytes:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    try:
        with anyio.fail_after(timeout_s):
            async for chunk in request.stream():
                size += len(chunk)
                if size > max_bytes:
                    raise BodyTooLarge
                chunks.append(chunk)
    except TimeoutError as exc:
        raise BodyTimeout from exc
    return b"".join(chunks)


async def until_disconnected(request: Request) -> None:
    """Returns when the client goes away (to be raced against the work done for it)."""
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            return


__all__ = ["BodyTimeout", "BodyTooLarge", "ClientDisconnect", "read_body", "until_disconnected", "uvicorn_options"]
