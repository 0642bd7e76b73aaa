"""Read the GitHub Actions workflows and evaluate their job conditions for a given event.

The evaluator covers the expression subset the workflows use (==, !=, &&, ||, !, startsWith, the status functions,
contexts such as github.*, inputs.*, needs.<job>.result), so a test can say which jobs run on which event instead of
matching condition strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO / ".github" / "workflows"
STATUS_FUNCTIONS = ("success()", "failure()", "always()", "cancelled()")
CONTEXT_PATH = re.compile(r"\b(?:github|inputs|needs|env|matrix|vars|secrets|steps)(?:\.[A-Za-z_][A-Za-z0-9_-]*)+")


def load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    if True in data:  # YAML 1.1 reads the key `on` as the boolean true
        data["on"] = data.pop(True)
    return data


def all_workflows() -> dict[str, dict[str, Any]]:
    return {path.name: load(path.name) for path in sorted(WORKFLOWS.glob("*.y*ml"))}


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return list(job.get("steps") or [])


def uses(step: dict[str, Any], action: str) -> bool:
    return str(step.get("uses", "")).split("@")[0] == action


@dataclass
class Event:
    """What GitHub would put in the contexts for one trigger."""

    name: str
    ref: str
    inputs: dict[str, Any] = field(default_factory=dict)
    head_repository: str = "owner/aidetector"
    repository: str = "owner/aidetector"

    def github(self) -> dict[str, Any]:
        return {
            "event_name": self.name,
            "ref": self.ref,
            "repository": self.repository,
            "event": {"pull_request": {"head": {"repo": {"full_name": self.head_repository}}}},
        }


def evaluate(expression: str, contexts: dict[str, Any]) -> Any:
    """Evaluate a GitHub Actions expression (with or without `${{ }}`) over `contexts`."""
    text = expression.strip()
    if text.startswith("${{") and text.endswith("}}"):
        text = text[3:-2]
    paths: list[str] = []

    def lookup(match: re.Match[str]) -> str:
        paths.append(match.group(0))
        return f"_ctx[{len(paths) - 1}]"

    python = CONTEXT_PATH.sub(lookup, text)
    python = python.replace("&&", " and ").replace("||", " or ")
    python = re.sub(r"!(?!=)", " not ", python)
    python = re.sub(r"\bstartsWith\(", "_starts_with(", python)
    python = re.sub(r"\b(success|failure|always|cancelled)\(\)", r"_status['\1']", python)
    python = re.sub(r"\btrue\b", "True", re.sub(r"\bfalse\b", "False", re.sub(r"\bnull\b", "None", python)))
    values = [resolve(path, contexts) for path in paths]
    scope = {
        "_ctx": values,
        "_starts_with": lambda s, prefix: str(s or "").lower().startswith(str(prefix).lower()),
        "_status": contexts.get("_status", {"success": True, "failure": False, "always": True, "cancelled": False}),
    }
    return eval(" ".join(python.split()), {"__builtins__": {}}, scope)


def resolve(path: str, contexts: dict[str, Any]) -> Any:
    value: Any = contexts
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def jobs_that_run(workflow: dict[str, Any], event: Event) -> set[str]:
    """Jobs that would run for `event`, in dependency order, assuming every job that runs succeeds."""
    results: dict[str, str] = {}
    jobs = workflow["jobs"]
    pending = list(jobs)
    while pending:
        name = pending.pop(0)
        needs = jobs[name].get("needs", [])
        needs = [needs] if isinstance(needs, str) else list(needs)
        if any(n not in results for n in needs):
            pending.append(name)
            continue
        contexts = {
            "github": event.github(),
            "inputs": event.inputs,
            "needs": {n: {"result": results[n]} for n in needs},
        }
        condition = str(jobs[name].get("if", "success()"))
        if not any(f in condition for f in STATUS_FUNCTIONS):
            condition = f"success() && ({condition})"
        all_needs_succeeded = all(results[n] == "success" for n in needs)
        contexts["_status"] = {
            "success": all_needs_succeeded,
            "failure": False,
            "always": True,
            "cancelled": False,
        }
        results[name] = "success" if evaluate(condition, contexts) else "skipped"
    return {name for name, result in results.items() if result == "success"}
