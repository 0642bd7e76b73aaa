"""The page's API client: messages for people, Retry-After, chunking within the API's limits, pacing, 429 waits."""

import threading
import time

import pytest

from aidetector.web.client import ApiError, DetectorClient, Pacer, chunks, retry_after


def test_error_messages_for_people():
    assert "quota" in ApiError(429, "gateway", "Limit Exceeded", 60).user_message()
    assert "60 s" in ApiError(429, "gateway", "Limit Exceeded", 60).user_message()
    assert "resets" in ApiError(429, "gateway", "Limit Exceeded").user_message()
    assert "Too many requests" in ApiError(429, "gateway", "Too Many Requests", 1).user_message()
    assert "cannot be reached" in ApiError(None, "unreachable", "ConnectionError").user_message()
    assert "too large" in ApiError(413, "text_too_long", "the maximum is 100000").user_message()
    assert "sidebar" not in ApiError(403, "gateway", "Forbidden").user_message()


def test_retry_after_reads_seconds_and_dates():
    assert retry_after("3") == 3.0 and retry_after("0.5") == 0.5 and retry_after(None) is None
    assert retry_after("garbage") is None
    assert 0 <= retry_after(time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 5))) <= 6


def test_chunks_respect_items_and_bytes():
    texts = ["a" * 10] * 7
    assert [len(c) for c in chunks(texts, 3, 10_000)] == [3, 3, 1]
    assert [len(c) for c in chunks(texts, 32, 100)] == [2, 2, 2, 1]
    assert chunks([], 3, 100) == []


def test_the_pacer_spaces_requests_to_the_rate():
    pacer = Pacer(rate=10, burst=2)
    delays = [pacer.delay() for _ in range(4)]
    assert delays[:2] == [0.0, 0.0] and delays[2] == pytest.approx(0.1, abs=0.02) and delays[3] > delays[2]
    assert Pacer(rate=0, burst=1).delay() == 0.0


def test_curl_never_carries_the_sites_key():
    client = DetectorClient("http://api.example", "aid_site-secret")
    assert "aid_site-secret" not in client.curl("text") and "YOUR_API_KEY" in client.curl("text")
    assert "aid_mine" in client.curl("text", "aid_mine")


def test_a_429_is_waited_out_then_sent_again(tmp_path):
    """A real HTTP server on loopback answers 429 with Retry-After once, then 200."""
    import json
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    calls = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            calls.append(time.monotonic())
            first = len(calls) == 1
            body = json.dumps({"message": "Too Many Requests"} if first else {"label": "ai"}).encode()
            self.send_response(429 if first else 200)
            if first:
                self.send_header("Retry-After", "1")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        waits = []
        client = DetectorClient(f"http://127.0.0.1:{server.server_port}", "aid_x", max_wait_s=5)
        assert client.detect("text", on_wait=lambda s, why: waits.append((s, why))) == {"label": "ai"}
        assert waits == [(1.0, "retry_after")] and calls[1] - calls[0] >= 0.9
        calls.clear()
        impatient = DetectorClient(f"http://127.0.0.1:{server.server_port}", "aid_y", max_wait_s=0.5)
        with pytest.raises(ApiError) as caught:
            impatient.detect("text")
        assert caught.value.status == 429 and caught.value.retry_after_s == 1.0
    finally:
        server.shutdown()
