"""Memory over a long batch: resident memory after 500, 1,000 and 2,000 files, one process.

Not a test: it measures. Usage:

    python benchmarks/memory.py ../shared/corpus/pool [--marks 500,1000,2000]

One checker (as shipped, with the learned model) checks the files one after another, as a
batch does; the resident set size (RSS, from /proc/self/statm) is printed after the warm-up
file and at each mark, with the growth per 1,000 files between the first and the last mark.
What may grow: spaCy's vocabulary (every new word of every report is a string and a lexeme,
for the life of the process) and the checker's caches, which are bounded (distinct chunks
and words remembered; past the bound they start afresh).
"""

from __future__ import annotations

import argparse
import os
import sys

from care_check.engine import Checker
from care_check.errors import CareCheckError
from care_check.nlp import get_nlp
from care_check.pipeline import check_path
from care_check.ruleset import load_guideline

from _corpus import files_in  # benchmarks/, beside this script


def rss_mb() -> float:
    """Resident set size of this process, in MB (Linux)."""
    with open("/proc/self/statm", encoding="ascii") as fh:
        pages = int(fh.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder")
    ap.add_argument("--marks", default="500,1000,2000")
    args = ap.parse_args()
    marks = [int(m) for m in args.marks.split(",")]
    files = files_in(args.folder)
    if not files:
        print("no files", file=sys.stderr)
        return 2
    checker = Checker(load_guideline())
    vocab = get_nlp().vocab
    done = 0
    seen: list[tuple[int, float]] = []
    print(f"{'files':>6} {'RSS MB':>8} {'vocab strings':>14}")
    for i in range(max(marks)):
        try:
            check_path(files[i % len(files)], checker)  # past the end: round again
        except CareCheckError:
            pass
        done = i + 1
        if done == 1 or done in marks:
            rss = rss_mb()
            seen.append((done, rss))
            print(f"{done:>6} {rss:>8.1f} {len(vocab.strings):>14,}")
    (n0, r0), (n1, r1) = seen[1], seen[-1]
    print(f"growth {r1 - r0:+.1f} MB from file {n0} to file {n1} ({(r1 - r0) / (n1 - n0) * 1000:+.1f} MB per 1,000 files)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
