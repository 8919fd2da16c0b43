"""Snapshot every verdict and its evidence for a set of files, or compare with a snapshot.

Not a test: a safety net for engine optimisations, which must not change a single verdict,
message or evidence sentence. Usage:

    python benchmarks/verdict_snapshot.py save  SNAPSHOT.json PATH...   # before the change
    python benchmarks/verdict_snapshot.py check SNAPSHOT.json PATH...   # after: exit 1 on any difference

PATH may be files or folders (every supported file inside). Each file is checked in this
process (as shipped, with the learned signal, and with the rules alone) and its verdicts are
written in the JSON report's own shape, so the comparison is byte for byte.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from care_check.engine import Checker
from care_check.errors import CareCheckError
from care_check.pipeline import check_path
from care_check.reporters.json_report import report_dict
from care_check.ruleset import load_guideline

from _corpus import files_in  # benchmarks/, beside this script


def files_of(paths: list[str]) -> list[str]:
    """The files `care-check check PATH...` would check, each folder's in sorted order."""
    return [f for p in paths for f in (files_in(p) if Path(p).is_dir() else [p])]


def snapshot(files: list[str]) -> dict[str, object]:
    """{file: {"shipped": items, "rules": items}} with items as the JSON report writes them."""
    checkers = {"shipped": Checker(load_guideline()), "rules": Checker(load_guideline(), None)}
    out: dict[str, object] = {}
    for f in files:
        entry: dict[str, object] = {}
        for name, checker in checkers.items():
            try:
                entry[name] = report_dict(check_path(f, checker))["items"]
            except CareCheckError as exc:
                entry[name] = f"error: {exc}"
        out[f] = entry
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=["save", "check"])
    ap.add_argument("snapshot")
    ap.add_argument("paths", nargs="+")
    args = ap.parse_args()
    files = files_of(args.paths)
    now = snapshot(files)
    if args.mode == "save":
        Path(args.snapshot).write_text(json.dumps(now, ensure_ascii=False, sort_keys=True, indent=0), encoding="utf-8")
        print(f"saved {len(now)} files to {args.snapshot}")
        return 0
    before = json.loads(Path(args.snapshot).read_text(encoding="utf-8"))
    diffs = 0
    for f in files:
        if f not in before:
            print(f"not in snapshot: {f}", file=sys.stderr)
            diffs += 1
            continue
        for name in ("shipped", "rules"):
            a = json.dumps(before[f][name], ensure_ascii=False, sort_keys=True)
            b = json.dumps(now[f][name], ensure_ascii=False, sort_keys=True)
            if a != b:
                diffs += 1
                print(f"DIFFERENT ({name}): {f}", file=sys.stderr)
    print(f"{len(files)} files compared, {diffs} different")
    return 1 if diffs else 0


if __name__ == "__main__":
    raise SystemExit(main())
