"""A small client of the public API: the web UI talks to the API exactly as an external developer would, and as a
good client does - it paces itself to its plan's rate, sends files through the batch route within its item and
size limits, and on a 429 waits as long as the API says (`Retry-After`), or backs off, and tells the page so."""

from __future__ import annotations

import json
import math
import shlex
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import requests

# (seconds to wait, why) -> None: the page shows it while it waits
WaitHook = Callable[[float, str], None]
KEY_PLACEHOLDER = "YOUR_API_KEY"


@dataclass
class ApiError(Exception):
    status: int | None
    code: str
    message: str
    retry_after_s: float | None = None

    def user_message(self) -> str:
        if self.status is None:
            return f"The API cannot be reached ({self.message}). Is it running?"
        if self.status == 403:
            return (
                "The API refused the key (missing, wrong or revoked). If you pasted your own key in the API tab, "
                "check it there; otherwise the site's key is not valid: tell the site's operator."
            )
        if self.status == 429:
            wait = f" Try again in about {self.retry_after_s:.0f} s." if self.retry_after_s else " Try again shortly."
            if self.message == "Limit Exceeded":
                later = wait if self.retry_after_s else " It resets when the plan's period (day or month) starts again."
                return "This key has used its quota for the period." + later
            return "Too many requests in a short time, even after waiting." + wait
        if self.status == 413:
            return f"The text is too large: {self.message}"
        if self.status == 504:
            return "The model took too long to answer. Try a shorter text or retry."
        if self.status >= 500:
            return f"The detector is unavailable right now ({self.message}). Retry in a moment."
        return self.message


def retry_after(value: str | None) -> float | None:
    """Seconds from a `Retry-After` header: a number of seconds, or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


class Pacer:
    """A token bucket on the client's side, the same shape as the gateway's: `rate` requests a second, `burst` at
    once. Shared by every visitor's session that uses one key, since the gateway counts them together."""

    def __init__(self, rate: float, burst: int):
        self.rate, self.burst = rate, max(1, burst)
        self.tokens = float(self.burst)
        self.updated = time.monotonic()
        self.lock = threading.Lock()

    def delay(self) -> float:
        """Take a token; the seconds to wait before using it (0 when one is there)."""
        if self.rate <= 0:
            return 0.0
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
            self.tokens -= 1
            return 0.0 if self.tokens >= 0 else -self.tokens / self.rate


_pacers: dict[tuple[str, str], Pacer] = {}
_pacers_lock = threading.Lock()


def pacer_for(base_url: str, key: str, rate: float, burst: int) -> Pacer:
    with _pacers_lock:
        found = _pacers.get((base_url, key))
        if found is None or (found.rate, found.burst) != (rate, max(1, burst)):
            found = _pacers[(base_url, key)] = Pacer(rate, burst)
        return found


class DetectorClient:
    def __init__(
        self,
        base_url: str,
        api_key: str,
        timeout_s: float = 30.0,
        rate: float = 0.0,
        burst: int = 1,
        max_wait_s: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout_s = timeout_s
        self.pacer = pacer_for(self.base_url, api_key, rate, burst)
        self.max_wait_s = max_wait_s
        self.sleep = sleep
        self.waited_s = 0.0  # time spent waiting on the rate limit, for the page to tell

    def _wait(self, seconds: float, why: str, on_wait: WaitHook | None) -> None:
        if seconds <= 0:
            return
        if on_wait:
            on_wait(seconds, why)
        self.sleep(seconds)
        self.waited_s += seconds

    def _once(self, path: str, payload: dict[str, Any] | None) -> dict[str, Any]:
        """One request: a POST of `payload`, or a GET when there is none."""
        try:
            answer = requests.request(
                "GET" if payload is None else "POST",
                self.base_url + path,
                json=payload,
                headers={"x-api-key": self.api_key},
                timeout=self.timeout_s,
            )
        except requests.Timeout as exc:
            raise ApiError(504, "timeout", "no answer in time") from exc
        except requests.RequestException as exc:
            raise ApiError(None, "unreachable", type(exc).__name__) from exc
        try:
            body = answer.json()
        except ValueError:
            body = {}
        if answer.status_code == 200:
            return dict(body)
        error = body.get("error") if isinstance(body, dict) else None
        code = error.get("code", "error") if isinstance(error, dict) else "gateway"
        message = error.get("message") if isinstance(error, dict) else (body or {}).get("message", answer.reason)
        raise ApiError(
            answer.status_code, code, str(message or answer.reason), retry_after(answer.headers.get("Retry-After"))
        )

    def _call(self, path: str, payload: dict[str, Any] | None, on_wait: WaitHook | None = None) -> dict[str, Any]:
        """One call, paced; a throttled call waits for `Retry-After` (or backs off 1, 2, 4 ... s) and is sent again,
        as long as the waits add up to at most `max_wait_s`."""
        backoff, budget = 1.0, self.max_wait_s
        while True:
            self._wait(self.pacer.delay(), "pace", on_wait)
            try:
                return self._once(path, payload)
            except ApiError as exc:
                if exc.status != 429:
                    raise
                told = exc.retry_after_s is not None
                delay = exc.retry_after_s if told else backoff
                quota = exc.message == "Limit Exceeded"
                if (quota and not told) or delay is None or delay > budget:
                    raise
                self._wait(max(delay, 0.05), "retry_after" if told else "backoff", on_wait)
                budget -= delay
                backoff = min(backoff * 2, 16.0)

    def detect(self, text: str, sentences: bool = True, on_wait: WaitHook | None = None) -> dict[str, Any]:
        return self._call("/v1/detect", {"input_text": text, "sentences": sentences}, on_wait)

    def languages(self) -> dict[str, Any]:
        """What the model judges (GET /v1/languages): `supported` codes, and how each measured language fared."""
        return self._call("/v1/languages", None)

    def batch(self, texts: list[str], sentences: bool = False, on_wait: WaitHook | None = None) -> list[dict[str, Any]]:
        return list(self._call("/v1/detect/batch", {"inputs": texts, "sentences": sentences}, on_wait)["results"])

    def batch_all(
        self,
        texts: Sequence[str],
        max_items: int,
        max_bytes: int,
        sentences: bool = False,
        on_progress: Callable[[int, int], None] | None = None,
        on_wait: WaitHook | None = None,
    ) -> list[dict[str, Any] | ApiError]:
        """Every text through `/v1/detect/batch`, in chunks within the item and body limits; a chunk that fails
        gives its error to each of its texts, and the rest go on (a refused key or a spent quota stops them all)."""
        out: list[dict[str, Any] | ApiError] = []
        for chunk in chunks(texts, max_items, max_bytes):
            try:
                results: list[dict[str, Any] | ApiError] = list(self.batch(list(chunk), sentences, on_wait))
            except ApiError as exc:
                results = [exc] * len(chunk)
                if exc.status in (None, 403) or (exc.status == 429 and exc.message == "Limit Exceeded"):
                    out += results
                    out += [exc] * (len(texts) - len(out))
                    break
            out += results
            if on_progress:
                on_progress(len(out), len(texts))
        return out

    def curl(self, text: str, key: str | None = None) -> str:
        """The same call from a terminal; the key is the visitor's own or a placeholder, never the site's key."""
        body = json.dumps({"input_text": text, "sentences": True})
        return (
            f"curl -s -X POST {self.base_url}/v1/detect -H 'Content-Type: application/json' "
            f"-H 'x-api-key: {key or KEY_PLACEHOLDER}' -d {shlex.quote(body)}"
        )


def chunks(texts: Sequence[str], max_items: int, max_bytes: int) -> list[Sequence[str]]:
    """Consecutive runs of texts, each at most `max_items` long and with a JSON body under `max_bytes`."""
    out: list[Sequence[str]] = []
    start, size = 0, 64
    for i, text in enumerate(texts):
        cost = len(json.dumps(text)) + 2
        if i > start and (i - start >= max_items or size + cost > max_bytes):
            out.append(texts[start:i])
            start, size = i, 64
        size += cost
    if start < len(texts):
        out.append(texts[start:])
    return out


def chunk_count(n: int, max_items: int) -> int:
    return math.ceil(n / max_items) if n else 0
