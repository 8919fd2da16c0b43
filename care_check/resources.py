"""Where the bundled rule files live, in a source checkout and in an installed wheel."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path


@lru_cache(maxsize=1)
def rules_root() -> Path:
    """The folder holding ``sections.yaml`` and one folder per guideline.

    A source checkout (or an editable install) reads the top-level ``rules/`` so a rule
    author sees an edit at once; a wheel carries the same files as ``care_check/rules``.
    Found once per process (every file read asks for the heading lexicon).
    """
    checkout = Path(__file__).resolve().parent.parent / "rules"
    if (checkout / "sections.yaml").is_file():
        return checkout
    return Path(str(resources.files("care_check") / "rules"))
