"""The micro-batcher with a plain scoring function: batching, order, per-flag groups and failures."""

import asyncio
import threading
import time

import pytest

from aidetector.serving.scheduler import MicroBatcher


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


def test_close_answers_what_was_queued_and_refuses_what_comes_after():
    """A model swap closes the old batcher: queued texts still get answers, later ones are refused (not lost)."""
    from aidetector.serving.scheduler import BatcherClosed

    gate = threading.Event()

    def score(texts, sentences):
        gate.wait(2)
        return [t.upper() for t in texts]

    batcher = MicroBatcher(score, max_batch=2, max_wait_ms=0)

    async def run():
        queued = [asyncio.create_task(batcher.submit([f"t{i}"], False)) for i in range(5)]
        await asyncio.sleep(0.1)
        closer = threading.Thread(target=batcher.close)
        closer.start()
        await asyncio.sleep(0.1)
        with pytest.raises(BatcherClosed):
            await batcher.submit(["late"], False)
        gate.set()
        answers = await asyncio.gather(*queued)
        closer.join()
        return answers

    assert asyncio.run(run()) == [["T0"], ["T1"], ["T2"], ["T3"], ["T4"]]
