"""CloudWatch alarm → SNS → this Lambda → Slack. Shipped with `aidetector/notify.py` beside it (stdlib only).

The webhook URL lives in an SSM SecureString (`SLACK_WEBHOOK_PARAM`), never in code or plain env. A Slack
outage never makes this Lambda fail (SNS would only retry into the same outage): failures are logged.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from aidetector.notify import NotifySettings, SlackNotifier, webhook_from_ssm

log = logging.getLogger("aidetector.alarm_relay")
log.setLevel(logging.INFO)


def parse_alarm(message: str) -> tuple[str, str, str]:
    """(name, state, reason) from an SNS message; a message that is not an alarm is relayed as text."""
    try:
        alarm = json.loads(message)
        return str(alarm["AlarmName"]), str(alarm["NewStateValue"]), str(alarm.get("NewStateReason", ""))
    except (ValueError, KeyError, TypeError):
        return "notification", "INFO", message[:2000]


def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    param = os.environ.get("SLACK_WEBHOOK_PARAM", "")
    notifier = SlackNotifier(webhook_from_ssm(param) if param else None, NotifySettings.from_env(os.environ))
    sent = 0
    records = event.get("Records", []) if isinstance(event, dict) else []
    for record in records:
        name, state, reason = parse_alarm(record.get("Sns", {}).get("Message", ""))
        sent += notifier.alarm(name, state, reason)
    log.info(json.dumps({"relayed": len(records), "sent": sent}))
    return {"relayed": len(records), "sent": sent}
