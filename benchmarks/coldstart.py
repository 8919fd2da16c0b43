"""Cold start: one-file ``care-check check`` beside ``python -c "import spacy"``, same run.

Not a test: it measures. Usage:

    python benchmarks/coldstart.py [FILE] [--runs 5] [--format text]

Runs, alternately and ``--runs`` times each, a fresh interpreter that only imports spaCy
and a fresh ``care-check check FILE`` (default: the repository's complete example
manuscript), and prints the median wall-clock time of each and their ratio. On a shared
machine the absolute times move with the load; the ratio is what compares. One check runs
first to fill the rule cache (see care_check.cache), as any earlier run of care-check would;
``--no-cache`` measures with the cache turned off instead.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    took = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.decode()[:300]}")
    return took


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", nargs="?", default=str(ROOT / "corpus" / "complete-case-report.md"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--format", default="text")
    ap.add_argument("--no-cache", action="store_true", help="measure with the rule cache turned off")
    args = ap.parse_args()
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "0"}
    if args.no_cache:
        env["CARE_CHECK_NO_CACHE"] = "1"
    spacy_cmd = [sys.executable, "-c", "import spacy"]
    check_cmd = [sys.executable, "-m", "care_check", "check", args.file, "--format", args.format]
    timed(check_cmd, env)  # bytecode and the rule cache, as after any earlier run
    timed(spacy_cmd, env)
    spacy_t, check_t = [], []
    for _ in range(args.runs):
        spacy_t.append(timed(spacy_cmd, env))
        check_t.append(timed(check_cmd, env))
    s, c = statistics.median(spacy_t), statistics.median(check_t)
    print(f"load average {os.getloadavg()[0]:.1f}; medians of {args.runs}, alternated")
    print(f"  python -c 'import spacy'        {s:.2f} s   ({', '.join(f'{t:.2f}' for t in spacy_t)})")
    print(f"  care-check check {Path(args.file).name} --format {args.format}"
          f"{' (no cache)' if args.no_cache else ''}  {c:.2f} s   ({', '.join(f'{t:.2f}' for t in check_t)})")
    print(f"  ratio: {c / s:.2f}x the spaCy import alone")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
