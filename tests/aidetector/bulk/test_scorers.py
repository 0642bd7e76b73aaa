"""The two scorers: the Detector in-process (refused texts get their error), and a model server over HTTP (a real
server on loopback: retried while it fails, one text at a time to find a bad one, a clear error when it is gone)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from aidetector.bulk.scorers import LocalScorer, RemoteScorer, Score, ScorerError, invocations_url, score_texts
from aidetector.bulk.settings import BatchSettings
from aidetector.model.artifact import ArtifactError
from tests.conftest import make_records

FAST_RETRIES = BatchSettings(workers=1, request_items=2, max_wait_s=5, retry_initial_s=0.01, retry_max_s=0.05)


def result(text: str) -> dict:
    return {"label": "ai", "predicted_class": 1, "probability_ai": 0.9, "confidence": "high",
            "tokens_total": len(text.split()), "tokens_used": len(text.split()), "model_version": "v1"}  # fmt: skip


Answer = Callable[[list[str]], tuple[int, dict]]


@pytest.fixture
def model_server() -> Iterator[Callable[[Answer], tuple[str, list[list[str]]]]]:
    """A loopback HTTP server whose /invocations answers with `answer(texts)`; records every request's texts."""
    servers: list[ThreadingHTTPServer] = []

    def start(answer: Answer) -> tuple[str, list[list[str]]]:
        requests: list[list[str]] = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                texts = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["inputs"]
                requests.append(texts)
                status, body = answer(texts)
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}", requests

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_score_texts_gives_refused_texts_their_code_and_scores_the_rest(tiny_artifact):
    from aidetector.model.config import DetectSettings
    from aidetector.model.detector import Detector

    detector = Detector.from_path(tiny_artifact, DetectSettings(max_chars=300, num_threads=1))
    text = " ".join(make_records(1)[0]["text"].split()[:30])
    scores = score_texts(detector, ["", text, "x" * 301, text])
    assert [s.error_code for s in scores] == ["empty_text", None, "text_too_long", None]
    alone = Score.from_result(detector.detect([text])[0].to_dict())
    assert scores[1].model_version == detector.version and scores[1].tokens_total == alone.tokens_total
    assert scores[1].probability_ai == pytest.approx(alone.probability_ai, abs=1e-5)  # padding moves the 6th digit


def test_the_server_url_may_be_the_base_or_the_invocations_url():
    assert invocations_url("http://h:8080") == "http://h:8080/invocations"
    assert invocations_url("http://h:8080/") == "http://h:8080/invocations"
    assert invocations_url("http://h/endpoints/x/invocations") == "http://h/endpoints/x/invocations"


def test_the_local_scorer_refuses_a_folder_that_is_no_model_at_once(tmp_path):
    with pytest.raises(ArtifactError, match="not a model artifact"):
        LocalScorer(tmp_path, 1)


def test_the_local_scorer_in_process_scores_a_chunk(tiny_artifact):
    scorer = LocalScorer(tiny_artifact, 1)
    try:
        text = make_records(1, words=40)[0]["text"]
        scores = scorer.submit([text, ""]).result(timeout=60)
    finally:
        scorer.close()
    assert scorer.parallelism == 1
    assert scores[0].label in ("ai", "human", "inconclusive") and scores[1].error_code == "empty_text"


def test_a_chunk_is_sent_in_requests_of_the_servers_batch_size(model_server):
    url, requests = model_server(lambda texts: (200, {"results": [result(t) for t in texts]}))
    scorer = RemoteScorer(url, 2, FAST_RETRIES)
    try:
        scores = scorer.submit(["one", "two words", "three more words", "four"]).result(timeout=30)
    finally:
        scorer.close()
    assert sorted(map(tuple, requests)) == [("one", "two words"), ("three more words", "four")]
    assert [s.tokens_total for s in scores] == [1, 2, 3, 1]  # in the chunk's order
    assert scores[0] == Score.from_result(result("one"))


def test_a_refused_request_is_retried_text_by_text_to_find_the_bad_one(model_server):
    def answer(texts: list[str]) -> tuple[int, dict]:
        if "" in texts:
            return 400, {"error": {"code": "empty_text", "message": "the text is empty"}}
        return 200, {"results": [result(t) for t in texts]}

    url, requests = model_server(answer)
    scorer = RemoteScorer(url + "/invocations", 1, FAST_RETRIES)
    try:
        scores = scorer.submit(["good", ""]).result(timeout=30)
    finally:
        scorer.close()
    assert requests == [["good", ""], ["good"], [""]]
    assert scores[0].label == "ai" and (scores[1].error_code, scores[1].error_message) == (
        "empty_text",
        "the text is empty",
    )


def test_a_row_error_without_a_body_is_named_by_its_status(model_server):
    url, _ = model_server(lambda texts: (413, {"message": "too large"}))
    scorer = RemoteScorer(url, 1, FAST_RETRIES)
    try:
        assert scorer.submit(["x"]).result(timeout=30) == [Score.failed("http_413", "the model server answered 413")]
    finally:
        scorer.close()


def test_a_failing_server_is_retried_until_it_answers(model_server):
    calls: list[float] = []

    def answer(texts: list[str]) -> tuple[int, dict]:
        calls.append(time.monotonic())
        if len(calls) < 3:
            return 503, {"error": "restarting"}
        return 200, {"results": [result(t) for t in texts]}

    url, _ = model_server(answer)
    scorer = RemoteScorer(url, 1, FAST_RETRIES)
    try:
        assert scorer.submit(["a"]).result(timeout=30)[0].label == "ai"
    finally:
        scorer.close()
    assert len(calls) == 3


def test_a_misconfigured_job_or_a_wrong_answer_stops_the_job(model_server):
    forbidden, _ = model_server(lambda texts: (403, {"message": "Forbidden"}))
    short, _ = model_server(lambda texts: (200, {"results": []}))
    for url, message in ((forbidden, "refused the request with HTTP 403"), (short, "without one result per text")):
        scorer = RemoteScorer(url, 1, FAST_RETRIES)
        try:
            with pytest.raises(ScorerError, match=message):
                scorer.submit(["a"]).result(timeout=30)
        finally:
            scorer.close()


def test_a_server_gone_longer_than_max_wait_stops_the_job():
    with socket.socket() as closed:  # a port nothing listens on: every attempt is refused
        closed.bind(("127.0.0.1", 0))
        gone = f"http://127.0.0.1:{closed.getsockname()[1]}"
    settings = FAST_RETRIES.model_copy(update={"max_wait_s": 0.3})
    scorer = RemoteScorer(gone, 1, settings)
    started = time.monotonic()
    try:
        with pytest.raises(ScorerError, match="did not answer within 0s"):
            scorer.submit(["a"]).result(timeout=30)
    finally:
        scorer.close()
    assert 0.3 <= time.monotonic() - started < 10
