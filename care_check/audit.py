"""``care-check audit``: a corpus's verdicts as two Parquet tables, resumable, on this
machine's cores or on a Dask cluster.

The output is two folders of Parquet part files that read as one table each
(``pandas.read_parquet(PATH)``, ``pyarrow.parquet.read_table(PATH)``, DuckDB, Spark):

* ``results.parquet``: one row per (document, item): status, the first evidence's section,
  line, column, page and quote, how many sentences were found, the message;
* ``results.documents.parquet``: one row per document: format, scope, counts,
  completeness, or the error that kept it from being checked.

Every few hundred documents a part is written to each (the items part first, then the
documents part under the same name, each written whole and renamed into place), so a run
that is stopped loses at most the documents since the last part. A rerun reads the paths
already in the documents table and skips them; an items part without its documents part
(a run stopped between the two writes) is removed first, so no row is ever doubled.

Locally the documents go through the same pool of guarded children as ``check --jobs``
(per-file time budget and memory ceiling). With ``--scheduler tcp://HOST:8786`` they go
to a Dask cluster in batches: the client reads each file and sends its bytes with the
validated rule set (so workers need care-check installed, not the files or the rules),
each worker builds the checker once, and checks its batch in a guarded child of its own.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import __version__
from .errors import CareCheckError, InputError, printable
from .model import Report, Status

PART_DOCUMENTS = 200  # documents per part file
# The columns, in order; the types are in _schemas().
ITEM_COLUMNS = ("path", "item", "topic", "title", "status", "severity", "section", "line", "column", "page",
                "quote", "via", "evidence_count", "message", "searched")
DOCUMENT_COLUMNS = ("path", "format", "scope", "guideline", "guideline_version", "reported", "partial", "missing",
                    "not_applicable", "completeness", "error", "tool_version")

Rows = tuple[dict[str, Any], list[dict[str, Any]]]  # (the document's row, its item rows)


class AuditError(CareCheckError):
    """The audit cannot run (a missing library, an output that is not an audit's)."""


def _pyarrow():
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise AuditError("audit writes Parquet and needs pyarrow: pip install 'care-check[audit]'") from None
    return pyarrow


def _schemas():
    pa = _pyarrow()
    s, i, f = pa.string(), pa.int32(), pa.float64()
    items = pa.schema([("path", s), ("item", s), ("topic", s), ("title", s), ("status", s), ("severity", s),
                       ("section", s), ("line", i), ("column", i), ("page", i), ("quote", s), ("via", s),
                       ("evidence_count", i), ("message", s), ("searched", pa.list_(s))])
    docs = pa.schema([("path", s), ("format", s), ("scope", s), ("guideline", s), ("guideline_version", s),
                      ("reported", i), ("partial", i), ("missing", i), ("not_applicable", i), ("completeness", f),
                      ("error", s), ("tool_version", s)])
    return items, docs


# -- rows --------------------------------------------------------------------------------

def rows(report: Report) -> Rows:
    """The document's row and one row per item."""
    doc = report.document
    counts = {s: report.count(s) for s in Status}
    drow = {"path": doc.path, "format": doc.format, "scope": doc.scope, "guideline": report.guideline_id,
            "guideline_version": report.guideline_version, "reported": counts[Status.REPORTED],
            "partial": counts[Status.PARTIAL], "missing": counts[Status.MISSING],
            "not_applicable": counts[Status.NOT_APPLICABLE], "completeness": report.completeness, "error": None,
            "tool_version": __version__}
    items = []
    for v in report.verdicts:
        e = v.evidence[0] if v.evidence else None
        items.append({"path": doc.path, "item": v.id, "topic": v.topic, "title": v.title, "status": v.status.value,
                      "severity": v.severity, "section": e.section if e else None, "line": e.line if e else None,
                      "column": e.column if e else None, "page": e.page if e else None,
                      "quote": e.quote if e else None, "via": e.via if e else None,
                      "evidence_count": len(v.evidence), "message": v.message, "searched": list(v.searched)})
    return drow, items


def error_rows(path: str, problem: str) -> Rows:
    """A document that could not be checked: its row says why; it has no item rows."""
    drow = dict.fromkeys(DOCUMENT_COLUMNS)
    drow.update(path=path, error=problem, tool_version=__version__)
    return drow, []


# -- what each worker runs -----------------------------------------------------------------

@dataclass(frozen=True)
class Options:
    """Everything a worker needs, sent once to each (the rule set travels validated)."""

    ruleset: Any  # care_check.ruleset.Ruleset
    digest: str  # identifies the rule set, so a worker builds its checker once
    use_model: bool = True
    input_format: str | None = None
    time_s: float = 60.0
    memory_mb: int = 2048

    @classmethod
    def make(cls, ruleset: Any, **kw: Any) -> Options:
        digest = hashlib.sha256(pickle.dumps(ruleset, protocol=pickle.HIGHEST_PROTOCOL)).hexdigest()
        return cls(ruleset, digest, **kw)


_CHECKERS: dict[tuple[str, bool], Any] = {}


def checker_for(opts: Options):
    """The compiled checker of ``opts``' rule set, built once per process."""
    key = (opts.digest, opts.use_model)
    if key not in _CHECKERS:
        from .engine import Checker

        _CHECKERS[key] = Checker(opts.ruleset, "shipped" if opts.use_model else None)
    return _CHECKERS[key]


def check_one(path: str, opts: Options, data: bytes | None = None) -> Rows:
    """One document's rows (runs in a guarded child)."""
    from .pipeline import check_path

    report = check_path(path, checker_for(opts), opts.input_format, data)
    report.document.path = printable(report.document.path)
    return rows(report)


def _guarded(fn: Callable[[str], Rows], items: list[tuple[str, str]], jobs: int, opts: Options) -> Iterator[Rows]:
    from . import parallel

    for outcome in parallel.imap(fn, items, jobs, opts.time_s, opts.memory_mb):
        if outcome.error is None:
            yield outcome.value  # type: ignore[misc]
        else:
            exc = outcome.error
            yield error_rows(getattr(exc, "path", outcome.label), getattr(exc, "problem", str(exc)))


def check_batch(batch: list[tuple[str, bytes | None]], opts: Options) -> list[Rows]:
    """A Dask task: a batch of (path, bytes), checked one after another in a guarded child
    forked from this worker once its checker is built."""
    _warm(opts, [p for p, _ in batch])
    return list(_guarded(lambda i: check_one(batch[int(i)][0], opts, batch[int(i)][1]),
                         [(printable(p), str(i)) for i, (p, _) in enumerate(batch)], 1, opts))


# -- the output ----------------------------------------------------------------------------

def documents_path(out: Path) -> Path:
    """``results.parquet`` -> ``results.documents.parquet`` (``results`` -> ``results.documents``)."""
    return out.with_name(f"{out.stem}.documents{out.suffix}") if out.suffix else out.with_name(out.name + ".documents")


class Store:
    """The two output folders: which documents are done, and writing a part to each."""

    def __init__(self, out: Path) -> None:
        pa = _pyarrow()
        self.items_dir, self.docs_dir = out, documents_path(out)
        for d in (self.items_dir, self.docs_dir):
            if d.exists() and not d.is_dir():
                raise AuditError(f"{d}: exists and is not a folder of Parquet parts (an audit's output); "
                                 "choose another --out")
            d.mkdir(parents=True, exist_ok=True)
        for d in (self.items_dir, self.docs_dir):
            for tmp in d.glob(".tmp-*"):
                tmp.unlink(missing_ok=True)
        committed = {p.name for p in self.docs_dir.glob("*.parquet")}
        for part in self.items_dir.glob("*.parquet"):
            if part.name not in committed:  # a run stopped between the two writes
                part.unlink()
        self.done: set[str] = set()
        for part in sorted(self.docs_dir.glob("*.parquet")):
            self.done.update(pa.parquet.read_table(part, columns=["path"]).column("path").to_pylist())
        self.schemas = _schemas()
        # unique per run, so a rerun never writes over an earlier part
        self.run = f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:12]}"
        self.seq = 0

    def write(self, batch: list[Rows]) -> None:
        """One part in each table for these documents (items first: the documents part commits)."""
        if not batch:
            return
        pa = _pyarrow()
        name = f"part-{self.run}-{self.seq:05d}.parquet"
        self.seq += 1
        items = [r for _, its in batch for r in its]
        docs = [d for d, _ in batch]
        for folder, table_rows, schema in ((self.items_dir, items, self.schemas[0]),
                                           (self.docs_dir, docs, self.schemas[1])):
            table = pa.Table.from_pylist(table_rows, schema=schema)
            tmp = folder / f".tmp-{name}"
            pa.parquet.write_table(table, tmp)
            os.replace(tmp, folder / name)
        self.done.update(d["path"] for d in docs)


# -- running -------------------------------------------------------------------------------

@dataclass
class Tally:
    checked: int = 0
    skipped: int = 0
    errors: int = 0


def run(paths: list[str], out: Path, opts: Options, *, jobs: int = 1, scheduler: Any = None,
        batch_size: int = 20, on_done: Callable[[Rows], None] | None = None,
        part_documents: int = PART_DOCUMENTS) -> Tally:
    """Audit ``paths`` into ``out`` (skipping those already there); ``scheduler``: a Dask
    scheduler address or a ``distributed.Client``, else local processes."""
    store = Store(out)
    todo = [p for p in dict.fromkeys(paths) if printable(p) not in store.done]
    tally = Tally(skipped=len(paths) - len(todo))
    results = (_dask(todo, opts, scheduler, batch_size) if scheduler is not None
               else _local(todo, opts, jobs))
    pending: list[Rows] = []
    try:
        for got in results:
            tally.checked += 1
            tally.errors += got[0]["error"] is not None
            pending.append(got)
            if on_done is not None:
                on_done(got)
            if len(pending) >= part_documents:
                store.write(pending)
                pending = []
    finally:
        store.write(pending)  # also when interrupted: what is done is kept
    return tally


def _warm(opts: Options, paths: list[str]) -> None:
    """The checker, the heading lexicon and the likely readers, loaded before children fork."""
    from .readers import EXTENSIONS, load_reader
    from .sections import load_lexicon

    checker_for(opts)
    load_lexicon()
    formats = {opts.input_format} if opts.input_format else {EXTENSIONS.get(Path(p).suffix.lower(), "text")
                                                             for p in paths}
    for fmt in sorted(formats):
        load_reader(fmt)


def _local(paths: list[str], opts: Options, jobs: int) -> Iterator[Rows]:
    _warm(opts, paths)
    yield from _guarded(lambda p: check_one(p, opts), [(printable(p), p) for p in paths], jobs, opts)


def _read(path: str) -> bytes | Rows:
    from .readers.source import read_bytes

    try:
        return read_bytes(path)
    except InputError as exc:
        return error_rows(printable(exc.path or path), exc.problem)


def _dask(paths: list[str], opts: Options, scheduler: Any, batch_size: int) -> Iterator[Rows]:
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise AuditError("--scheduler needs Dask: pip install 'care-check[dask]'") from None
    client = scheduler if isinstance(scheduler, Client) else _connect(Client, scheduler)
    try:
        shared = client.scatter(opts, broadcast=True)  # the rule set goes to each worker once
        in_flight = 2 * (sum(client.nthreads().values()) or 1)  # every worker busy, the client's memory bounded
        chunks = iter([paths[i:i + batch_size] for i in range(0, len(paths), batch_size)])
        running = as_completed()
        names: dict[str, list[str]] = {}  # a task's key -> its documents
        unreadable: list[Rows] = []

        def submit_next() -> None:
            for chunk in chunks:
                batch = []
                for p in chunk:
                    data = _read(p)
                    if isinstance(data, bytes):
                        batch.append((p, data))
                    else:
                        unreadable.append(data)
                if batch:
                    future = client.submit(check_batch, batch, shared, pure=False)
                    names[future.key] = [p for p, _ in batch]
                    running.add(future)
                    return

        for _ in range(in_flight):
            submit_next()
        yield from _drain(unreadable)
        for future in running:
            try:
                got = future.result()
            except Exception as exc:  # noqa: BLE001 - a lost worker, a failed task: its documents say so
                got = [error_rows(printable(p), f"internal error on the cluster: {type(exc).__name__}: {exc}")
                       for p in names.get(future.key, [])]
            names.pop(future.key, None)
            future.release()
            submit_next()
            yield from got
            yield from _drain(unreadable)
    finally:
        if client is not scheduler:
            client.close()


def _drain(rows_: list[Rows]) -> Iterator[Rows]:
    while rows_:
        yield rows_.pop(0)


def _connect(client_cls: Any, address: str) -> Any:
    try:
        return client_cls(address, timeout="20s")
    except (OSError, TimeoutError) as exc:
        raise AuditError(f"cannot reach the Dask scheduler at {address}: {exc}") from None


def expand_inputs(inputs: list[str], exclude: Iterable[str] = ()) -> tuple[list[str], list[str]]:
    """The documents to audit and a problem line per bad input: a folder is walked like
    ``check`` walks it; a list of paths (one per line, blank lines and lines starting with
    # ignored; ``-`` reads it from standard input) is read; a manuscript is itself."""
    from .walk import expand_paths

    files: list[str] = []
    problems: list[str] = []
    for item in inputs:
        if item != "-" and os.path.isdir(item):
            found, bad = expand_paths([item], tuple(exclude))
            files.extend(found)
            problems.extend(bad)
            continue
        try:
            if item == "-":
                text = sys.stdin.read()
            else:
                with open(item, "rb") as fh:
                    raw = fh.read(_LIST_MAX)
                text = raw.decode("utf-8") if _is_list(item, raw) else None
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{printable(item)}: not a folder, a manuscript nor a readable list of paths ({exc})")
            continue
        if text is None:
            files.append(item)
            continue
        lines = [ln.strip() for ln in text.splitlines()]
        files.extend(ln for ln in lines if ln and not ln.startswith("#"))
    return files, problems


_LIST_MAX = 64 * 1024 * 1024


def _is_list(path: str, raw: bytes) -> bool:
    """A file of paths: not named like a manuscript, or a .txt whose first line names a file."""
    from .readers import EXTENSIONS

    fmt = EXTENSIONS.get(Path(path).suffix.lower())
    if fmt is not None and fmt != "text":
        return False
    if fmt is None:
        return True
    first = next((ln.strip() for ln in raw[:4096].decode("utf-8", "replace").splitlines()
                  if ln.strip() and not ln.strip().startswith("#")), "")
    return bool(first) and len(first) < 4096 and os.path.isfile(first)
