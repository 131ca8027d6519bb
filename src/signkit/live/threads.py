"""One producer thread behind a bounded queue: how ``recognize`` overlaps decoding, pose
estimation and recognition."""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")
_DONE = object()


def in_thread(items: Iterable[T], depth: int, name: str) -> Iterator[T]:
    """``items`` produced by a thread of their own, at most ``depth`` ahead of the consumer.

    An exception in the producer is raised in the consumer where the next item would have come;
    closing the returned iterator (or leaving its loop) stops the producer, which closes
    ``items``'s iterator in its own thread.
    """
    q: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        it = iter(items)
        try:
            for item in it:
                while not stop.is_set():
                    with contextlib.suppress(queue.Full):
                        q.put(item, timeout=0.1)
                        break
                if stop.is_set():
                    break
        except BaseException as exc:  # raised again in the consumer
            q.put(exc)
        finally:
            close = getattr(it, "close", None)
            if close is not None:
                close()
            q.put(_DONE)

    producer = threading.Thread(target=produce, name=name, daemon=True)
    producer.start()
    try:
        while (item := q.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while producer.is_alive():  # a producer blocked on the full queue must see the stop
            with contextlib.suppress(queue.Empty):
                q.get(timeout=0.1)
