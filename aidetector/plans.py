"""Usage plans and request limits from `config/plans.toml`: read by the gateway, the Lambda's env and Pulumi."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PLANS_FILE = Path(__file__).resolve().parent.parent / "config" / "plans.toml"
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
    file = Path(path or os.environ.get("AIDETECTOR_PLANS_FILE") or PLANS_FILE)
    data = tomllib.loads(file.read_text(encoding="utf-8"))
    plans = {name: Plan(name=name, **values) for name, values in data["plans"].items()}
    for plan in plans.values():
        if plan.period not in PERIODS:
            raise ValueError(f"{file}: plan {plan.name}: period must be one of {PERIODS}")
    return PlanConfig(limits=Limits(**data["limits"]), plans=plans)


def lambda_environment(config: PlanConfig) -> dict[str, str]:
    """The handler's limit variables, so the Lambda (Pulumi) and the local gateway enforce the same numbers."""
    lim = config.limits
    return {
        "MAX_BODY_BYTES": str(lim.max_body_bytes),
        "MAX_BATCH_ITEMS": str(lim.max_batch_items),
        "MAX_TEXT_CHARS": str(lim.max_text_chars),
    }
