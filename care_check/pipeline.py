"""One manuscript through the whole flow: read -> sections -> match -> verdicts."""

from __future__ import annotations

from .engine import Checker
from .model import Document, Report
from .readers import read_path
from .sections import classify


def load_document(path: str, fmt: str | None = None) -> Document:
    """Read a file and classify its sections; raises InputError for unreadable input."""
    return classify(read_path(path, fmt))


def check_path(path: str, checker: Checker, fmt: str | None = None) -> Report:
    """The report for one file."""
    return checker.check(load_document(path, fmt))
