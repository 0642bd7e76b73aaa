"""The API's own errors: an HTTP status, a stable machine-readable code and a message safe to show."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}  # e.g. Retry-After on 503 overloaded

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message}}
