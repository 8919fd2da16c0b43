"""One file at a time, in a child process with a time budget and a memory ceiling.

A batch must never stall on one submission: whatever a file does to a reader or to the
matcher (a pathological layout, a decompression bomb, a bug), the child that checks it is
stopped when the file's time is up or when it asks for more memory than the ceiling, and
the file gets one error line while the batch goes on. The child is forked from the
process that already holds the loaded checker, so it starts in milliseconds and needs
nothing loaded again; it sends back its result (or its error) pickled through a pipe.

The time budget is wall-clock time for the whole file (reading, sections, matching,
suppressions), including the PDF reader's own child process. The memory ceiling is
address space the child may add to what the loaded checker already uses (``RLIMIT_AS``).
Where ``fork`` does not exist the file is checked in-process without these limits.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import time
from collections.abc import Callable
from typing import TypeVar

from .errors import CareCheckError, InputError

DEFAULT_TIME_S = 60.0
DEFAULT_MEMORY_MB = 2048
T = TypeVar("T")

_deadline: float | None = None  # monotonic time at which this (child) process's file is out of time
_in_child = False


def isolated() -> bool:
    """Whether this process is a per-file child (with the budget and ceiling in force)."""
    return _in_child


def remaining(default: float) -> float:
    """Seconds left in the current file's budget (``default`` when there is none)."""
    if _deadline is None:
        return default
    return max(0.1, min(default, _deadline - time.monotonic()))


def _address_space() -> int:
    """Bytes of address space this process uses now (0 when unknown)."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _child(fn: Callable[[], T], wfd: int, time_s: float, memory_mb: int) -> None:  # pragma: no cover - child
    global _deadline, _in_child
    _in_child = time_s > 0 and memory_mb > 0
    try:
        os.setpgid(0, 0)  # its own process group: the PDF reader's child is stopped with it
    except OSError:
        pass
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    try:  # whatever a library prints, the file's one line comes from the parent
        devnull = os.open(os.devnull, os.O_RDWR)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
    except OSError:
        pass
    if time_s > 0:
        _deadline = time.monotonic() + time_s
    try:
        import resource

        if memory_mb > 0 and _address_space():
            limit = _address_space() + memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        if time_s > 0:
            cpu = int(time_s) + 5  # a backstop; the parent's wall-clock budget comes first
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    except (ImportError, ValueError, OSError):
        pass
    try:
        payload: tuple[str, object] = ("ok", fn())
    except CareCheckError as exc:
        payload = ("error", str(exc))
    except MemoryError:
        payload = ("memory", "")
    except RecursionError:
        payload = ("deep", "")
    except BaseException as exc:  # noqa: BLE001 - reported by the parent as one line
        payload = ("internal", f"{type(exc).__name__}: {exc}")
    try:
        data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # noqa: BLE001
        data = pickle.dumps(("internal", f"cannot send the result: {type(exc).__name__}"))
    view = memoryview(data)
    while view:
        n = os.write(wfd, view[:1 << 20])
        view = view[n:]
    os.close(wfd)


def _collect(pid: int, rfd: int, time_s: float) -> tuple[bytes, bool]:
    """Everything the child writes, and whether it finished within ``time_s``."""
    chunks: list[bytes] = []
    end = time.monotonic() + time_s if time_s > 0 else None
    while True:
        wait = None if end is None else end - time.monotonic()
        if wait is not None and wait <= 0:
            return b"".join(chunks), False
        ready, _, _ = select.select([rfd], [], [], wait)
        if not ready:
            continue
        chunk = os.read(rfd, 1 << 20)
        if not chunk:
            return b"".join(chunks), True
        chunks.append(chunk)


def _stop(pid: int) -> None:
    for kill in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            kill()
        except OSError:
            pass


def run(label: str, fn: Callable[[], T], time_s: float = DEFAULT_TIME_S,
        memory_mb: int = DEFAULT_MEMORY_MB) -> T:
    """``fn()`` for the file ``label``, within the budget and ceiling, or InputError.

    Any failure inside becomes an InputError naming the file, so one bad file never
    stops a batch. ``time_s`` or ``memory_mb`` of 0 means no limit.
    """
    if not hasattr(os, "fork") or (time_s <= 0 and memory_mb <= 0):
        return _in_process(label, fn)
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        code = 0
        try:
            os.close(rfd)
            _child(fn, wfd, time_s, memory_mb)
        except BaseException:  # noqa: BLE001
            code = 70
        finally:
            os._exit(code)
    os.close(wfd)
    try:
        data, in_time = _collect(pid, rfd, time_s)
    except BaseException:
        _stop(pid)
        raise
    finally:
        os.close(rfd)
    if not in_time:
        _stop(pid)
    _, status = os.waitpid(pid, 0)
    if not in_time or os.WIFSIGNALED(status):
        _stop(pid)  # what the child left behind in its group (a PDF reader) goes too
    if not in_time:
        raise InputError(label, f"gave up after {time_s:g} s (the time budget per file; see --time-limit)")
    try:
        kind, value = pickle.loads(data)  # noqa: S301 - our own child's output
    except Exception:  # noqa: BLE001 - no or cut output: the child was killed
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGXCPU:
            raise InputError(label, "gave up: used too much processor time") from None
        raise InputError(label, f"reading stopped (more than the {memory_mb} MB memory ceiling per file "
                                "or a crash in a parser); see --memory-limit") from None
    return _result(label, kind, value, memory_mb)


def _result(label: str, kind: str, value: object, memory_mb: int | None) -> T:  # type: ignore[type-var]
    if kind == "ok":
        return value  # type: ignore[return-value]
    if kind == "error":
        raise CareCheckError(str(value))
    if kind == "memory":
        ceiling = f"the {memory_mb} MB memory ceiling per file" if memory_mb else "the memory available"
        raise InputError(label, f"needs more than {ceiling} to check; refused")
    if kind == "deep":
        raise InputError(label, "nests too deeply to read")
    raise InputError(label, f"internal error: {value} (please report it with the input that caused it)")


def _in_process(label: str, fn: Callable[[], T]) -> T:
    try:
        return fn()
    except CareCheckError:
        raise
    except MemoryError:
        return _result(label, "memory", "", None)
    except RecursionError:
        return _result(label, "deep", "", None)
    except Exception as exc:  # noqa: BLE001
        return _result(label, "internal", f"{type(exc).__name__}: {exc}", None)
