"""Decoding invocation bodies and encoding answers: the request/response contract of the model server.

Request: `{"input_text": "..."}` (the original contract) or `{"inputs": ["...", ...]}`, optional
`"sentences": true`; or `{"describe": "languages"}`, which asks what the model judges (SageMaker exposes only
/invocations, so this is how the API's GET /v1/languages reaches the model).
Errors are `{"error": {"code", "message"}}` with a stable code.

JSON Lines (SageMaker Batch Transform: ContentType application/jsonlines, SplitType Line, BatchStrategy
MultiRecord): one `{"input_text": "..."}` or `{"text": "..."}` per line in, one result object per line out, in the
same order; a bad line gets `{"error": {...}}` on its own line, so the rest of the batch is still scored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aidetector.model.detector import Detection


class RequestError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message}}


@dataclass(frozen=True)
class Invocation:
    texts: list[str]
    batch: bool
    sentences: bool
    describe: str | None = None  # set when the request asks about the model instead of scoring texts


DESCRIBE_TOPICS = ("languages",)


JSONLINES = "application/jsonlines"
JSONLINES_TYPES = ("application/jsonlines", "application/x-jsonlines", "application/jsonl")
JSONLINES_TEXT_FIELDS = ("input_text", "text")


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def is_jsonlines(content_type: str | None) -> bool:
    return media_type(content_type) in JSONLINES_TYPES


def decode(body: bytes, content_type: str | None, max_body_bytes: int, max_items: int) -> Invocation:
    """Parse and check the body; raise `RequestError` with the status the HTTP edge should answer.

    The Lambda handler makes the same checks first, in its own words: it ships as one boto3-only file and
    cannot import this package. These checks stay because the endpoint can be called without the Lambda.
    """
    media = media_type(content_type)
    if media not in ("application/json", ""):
        raise RequestError(415, "unsupported_media_type", "send the body as application/json or application/jsonlines")
    if len(body) > max_body_bytes:
        raise RequestError(413, "body_too_large", f"request body is over {max_body_bytes} bytes")
    try:
        text_body = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RequestError(400, "invalid_encoding", "request body is not valid UTF-8") from exc
    try:
        data = json.loads(text_body)
    except json.JSONDecodeError as exc:
        raise RequestError(400, "invalid_json", f"request body is not valid JSON ({exc.msg})") from exc
    if not isinstance(data, dict):
        raise RequestError(400, "invalid_json", "request body must be a JSON object")
    if "describe" in data:
        if data["describe"] not in DESCRIBE_TOPICS:
            raise RequestError(400, "invalid_field", f"'describe' must be one of: {', '.join(DESCRIBE_TOPICS)}")
        return Invocation([], False, False, describe=data["describe"])
    sentences = data.get("sentences", False)
    if not isinstance(sentences, bool):
        raise RequestError(400, "invalid_field", "'sentences' must be true or false")
    if "inputs" in data:
        inputs = data["inputs"]
        if not isinstance(inputs, list) or not inputs:
            raise RequestError(400, "invalid_field", "'inputs' must be a non-empty list of strings")
        if len(inputs) > max_items:
            raise RequestError(413, "too_many_items", f"at most {max_items} texts per request")
        if not all(isinstance(t, str) for t in inputs):
            raise RequestError(400, "invalid_field", "every item of 'inputs' must be a string")
        return Invocation(list(inputs), True, sentences)
    if "input_text" not in data:
        raise RequestError(400, "missing_field", "send 'input_text' (a string) or 'inputs' (a list of strings)")
    if not isinstance(data["input_text"], str):
        raise RequestError(400, "invalid_field", "'input_text' must be a string")
    return Invocation([data["input_text"]], False, sentences)


def echo(text: str, echo_chars: int) -> str:
    """The text as echoed back: in full up to `echo_chars`, else cut with an ellipsis (see `input_truncated`)."""
    return text if len(text) <= echo_chars else text[:echo_chars] + "…"


def encode_result(text: str, detection: Detection, request_id: str, echo_chars: int) -> dict[str, Any]:
    return {
        "request_id": request_id,
        "input_text": echo(text, echo_chars),
        "input_truncated": len(text) > echo_chars,
        **detection.to_dict(),
    }


def encode(invocation: Invocation, detections: list[Detection], request_id: str, echo_chars: int) -> dict[str, Any]:
    results = [encode_result(t, d, request_id, echo_chars) for t, d in zip(invocation.texts, detections, strict=True)]
    if not invocation.batch:
        return results[0]
    version = detections[0].model_version if detections else None
    return {"request_id": request_id, "model_version": version, "count": len(results), "results": results}


def _decode_line(raw: bytes) -> str | RequestError:
    if not raw.strip():
        return RequestError(400, "invalid_json", "the line is empty")
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        return RequestError(400, "invalid_encoding", "the line is not valid UTF-8")
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        return RequestError(400, "invalid_json", f"the line is not valid JSON ({exc.msg})")
    if not isinstance(data, dict):
        return RequestError(400, "invalid_json", "each line must be a JSON object")
    for name in JSONLINES_TEXT_FIELDS:
        if name in data:
            text = data[name]
            return text if isinstance(text, str) else RequestError(400, "invalid_field", f"'{name}' must be a string")
    return RequestError(400, "missing_field", "send 'input_text' (or 'text') on each line")


def decode_lines(body: bytes, max_body_bytes: int) -> list[str | RequestError]:
    """One entry per line: its text, or the error that line gets. Only a body that is too big or empty fails whole.

    There is no item limit here: Batch Transform packs as many lines as fit into MaxPayloadInMB, so the body size
    is the bound.
    """
    if len(body) > max_body_bytes:
        raise RequestError(413, "body_too_large", f"request body is over {max_body_bytes} bytes")
    if not body.strip():
        raise RequestError(400, "empty_body", "send one JSON object per line")
    lines = body.split(b"\n")
    if lines[-1].strip() == b"":  # the newline that ends the last line does not start another
        lines.pop()
    return [_decode_line(line.rstrip(b"\r")) for line in lines]


def encode_lines(rows: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode("utf-8")
