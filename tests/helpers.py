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
