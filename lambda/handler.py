"""AWS Lambda entry point of the public API (API Gateway REST, proxy integration, payload 1.0).

Thin on purpose: the routes, validation, error shapes and the model call live in `aidetector.api` (standard
library and boto3 only), which the local gateway emulator runs too. The deployment package is this file,
`aidetector/__init__.py` and `aidetector/api/`.
"""

from __future__ import annotations

import os
from typing import Any

from aidetector.api.config import ApiConfig
from aidetector.api.endpoint import runtime_client
from aidetector.api.router import handle


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """`handler.handler`: configuration from the environment Pulumi sets (ENDPOINT_NAME, MAX_BODY_BYTES, ...)."""
    config = ApiConfig.from_env(os.environ)
    return handle(event, config, runtime_client(config), context)
