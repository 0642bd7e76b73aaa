"""A small client of the public API: the web UI talks to the API exactly as an external developer would."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests


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
            return "The API key was refused (missing, wrong or revoked). Paste a valid key in the sidebar."
        if self.status == 429:
            wait = f" Try again in about {self.retry_after_s:.0f} s." if self.retry_after_s else " Try again shortly."
            if self.message == "Limit Exceeded":
                later = wait if self.retry_after_s else " It resets when the plan's period (day or month) starts again."
                return "This key has used its quota for the period." + later
            return "Too many requests in a short time." + wait
        if self.status == 413:
            return f"The text is too large: {self.message}"
        if self.status == 504:
            return "The model took too long to answer. Try a shorter text or retry."
        if self.status >= 500:
            return f"The detector is unavailable right now ({self.message}). Retry in a moment."
        return self.message


class DetectorClient:
    def __init__(self, base_url: str, api_key: str, timeout_s: float = 30.0):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout_s = timeout_s

    def _post(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        try:
            answer = requests.post(
                self.base_url + path,
                json=payload,
                headers={"x-api-key": self.api_key, "Content-Type": "application/json"},
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
        message = (error or {}).get("message") if isinstance(error, dict) else body.get("message", answer.reason)
        retry = answer.headers.get("Retry-After")
        retry_s = float(retry) if retry and retry.replace(".", "", 1).isdigit() else None
        if answer.status_code == 429 and retry_s is None:
            retry_s = 1.0 if message == "Too Many Requests" else None
        raise ApiError(answer.status_code, code, str(message or answer.reason), retry_s)

    def detect(self, text: str, sentences: bool = True) -> dict[str, Any]:
        return self._post("/v1/detect", {"input_text": text, "sentences": sentences})

    def batch(self, texts: list[str]) -> list[dict[str, Any]]:
        return list(self._post("/v1/detect/batch", {"inputs": texts})["results"])

    def curl(self, text: str) -> str:
        import json
        import shlex

        body = json.dumps({"input_text": text, "sentences": True})
        return (
            f"curl -s -X POST {self.base_url}/v1/detect -H 'Content-Type: application/json' "
            f"-H 'x-api-key: {self.api_key or 'YOUR_KEY'}' -d {shlex.quote(body)}"
        )
