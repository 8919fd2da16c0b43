"""Many files on every core: one guarded child per job, answers in input order, streamed.

Each job is a :class:`care_check.guard.Worker`: a child forked from the process that
already holds the compiled checker (so the checker is built once and every worker starts
warm), checking one file after another within the per-file time budget and memory
ceiling. The parent hands the next file to whichever child is free, waits on all of them
at once, and yields the answers in the order the files were given. At most a few answers
per job wait for a slower file ahead of them, so memory stays flat however many files
there are.
"""

from __future__ import annotations

import gc
import os
import select
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from .errors import CareCheckError
from .guard import DEFAULT_MEMORY_MB, DEFAULT_TIME_S, Worker

T = TypeVar("T")
AHEAD = 4  # answers per job that may wait for an earlier, slower file


def default_jobs() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


@dataclass
class Outcome(Generic[T]):
    """One file's answer: its value, or the error that names it."""

    label: str
    value: T | None = None
    error: CareCheckError | None = None


def _outcome(label: str, get: Callable[[], T]) -> Outcome[T]:
    try:
        return Outcome(label, get())
    except CareCheckError as exc:
        return Outcome(label, None, exc)


def imap(fn: Callable[[str], T], items: Iterable[tuple[str, str]], jobs: int = 1,
         time_s: float = DEFAULT_TIME_S, memory_mb: int = DEFAULT_MEMORY_MB) -> Iterator[Outcome[T]]:
    """``fn(path)`` for each ``(label, path)``, ``jobs`` at a time, yielded in input order.

    ``jobs`` 1 is the plain batch: one guarded child (or this process, with no limits or no
    ``fork``) checks the files one after another.
    """
    if jobs <= 1 or not hasattr(os, "fork"):
        with Worker(fn, time_s, memory_mb) as worker:
            for label, path in items:
                yield _outcome(label, lambda: worker.run(label, path))
        return
    gc.collect()
    gc.freeze()  # what the parent holds stays shared with the children (no copy on a GC pass)
    workers = [Worker(fn, time_s, memory_mb, always=True) for _ in range(jobs)]
    finished = False
    try:
        yield from _schedule(iter(items), workers)
        finished = True
    finally:  # stopped early (an interrupt, a closed pipe): no child finishes its file
        for w in workers:
            w.close() if finished else w.stop()
        gc.unfreeze()


def _schedule(items: Iterator[tuple[str, str]], workers: list[Worker[T]]) -> Iterator[Outcome[T]]:
    idle = list(reversed(workers))
    busy: dict[Worker[T], tuple[int, str]] = {}
    done: dict[int, Outcome[T]] = {}
    sent = shown = 0
    window = AHEAD * len(workers)
    more = True
    while True:
        while idle and more and sent < shown + window:
            try:
                label, path = next(items)
            except StopIteration:
                more = False
                break
            worker = idle.pop()
            worker.send(path)
            busy[worker] = (sent, label)
            sent += 1
        while shown in done:
            yield done.pop(shown)
            shown += 1
        if not busy:
            if not more:
                return
            continue
        deadlines = [w.deadline for w in busy if w.deadline is not None]
        wait = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
        ready, _, _ = select.select(list(busy), [], [], wait)
        if not ready:  # a file's time is up: receive() stops its child and says so
            now = time.monotonic()
            ready = [w for w in busy if w.deadline is not None and w.deadline <= now]
        for worker in ready:
            index, label = busy.pop(worker)
            done[index] = _outcome(label, lambda: worker.receive(label))
            idle.append(worker)
