"""Draw the labelling sample from the pool and write one reading packet per report.

    python tools/label_packets.py ../shared/corpus/pool WORKDIR [--n 420] [--double 0.15]

The sample is random with a fixed seed, so it is reproducible. A packet is the report's
text cut into numbered sentences (the same segmentation the checker and the model use),
under its headings as written: annotators cite sentence numbers, and
``tools/label_collect.py`` turns the numbers back into verbatim sentences. Packets hold
publishers' text, so WORKDIR must be outside the repository. Nothing of the checker's
judgement (cues, section kinds, verdicts) is written into a packet: annotators never see it.

Also writes ``corpus/labels/sample.json`` (the drawn stems, the doubly labelled subset and
the fixed train/test split), which is decided here, before any labels exist.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from care_check.engine import Checker  # noqa: E402
from care_check.pipeline import load_document  # noqa: E402
from care_check.ruleset import load_guideline  # noqa: E402

SEED = 20261204
TEST_SHARE = 0.30


def split_of(stem: str) -> str:
    """Document-level split fixed by a hash of the file name: never by content or labels."""
    h = int(hashlib.sha256(stem.encode()).hexdigest()[:8], 16)
    return "test" if (h % 1000) < TEST_SHARE * 1000 else "train"


def packet_units(path: str, checker: Checker) -> tuple[list[dict], str]:
    """Numbered units (headings and sentences) of one report, and its format."""
    doc = load_document(path)
    sents = checker.sentences(doc)
    by_sec: dict[int, list] = {}
    for s in sents:
        by_sec.setdefault(s.section, []).append(s)
    units: list[dict] = []
    for i, sec in enumerate(doc.sections):
        if sec.heading.strip():
            units.append({"id": len(units) + 1, "heading": True, "text": sec.heading.strip(), "line": sec.line})
        for s in by_sec.get(i, []):
            units.append({"id": len(units) + 1, "heading": False, "text": s.text, "line": s.line})
    return units, doc.format


def render(stem_file: str, units: list[dict], kind: str) -> str:
    lines = [f"DOCUMENT: {stem_file}",
             "KIND: " + ("PMC body file (no title, abstract or keywords: scope 'body')" if kind == "pmc-body"
                         else "web page saved as one line (decide scope: 'full' if it has title/abstract)"),
             ""]
    for u in units:
        if u.get("heading"):
            lines.append(f"\n[{u['id']}] ### {u['text']}")
        else:
            lines.append(f"[{u['id']}] {u['text']}")
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("pool")
    ap.add_argument("workdir")
    ap.add_argument("--n", type=int, default=420)
    ap.add_argument("--double", type=float, default=0.15)
    a = ap.parse_args()
    pool = Path(a.pool)
    files = sorted(p for p in pool.rglob("*") if p.is_file() and p.suffix in (".txt", ".xml"))
    rng = random.Random(SEED)
    sample = sorted(rng.sample(files, a.n))
    double = sorted(rng.sample(sample, round(a.double * a.n)))
    work = Path(a.workdir)
    (work / "packets").mkdir(parents=True, exist_ok=True)
    (work / "units").mkdir(parents=True, exist_ok=True)
    checker = Checker(load_guideline())
    for p in sample:
        units, _fmt = packet_units(str(p), checker)
        kind = p.parent.name
        (work / "packets" / f"{p.stem}.txt").write_text(render(p.name, units, kind), encoding="utf-8")
        (work / "units" / f"{p.stem}.json").write_text(json.dumps({"document": p.name, "kind": kind,
                                                                   "units": units}), encoding="utf-8")
    meta = {
        "seed": SEED,
        "source": "../shared/corpus/pool",
        "documents": [{"stem": p.stem, "file": f"{p.parent.name}/{p.name}", "split": split_of(p.stem)}
                      for p in sample],
        "double_labelled": [p.stem for p in double],
        "test_share": TEST_SHARE,
        "split_rule": "sha256(stem)[:8] as an integer, mod 1000 < 300 -> test",
    }
    out = ROOT / "corpus" / "labels" / "sample.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    n_test = sum(d["split"] == "test" for d in meta["documents"])
    print(f"{len(sample)} packets in {work}/packets; {len(double)} doubly labelled; test {n_test}, "
          f"train {len(sample) - n_test}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
