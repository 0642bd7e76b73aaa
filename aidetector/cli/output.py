"""What every command shares: exit codes, error lines on stderr, JSON output without NaN."""

from __future__ import annotations

import math
import os
import sys
from typing import Any

from aidetector.notify import NotifySettings, SlackNotifier

EXIT_BAD_INPUT = 2
EXIT_REFUSED = 3  # the gate refused a promotion, or another promotion won: a decision, not a crash


def fail(message: str, code: int = EXIT_BAD_INPUT) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def json_default(obj: Any) -> Any:
    return None if isinstance(obj, float) and math.isnan(obj) else str(obj)


def clean_nan(obj: Any) -> Any:
    """JSON has no NaN: an undefined figure (e.g. AUROC of a one-class group) becomes null."""
    if isinstance(obj, float) and math.isnan(obj):
        return None
    if isinstance(obj, dict):
        return {k: clean_nan(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [clean_nan(v) for v in obj]
    return obj


def notifier() -> SlackNotifier:
    """The Slack notifier the environment configures (AIDETECTOR_SLACK_*); one that sends nothing when unset."""
    return SlackNotifier.from_settings(NotifySettings.from_env(os.environ))
