"""Compare sentence-model recipes on the train split: fold models and scoring cost.

    python tools/model_variants.py train CONFIG --out DIR      # DIR/fold0..4, crossval.py's folds
    python tools/model_variants.py cost DIR [DIR ...]           # scoring time vs the shipped model

``train`` trains one model per fold of ``tools/crossval.py`` with another training config
(the examples of each fold are built once, in ``DIR/../_bins``, and shared by every recipe);
then ``tools/evidence_cv.py --models DIR`` and ``tools/crossval.py --models DIR`` measure it.
``cost`` scores every sentence of 200 pool reports with each model and with the shipped one,
in the same run, and prints the time ratio (the budget is a ratio, never a time). The test
split is never read.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from crossval import fold_of  # noqa: E402
from train_model import POOL, labelled, train  # noqa: E402


def train_folds(config: Path, out: Path, folds: int = 5) -> None:
    labels = labelled("train")
    for k in range(folds):
        mdir = out / f"fold{k}"
        if (mdir / "config.cfg").is_file():
            continue
        t0 = time.perf_counter()
        rest = [s for s in labels if fold_of(s, folds) != k]
        train(rest, labels, mdir, POOL, quiet=True, config=config.resolve(), bins=out.parent / "_bins" / f"fold{k}")
        print(f"fold {k}: trained in {time.perf_counter() - t0:.0f} s", file=sys.stderr)


def pool_texts(n: int = 200) -> list[str]:
    """Model texts of every scored sentence of the first ``n`` readable pool reports."""
    from care_check.engine import MIN_SCORED_WORDS, Checker
    from care_check.errors import CareCheckError
    from care_check.learned import model_text
    from care_check.pipeline import load_document
    from care_check.ruleset import load_guideline

    checker = Checker(load_guideline(), None)
    texts: list[str] = []
    done = 0
    for p in sorted(POOL.rglob("*")):
        if done >= n or not p.is_file():
            continue
        try:
            doc = load_document(str(p))
        except CareCheckError:
            continue
        done += 1
        texts += [model_text(doc.sections[s.section].kind, s.text) for s in checker.sentences(doc)
                  if s.text.count(" ") >= MIN_SCORED_WORDS - 1]
    return texts


def cost(dirs: list[Path], rounds: int = 3) -> None:
    from care_check.learned import MODEL_DIR, SentenceModel

    texts = pool_texts()
    models = {"shipped": SentenceModel(MODEL_DIR), **{str(d): SentenceModel(d) for d in dirs}}
    best = {name: float("inf") for name in models}
    for _ in range(rounds):  # interleaved, best of rounds: the machine is shared
        for name, m in models.items():
            t0 = time.perf_counter()
            m.scores(texts)
            best[name] = min(best[name], time.perf_counter() - t0)
    print(f"{len(texts)} sentences of 200 pool reports")
    for name, t in best.items():
        print(f"{name}: {t / best['shipped']:.2f} x the shipped model's scoring time")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train")
    t.add_argument("config")
    t.add_argument("--out", required=True)
    c = sub.add_parser("cost")
    c.add_argument("dirs", nargs="+")
    a = ap.parse_args()
    if a.cmd == "train":
        train_folds(Path(a.config), Path(a.out))
    else:
        cost([Path(d) for d in a.dirs])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
