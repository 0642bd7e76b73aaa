"""sagemaker-runtime's InvokeEndpoint path on the local model server, so the API code calls the same client
locally as on AWS (boto3's `sagemaker-runtime` with its endpoint URL pointed at the model server).

Failures take the shape the real service gives them: 424 with `x-amzn-ErrorType: ModelError` and the model's own
answer in `OriginalStatusCode`/`OriginalMessage`, which boto3 raises as its real `ModelError`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from aidetector.serving.app import Invoke
from aidetector.serving.codec import JSONLINES, encode_lines

PATH = "/endpoints/{name}/invocations"


def runtime_routes(invoke: Invoke) -> Sequence[BaseRoute]:
    async def runtime_invocations(request: Request) -> Response:
        status, body = await invoke(request)
        if status == 200:
            headers = {"x-amzn-invoked-production-variant": "local"}
            if isinstance(body, list):
                return Response(encode_lines(body), 200, media_type=JSONLINES, headers=headers)
            return JSONResponse(body, 200, headers=headers)
        wrapped = {
            "ErrorCode": "CLIENT_ERROR_FROM_MODEL" if status < 500 else "SERVER_ERROR_FROM_MODEL",
            "Message": f"Received {'client' if status < 500 else 'server'} error ({status}) from primary",
            "OriginalStatusCode": status,
            "OriginalMessage": json.dumps(body),
        }
        return JSONResponse(wrapped, 424, headers={"x-amzn-ErrorType": "ModelError:"})

    return [Route(PATH, runtime_invocations, methods=["POST"])]
