"""Shared fixtures. Tests that read ../shared/corpus skip cleanly when it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from care_check.engine import Checker
from care_check.ruleset import load_guideline

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"


@pytest.fixture(scope="session")
def checker() -> Checker:
    return Checker(load_guideline())


def shared_corpus() -> Path:
    if not (CORPUS / "dev" / "docs").is_dir():
        pytest.skip("../shared/corpus is not present (fresh clone)")
    return CORPUS
