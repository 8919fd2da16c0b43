"""Where a repository starts, so CI reports name files the way the repository does.

Code scanning, workflow annotations and test reports match a finding to a file by its
path from the repository root, whatever folder care-check ran in. The root is the nearest
folder from the current one upward that holds ``.git`` (a folder, or a file in a git
worktree); outside a repository it is the current folder.
"""

from __future__ import annotations

import os
from pathlib import Path


def find_root(start: Path | None = None) -> Path:
    """The nearest folder from ``start`` (default: the current one) upward holding ``.git``."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    return here


def relative_to_root(path: str, root: Path) -> str | None:
    """``path`` from ``root``, normalised, with forward slashes; None when it lies outside."""
    full = Path(os.path.normpath(os.path.abspath(path)))
    try:
        return full.relative_to(root).as_posix()
    except ValueError:
        return None


def display_path(path: str, root: Path) -> str:
    """The path a CI annotation names: from the root when inside it, else normalised as given."""
    rel = relative_to_root(path, root)
    return rel if rel is not None else Path(os.path.normpath(path)).as_posix()
