"""Throughput benchmark: reports per second over a folder, against spaCy's tokenizer alone.

Not a test: it measures. Usage:

    python benchmarks/throughput.py ../shared/corpus/pool [--limit N]

Prints files, words, seconds for the full check (read -> sections -> match -> verdicts,
no rendering), reports/second, words/second, the same for spaCy's tokenizer alone on the
same texts, the ratio between the two, and the cold single-file CLI time. The check runs
twice in the same pass, file by file alternately: with the learned sentence model the
rules use, and with the rules alone (``--no-model``), so their ratio is measured in one run
on a shared, noisy machine.
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
    rules_only = Checker(load_guideline(), None)
    nlp = get_nlp()
    texts = [Path(f).read_text(encoding="utf-8", errors="replace") for f in files]
    words = sum(len(t.split()) for t in texts)

    t0 = time.perf_counter()
    for t in texts:
        nlp.tokenizer(t)
    tok_s = time.perf_counter() - t0

    errors = 0
    full_s = bare_s = 0.0
    for f in files:
        for which in (checker, rules_only):
            t0 = time.perf_counter()
            try:
                check_path(f, which)
            except CareCheckError as exc:
                errors += which is checker
                if which is checker:
                    print(f"error: {exc}", file=sys.stderr)
            dt = time.perf_counter() - t0
            if which is checker:
                full_s += dt
            else:
                bare_s += dt

    def cold(extra: list[str]) -> float:
        times = []
        for _ in range(5):  # a fresh interpreter each time; the median hides one-off stalls
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "care_check", "check", files[0], "--format", "json", *extra],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            times.append(time.perf_counter() - t0)
        return sorted(times)[len(times) // 2]

    cold_s, cold_bare = cold([]), cold(["--no-model"])
    model_dir = checker.model.path if checker.model else None
    model_mb = sum(p.stat().st_size for p in model_dir.rglob("*") if p.is_file()) / 1e6 if model_dir else 0.0

    print(f"files                 {len(files)}")
    print(f"words                 {words}")
    print(f"errors                {errors}")
    print(f"check: seconds        {full_s:.2f}")
    print(f"check: reports/s      {len(files) / full_s:.1f}")
    print(f"check: words/s        {words / full_s:,.0f}")
    print(f"tokenizer: seconds    {tok_s:.2f}")
    print(f"tokenizer: words/s    {words / tok_s:,.0f}")
    print(f"check / tokenizer     {full_s / tok_s:.1f}x the tokenizer's time")
    print(f"rules alone: seconds  {bare_s:.2f} ({bare_s / tok_s:.1f}x the tokenizer's time)")
    print(f"model cost            {full_s / bare_s:.2f}x the rules alone; model on disk {model_mb:.1f} MB")
    print(f"cold CLI, one file    {cold_s:.2f} s (median of 5); rules alone {cold_bare:.2f} s "
          f"(model adds {cold_s - cold_bare:+.2f} s)")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
