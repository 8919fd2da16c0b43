"""Cost grows linearly with the document: a long report 1x, 4x and 16x its size, and runs
of white space or one unbroken word of 10k, 40k and 160k characters. Times are compared
within one test run (the minimum of a few repeats), with generous bounds: on a loaded
machine a ratio is steady where seconds are not. Memory stays flat over a batch."""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

import pytest

from care_check.engine import Checker
from care_check.pipeline import check_path
from care_check.ruleset import load_guideline

ROOT = Path(__file__).resolve().parent.parent
MANUSCRIPTS = sorted((ROOT / "corpus").glob("*.md"))


def long_report(times: int) -> bytes:
    """The repository's example manuscripts, one after the other, ``times`` over."""
    text = "\n\n".join(p.read_text(encoding="utf-8") for p in MANUSCRIPTS)
    return "\n\n".join([text] * times).encode("utf-8")


def best_time(checker: Checker, name: str, data: bytes, repeats: int = 3) -> float:
    check_path(name, checker, data=data)  # first run: the chunks are learned
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        check_path(name, checker, data=data)
        best = min(best, time.perf_counter() - t0)
    return best


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker(load_guideline())


def test_a_long_report_costs_in_proportion_to_its_length(checker):
    t1, t4, t16 = (best_time(checker, "report.md", long_report(k)) for k in (1, 4, 16))
    assert t4 < 10 * t1, (t1, t4)
    assert t16 < 40 * t1, (t1, t16)


@pytest.mark.parametrize("filler", ["spaces", "tabs", "word"])
def test_pathological_runs_cost_in_proportion_to_their_length(checker, filler):
    def page(n: int) -> bytes:
        run = {"spaces": " " * n, "tabs": "\t" * n, "word": ("Pneumonoultramicroscopic" * (n // 24 + 1))[:n]}[filler]
        return f"Case presentation\n\nA 52-year-old man had fever. {run} He recovered.\n".encode("utf-8")

    t10, t40, t160 = (best_time(checker, "page.txt", page(n)) for n in (10_000, 40_000, 160_000))
    assert t40 < 10 * t10, (t10, t40)
    assert t160 < 40 * t10, (t10, t160)


def _rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


@pytest.mark.skipif(not Path("/proc/self/statm").is_file(), reason="needs Linux /proc")
def test_memory_stays_flat_over_a_batch_of_new_words():
    """Two hundred and fifty small reports, each with a hundred words never seen before (as a real
    batch meets new drug names, places and misspellings): spaCy's vocabulary does not keep
    them and the checker's caches are bounded, so the second half costs no memory."""
    checker = Checker(load_guideline())
    rnd = random.Random(7)
    base = (ROOT / "corpus" / "gappy-case-report.md").read_text(encoding="utf-8")

    def report(i: int) -> bytes:
        words = " ".join("".join(rnd.choice("bcdfghjklmnprstvz") + rnd.choice("aeiou") for _ in range(4)) + "ine"
                         for _ in range(100))
        return f"{base}\n\n## Discussion\n\nCase {i} was treated with {words}.\n".encode("utf-8")

    marks = {}
    for i in range(250):
        check_path(f"r{i}.md", checker, data=report(i))
        if i + 1 in (100, 250):
            marks[i + 1] = _rss_mb()
    assert marks[250] - marks[100] < 8.0, marks
    assert len(checker.nlp.vocab.strings) < 20_000  # the 25,000 new words were not kept
