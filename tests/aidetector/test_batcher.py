"""The micro-batcher with a plain scoring function: batching, order, per-flag groups and failures."""

import asyncio
import threading
import time

import pytest

from aidetector.serving.batcher import MicroBatcher


def test_concurrent_texts_share_calls_and_keep_their_answers():
    calls: list[tuple[int, bool]] = []
    gate = threading.Event()

    def score(texts, sentences):
        gate.wait(2)  # the first call blocks, so the others queue up behind it
        calls.append((len(texts), sentences))
        return [f"{t}:{sentences}" for t in texts]

    batcher = MicroBatcher(score, max_batch=8, max_wait_ms=0)

    async def run():
        tasks = [asyncio.create_task(batcher.submit([f"t{i}"], i % 2 == 0)) for i in range(10)]
        await asyncio.sleep(0.2)
        gate.set()
        return await asyncio.gather(*tasks)

    answers = asyncio.run(run())
    batcher.close()
    assert [a[0] for a in answers] == [f"t{i}:{i % 2 == 0}" for i in range(10)]
    assert len(calls) < 10 and sum(n for n, _ in calls) == 10


def test_a_failing_call_fails_its_callers_and_the_worker_lives_on():
    def score(texts, sentences):
        if "boom" in texts:
            raise RuntimeError("model broke")
        return [len(t) for t in texts]

    batcher = MicroBatcher(score, max_batch=4, max_wait_ms=1)

    async def run():
        with pytest.raises(RuntimeError):
            await batcher.submit(["boom"], False)
        return await batcher.submit(["abc"], False)

    assert asyncio.run(run()) == [3]
    batcher.close()


def test_max_wait_lets_a_batch_gather():
    sizes: list[int] = []

    def score(texts, sentences):
        sizes.append(len(texts))
        return texts

    batcher = MicroBatcher(score, max_batch=16, max_wait_ms=200)

    async def run():
        first = asyncio.create_task(batcher.submit(["a"], False))
        await asyncio.sleep(0.05)
        second = asyncio.create_task(batcher.submit(["b"], False))
        return await asyncio.gather(first, second)

    started = time.monotonic()
    assert asyncio.run(run()) == [["a"], ["b"]]
    assert sizes == [2] and time.monotonic() - started < 2
    batcher.close()
