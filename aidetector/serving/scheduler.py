"""Dynamic micro-batching: texts from concurrent requests share one model call.

One worker thread owns the model (PyTorch already uses every core inside a call, so two calls at once only
fight). The first waiting text opens a batch; the batch closes when it is full or `max_wait_ms` has passed
(with 0, it takes just the texts already waiting: while one batch runs, the next one gathers).
Hand-written because it is ~60 lines and a library (e.g. a serving framework) would bring its own server.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)


@dataclass
class _Item:
    text: str
    sentences: bool
    future: asyncio.Future[Any]
    loop: asyncio.AbstractEventLoop


class BatcherClosed(RuntimeError):
    """Raised by `submit` after `close`: the model was swapped; the caller retries on the new batcher."""


class MicroBatcher:
    """`await submit(texts, sentences)` returns `score(texts, sentences)`'s answers for those texts."""

    def __init__(self, score: Callable[[Sequence[str], bool], list[Any]], max_batch: int, max_wait_ms: float):
        self._score = score
        self.max_batch = max_batch
        self.max_wait = max_wait_ms / 1000.0
        self._queue: queue.Queue[_Item | None] = queue.Queue()
        self._closed = False
        self._lock = threading.Lock()  # a text is queued before the stop mark, or refused: never lost after it
        self._thread = threading.Thread(target=self._run, name="micro-batcher", daemon=True)
        self._thread.start()
        self.batches = 0
        self.items = 0

    async def submit(self, texts: Sequence[str], sentences: bool) -> list[Any]:
        loop = asyncio.get_running_loop()
        futures = []
        with self._lock:
            if self._closed:
                raise BatcherClosed("this batcher has stopped; submit to the current one")
            for text in texts:
                future: asyncio.Future[Any] = loop.create_future()
                self._queue.put(_Item(text, sentences, future, loop))
                futures.append(future)
        return list(await asyncio.gather(*futures))

    def close(self) -> None:
        """Stop taking texts; those already queued are still scored before the worker ends."""
        with self._lock:
            self._closed = True
            self._queue.put(None)
        self._thread.join(timeout=5)

    def _collect(self, first: _Item) -> list[_Item]:
        batch = [first]
        deadline = time.monotonic() + self.max_wait
        while len(batch) < self.max_batch:
            remaining = deadline - time.monotonic()
            try:
                item = self._queue.get(timeout=remaining) if remaining > 0 else self._queue.get_nowait()
            except queue.Empty:
                break
            if item is None:
                self._queue.put(None)
                break
            batch.append(item)
        return batch

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = self._collect(first)
            self.batches += 1
            self.items += len(batch)
            for flag in (False, True):
                group = [it for it in batch if it.sentences is flag]
                if group:
                    self._score_group(group, flag)

    def _score_group(self, group: list[_Item], sentences: bool) -> None:
        try:
            results = self._score([it.text for it in group], sentences)
        except Exception as exc:  # every waiting caller gets the failure, the worker lives on
            log.exception("model call failed for a batch of %d", len(group))
            for it in group:
                it.loop.call_soon_threadsafe(_set_exception, it.future, exc)
            return
        for it, result in zip(group, results, strict=True):
            it.loop.call_soon_threadsafe(_set_result, it.future, result)


def _set_result(future: asyncio.Future[Any], value: Any) -> None:
    if not future.done():
        future.set_result(value)


def _set_exception(future: asyncio.Future[Any], exc: BaseException) -> None:
    if not future.done():
        future.set_exception(exc)
