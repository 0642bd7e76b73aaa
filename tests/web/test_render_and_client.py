import threading
import time

import pytest

from aidetector.web.client import ApiError, DetectorClient, Pacer, chunks, retry_after
from aidetector.web.render import colour, fpr_sentence, gauge, highlight, legend, report_html, text_colour


def test_colour_scale_runs_from_dark_blue_to_yellow():
    assert colour(0.0) == "#00224e" and colour(1.0) == "#fee838"
    assert text_colour(0.1) == "#ffffff" and text_colour(0.9) == "#000000"


def test_only_sentences_at_or_above_the_threshold_are_marked_with_their_number():
    text = "A <b>bold</b> claim. Second one."
    sentences = [{"start": 0, "end": 20, "probability_ai": 0.9}, {"start": 21, "end": 32, "probability_ai": 0.1}]
    html = highlight(text, sentences, threshold=0.78)
    assert "&lt;b&gt;" in html and "<b>" not in html
    assert html.count('class="sent"') == 1 and "[0.90]" in html and 'tabindex="0"' in html  # readable without hover
    assert 'class="plain"' in html and "Second one." in html


def test_gauge_and_legend_mark_the_threshold_in_text_too():
    g = gauge(0.85, 0.78)
    assert 'role="meter"' in g and 'aria-valuenow="85"' in g and "threshold 78%" in g
    assert "greyed" in gauge(0.85, 0.78, greyed=True) and "not used" in gauge(0.85, 0.78, greyed=True)
    assert "threshold 0.78" in legend(0.78) and "not marked" in legend(0.78)


def test_false_positive_sentence_names_the_sets():
    result = {
        "threshold": 0.78,
        "false_positive_rates": [
            {"measured_on": "ood_dev", "human_texts": 7999, "false_positive_rate": 0.0299, "interval95": [0.026, 0.034]}
        ],
    }
    assert "3.0% of the 7,999 human texts of `ood_dev`, 95% interval 2.6%–3.4%" in fpr_sentence(result)
    assert "not measured" in fpr_sentence({"threshold": 0.5})


def test_report_is_one_self_contained_file():
    text = "First part here. Second part there."
    result = {
        "label": "mixed",
        "probability_ai": 0.6,
        "threshold": 0.78,
        "model_version": "v1",
        "tokens_used": 9,
        "tokens_total": 9,
        "class_probabilities": {"ai": 0.1, "human": 0.05, "mixed": 0.85},
        "segments": [
            {"start": 0, "end": 16, "label": "ai", "probability_ai": 0.95, "words": 3},
            {"start": 17, "end": 35, "label": "human", "probability_ai": 0.1, "words": 3},
        ],
        "sentences": [{"start": 0, "end": 16, "probability_ai": 0.95}, {"start": 17, "end": 35, "probability_ai": 0.1}],
    }
    page = report_html("essay.txt", text, result, "2026-12-03T10:00:00+00:00")
    assert page.startswith("<!doctype html>") and "<script" not in page and "http" not in page
    assert "Mixed" in page and "segment-ai" in page and "v1" in page and "2026-12-03" in page
    assert "not measured" in page  # no false-positive figure: said so, not left out


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
