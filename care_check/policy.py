"""Whether one verdict fails the run: the single rule behind the exit code and every CI format.

The exit code, JUnit failures, workflow annotations and the quiet summary all ask this, so
a report never shows a failure that does not fail the build, or the reverse.
"""

from __future__ import annotations

from .model import Status, Verdict

FAILING = {"missing": frozenset({Status.MISSING}),
           "partial": frozenset({Status.MISSING, Status.PARTIAL}),
           "never": frozenset()}


def fails(v: Verdict, fail_on: str, suppressed: str | None = None) -> bool:
    """True when ``v`` is at or above ``fail_on``, not of severity info and not suppressed."""
    return v.status in FAILING[fail_on] and v.severity != "info" and not suppressed


def is_gap(v: Verdict) -> bool:
    """Missing or partial: what CI formats list as findings."""
    return v.status in (Status.MISSING, Status.PARTIAL)
