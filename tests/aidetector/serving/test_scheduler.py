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


def _gated(score_log, gate):
    """A scoring function that waits for `gate` on its first call, so texts submitted meanwhile queue up."""

    def score(texts, sentences):
        gate.wait(5)
        score_log.append(list(texts))
        return [t.upper() for t in texts]

    return score


def test_a_poisoned_text_fails_alone_and_its_batch_mates_are_scored():
    calls: list[list[str]] = []

    def score(texts, sentences):
        calls.append(list(texts))
        if "poison" in texts:
            raise TypeError("the tokenizer choked")
        return [t.upper() for t in texts]

    gate = threading.Event()
    batcher = MicroBatcher(lambda t, s: (gate.wait(5), score(t, s))[1], max_batch=16, max_wait_ms=0)

    async def run():
        first = asyncio.create_task(batcher.submit(["warm"], False))
        await asyncio.sleep(0.1)  # the worker is inside the first call: the next 16 texts form one batch
        texts = [f"t{i}" for i in range(15)]
        texts.insert(7, "poison")
        tasks = [asyncio.create_task(batcher.submit([t], False)) for t in texts]
        await asyncio.sleep(0.1)
        gate.set()
        await first
        return texts, await asyncio.gather(*tasks, return_exceptions=True)

    texts, answers = asyncio.run(run())
    batcher.close()
    assert [type(a) for a in answers].count(TypeError) == 1 and isinstance(answers[7], TypeError)
    assert [a for a in answers if not isinstance(a, Exception)] == [[t.upper()] for t in texts if t != "poison"]
    assert calls[1] == texts and batcher.stats.isolated_failures == 1  # one batch of 16, then halves


def test_keys_share_the_model_by_work_not_by_arrival():
    """A key that queued 20 texts first does not go before a key that arrives later with one."""
    order: list[str] = []
    gate = threading.Event()
    batcher = MicroBatcher(_gated(order, gate), max_batch=1, max_wait_ms=0)

    async def run():
        first = asyncio.create_task(batcher.submit(["warm"], False, key="heavy"))
        await asyncio.sleep(0.1)
        heavy = asyncio.create_task(batcher.submit([f"h{i}" for i in range(20)], False, key="heavy", costs=[10] * 20))
        await asyncio.sleep(0.05)
        light = asyncio.create_task(batcher.submit(["l0"], False, key="light", costs=[10]))
        await asyncio.sleep(0.05)
        gate.set()
        await asyncio.gather(first, heavy, light)

    asyncio.run(run())
    batcher.close()
    flat = [t for call in order for t in call]
    assert flat.index("l0") <= 3  # served after at most two of the heavy key's texts, not after twenty


def test_expired_and_abandoned_work_is_dropped_not_scored():
    scored: list[list[str]] = []
    gate = threading.Event()
    batcher = MicroBatcher(_gated(scored, gate), max_batch=4, max_wait_ms=0)
    from aidetector.serving.scheduler import DeadlineExceeded

    async def run():
        first = asyncio.create_task(batcher.submit(["warm"], False))
        await asyncio.sleep(0.1)
        late = asyncio.create_task(batcher.submit(["late"], False, deadline=time.monotonic() + 0.05))
        gone = asyncio.create_task(batcher.submit(["gone"], False))
        await asyncio.sleep(0.1)
        gone.cancel()  # the caller went away
        await asyncio.sleep(0.05)
        gate.set()
        await first
        with pytest.raises(DeadlineExceeded):
            await late
        return await batcher.submit(["after"], False)

    assert asyncio.run(run()) == ["AFTER"]
    batcher.close()
    assert ["late"] not in scored and ["gone"] not in scored
    assert batcher.stats.dropped_deadline == 1 and batcher.stats.dropped_cancelled == 1


def test_admission_refuses_at_once_what_would_wait_too_long():
    from aidetector.serving.scheduler import Overloaded

    gate = threading.Event()
    batcher = MicroBatcher(_gated([], gate), max_batch=1, max_wait_ms=0, max_queue_s=3.0, initial_rate=100.0)

    async def run():
        first = asyncio.create_task(batcher.submit(["warm"], False, key="a", costs=[100]))  # ~1 s of work
        await asyncio.sleep(0.1)
        queued = asyncio.create_task(batcher.submit(["q"], False, key="b", costs=[150]))  # ~2.5 s predicted
        await asyncio.sleep(0.05)
        started = time.monotonic()
        with pytest.raises(Overloaded) as refused:
            await batcher.submit(["more"], False, key="c", costs=[150])
        quick = time.monotonic() - started
        gate.set()
        await asyncio.gather(first, queued)
        return refused.value, quick

    refused, quick = asyncio.run(run())
    batcher.close()
    assert quick < 0.5 and 1 <= refused.retry_after_s <= 60 and refused.predicted_wait_s > 3.0


def test_a_caller_whose_event_loop_closed_does_not_stop_the_worker():
    """A result for a loop that has gone (its caller's `asyncio.run` ended while the text was scored) is dropped;
    the next caller is still answered."""
    gate = threading.Event()

    def score(texts, sentences):
        gate.wait(2)
        return [len(t) for t in texts]

    batcher = MicroBatcher(score, max_batch=4, max_wait_ms=0)

    async def leave_early():
        task = asyncio.create_task(batcher.submit(["abandoned"], False))
        await asyncio.sleep(0.05)  # queued and taken by the worker, which waits on the gate
        task.cancel()

    asyncio.run(leave_early())  # this loop closes while its text is being scored
    gate.set()
    time.sleep(0.1)  # the worker hands the result to the closed loop

    async def next_caller():
        return await asyncio.wait_for(batcher.submit(["abc"], False), 5)

    assert asyncio.run(next_caller()) == [3]
    batcher.close()
