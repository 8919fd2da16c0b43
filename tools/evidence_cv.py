"""Out-of-fold evidence precision on the train split: is the first quote a reference sentence?

    python tools/evidence_cv.py --models /tmp/cv

The shipped model was trained on the train split, so quoting train reports with it is
in-sample. Here each train report is checked with the fold model (``tools/crossval.py``'s
folds, trained when missing) that never saw it, and the share of true "reported" verdicts
whose first quote is one of the reference sentences is printed per item and overall.
The test split is never read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from crossval import fold_of  # noqa: E402
from train_model import POOL, document_path, labelled, train  # noqa: E402

from care_check.engine import Checker  # noqa: E402
from care_check.errors import CareCheckError  # noqa: E402
from care_check.evaluate import Evaluation, ItemScore, format_errors, score_report  # noqa: E402
from care_check.learned import SentenceModel  # noqa: E402
from care_check.pipeline import load_document  # noqa: E402
from care_check.ruleset import load_guideline  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", required=True, help="fold models folder (trained when missing)")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--errors", action="store_true", help="list the wrong first quotes")
    a = ap.parse_args()
    labels = labelled("train")
    ruleset = load_guideline()
    scores = {r.spec.id: ItemScore(r.spec.id) for r in ruleset.rules}
    for k in range(a.folds):
        held = [s for s in labels if fold_of(s, a.folds) == k]
        mdir = Path(a.models) / f"fold{k}"
        if not (mdir / "config.cfg").is_file():
            train([s for s in labels if fold_of(s, a.folds) != k], labels, mdir, POOL, quiet=True)
        checker = Checker(ruleset, SentenceModel(mdir))
        for stem in held:
            lab = labels[stem]
            try:
                report = checker.check(load_document(str(document_path(lab, POOL))))
            except CareCheckError as exc:
                print(f"skipped {stem}: {exc}", file=sys.stderr)
                continue
            score_report(report, lab, scores, lab["document"])
    ev = Evaluation(scores, len(labels), [])
    right, checked = ev.evidence_precision()
    for i, s in scores.items():
        if s.quoted:
            print(f"{i:>9} {s.quoted_right:>4}/{s.quoted:<4} {s.evidence_precision:.3f}")
    print(f"out-of-fold evidence precision: {right}/{checked} = {right / checked:.3f}")
    if a.errors:
        for s in scores.values():
            s.errors = [e for e in s.errors if e["kind"] == "wrong quote"]
        print(format_errors(ev))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
