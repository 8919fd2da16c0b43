"""Throughput benchmark: reports per second over a folder, against spaCy's tokenizer alone.

Not a test: it measures. Usage:

    python benchmarks/throughput.py ../shared/corpus/pool [--limit N]

Prints files, words, seconds for the full check (read -> sections -> match -> verdicts,
no rendering), reports/second, words/second, the same for spaCy's tokenizer alone on the
same texts, the ratio between the two, and the cold single-file CLI time.
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
from care_check.readers import EXTENSIONS
from care_check.ruleset import load_guideline


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder")
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args()
    files = sorted(str(p) for p in Path(args.folder).rglob("*") if p.is_file() and p.suffix.lower() in EXTENSIONS)
    if args.limit:
        files = files[: args.limit]
    if not files:
        print("no files", file=sys.stderr)
        return 2
    checker = Checker(load_guideline())
    nlp = get_nlp()
    texts = [Path(f).read_text(encoding="utf-8", errors="replace") for f in files]
    words = sum(len(t.split()) for t in texts)

    t0 = time.perf_counter()
    for t in texts:
        nlp.tokenizer(t)
    tok_s = time.perf_counter() - t0

    errors = 0
    t0 = time.perf_counter()
    for f in files:
        try:
            check_path(f, checker)
        except CareCheckError as exc:
            errors += 1
            print(f"error: {exc}", file=sys.stderr)
    full_s = time.perf_counter() - t0

    colds = []
    for _ in range(5):  # a fresh interpreter each time; the median hides one-off stalls
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "care_check", "check", files[0], "--format", "json"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        colds.append(time.perf_counter() - t0)
    cold_s = sorted(colds)[len(colds) // 2]

    print(f"files                 {len(files)}")
    print(f"words                 {words}")
    print(f"errors                {errors}")
    print(f"check: seconds        {full_s:.2f}")
    print(f"check: reports/s      {len(files) / full_s:.1f}")
    print(f"check: words/s        {words / full_s:,.0f}")
    print(f"tokenizer: seconds    {tok_s:.2f}")
    print(f"tokenizer: words/s    {words / tok_s:,.0f}")
    print(f"check / tokenizer     {full_s / tok_s:.1f}x the tokenizer's time")
    print(f"cold CLI, one file    {cold_s:.2f} s (median of 5)")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
