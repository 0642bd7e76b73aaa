"""What every command shares: error lines on stderr with their exit status, JSON without NaN, the Slack notifier."""

from __future__ import annotations

import json
import math

from aidetector.cli.output import EXIT_BAD_INPUT, EXIT_REFUSED, clean_nan, fail, json_default, notifier
from tests.slack_recorder import slack_webhook


def test_fail_prints_one_error_line_on_stderr_and_returns_the_status(capsys):
    assert fail("no such file: x.jsonl") == EXIT_BAD_INPUT == 2
    assert fail("another promotion won", EXIT_REFUSED) == 3
    out, err = capsys.readouterr()
    assert out == "" and err == "error: no such file: x.jsonl\nerror: another promotion won\n"


def test_undefined_figures_become_null_at_any_depth():
    report = {"auroc": math.nan, "by": {"source": {"a": {"auroc": math.nan, "n": 3}}}, "ci": [0.1, math.nan]}
    cleaned = clean_nan(report)
    assert cleaned == {"auroc": None, "by": {"source": {"a": {"auroc": None, "n": 3}}}, "ci": [0.1, None]}
    assert json.loads(json.dumps(cleaned, allow_nan=False)) == cleaned  # strict JSON now
    assert report["auroc"] != report["auroc"]  # the input is left as it was


def test_json_default_writes_what_json_cannot():
    from pathlib import Path

    assert json.dumps({"path": Path("/tmp/x"), "n": 1}, default=json_default) == '{"path": "/tmp/x", "n": 1}'
    assert json_default(math.nan) is None


def test_the_notifier_posts_to_the_configured_webhook(monkeypatch):
    with slack_webhook() as hook:
        monkeypatch.setenv("AIDETECTOR_SLACK_WEBHOOK_URL", hook.url)
        monkeypatch.setenv("AIDETECTOR_SLACK_RETRIES", "0")
        assert notifier().batch_summary({"rows": 3})
    assert hook.posts[0]["text"] == ":bar_chart: Batch scoring finished" and "*rows*: 3" in json.dumps(hook.posts[0])


def test_without_a_webhook_nothing_is_sent_and_nothing_fails(monkeypatch):
    monkeypatch.delenv("AIDETECTOR_SLACK_WEBHOOK_URL", raising=False)
    monkeypatch.delenv("AIDETECTOR_SLACK_WEBHOOK_SSM", raising=False)
    quiet = notifier()
    assert quiet.webhook_url is None and quiet.batch_summary({"rows": 3}) is False
