"""Parallel benchmark: ``check --jobs 2`` against ``--jobs 1`` in the same run, with the
peak memory of the whole process tree.

Not a test: it measures. Usage:

    python benchmarks/parallel.py ../shared/corpus/pool [--limit N] [--rounds R] [--jobs 2]

Each round runs the real command line, ``care-check check FILES --format jsonl -o /dev/null``,
once with ``--jobs 1`` and once with ``--jobs N`` (alternating which goes first, so a change
in the machine's load falls on both), and prints the wall-clock time of each and their
ratio. While each runs, the process tree (the command and every per-file child) is sampled
every 50 ms from /proc: the peak of the summed proportional set size (PSS: a page shared by
the parent and its forked children is counted once, split between them) is the memory the
pool really holds; the peak of the summed resident set size (RSS: shared pages counted in
every process) is an upper bound. Linux only.

"Cores busy" is the processor time of the whole tree over the wall-clock time: where the
machine is shared, the kernel's scheduler (autogroup) gives one terminal session's
processes one share together, so ``--jobs 2`` can only be faster when cores are free; the
figure says whether they were.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import threading
import time

from _corpus import files_in  # benchmarks/, beside this script


CLI = [sys.executable, "-m", "care_check"]


def _tree(root: int) -> list[int]:
    """``root`` and its descendants (from /proc/*/stat parent ids)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        parents.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(parents.get(pid, []))
    return out


def _memory_kb(pid: int) -> tuple[int, int]:
    """(PSS, RSS) of one process in kB; zeros when it is gone."""
    pss = rss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss = int(line.split()[1])
    except (OSError, ValueError):
        pass
    return pss, rss


class Sampler(threading.Thread):
    """Peak summed PSS and RSS of a process tree, sampled until stopped."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root, self.peak_pss, self.peak_rss, self.most = root, 0, 0, 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.05):
            pids = _tree(self.root)
            mem = [_memory_kb(p) for p in pids]
            self.peak_pss = max(self.peak_pss, sum(m[0] for m in mem))
            self.peak_rss = max(self.peak_rss, sum(m[1] for m in mem))
            self.most = max(self.most, len(pids))


def run(files: list[str], jobs: int) -> tuple[float, Sampler, int, float]:
    """Wall-clock seconds, the memory sampler, file errors, and processor seconds of the tree."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen([*CLI, "check", *files, "--format", "jsonl", "-o", os.devnull, "--jobs", str(jobs)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sampler = Sampler(proc.pid)
    sampler.start()
    _, err = proc.communicate()
    took = time.perf_counter() - start
    sampler.done.set()
    sampler.join()
    errors = err.decode("utf-8", "replace").count("care-check: error:")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the command and its reaped children
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return took, sampler, errors, cpu


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder")
    ap.add_argument("--limit", type=int, default=0, help="only the first N files (default: all)")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    files = files_in(args.folder, args.limit)
    if not files:
        print("no files", file=sys.stderr)
        return 2
    print(f"{len(files)} files, {args.rounds} round(s), --jobs 1 vs --jobs {args.jobs}, "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    ratios = []
    for r in range(args.rounds):
        order = (1, args.jobs) if r % 2 == 0 else (args.jobs, 1)
        got = {}
        for jobs in order:
            took, mem, errors, cpu = run(files, jobs)
            got[jobs] = took
            print(f"  round {r + 1} --jobs {jobs}: {took:7.1f} s, {len(files) / took:5.1f} files/s, "
                  f"{cpu:6.1f} s of processor time = {cpu / took:4.2f} cores busy, "
                  f"peak PSS {mem.peak_pss / 1024:6.0f} MB, peak RSS {mem.peak_rss / 1024:6.0f} MB "
                  f"(summed over up to {mem.most} processes), {errors} file errors", flush=True)
        ratios.append(got[1] / got[args.jobs])
        print(f"  round {r + 1}: --jobs {args.jobs} is {ratios[-1]:.2f}x faster than --jobs 1", flush=True)
    print(f"speed-up --jobs {args.jobs} / --jobs 1: median {statistics.median(ratios):.2f}x over {len(ratios)} round(s); "
          f"load average {os.getloadavg()[0]:.1f} at the end")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
