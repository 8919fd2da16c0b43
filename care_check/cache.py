"""Validated rule files kept between runs, keyed by the content of those files.

Reading and validating the YAML rules (38 files: the safe-YAML pre-check, pydantic, every
regular expression) costs a few tenths of a second that a one-file check would pay every
time. The validated result is pickled under the user's cache folder
(``$CARE_CHECK_CACHE_DIR``, else ``$XDG_CACHE_HOME/care-check``, else
``~/.cache/care-check``), in a file named by a hash of every source file's name and bytes
and of the care-check code that defines what is pickled: edit, add or remove a rule file
and the key changes, so the cache is never stale. A cache file that is missing,
unreadable, corrupt or from other code is ignored and rebuilt; one that cannot be written
is simply not kept. ``CARE_CHECK_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from . import __version__

T = TypeVar("T")
_FORMAT = b"care-check cache 1\n"
# The modules whose classes are pickled: a change to any of them changes every key.
_CODE = ("ruleset.py", "sections.py", "context.py", "model.py", "cache.py")


def cache_dir() -> Path:
    """Where cached rule sets live."""
    explicit = os.environ.get("CARE_CHECK_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "care-check"


def enabled() -> bool:
    return os.environ.get("CARE_CHECK_NO_CACHE", "") in ("", "0")


_code_digest: bytes | None = None


def _code() -> bytes:
    global _code_digest
    if _code_digest is None:
        h = hashlib.sha256(f"{__version__} {sys.version}".encode())
        here = Path(__file__).resolve().parent
        for name in _CODE:
            try:
                h.update(name.encode() + b"\0" + (here / name).read_bytes())
            except OSError:
                h.update(name.encode() + b"\0?")
        _code_digest = h.digest()
    return _code_digest


def key(kind: str, files: Iterable[Path], extra: bytes = b"") -> str:
    """A hash of ``kind``, the code, every file's path and bytes, and ``extra`` (any other
    input the cached value is built from)."""
    h = hashlib.sha256(_code() + kind.encode() + b"\0" + len(extra).to_bytes(8, "big") + extra)
    for f in files:
        h.update(str(f).encode("utf-8", "surrogateescape") + b"\0")
        try:
            data = f.read_bytes()
        except OSError:
            data = b"\xff unreadable"
        h.update(len(data).to_bytes(8, "big") + data)
    return h.hexdigest()


def cached(kind: str, files: Iterable[Path], build: Callable[[], T], extra: bytes = b"") -> T:
    """``build()``, or what it returned for the same files before.

    An error raised by ``build`` (an invalid rule file) is never cached: it is raised again
    next time, with its one line naming the file.
    """
    if not enabled():
        return build()
    digest = key(kind, files, extra)
    path = cache_dir() / f"{kind}-{digest[:40]}.pickle"
    try:
        with open(path, "rb") as fh:
            if fh.read(len(_FORMAT)) == _FORMAT:
                stored_digest, value = pickle.load(fh)  # noqa: S301 - this user's own cache folder
                if stored_digest == digest:
                    return value
    except Exception:  # noqa: BLE001 - missing, truncated, corrupt or foreign: rebuild
        pass
    value = build()
    _store(path, digest, value)
    return value


def _store(path: Path, digest: str, value: object) -> None:
    """Write atomically (a reader never sees half a file); give up quietly on any error."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(_FORMAT)
            pickle.dump((digest, value), fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        tmp = None
        _prune(path)
    except Exception:  # noqa: BLE001 - a cache that cannot be kept is only slower
        pass
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


KEEP = 8  # cached versions kept per kind (a rule author's recent edits)


def _prune(kept: Path) -> None:
    """Remove all but the most recent cache files of the same kind."""
    kind = kept.name.rsplit("-", 1)[0]
    try:
        files = sorted(kept.parent.glob(f"{kind}-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in files[KEEP:]:
            if old != kept:
                old.unlink()
    except OSError:
        pass
