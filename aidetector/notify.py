"""Slack notifications (incoming webhook) for jobs: training finished, promotion decided, batch summary, alarms.

A notification is never worth a failed job: `send` logs and returns False instead of raising, after a bounded
number of retries with exponential backoff. Standard library only, because the alarm-relay Lambda ships this file
as is (no pydantic there); hence a dataclass read from the environment rather than a settings class.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

log = logging.getLogger("aidetector.notify")


# The environment variable of each setting.
NOTIFY_ENV = {
    "webhook_url": "AIDETECTOR_SLACK_WEBHOOK_URL",
    "webhook_ssm_param": "AIDETECTOR_SLACK_WEBHOOK_SSM",
    "retries": "AIDETECTOR_SLACK_RETRIES",
    "backoff_s": "AIDETECTOR_SLACK_BACKOFF_S",
    "timeout_s": "AIDETECTOR_SLACK_TIMEOUT_S",
}


@dataclass(frozen=True)
class NotifySettings:
    """`AIDETECTOR_SLACK_WEBHOOK_URL`, or `AIDETECTOR_SLACK_WEBHOOK_SSM` naming an SSM SecureString that holds it."""

    webhook_url: str | None = field(default=None, metadata={"doc": "Slack incoming-webhook URL"})
    webhook_ssm_param: str | None = field(default=None, metadata={"doc": "SSM SecureString that holds the URL"})
    retries: int = field(default=3, metadata={"doc": "retries of a failed post (exponential backoff)"})
    backoff_s: float = field(default=0.5, metadata={"doc": "first pause between retries"})
    timeout_s: float = field(default=5.0, metadata={"doc": "timeout of one post"})

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> NotifySettings:
        """The one place these settings are read; the edges (CLI, Lambda) pass their environment."""
        values: dict[str, Any] = {}
        for spec in fields(cls):
            raw = env.get(NOTIFY_ENV[spec.name])
            if raw:
                values[spec.name] = raw if spec.name.startswith("webhook") else type(spec.default)(raw)  # type: ignore[misc]
        return cls(**values)


def webhook_from_ssm(name: str, ssm_client: Any = None) -> str | None:
    """Read the webhook URL from an SSM SecureString; None (logged) when absent, unset or unreadable."""
    try:
        if ssm_client is None:
            import boto3

            ssm_client = boto3.client("ssm")
        value = str(ssm_client.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"])
    except Exception as exc:  # any failure here only means "no notifications"
        log.warning("no Slack webhook from SSM %s: %s", name, exc)
        return None
    return value if value.startswith("https://") or value.startswith("http://") else None


class SlackNotifier:
    def __init__(
        self,
        webhook_url: str | None,
        settings: NotifySettings | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.webhook_url = webhook_url
        self.settings = settings or NotifySettings()
        self._sleep = sleep

    @classmethod
    def from_settings(cls, settings: NotifySettings) -> SlackNotifier:
        url = settings.webhook_url
        if url is None and settings.webhook_ssm_param:
            url = webhook_from_ssm(settings.webhook_ssm_param)
        return cls(url, settings)

    def send(self, text: str, fields: Mapping[str, Any] | None = None) -> bool:
        """Post one message; True if Slack took it. Retries network errors, 429 and 5xx; gives up on other 4xx."""
        if not self.webhook_url:
            log.info("no Slack webhook configured; not sent: %s", text)
            return False
        payload: dict[str, Any] = {"text": text}
        if fields:
            lines = "\n".join(f"*{k}*: {v}" for k, v in fields.items())
            payload["blocks"] = [
                {"type": "section", "text": {"type": "mrkdwn", "text": text}},
                {"type": "section", "text": {"type": "mrkdwn", "text": lines}},
            ]
        body = json.dumps(payload).encode("utf-8")
        attempts = 1 + max(self.settings.retries, 0)
        for attempt in range(1, attempts + 1):
            request = urllib.request.Request(
                self.webhook_url, data=body, headers={"Content-Type": "application/json"}, method="POST"
            )
            try:
                with urllib.request.urlopen(request, timeout=self.settings.timeout_s) as response:
                    if 200 <= response.status < 300:
                        return True
                    reason = f"HTTP {response.status}"
            except urllib.error.HTTPError as exc:
                reason = f"HTTP {exc.code}"
                if exc.code < 500 and exc.code != 429:
                    log.warning("Slack refused the message (%s); not retried", reason)
                    return False
            except (urllib.error.URLError, OSError) as exc:
                reason = str(exc)
            if attempt < attempts:
                delay = self.settings.backoff_s * (2 ** (attempt - 1))
                log.warning("Slack post failed (%s), try %d/%d; retry in %.1fs", reason, attempt, attempts, delay)
                self._sleep(delay)
            else:
                log.warning("Slack post failed (%s) after %d attempts; giving up", reason, attempts)
        return False

    # The messages the jobs send: one method each, so their wording lives in one place.

    def training_finished(self, version: str, figures: Mapping[str, Any]) -> bool:
        return self.send(f":white_check_mark: Training finished: model `{version}`", figures)

    def promotion(self, version: str, accepted: bool, reason: str, previous: str | None) -> bool:
        if accepted:
            return self.send(f":rocket: Promoted `{version}` to latest (was `{previous}`)", {"gate": reason})
        return self.send(f":no_entry: Promotion of `{version}` refused", {"reason": reason, "latest": previous})

    def batch_summary(self, summary: Mapping[str, Any]) -> bool:
        return self.send(":bar_chart: Batch scoring finished", summary)

    def alarm(self, name: str, state: str, reason: str) -> bool:
        icon = ":rotating_light:" if state == "ALARM" else ":large_green_circle:"
        return self.send(f"{icon} {name} is {state}", {"reason": reason})
