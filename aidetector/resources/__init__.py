"""Files the code reads at run time, shipped inside the package and read through `importlib.resources`, so a
checkout, an installed wheel and a container image find them the same way.

- `plans.toml`: usage plans and request limits shared by the local gateway, the Lambda's environment and Pulumi.
- `openapi.json`: the public API's OpenAPI document (served by the gateway at `/openapi.json`).
"""

from __future__ import annotations

from importlib.resources import files

PLANS = "plans.toml"
OPENAPI = "openapi.json"


def read_text(name: str) -> str:
    return files(__name__).joinpath(name).read_text(encoding="utf-8")
