"""The Slack notifier against a real local HTTP server: delivery, retries, and never failing the job."""

import socket

import boto3
from moto import mock_aws

from aidetector.notify import NotifySettings, SlackNotifier, webhook_from_ssm
from tests.slack_recorder import slack_webhook

FAST = NotifySettings(retries=3, backoff_s=0.01, timeout_s=2)


def test_posts_the_message_with_fields():
    with slack_webhook() as hook:
        assert SlackNotifier(hook.url, FAST).training_finished("20261129T000000Z", {"AUROC": "0.9312"})
    assert len(hook.posts) == 1
    assert "20261129T000000Z" in hook.posts[0]["text"]
    assert "0.9312" in hook.posts[0]["blocks"][1]["text"]["text"]


def test_retries_server_errors_then_delivers():
    with slack_webhook(fail_first=2) as hook:
        assert SlackNotifier(hook.url, FAST).promotion("v2", True, "AUROC 0.95", "v1")
    assert hook.attempts == 3 and len(hook.posts) == 1


def test_gives_up_after_bounded_retries_without_raising():
    delays: list[float] = []
    with slack_webhook(fail_first=100) as hook:
        assert not SlackNotifier(hook.url, FAST, sleep=delays.append).batch_summary({"rows": 3})
    assert hook.attempts == 1 + FAST.retries
    assert delays == [0.01, 0.02, 0.04]  # exponential backoff


def test_client_errors_are_not_retried():
    with slack_webhook(status=404) as hook:
        assert not SlackNotifier(hook.url, FAST).alarm("api-5xx", "ALARM", "Threshold crossed")
    assert hook.attempts == 1


def test_absent_or_unreachable_webhook_never_fails():
    assert not SlackNotifier(None, FAST).send("nothing configured")
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}/hook"
    assert not SlackNotifier(dead, NotifySettings(retries=1, backoff_s=0.01, timeout_s=1)).send("down")


@mock_aws
def test_webhook_url_from_ssm_securestring(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    ssm = boto3.client("ssm")
    ssm.put_parameter(Name="/aidetector/dev/slack-webhook-url", Value="https://hooks.example/x", Type="SecureString")
    ssm.put_parameter(Name="/aidetector/dev/unset", Value="unset", Type="SecureString")
    assert webhook_from_ssm("/aidetector/dev/slack-webhook-url", ssm) == "https://hooks.example/x"
    assert webhook_from_ssm("/aidetector/dev/unset", ssm) is None
    assert webhook_from_ssm("/aidetector/dev/missing", ssm) is None
    settings = NotifySettings.from_env({"AIDETECTOR_SLACK_WEBHOOK_SSM": "/aidetector/dev/slack-webhook-url"})
    assert settings.webhook_ssm_param == "/aidetector/dev/slack-webhook-url"
