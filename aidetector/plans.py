"""Usage plans and request limits (packaged `aidetector/resources/plans.toml`, or `AIDETECTOR_PLANS_FILE`).

Read by the local gateway, the model server's limits, the Lambda's environment and the Pulumi program, so every
place enforces the same numbers.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from aidetector import resources
from aidetector.settings import AppSettings

PERIODS = ("DAY", "WEEK", "MONTH")


@dataclass(frozen=True)
class Plan:
    name: str
    rate: float
    burst: int
    quota: int
    period: str


@dataclass(frozen=True)
class Limits:
    max_body_bytes: int
    max_batch_items: int
    max_text_chars: int
    echo_chars: int


@dataclass(frozen=True)
class PlanConfig:
    limits: Limits
    plans: dict[str, Plan]


@lru_cache(maxsize=4)
def load_plans(path: str | None = None) -> PlanConfig:
    """The plans in `path`, else in `AppSettings().plans_file`, else the packaged file."""
    file = Path(path) if path else AppSettings().plans_file
    text = file.read_text(encoding="utf-8") if file else resources.read_text(resources.PLANS)
    where = str(file or resources.PLANS)
    data = tomllib.loads(text)
    plans = {name: Plan(name=name, **values) for name, values in data["plans"].items()}
    for plan in plans.values():
        if plan.period not in PERIODS:
            raise ValueError(f"{where}: plan {plan.name}: period must be one of {PERIODS}")
    return PlanConfig(limits=Limits(**data["limits"]), plans=plans)


def lambda_environment(config: PlanConfig) -> dict[str, str]:
    """The handler's limit variables, so the Lambda (Pulumi) and the local gateway enforce the same numbers."""
    lim = config.limits
    return {
        "MAX_BODY_BYTES": str(lim.max_body_bytes),
        "MAX_BATCH_ITEMS": str(lim.max_batch_items),
        "MAX_TEXT_CHARS": str(lim.max_text_chars),
    }
