"""One manuscript through the whole flow: read -> sections -> match -> verdicts."""

from __future__ import annotations

from .engine import Checker
from .model import Document, Report
from .readers import read_data, read_path
from .sections import classify


def load_document(path: str, fmt: str | None = None, data: bytes | None = None) -> Document:
    """Read a file (or ``data`` named ``path``, from stdin) and classify its sections.

    Raises InputError for unreadable input.
    """
    return classify(read_path(path, fmt) if data is None else read_data(path, data, fmt))


def check_path(path: str, checker: Checker, fmt: str | None = None, data: bytes | None = None) -> Report:
    """The report for one file (or for ``data`` read from standard input)."""
    return checker.check(load_document(path, fmt, data))
