"""Throughput benchmark: the full check against spaCy's tokenizer alone, in the same run.

Not a test: it measures. Usage:

    python benchmarks/throughput.py ../shared/corpus/pool [--limit N] [--no-cold]

The figure to compare is the ratio **full check / tokenizer alone**: on a shared, noisy
machine absolute seconds move with the load, a ratio taken in one run does not. Every file
is read once; then, file by file and alternately, the three are timed on it:

- the tokenizer alone: ``get_nlp().tokenizer(text)`` on the file's decoded text, with its
  cache already warm (every text is tokenized once, untimed, before the timed pass), so the
  tokenizer is at its fastest and the ratio is the strict one;
- the full check as shipped (read -> sections -> match -> verdicts, with the learned
  sentence model the rules use; no rendering);
- the rules alone (``--no-model``).

Then the cold single-file CLI time (median of 5 fresh interpreters; ``--no-cold`` skips it).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from care_check.engine import Checker
from care_check.errors import CareCheckError
from care_check.nlp import get_nlp
from care_check.pipeline import check_path
from care_check.ruleset import load_guideline

from _corpus import files_in  # benchmarks/, beside this script


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder")
    ap.add_argument("--limit", type=int, default=0, help="only the first N files (sorted by path)")
    ap.add_argument("--no-cold", action="store_true", help="skip the cold CLI measurement")
    args = ap.parse_args()
    files = files_in(args.folder, args.limit)
    if not files:
        print("no files", file=sys.stderr)
        return 2
    checker = Checker(load_guideline())
    rules_only = Checker(load_guideline(), None)
    tokenizer = get_nlp().tokenizer
    texts = [Path(f).read_text(encoding="utf-8", errors="replace") for f in files]
    words = sum(len(t.split()) for t in texts)
    for t in texts:  # warm the tokenizer's cache: it is timed at its fastest
        tokenizer(t)

    errors = 0
    tok_s = full_s = bare_s = 0.0
    for f, text in zip(files, texts):
        t0 = time.perf_counter()
        tokenizer(text)
        t1 = time.perf_counter()
        tok_s += t1 - t0
        for which in (checker, rules_only):
            t0 = time.perf_counter()
            try:
                check_path(f, which)
            except CareCheckError as exc:
                if which is checker:
                    errors += 1
                    print(f"error: {exc}", file=sys.stderr)
            dt = time.perf_counter() - t0
            if which is checker:
                full_s += dt
            else:
                bare_s += dt

    print(f"files                 {len(files)}")
    print(f"words                 {words}")
    print(f"errors                {errors}")
    print(f"tokenizer: seconds    {tok_s:.2f} ({words / tok_s:,.0f} words/s)")
    print(f"check: seconds        {full_s:.2f} ({len(files) / full_s:.1f} reports/s, {words / full_s:,.0f} words/s)")
    print(f"rules alone: seconds  {bare_s:.2f}")
    print(f"check / tokenizer     {full_s / tok_s:.2f}x  (full check, as shipped, per core)")
    print(f"rules / tokenizer     {bare_s / tok_s:.2f}x  (--no-model)")
    print(f"model cost            {full_s / bare_s:.2f}x the rules alone")
    if not args.no_cold:
        cold_s, cold_bare = cold(files[0], []), cold(files[0], ["--no-model"])
        print(f"cold CLI, one file    {cold_s:.2f} s (median of 5); rules alone {cold_bare:.2f} s")
    return 1 if errors else 0


def cold(path: str, extra: list[str]) -> float:
    """Median wall time of 5 fresh ``care-check check`` processes on one file."""
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "care_check", "check", path, "--format", "json", *extra],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - t0)
    return sorted(times)[len(times) // 2]


if __name__ == "__main__":
    raise SystemExit(main())
