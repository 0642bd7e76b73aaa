"""The public routes and their CORS headers, declared once.

Read by the router (`aidetector.api.router`), the local gateway emulator (which routes exist, CORS on its own
errors), the Pulumi program (one API Gateway resource and method per route) and the OpenAPI test (the document
describes exactly these routes).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    operation: str  # the router's name for what the route does: "detect", "detect_batch", "languages" or "health"


ROUTES: tuple[Route, ...] = (
    Route("POST", "/v1/detect", "detect"),
    Route("POST", "/api-chatgpt-detector", "detect"),  # the original design's path, kept as an alias
    Route("POST", "/v1/detect/batch", "detect_batch"),
    Route("GET", "/v1/languages", "languages"),
    Route("GET", "/v1/health", "health"),
)
PATHS: frozenset[str] = frozenset(route.path for route in ROUTES)

# The files of this package, which are the API's Lambda package together with `lambda/handler.py` (a test checks
# the list against the folder, so a new module cannot be left out of the zip).
MODULES = ("__init__.py", "config.py", "endpoint.py", "errors.py", "router.py", "routes.py", "validation.py")

CORS_ALLOW_HEADERS = "Content-Type,x-api-key"
CORS_ALLOW_METHODS = "GET,POST,OPTIONS"
# Headers a browser script may read: the request id, and when and how much it may call again (the gateway's
# throttle and quota headers, Retry-After on 429 and on 503 overloaded).
CORS_EXPOSE_HEADERS = (
    "X-Request-Id,Retry-After,X-RateLimit-Limit,X-RateLimit-Remaining,X-Quota-Limit,X-Quota-Remaining,X-Quota-Reset"
)
PREFLIGHT_STATUS = 204  # what the API answers to a CORS preflight (OPTIONS) on a known path


def find(method: str, path: str) -> Route | None:
    for route in ROUTES:
        if route.method == method and route.path == path:
            return route
    return None


def cors_headers(origin: str) -> dict[str, str]:
    """The CORS headers every answer carries, from our code and from the gateway's own errors alike."""
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Headers": CORS_ALLOW_HEADERS,
        "Access-Control-Allow-Methods": CORS_ALLOW_METHODS,
        "Access-Control-Expose-Headers": CORS_EXPOSE_HEADERS,
    }
