"""The API's configuration: one object, built from the Lambda's environment or passed in by the local gateway.

A frozen dataclass rather than pydantic-settings, because the Lambda runtime has only the standard library and
boto3; `from_env` is the one place that reads the environment, so the local gateway passes an explicit
configuration instead of rewriting the process environment.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields


@dataclass(frozen=True)
class ApiConfig:
    endpoint_name: str = field(default="aidetector", metadata={"doc": "SageMaker endpoint to invoke"})
    read_timeout_s: float = field(default=25.0, metadata={"doc": "wait for the model (under API Gateway's 29 s)"})
    connect_timeout_s: float = field(default=2.0, metadata={"doc": "connect timeout to the endpoint"})
    max_body_bytes: int = field(default=2_097_152, metadata={"doc": "largest request body (plans.toml limits)"})
    max_batch_items: int = field(default=32, metadata={"doc": "texts per batch request (plans.toml limits)"})
    max_text_chars: int = field(default=100_000, metadata={"doc": "characters per text (plans.toml limits)"})
    cors_origin: str = field(default="*", metadata={"doc": "Access-Control-Allow-Origin of every answer"})
    # On AWS one invocation runs at a time; the local gateway calls the handler from many threads at once, and a
    # pool smaller than their number drops and reopens connections under load.
    max_connections: int = field(default=64, metadata={"doc": "connection pool to the endpoint"})
    endpoint_url: str | None = field(
        default=None, metadata={"doc": "sagemaker-runtime URL: unset on AWS; the model server locally"}
    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> ApiConfig:
        """Each field from the upper-case variable of its name (ENDPOINT_NAME, READ_TIMEOUT_S, ...), if set."""
        values: dict[str, object] = {}
        for spec in fields(cls):
            raw = environ.get(spec.name.upper())
            if raw:
                convert: Callable[[str], object] = str if spec.default is None else type(spec.default)
                values[spec.name] = convert(raw)
        return cls(**values)  # type: ignore[arg-type]
