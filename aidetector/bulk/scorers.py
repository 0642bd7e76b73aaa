"""Two ways to score a chunk of texts, one interface: the model in local processes, or a model server over HTTP.

`LocalScorer` runs N processes, each with its own copy of the model and cores // N torch threads (one process per
core beats one process using every core: tokenizing and windowing are single-threaded Python).
`RemoteScorer` sends `{"inputs": [...]}` to a SageMaker-contract `/invocations` URL with N requests at a time, and
rides out a server that is down or restarting: connection errors and 5xx answers are retried with capped
exponential backoff until `max_wait_s` has passed, so a job whose server dies mid-run carries on once it is back.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import signal
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from http.client import HTTPException
from pathlib import Path
from typing import Any, Protocol

from aidetector.bulk.settings import BatchSettings

log = logging.getLogger(__name__)
# Answers that mean "this text cannot be scored" (the row gets the error); any other 4xx means the job is misconfigured.
ROW_ERROR_STATUSES = (400, 413, 422)


@dataclass(frozen=True)
class Score:
    """One text's result: the verdict fields, or an error code and message."""

    label: str | None = None
    predicted_class: int | None = None
    probability_ai: float | None = None
    confidence: str | None = None
    tokens_total: int | None = None
    tokens_used: int | None = None
    model_version: str | None = None
    error_code: str | None = None
    error_message: str | None = None

    @classmethod
    def from_result(cls, result: dict[str, Any]) -> Score:
        """From a Detection's dict or a model server's result object."""
        return cls(
            label=result["label"],
            predicted_class=int(result["predicted_class"]),
            probability_ai=float(result["probability_ai"]),
            confidence=result["confidence"],
            tokens_total=int(result["tokens_total"]),
            tokens_used=int(result["tokens_used"]),
            model_version=result["model_version"],
        )

    @classmethod
    def failed(cls, code: str, message: str) -> Score:
        return cls(error_code=code, error_message=message)


class ScorerError(RuntimeError):
    """The job cannot go on (server gone longer than the wait allowed, a worker died); what is committed stays."""


class Scorer(Protocol):
    parallelism: int  # how many chunks are worth having in flight at once

    def submit(self, texts: list[str]) -> Future[list[Score]]: ...

    def close(self) -> None: ...


# ---- local: the Detector in worker processes -------------------------------------------------------------------

_worker_detector: Any = None


def score_texts(detector: Any, texts: Sequence[str]) -> list[Score]:
    """Texts the detector refuses (empty, too long) get an error; the rest are scored in one call."""
    from aidetector.model.detector import InputError

    scores: list[Score | None] = [None] * len(texts)
    valid: list[int] = []
    for i, text in enumerate(texts):
        try:
            detector.validate(text)
            valid.append(i)
        except InputError as exc:
            scores[i] = Score.failed(exc.code, exc.message)
    detections = detector.detect([texts[i] for i in valid]) if valid else []
    for i, detection in zip(valid, detections, strict=True):
        scores[i] = Score.from_result(detection.to_dict())
    return [s for s in scores if s is not None]


def _load_detector(model_dir: str, threads: int) -> Any:
    from aidetector.model.config import DetectSettings
    from aidetector.model.detector import Detector

    return Detector.from_path(model_dir, DetectSettings(num_threads=threads))


def _exit_with_parent(parent_pid: int) -> None:
    """A worker whose job process was killed (SIGKILL skips all cleanup) would otherwise live on, holding a model."""
    while True:
        if os.getppid() != parent_pid:
            os._exit(1)
        time.sleep(1.0)


def _init_worker(model_dir: str, threads: int, parent_pid: int) -> None:
    global _worker_detector
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the job's to handle; it stops the pool cleanly
    threading.Thread(target=_exit_with_parent, args=(parent_pid,), daemon=True).start()
    _worker_detector = _load_detector(model_dir, threads)


def _score_in_worker(texts: list[str]) -> list[Score]:
    return score_texts(_worker_detector, texts)


class LocalScorer:
    """The Detector in-process (1 worker) or in a pool of N processes, each loading the model once."""

    def __init__(self, model_dir: Path, workers: int):
        from aidetector.model.artifact import read_manifest

        read_manifest(model_dir)  # a clear ArtifactError now, rather than a broken pool later
        self.parallelism = workers
        threads = max(1, (os.cpu_count() or 1) // workers)
        self._detector: Any = None
        self._pool: ProcessPoolExecutor | None = None
        if workers == 1:  # a pool of one would only add a process start and pickling
            self._detector = _load_detector(str(model_dir), threads)
        else:
            self._pool = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=multiprocessing.get_context("spawn"),  # fork after torch has started threads can hang
                initializer=_init_worker,
                initargs=(str(model_dir), threads, os.getpid()),
            )

    def submit(self, texts: list[str]) -> Future[list[Score]]:
        if self._pool is not None:
            return self._pool.submit(_score_in_worker, texts)
        future: Future[list[Score]] = Future()
        try:
            future.set_result(score_texts(self._detector, texts))
        except Exception as exc:
            future.set_exception(exc)
        return future

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


# ---- remote: a model server's /invocations ----------------------------------------------------------------------


def invocations_url(url: str) -> str:
    """Accept the server's base URL or its full /invocations URL."""
    url = url.rstrip("/")
    return url if url.endswith("/invocations") else url + "/invocations"


class RemoteScorer:
    """N concurrent `POST {"inputs": [...]}` to a model server, each retried until the server answers or time is up."""

    def __init__(self, url: str, workers: int, settings: BatchSettings):
        self.url = invocations_url(url)
        self.parallelism = workers
        self.settings = settings
        self.max_wait_s = settings.max_wait_s
        self._stop = threading.Event()
        self._pool: Executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="batch-request")

    def submit(self, texts: list[str]) -> Future[list[Score]]:
        return self._pool.submit(self._score_chunk, texts)

    def close(self) -> None:
        self._stop.set()  # retry loops give up at once; requests in flight end within their timeout
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _score_chunk(self, texts: list[str]) -> list[Score]:
        size = self.settings.request_items
        scores: list[Score] = []
        for start in range(0, len(texts), size):
            scores.extend(self._score_request(texts[start : start + size]))
        return scores

    def _score_request(self, texts: list[str]) -> list[Score]:
        status, body = self._post({"inputs": texts})
        if status == 200:
            results = body.get("results") if isinstance(body, dict) else None
            if not isinstance(results, list) or len(results) != len(texts):
                raise ScorerError(f"{self.url} answered 200 without one result per text")
            return [Score.from_result(r) for r in results]
        if status in ROW_ERROR_STATUSES:
            if len(texts) > 1:  # one bad text fails the whole request: find which, one at a time
                return [s for text in texts for s in self._score_request([text])]
            error = body.get("error") if isinstance(body, dict) else None
            if isinstance(error, dict) and "code" in error:
                return [Score.failed(str(error["code"]), str(error.get("message", "")))]
            return [Score.failed(f"http_{status}", f"the model server answered {status}")]
        raise ScorerError(f"{self.url} refused the request with HTTP {status}: {json.dumps(body)[:300]}")

    def _post(self, payload: dict[str, Any]) -> tuple[int, Any]:
        """(status, parsed body) of the first answer that is not a server failure; retries until the deadline."""
        data = json.dumps(payload).encode("utf-8")
        delay = self.settings.retry_initial_s
        deadline: float | None = None
        while True:
            try:
                request = urllib.request.Request(self.url, data, {"Content-Type": "application/json"}, method="POST")
                with urllib.request.urlopen(request, timeout=self.settings.request_timeout_s) as answer:
                    return answer.status, _parse(answer.read())
            except urllib.error.HTTPError as exc:
                status, body = exc.code, _parse(_read_quietly(exc))
                if status < 500 and status != 429:
                    return status, body
                problem = f"HTTP {status}"
            except (OSError, HTTPException) as exc:  # refused, reset, timed out, cut off mid-answer
                problem = f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"
            now = time.monotonic()
            if deadline is None:
                deadline = now + self.max_wait_s
                log.warning("model server %s failed (%s); retrying for up to %.0fs", self.url, problem, self.max_wait_s)
            if self._stop.is_set():
                raise ScorerError("the job was stopped")
            if now >= deadline:
                raise ScorerError(f"model server {self.url} did not answer within {self.max_wait_s:.0f}s ({problem})")
            self._stop.wait(min(delay, deadline - now))
            delay = min(delay * 2, self.settings.retry_max_s)


def _read_quietly(answer: urllib.error.HTTPError) -> bytes:
    try:
        return answer.read()
    except (OSError, HTTPException):
        return b""


def _parse(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return {"raw": raw[:300].decode("utf-8", errors="replace")}
