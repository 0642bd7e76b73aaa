"""Bounded work: a failing text fails alone on the real model, a heavy request does not hold up a light one from
another key, work whose deadline passed or whose caller left is dropped, over the cap is 413 and under overload
the answer is a quick 503 with Retry-After."""

from __future__ import annotations

import asyncio
import json
import threading
import time

import pytest
import requests

from aidetector.model.detector import Detection, Detector, InputError
from aidetector.serving.scheduler import MicroBatcher
from tests.conftest import AI_WORDS, HUMAN_WORDS
from tests.integration.servers import model_server

GOOD = " ".join(AI_WORDS * 2)
ATTRIBUTES = "X-Amzn-SageMaker-Custom-Attributes"
# Many short sentences: per-sentence scores make this the most work per character a client can ask for. 32 of them
# keep the tiny model busy for 10-30 s (1.3 s at 3,200 characters each on a 2-core machine): long enough that
# whatever the machine, the queue outlasts `max_queue_s` and the callers' 3 s timeouts below.
HEAVY_TEXT = ("Grandma complained loudly about parking. " * 1500)[:60_000]


def test_a_poisoned_text_in_a_real_model_batch_fails_alone(tiny_artifact):
    """The real Detector refuses the whole batch for one bad text; the scheduler scores the others anyway."""
    detector = Detector.from_path(tiny_artifact)
    batcher = MicroBatcher(detector.detect, max_batch=16, max_wait_ms=300)
    texts = [" ".join((AI_WORDS if i % 2 else HUMAN_WORDS) * 2) for i in range(15)]
    texts.insert(5, GOOD + " \ud800")  # reached the model past every check (as a new kind of poison would)

    async def run():
        return await asyncio.gather(*(batcher.submit([t], False) for t in texts), return_exceptions=True)

    answers = asyncio.run(run())
    batcher.close()
    assert isinstance(answers[5], InputError) and answers[5].code == "invalid_encoding"
    assert all(isinstance(a[0], Detection) for i, a in enumerate(answers) if i != 5)
    assert batcher.stats.batches == 1 and batcher.stats.isolated_failures == 1


@pytest.fixture(scope="module")
def busy_model(tiny_artifact, tmp_path_factory):
    """A model server whose per-request cap lets a client queue minutes of work, to see the scheduler share it."""
    env = {"AIDETECTOR_SERVE_MAX_REQUEST_WORK": "1000000000", "AIDETECTOR_SERVE_MAX_QUEUE_S": "3"}
    server = model_server(tiny_artifact, env, log=tmp_path_factory.mktemp("busy") / "model.log").start()
    yield server
    server.stop()


def invoke(url: str, body: dict, key: str, deadline_ms: int = 55_000, timeout: float = 60) -> requests.Response:
    headers = {"Content-Type": "application/json", ATTRIBUTES: f"request_id=t,key={key},deadline_ms={deadline_ms}"}
    return requests.post(url + "/invocations", data=json.dumps(body), headers=headers, timeout=timeout)


def scheduler(url: str) -> dict:
    return requests.get(url + "/ping", timeout=10).json()["scheduler"]


def test_heavy_work_does_not_block_another_key(busy_model):
    url = busy_model.url
    heavy_body = {"inputs": [HEAVY_TEXT] * 32, "sentences": True}
    outcome: list[object] = []

    def send_heavy() -> None:  # a caller that gives up after 20 s: its remaining work is dropped then
        try:
            outcome.append(invoke(url, heavy_body, "heavy", timeout=20).status_code)
        except requests.ReadTimeout as exc:
            outcome.append(exc)

    thread = threading.Thread(target=send_heavy)
    thread.start()
    deadline = time.monotonic() + 30
    while scheduler(url)["batches"] < 2 and time.monotonic() < deadline:  # the heavy batch is being scored
        time.sleep(0.1)
    # A second key asking for as much work is refused at once: it would wait past max_queue_s (3 s) behind the first.
    assert scheduler(url)["queued_texts"] >= 8
    started = time.monotonic()
    refused = invoke(url, heavy_body, "other")
    assert refused.status_code == 503 and refused.json()["error"]["code"] == "overloaded", refused.text[:300]
    assert int(refused.headers["Retry-After"]) >= 1 and time.monotonic() - started < 10
    # A light request from a third key waits for the model call in progress, not for the heavy key's queue.
    started = time.monotonic()
    light = invoke(url, {"input_text": GOOD}, "light")
    light_s = time.monotonic() - started
    assert light.status_code == 200 and light_s < 5, light_s
    assert scheduler(url)["queued_texts"] >= 4  # the heavy key's work was still waiting meanwhile
    thread.join(60)
    deadline = time.monotonic() + 30
    while scheduler(url)["queued_texts"] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert scheduler(url)["queued_texts"] == 0 and outcome


def test_work_past_its_deadline_is_dropped(busy_model):
    url = busy_model.url
    before = scheduler(url)["dropped_deadline"]
    started = time.monotonic()
    late = invoke(url, {"inputs": [HEAVY_TEXT] * 32, "sentences": True}, "hurried", deadline_ms=1500)
    assert late.status_code == 504 and late.json()["error"]["code"] == "timeout", late.text[:300]
    assert time.monotonic() - started < 30  # not the whole batch's time: what was left at the deadline was dropped
    state = scheduler(url)
    assert state["dropped_deadline"] > before and state["queued_texts"] == 0
    started = time.monotonic()
    assert invoke(url, {"input_text": GOOD}, "light").status_code == 200 and time.monotonic() - started < 5


def test_work_of_a_caller_that_left_is_dropped(busy_model):
    url = busy_model.url
    before = scheduler(url)["dropped_cancelled"]
    with pytest.raises(requests.ReadTimeout):
        invoke(url, {"inputs": [HEAVY_TEXT] * 32, "sentences": True}, "impatient", timeout=3)
    deadline = time.monotonic() + 30
    while scheduler(url)["queued_texts"] > 0 and time.monotonic() < deadline:
        time.sleep(0.2)
    state = scheduler(url)
    assert state["queued_texts"] == 0 and state["dropped_cancelled"] > before


def test_a_request_over_the_work_cap_is_413_at_once(rel_api, rel_key, rel_model):
    """The issue's 32 x 100k-character batch kept the model busy ~90 s after its caller had its 504."""
    body = json.dumps({"inputs": [((GOOD + " ") * 300)[:99_000]] * 20, "sentences": True})
    started = time.monotonic()
    answer = requests.post(
        rel_api.url + "/v1/detect/batch",
        data=body,
        headers={"x-api-key": rel_key, "Content-Type": "application/json"},
        timeout=60,
    )
    assert answer.status_code == 413 and answer.json()["error"]["code"] == "too_much_work", answer.text
    assert time.monotonic() - started < 15
    assert scheduler(rel_model.url)["queued_texts"] == 0
