"""The HTTP edge's own limits, shared by the model server and the gateway: bodies read with a size cap and a time
limit, headers capped in size (431) and in time (the connection is closed), protocol errors answered in JSON.
`read_body` and `HeaderLimit` are driven in-process; the h11 protocol class runs in a real uvicorn on loopback."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from typing import Any

import pytest
import uvicorn
from starlette.requests import ClientDisconnect, Request
from uvicorn.protocols.http.h11_impl import H11Protocol

from aidetector.local.ports import free_port
from aidetector.serving.http import (
    BodyTimeout,
    BodyTooLarge,
    HeaderLimit,
    read_body,
    until_disconnected,
    uvicorn_options,
)
from tests.asgi import call, scope

MAX_HEADERS = 2048
HEADER_TIMEOUT_S = 0.3


def error_body(status: int, message: str) -> dict[str, Any]:
    return {"error": {"status": status, "message": message}}


async def echo(scope_: dict, receive: Any, send: Any) -> None:
    """The app behind the limits: answers 200 with the size of what it read."""
    body = await read_body(Request(scope_, receive), 10_000, 5.0)
    answer = json.dumps({"read": len(body)}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(answer)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": answer})


def streamed(chunks: list[bytes], pause_s: float = 0.0, then: str = "wait", headers: dict | None = None):
    """A request whose body arrives in `chunks`; afterwards the client waits, or goes away (`then="leave"`)."""
    queue = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)]
    received: list[str] = []

    async def receive() -> dict:
        if queue:
            if pause_s and len(received):
                await asyncio.sleep(pause_s)
            received.append("chunk")
            return queue.pop(0)
        if then == "wait":
            await asyncio.sleep(3600)
        received.append("disconnect")
        return {"type": "http.disconnect"}

    return Request(scope("POST", "/", headers), receive), received


def test_the_body_is_read_whole_in_its_chunks():
    request, _ = streamed([b"ab", b"cd", b"e"])
    assert asyncio.run(read_body(request, 5, 1.0)) == b"abcde"  # exactly the cap is allowed


def test_an_announced_length_over_the_cap_is_refused_before_reading():
    request, received = streamed([b"x" * 10], headers={"content-length": "6"})
    with pytest.raises(BodyTooLarge):
        asyncio.run(read_body(request, 5, 1.0))
    assert received == []  # not one chunk was read


def test_a_body_past_the_cap_stops_being_read_at_the_cap():
    request, received = streamed([b"xxx", b"xxx", b"xxx", b"xxx"])  # no Content-Length, or a lying one
    with pytest.raises(BodyTooLarge):
        asyncio.run(read_body(request, 5, 1.0))
    assert len(received) == 2  # the chunk that passed the cap was the last one read


def test_a_body_slower_than_the_time_limit_is_a_timeout():
    request, _ = streamed([b"x", b"y"], pause_s=0.5)
    started = time.monotonic()
    with pytest.raises(BodyTimeout):
        asyncio.run(read_body(request, 100, 0.1))
    assert time.monotonic() - started < 0.45  # given up at the limit, not when the slow chunk came


def test_a_client_that_leaves_mid_body_is_a_client_disconnect():
    messages = [{"type": "http.request", "body": b"x", "more_body": True}, {"type": "http.disconnect"}]

    async def receive() -> dict:
        return messages.pop(0)

    with pytest.raises(ClientDisconnect):
        asyncio.run(read_body(Request(scope("POST", "/"), receive), 100, 1.0))


def test_until_disconnected_returns_only_when_the_client_leaves():
    messages = [{"type": "http.request", "body": b"", "more_body": False}, {"type": "http.disconnect"}]
    seen: list[str] = []

    async def receive() -> dict:
        seen.append(messages[0]["type"])
        return messages.pop(0)

    asyncio.run(until_disconnected(Request(scope("POST", "/"), receive)))
    assert seen == ["http.request", "http.disconnect"]

    async def waiting() -> None:
        request, _ = streamed([b""])  # a client that waits for its answer
        await request.receive()
        await asyncio.wait_for(until_disconnected(request), 0.2)

    with pytest.raises(TimeoutError):
        asyncio.run(waiting())


def test_header_limit_answers_431_in_json_before_the_app_sees_the_request():
    app = HeaderLimit(echo, MAX_HEADERS, error_body)
    answer = call(app, "GET", "/", headers={"x-big": "a" * MAX_HEADERS})
    assert answer.status == 431 and answer.json() == error_body(431, "request headers are too large")
    assert answer.headers["connection"] == "close"
    long_path = call(app, "GET", "/" + "p" * MAX_HEADERS)  # the request line counts too
    assert long_path.status == 431


def test_header_limit_lets_ordinary_requests_and_other_scopes_through():
    app = HeaderLimit(echo, MAX_HEADERS, error_body)
    answer = call(app, "POST", "/", body=b"hello", headers={"x-small": "a" * 100})
    assert (answer.status, answer.json()) == (200, {"read": 5})
    reached: list[str] = []

    async def lifespan_app(scope_: dict, receive: Any, send: Any) -> None:
        reached.append(scope_["type"])

    asyncio.run(HeaderLimit(lifespan_app, 10, error_body)({"type": "lifespan"}, None, None))
    assert reached == ["lifespan"]


def test_uvicorn_options_set_the_header_cap_and_the_guarded_protocol():
    options = uvicorn_options(HEADER_TIMEOUT_S, MAX_HEADERS, error_body)
    assert options["h11_max_incomplete_event_size"] == MAX_HEADERS
    assert issubclass(options["http"], H11Protocol)


@pytest.fixture(scope="module")
def server():
    """uvicorn with the guarded protocol, on a free loopback port, in a thread of this process."""
    port = free_port()
    config = uvicorn.Config(
        HeaderLimit(echo, MAX_HEADERS, error_body),
        host="127.0.0.1",
        port=port,
        lifespan="off",
        log_level="warning",
        access_log=False,
        **uvicorn_options(HEADER_TIMEOUT_S, MAX_HEADERS, error_body),
    )
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not instance.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield port
    instance.should_exit = True
    thread.join(10)


def exchange(port: int, data: bytes, wait_s: float = 3.0) -> tuple[bytes, float]:
    """Send `data`, read until the server closes the connection: what it answered, and after how long."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait_s) as conn:
        started = time.monotonic()
        if data:
            conn.sendall(data)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
        return answer, time.monotonic() - started


def json_of(answer: bytes) -> tuple[int, dict]:
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)


def test_a_client_that_never_finishes_its_headers_is_disconnected(server):
    answer, after = exchange(server, b"POST / HTTP/1.1\r\nHost: x\r\n")
    assert answer == b"" and HEADER_TIMEOUT_S <= after < 2.5


def test_a_connection_that_sends_nothing_is_disconnected(server):
    answer, after = exchange(server, b"")
    assert answer == b"" and after < 2.5


def test_a_malformed_request_is_400_in_json(server):
    answer, _ = exchange(server, b"NOT AN HTTP REQUEST\r\n\r\n")
    assert json_of(answer) == (400, error_body(400, "malformed HTTP request"))


def test_headers_that_grow_past_the_cap_are_431_in_json(server):
    answer, _ = exchange(server, b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (MAX_HEADERS * 2))
    assert json_of(answer) == (431, error_body(431, "request headers are too large"))


def test_the_second_request_on_a_kept_alive_connection_has_the_header_limit_too(server):
    """(An idle kept-alive connection is uvicorn's keep-alive timeout's to close; a started request is ours.)"""
    with socket.create_connection(("127.0.0.1", server), timeout=3) as conn:
        conn.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc")
        first = conn.recv(65536)
        assert first.startswith(b"HTTP/1.1 200") and first.endswith(b'{"read": 3}')
        conn.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n")  # the next request's headers never finish
        started = time.monotonic()
        assert conn.recv(65536) == b""
        assert HEADER_TIMEOUT_S * 0.9 <= time.monotonic() - started < 2.5
