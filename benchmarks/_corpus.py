"""The files a benchmark runs over: what `care-check check FOLDER` would check, sorted by path."""

from __future__ import annotations

from care_check.walk import expand_paths


def files_in(folder: str, limit: int = 0) -> list[str]:
    """The manuscripts under ``folder`` in path order (only the first ``limit`` when given)."""
    files = sorted(expand_paths([folder])[0])
    return files[:limit] if limit else files
