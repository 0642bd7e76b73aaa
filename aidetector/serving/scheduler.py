"""The model server's scheduler: micro-batching with fair sharing between API keys, deadlines, admission control
and isolation of failing texts.

One worker thread owns the model (PyTorch already uses every core inside a call, so two calls at once only
fight). Texts wait in one queue ordered by start-time fair queueing (SFQ): each text gets a start tag
`max(virtual time, finish tag of its key's previous text)` and a finish tag `start + cost`, where cost is the
text's model work (`serving/cost.py`). The worker takes texts in start-tag order, so every key with work waiting
gets an equal share of the model's work, whatever the others send: a key that sends a 32-text batch of long texts
waits behind its own work, not in front of everyone else's. A batch closes when it holds `max_batch` texts or
`max_batch_cost` of work (a text bigger than that runs alone), or after `max_wait_ms` (0: it takes just the texts
already waiting; while one batch runs, the next one gathers).

Admission: a request whose predicted wait (the work queued ahead of it in SFQ order, over the measured rate) is
over `max_queue_s` or its deadline is refused at once with `Overloaded` (503 + Retry-After) instead of queueing.
Deadlines: a text whose request's deadline has passed when its turn comes is dropped (`DeadlineExceeded`), and a
text whose caller went away (the request was cancelled) is dropped silently: the model never works for nobody.
Isolation: when a model call fails, its batch is split in halves and scored again, so only the failing text's
request fails (one poisoned text among 15 good ones fails 1 request, not 16).

Hand-written because it is small and a serving framework would bring its own server.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)


class BatcherClosed(RuntimeError):
    """Raised by `submit` after `close`: the model was swapped; the caller retries on the new batcher."""


class Overloaded(RuntimeError):
    """The request would wait longer than allowed: answer 503 with Retry-After (seconds) instead of queueing it."""

    def __init__(self, retry_after_s: int, predicted_wait_s: float):
        super().__init__(f"the model is busy (predicted wait {predicted_wait_s:.1f} s); retry in {retry_after_s} s")
        self.retry_after_s = retry_after_s
        self.predicted_wait_s = predicted_wait_s


class DeadlineExceeded(RuntimeError):
    """The request's deadline passed before its text reached the model: its work was dropped."""


@dataclass
class Ticket:
    """One request: who sent it, until when its caller waits, and whether the caller is gone."""

    key: str
    deadline: float  # time.monotonic() seconds
    cancelled: bool = False


@dataclass
class _Item:
    text: str
    sentences: bool
    cost: float
    ticket: Ticket
    future: asyncio.Future[Any]
    loop: asyncio.AbstractEventLoop
    start_tag: float = 0.0
    seq: int = 0


@dataclass
class SchedulerStats:
    batches: int = 0
    items: int = 0
    isolated_failures: int = 0  # texts that failed alone after their batch failed
    dropped_deadline: int = 0
    dropped_cancelled: int = 0
    refused_overloaded: int = 0
    per_key_work: dict[str, float] = field(default_factory=dict)  # work done per key since start


class MicroBatcher:
    """`await submit(texts, sentences, costs=..., key=..., deadline=...)` returns the scores of those texts."""

    def __init__(
        self,
        score: Callable[[Sequence[str], bool], list[Any]],
        max_batch: int,
        max_wait_ms: float,
        *,
        max_batch_cost: float = math.inf,
        max_queue_s: float = math.inf,
        initial_rate: float = 1000.0,
    ):
        self._score = score
        self.max_batch = max_batch
        self.max_wait = max_wait_ms / 1000.0
        self.max_batch_cost = max_batch_cost
        self.max_queue_s = max_queue_s
        self.rate = initial_rate  # work per second, measured on every model call (moving average)
        self.stats = SchedulerStats()
        self._heap: list[tuple[float, int, _Item]] = []
        self._finish: dict[str, float] = {}  # key -> finish tag of its last queued text
        self._virtual = 0.0  # SFQ virtual time: the start tag of the text last taken
        self._queued_cost = 0.0
        self._busy_until = 0.0  # when the running model call is expected to end (monotonic)
        self._seq = itertools.count()
        self._closed = False
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="micro-batcher", daemon=True)
        self._thread.start()

    # -- callers (event loop) ---------------------------------------------------------------------------------

    async def submit(
        self,
        texts: Sequence[str],
        sentences: bool,
        *,
        costs: Sequence[float] | None = None,
        key: str = "",
        deadline: float | None = None,
    ) -> list[Any]:
        loop = asyncio.get_running_loop()
        costs = list(costs) if costs is not None else [1.0] * len(texts)
        ticket = Ticket(key, deadline if deadline is not None else math.inf)
        futures: list[asyncio.Future[Any]] = []
        with self._cond:
            if self._closed:
                raise BatcherClosed("this batcher has stopped; submit to the current one")
            self._admit(key, costs, ticket.deadline)
            start = max(self._virtual, self._finish.get(key, 0.0))
            for text, cost in zip(texts, costs, strict=True):
                future: asyncio.Future[Any] = loop.create_future()
                item = _Item(text, sentences, float(cost), ticket, future, loop, start, next(self._seq))
                start += max(float(cost), 1e-9)
                heapq.heappush(self._heap, (item.start_tag, item.seq, item))
                self._queued_cost += item.cost
                futures.append(future)
            self._finish[key] = start
            self._cond.notify()
        try:
            return list(await asyncio.gather(*futures))
        except BaseException:
            # One text failed, or the caller went away (cancelled): the request's other texts are not scored.
            ticket.cancelled = True
            for f in futures:
                f.cancel()
            raise

    def predicted_wait(self, key: str, costs: Sequence[float]) -> tuple[float, float]:
        """(seconds until the request would be answered, of which waiting for others' work), under the lock."""
        now = time.monotonic()
        start = max(self._virtual, self._finish.get(key, 0.0))
        own = float(sum(costs))
        last_start = start + own - (float(costs[-1]) if costs else 0.0)
        ahead = sum(it.cost for tag, _, it in self._heap if tag <= last_start and not it.ticket.cancelled)
        busy = max(0.0, self._busy_until - now)
        waiting = busy + ahead / self.rate
        return waiting + own / self.rate, waiting

    def _admit(self, key: str, costs: Sequence[float], deadline: float) -> None:
        limit = min(self.max_queue_s, deadline - time.monotonic())
        total, waiting = self.predicted_wait(key, costs)
        if total > limit and waiting > 0:  # with nothing ahead, waiting longer would not help: always admitted
            self.stats.refused_overloaded += 1
            retry = int(min(60, max(1, math.ceil(total - max(limit, 0.0)))))
            raise Overloaded(retry, total)

    def queue_state(self) -> dict[str, Any]:
        with self._cond:
            keys = {it.ticket.key for _, _, it in self._heap}
            return {
                "queued_texts": len(self._heap),
                "queued_work": round(self._queued_cost),
                "waiting_keys": len(keys),
                "work_per_s": round(self.rate, 1),
                "batches": self.stats.batches,
                "texts": self.stats.items,
                "dropped_deadline": self.stats.dropped_deadline,
                "dropped_cancelled": self.stats.dropped_cancelled,
                "refused_overloaded": self.stats.refused_overloaded,
                "isolated_failures": self.stats.isolated_failures,
            }

    def close(self) -> None:
        """Stop taking texts; those already queued are still scored before the worker ends."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._thread.join(timeout=5)

    # -- the worker thread --------------------------------------------------------------------------------------

    def _take(self) -> list[_Item]:
        """The next batch in start-tag order (under the lock): expired texts fail, abandoned ones are dropped."""
        batch: list[_Item] = []
        cost = 0.0
        now = time.monotonic()
        while self._heap and len(batch) < self.max_batch:
            _, _, item = self._heap[0]
            if item.ticket.cancelled or item.future.done():
                heapq.heappop(self._heap)
                self._queued_cost -= item.cost
                self.stats.dropped_cancelled += 1
                continue
            if item.ticket.deadline <= now:
                heapq.heappop(self._heap)
                self._queued_cost -= item.cost
                self.stats.dropped_deadline += 1
                item.ticket.cancelled = True  # its siblings are useless too
                exc = DeadlineExceeded("the deadline passed before the text reached the model")
                _hand_back(item.loop, _set_exception, item.future, exc)
                continue
            if batch and cost + item.cost > self.max_batch_cost:
                break
            heapq.heappop(self._heap)
            self._queued_cost -= item.cost
            self._virtual = max(self._virtual, item.start_tag)
            batch.append(item)
            cost += item.cost
        if len(self._finish) > 10_000:  # keys whose last text is behind virtual time need no memory
            self._finish = {k: f for k, f in self._finish.items() if f > self._virtual}
        return batch

    def _collect(self) -> list[_Item] | None:
        with self._cond:
            while True:
                while not self._heap and not self._closed:
                    self._cond.wait()
                if not self._heap:
                    return None  # closed and drained
                if self.max_wait > 0:  # let a batch gather for at most max_wait
                    until = time.monotonic() + self.max_wait
                    while len(self._heap) < self.max_batch and not self._closed:
                        remaining = until - time.monotonic()
                        if remaining <= 0:
                            break
                        self._cond.wait(remaining)
                batch = self._take()
                if batch:
                    self._busy_until = time.monotonic() + sum(it.cost for it in batch) / self.rate
                    return batch

    def _run(self) -> None:
        while True:
            batch = self._collect()
            if batch is None:
                return
            self.stats.batches += 1
            self.stats.items += len(batch)
            started = time.monotonic()
            for flag in (False, True):
                group = [it for it in batch if it.sentences is flag]
                if group:
                    self._score_group(group, flag)
            elapsed = time.monotonic() - started
            work = sum(it.cost for it in batch)
            for it in batch:
                self.stats.per_key_work[it.ticket.key] = self.stats.per_key_work.get(it.ticket.key, 0.0) + it.cost
            if elapsed > 0.005 and work > 0:
                self.rate = 0.7 * self.rate + 0.3 * (work / elapsed)
            with self._cond:
                self._busy_until = 0.0

    def _score_group(self, group: list[_Item], sentences: bool) -> None:
        """Score a group; if the call fails, score its halves apart so only the failing texts fail."""
        group = [it for it in group if not it.ticket.cancelled]  # a sibling failed or the caller left meanwhile
        if not group:
            return
        try:
            results = self._score([it.text for it in group], sentences)
            if len(results) != len(group):
                raise RuntimeError(f"the model answered {len(results)} results for {len(group)} texts")
        except Exception as exc:
            if len(group) > 1:
                middle = len(group) // 2
                self._score_group(group[:middle], sentences)
                self._score_group(group[middle:], sentences)
                return
            self.stats.isolated_failures += 1
            log.exception(
                "the model failed on one text (request of key %r); the others are scored", group[0].ticket.key
            )
            group[0].ticket.cancelled = True
            _hand_back(group[0].loop, _set_exception, group[0].future, exc)
            return
        for it, result in zip(group, results, strict=True):
            _hand_back(it.loop, _set_result, it.future, result)


def _hand_back(loop: asyncio.AbstractEventLoop, setter: Any, future: asyncio.Future[Any], value: Any) -> None:
    """Give a result to the loop that waits for it; a loop that has closed meanwhile has no one waiting, and must
    not take the worker thread down with it (every later request would hang)."""
    try:
        loop.call_soon_threadsafe(setter, future, value)
    except RuntimeError:
        log.info("a result for a closed event loop was dropped")


def _set_result(future: asyncio.Future[Any], value: Any) -> None:
    if not future.done():
        future.set_result(value)


def _set_exception(future: asyncio.Future[Any], exc: BaseException) -> None:
    if not future.done():
        future.set_exception(exc)
