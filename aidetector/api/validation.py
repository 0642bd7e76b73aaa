"""Request bodies in, model payloads out: every refusal is an `ApiError` with a stable code, before any model call."""

from __future__ import annotations

import base64
import binascii
import json
import unicodedata
from typing import Any

from .config import ApiConfig
from .errors import ApiError


def header(event: dict[str, Any], name: str) -> str | None:
    """A request header by its lower-case name (API Gateway passes them as the client sent them)."""
    for key, value in (event.get("headers") or {}).items():
        if key.lower() == name:
            return str(value)
    return None


def parse_body(event: dict[str, Any], config: ApiConfig) -> dict[str, Any]:
    media = (header(event, "content-type") or "").split(";")[0].strip().lower()
    if media != "application/json":
        raise ApiError(415, "unsupported_media_type", "send the body as application/json")
    raw = event.get("body") or ""
    try:
        data = base64.b64decode(raw, validate=True) if event.get("isBase64Encoded") else raw.encode("utf-8")
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise ApiError(400, "invalid_encoding", "request body could not be decoded") from exc
    if len(data) > config.max_body_bytes:
        raise ApiError(413, "body_too_large", f"request body is over {config.max_body_bytes} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(400, "invalid_encoding", "request body is not valid UTF-8") from exc
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ApiError(400, "invalid_json", f"request body is not valid JSON ({exc.msg})") from exc
    except RecursionError as exc:  # e.g. 100,000 nested brackets: the parser runs out of stack, not of input
        raise ApiError(400, "invalid_json", "request body is nested too deeply") from exc
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        raise ApiError(400, "invalid_json", f"request body is not valid JSON ({exc})") from exc
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_json", "request body must be a JSON object")
    if not isinstance(body.get("sentences", False), bool):
        raise ApiError(400, "invalid_field", "'sentences' must be true or false")
    return body


def _visible(text: str) -> str:
    """The text without invisible format characters (zero-width spaces, soft hyphens: Unicode category Cf), which the
    model does not read either (`model/canonical.py`; the Lambda cannot import it)."""
    return text if text.isascii() else "".join(c for c in text if unicodedata.category(c) != "Cf")


def check_text(value: Any, name: str, config: ApiConfig) -> str:
    if not isinstance(value, str):
        raise ApiError(400, "invalid_field", f"'{name}' must be a string")
    if not _visible(value).strip():
        raise ApiError(422, "empty_text", f"'{name}' is empty or only whitespace and invisible characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate such as "\ud800" is valid JSON but not text
        raise ApiError(
            400, "invalid_encoding", f"'{name}' cannot be encoded as UTF-8 (character {exc.start} is a lone surrogate)"
        ) from exc
    if len(value) > config.max_text_chars:
        raise ApiError(
            413, "text_too_long", f"'{name}' has {len(value)} characters; the maximum is {config.max_text_chars}"
        )
    return value


def detect_payload(body: dict[str, Any], config: ApiConfig) -> dict[str, Any]:
    if "input_text" not in body:
        raise ApiError(400, "missing_field", "send 'input_text' (a string)")
    return {
        "input_text": check_text(body["input_text"], "input_text", config),
        "sentences": body.get("sentences", False),
    }


def batch_payload(body: dict[str, Any], config: ApiConfig) -> dict[str, Any]:
    inputs = body.get("inputs")
    if not isinstance(inputs, list) or not inputs:
        raise ApiError(400, "invalid_field", "'inputs' must be a non-empty list of strings")
    if len(inputs) > config.max_batch_items:
        raise ApiError(413, "too_many_items", f"at most {config.max_batch_items} texts per request")
    return {
        "inputs": [check_text(t, f"inputs[{i}]", config) for i, t in enumerate(inputs)],
        "sentences": body.get("sentences", False),
    }
