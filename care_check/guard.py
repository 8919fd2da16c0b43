"""Files checked in a child process with a time budget and a memory ceiling per file.

A batch must never stall on one submission: whatever a file does to a reader or to the
matcher (a pathological layout, a decompression bomb, a bug), the child that checks it is
stopped when the file's time is up or when it asks for more memory than the ceiling, and
the file gets one error line while the batch goes on.

The child is forked from the process that already holds the loaded checker, so it needs
nothing loaded again, and it checks the files of a batch one after another (what it learns
on the way, such as the words it has seen, serves the next file too). When a file runs out
of time the child is killed and a fresh one is forked for the next file; after a file that
ran out of memory or broke something, or when the child has grown, it is replaced too.
Requests (a path) and results (the report, or the error) are pickled through pipes.

The time budget is wall-clock time for the whole file (reading, sections, matching,
suppressions), including any PDF extraction. The memory ceiling is the address space the
child may add to what the loaded checker already uses (``RLIMIT_AS``). Where ``fork`` does
not exist, files are checked in-process without these limits.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import struct
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from .errors import CareCheckError, InputError

DEFAULT_TIME_S = 60.0
DEFAULT_MEMORY_MB = 2048
T = TypeVar("T")

_deadline: float | None = None  # monotonic time at which this (child) process's file is out of time
_in_child = False
_HEADER = struct.Struct(">Q")
_PARENT_ENDS: set[int] = set()  # this process's ends of its children's pipes


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


def _write_msg(fd: int, obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        n = os.write(fd, view[:1 << 20])
        view = view[n:]


def _read_exact(fd: int, n: int, end: float | None) -> bytes | None:
    """``n`` bytes from ``fd``; None at end of file; TimeoutError after ``end``."""
    chunks, got = [], 0
    while got < n:
        if end is not None:
            wait = end - time.monotonic()
            if wait <= 0:
                raise TimeoutError
            ready, _, _ = select.select([fd], [], [], wait)
            if not ready:
                continue
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _read_msg(fd: int, end: float | None = None) -> Any:
    head = _read_exact(fd, _HEADER.size, end)
    if head is None:
        return None
    data = _read_exact(fd, _HEADER.unpack(head)[0], end)
    if data is None:
        return None
    return pickle.loads(data)  # noqa: S301 - between this process and its own fork


def _serve(fn: Callable[[Any], Any], rfd: int, wfd: int, time_s: float,
           memory_mb: int) -> None:  # pragma: no cover - runs in the child
    """The child: check each path it is sent, until its pipe closes or it should be replaced."""
    global _deadline, _in_child
    _in_child = time_s > 0 and memory_mb > 0
    try:
        os.setpgid(0, 0)  # its own process group: anything it starts is stopped with it
    except OSError:
        pass
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    try:  # whatever a library prints, the file's one line comes from the parent
        devnull = os.open(os.devnull, os.O_RDWR)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
    except OSError:
        pass
    import resource

    base = _address_space()
    if memory_mb > 0 and base:
        limit = base + memory_mb * 1024 * 1024
        try:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ValueError, OSError):
            pass
    while True:
        arg = _read_msg(rfd)
        if arg is None:
            return
        if time_s > 0:
            _deadline = time.monotonic() + time_s
            try:  # a backstop should the parent be gone: processor time for this file
                used = resource.getrusage(resource.RUSAGE_SELF)
                cpu = int(used.ru_utime + used.ru_stime + time_s) + 5
                resource.setrlimit(resource.RLIMIT_CPU, (cpu, resource.getrlimit(resource.RLIMIT_CPU)[1]))
            except (ValueError, OSError):
                pass
        try:
            payload: tuple[str, Any] = ("ok", fn(arg[0]))
        except InputError as exc:  # keep its parts: reporters name the file and the problem apart
            payload = ("input", (exc.path, exc.problem))
        except CareCheckError as exc:
            payload = ("error", str(exc))
        except MemoryError:
            payload = ("memory", "")
        except RecursionError:
            payload = ("deep", "")
        except BaseException as exc:  # noqa: BLE001 - reported by the parent as one line
            payload = ("internal", f"{type(exc).__name__}: {exc}")
        grown = memory_mb > 0 and base and _address_space() > base + memory_mb * 1024 * 1024 // 2
        keep = payload[0] in ("ok", "error", "input") and not grown
        try:
            _write_msg(wfd, (*payload, keep))
        except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be pickled
            _write_msg(wfd, ("internal", f"cannot send the result: {type(exc).__name__}", False))
            return
        if not keep:
            return


def _stop(pid: int) -> None:
    for kill in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            kill()
        except OSError:
            pass


class Worker(Generic[T]):
    """Runs ``fn(path)`` for one file after another in a forked child, each file within the
    time budget and the memory ceiling; ``time_s`` or ``memory_mb`` of 0 means no limit.
    Use as a context manager (the child is stopped at the end)."""

    def __init__(self, fn: Callable[[str], T], time_s: float = DEFAULT_TIME_S,
                 memory_mb: int = DEFAULT_MEMORY_MB, always: bool = False) -> None:
        """``always``: a child even without limits (a pool's workers run side by side)."""
        self.fn = fn
        self.time_s = time_s
        self.memory_mb = memory_mb
        self.enabled = hasattr(os, "fork") and (always or time_s > 0 or memory_mb > 0)
        self.pid: int | None = None
        self.deadline: float | None = None  # when the file sent last is out of time
        self._to_child = self._from_child = -1

    def __enter__(self) -> Worker[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _spawn(self) -> None:
        req_r, req_w = os.pipe()
        res_r, res_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - child
            code = 0
            try:
                # The parent's ends of every other child's pipes too: a child holding a
                # sibling's request pipe open would keep that sibling from ever seeing its end.
                for fd in (req_w, res_r, *_PARENT_ENDS):
                    try:
                        os.close(fd)
                    except OSError:
                        pass
                _serve(self.fn, req_r, res_w, self.time_s, self.memory_mb)
            except BaseException:  # noqa: BLE001
                code = 70
            finally:
                os._exit(code)
        os.close(req_r)
        os.close(res_w)
        self.pid, self._to_child, self._from_child = pid, req_w, res_r
        _PARENT_ENDS.update((req_w, res_r))

    def _retire(self, kill: bool) -> int:
        """Close the pipes and reap the child (killing its group first); its wait status."""
        pid, self.pid = self.pid, None
        for fd in (self._to_child, self._from_child):
            _PARENT_ENDS.discard(fd)
            try:
                os.close(fd)
            except OSError:
                pass
        if pid is None:
            return 0
        if kill:
            _stop(pid)
        _, status = os.waitpid(pid, 0)
        if kill or os.WIFSIGNALED(status):
            _stop(pid)  # what the child left behind in its group goes too
        return status

    def close(self) -> None:
        if self.pid is not None:
            self._retire(kill=False)  # its pipe closes: it finishes and exits

    def stop(self) -> None:
        """Stop the child now, whatever it is doing."""
        if self.pid is not None:
            self._retire(kill=True)

    def run(self, label: str, path: str) -> T:
        """``fn(path)`` for the file shown as ``label``, or InputError naming it."""
        if not self.enabled:
            return _in_process(label, lambda: self.fn(path))
        self.send(path)
        return self.receive(label)

    def send(self, path: str) -> None:
        """Hand ``path`` to the child (forking one when there is none); its clock starts now."""
        if self.pid is None:
            self._spawn()
        self.deadline = time.monotonic() + self.time_s if self.time_s > 0 else None
        try:
            _write_msg(self._to_child, (path,))
        except BrokenPipeError:
            pass  # the child is gone: receive() says why

    def fileno(self) -> int:
        """The pipe the child answers on (for ``select``)."""
        return self._from_child

    def receive(self, label: str) -> T:
        """The answer to the last :meth:`send`, or InputError naming ``label``."""
        end, self.deadline = self.deadline, None
        try:
            reply = _read_msg(self._from_child, end)
        except TimeoutError:
            self._retire(kill=True)
            raise InputError(label, f"gave up after {self.time_s:g} s (the time budget per file; "
                                    "see --time-limit)") from None
        except BaseException:
            self._retire(kill=True)
            raise
        if reply is None:  # the child died: killed by the memory ceiling or a crash
            status = self._retire(kill=True)
            if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGXCPU:
                raise InputError(label, "gave up: used too much processor time")
            raise InputError(label, f"reading stopped (more than the {self.memory_mb} MB memory ceiling "
                                    "per file or a crash in a parser); see --memory-limit")
        kind, value, keep = reply
        if not keep:
            self._retire(kill=False)
        return _result(label, kind, value, self.memory_mb)


def run(label: str, fn: Callable[[], T], time_s: float = DEFAULT_TIME_S,
        memory_mb: int = DEFAULT_MEMORY_MB) -> T:
    """``fn()`` for one file ``label`` in a child of its own, within the budget and ceiling."""
    with Worker(lambda _path: fn(), time_s, memory_mb) as worker:
        return worker.run(label, label)


def _result(label: str, kind: str, value: object, memory_mb: int | None) -> T:  # type: ignore[type-var]
    if kind == "ok":
        return value  # type: ignore[return-value]
    if kind == "input":
        path, problem = value  # type: ignore[misc]
        raise InputError(path, problem)
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
