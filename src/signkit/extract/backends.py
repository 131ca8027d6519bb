"""Where the jobs run: local worker processes or Ray tasks. Both yield the same events.

A backend is a generator ``(jobs, out_dir, options, workers, address) -> events``; an event is an
``int`` (frames processed since the last event, for the progress bar) or a finished ``ReportRow``.
Closing the generator (Ctrl-C in the caller) stops the workers.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import signal
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path

from signkit.extract.jobs import Job
from signkit.extract.report import FAILED, ReportRow
from signkit.extract.worker import ExtractOptions, extract_job
from signkit.extras import require
from signkit.registry import Registry

Event = int | ReportRow
Backend = Callable[[list[Job], Path, ExtractOptions, int, str | None], Iterator[Event]]
BACKENDS: Registry[Backend] = Registry("extraction backend")
_POLL_S = 0.5
WORKER_LOG = "extraction_workers.log"
_FRAMES_PER_TICK = 10

_events = None  # set in each worker process by _init_worker


def _init_worker(events, log: Path) -> None:
    global _events
    # MediaPipe's C++ logs would scramble the progress bar; keep them in a file instead.
    with log.open("ab") as f:
        os.dup2(f.fileno(), 2)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what Ctrl-C means
    _events = events
    if sys.platform == "linux":  # die with the parent, even when it is killed with SIGKILL
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _run_in_worker(index: int, job: Job, out_dir: Path, options: ExtractOptions) -> ReportRow:
    """Runs in a worker: tells the parent when it starts ``index`` and every few frames."""
    count = 0

    def tick() -> None:
        nonlocal count
        count += 1
        if count % _FRAMES_PER_TICK == 0:
            _events.put(_FRAMES_PER_TICK)

    _events.put(("start", index))
    row = extract_job(job, out_dir, options, tick)
    _events.put(count % _FRAMES_PER_TICK)
    return row


def _crashed(job: Job, why: str) -> ReportRow:
    return ReportRow(video=str(job.video), output=str(job.output_name), status=FAILED, error=why)


@BACKENDS.register("process")
def process_backend(jobs: list[Job], out_dir: Path, options: ExtractOptions, workers: int,
                    address: str | None = None) -> Iterator[Event]:
    """``workers`` spawned processes, one MediaPipe graph each; a crashed worker fails only its video."""
    ctx = mp.get_context("spawn")  # no fork of a parent that runs progress-bar threads
    events = ctx.Queue()
    todo = dict(enumerate(jobs))
    while todo:
        started: set[int] = set()
        before = set(mp.active_children())
        with _workers_skip_main():
            pool = ProcessPoolExecutor(min(workers, len(todo)), mp_context=ctx, initializer=_init_worker,
                                       initargs=(events, out_dir / WORKER_LOG))
            futures: dict[Future, int] = {pool.submit(_run_in_worker, i, j, out_dir, options): i
                                          for i, j in todo.items()}
        broken = False
        try:
            pending = set(futures)
            while pending:
                done, pending = wait(pending, timeout=_POLL_S, return_when=FIRST_COMPLETED)
                for event in _drain(events):
                    if isinstance(event, tuple):
                        started.add(event[1])
                    else:
                        yield event
                for fut in done:
                    try:
                        row = fut.result()
                    except BrokenProcessPool:
                        broken = True
                        continue
                    todo.pop(futures[fut])
                    yield row
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
            children = set(mp.active_children()) - before
            for child in children:
                child.terminate()
            for child in children:  # every process this command started ends before it does
                child.join(5)
        if broken:
            # A worker died (a native crash): fail the videos it had started, requeue the rest.
            lost = [i for i in started if i in todo] or list(todo)[:1]
            for index in lost:
                yield _crashed(todo.pop(index), "the worker process died while extracting this video")
    del pool, futures
    events.close()
    events.join_thread()
    del events
    _stop_helpers()


@contextmanager
def _workers_skip_main() -> Iterator[None]:
    """Workers started meanwhile do not import the parent's ``__main__`` (the whole command line
    app, ~0.45 s per worker): what they run lives in this module, which they import by name."""
    main = sys.modules["__main__"]
    saved = {k: getattr(main, k) for k in ("__file__", "__spec__") if hasattr(main, k)}
    main.__spec__ = None  # multiprocessing reads it; without a file either, it imports nothing
    main.__dict__.pop("__file__", None)
    try:
        yield
    finally:
        main.__dict__.update(saved)


def _stop_helpers() -> None:
    """The resource tracker would outlive the command by a moment (a process left in the caller's
    process group). Queues and locks are collected first: their finalisers would start it again."""
    import gc
    from multiprocessing import resource_tracker

    gc.collect()
    stop = getattr(resource_tracker._resource_tracker, "_stop", None)  # CPython's own, 3.8+
    if stop is not None:
        stop()


def _drain(events) -> Iterator[int | tuple]:
    while True:
        try:
            yield events.get_nowait()
        except queue.Empty:
            return


@BACKENDS.register("ray")
def ray_backend(jobs: list[Job], out_dir: Path, options: ExtractOptions, workers: int,
                address: str | None = None) -> Iterator[Event]:
    """The same work as Ray tasks: a local Ray with ``workers`` CPUs, or the cluster at ``address``.

    On a cluster every node must see ``out_dir`` and the videos at the same paths (a shared disk).
    """
    ray = require("ray", "ray")
    started = not ray.is_initialized()
    if started:
        ray.init(address=address, num_cpus=None if address else workers, include_dashboard=False,
                 log_to_driver=False, configure_logging=False)
    task = ray.remote(num_cpus=1, max_retries=0)(extract_job)
    refs = {task.remote(job, out_dir, options): job for job in jobs}
    pending = list(refs)
    try:
        while pending:
            done, pending = ray.wait(pending, num_returns=1, timeout=_POLL_S)
            for ref in done:
                try:
                    row = ray.get(ref)
                except (ray.exceptions.RayTaskError, ray.exceptions.WorkerCrashedError) as exc:
                    row = _crashed(refs[ref], f"the Ray task failed: {exc.__class__.__name__}")
                yield row.frames  # Ray reports per video, not per frame
                yield row
    finally:
        for ref in pending:
            ray.cancel(ref, force=True)
        if started:
            ray.shutdown()
