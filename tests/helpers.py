"""Small helpers for tests: check a passage written as Markdown."""

from __future__ import annotations

from care_check.engine import Checker
from care_check.model import Report
from care_check.readers import markdown
from care_check.sections import classify


def check_markdown(checker: Checker, text: str, path: str = "example.md") -> Report:
    return checker.check(classify(markdown.read(path, text)))


def verdict(report: Report, item_id: str):
    return next(v for v in report.verdicts if v.id == item_id)


def stall_on(monkeypatch, name_end: str, seconds: float = 60) -> None:
    """Make checking any file whose path ends with ``name_end`` hang (for the time budget)."""
    import time

    import care_check.pipeline as pipeline

    real = pipeline.check_path

    def stall(path, checker, fmt=None):
        if path.endswith(name_end):
            time.sleep(seconds)
        return real(path, checker, fmt)

    monkeypatch.setattr(pipeline, "check_path", stall)
