"""Five-fold document-level cross-validation on the train split: rules alone vs rules + model.

    python tools/crossval.py [--folds 5] [--write-thresholds]

For each fold a model is trained (``tools/train_model.py``'s recipe) on the other folds'
reports, and the held-out reports are checked with the rules alone and with every item's
``model`` signals at thresholds 0.3 ... 0.9. Per item the best setting wins; the model
signal is kept only where it beats the rules alone (by at least ``--margin`` macro-F1).
Writes ``corpus/labels/crossval.json`` (or ``--out``). With ``--write-thresholds`` the
chosen threshold is written into each item's YAML (``model: T``), and the model signal is
commented out where the rules alone won. The test split is never read.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from train_model import LABELS, POOL, document_path, labelled, train  # noqa: E402

from care_check.engine import Checker  # noqa: E402
from care_check.errors import CareCheckError  # noqa: E402
from care_check.evaluate import ItemScore  # noqa: E402
from care_check.learned import SentenceModel  # noqa: E402
from care_check.model import Status  # noqa: E402
from care_check.pipeline import load_document  # noqa: E402
from care_check.ruleset import load_guideline  # noqa: E402

GRID = (0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
FLOORS = (0.0, 0.01, 0.02, 0.05, 0.1)
OFF = 1.01  # no score reaches it: the rules alone


def fold_of(stem: str, k: int) -> int:
    return int(hashlib.sha256(("fold" + stem).encode()).hexdigest()[:8], 16) % k


def score(preds: dict[str, list[tuple[bool, bool]]]) -> dict[str, ItemScore]:
    out = {}
    for item, pairs in preds.items():
        s = ItemScore(item)
        for truth, pred in pairs:
            s.n += 1
            s.gold_present += truth
            s.gold_absent += not truth
            s.tp += truth and pred
            s.fn += truth and not pred
            s.fp += pred and not truth
            s.tn += not truth and not pred
        out[item] = s
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--margin", type=float, default=0.005)
    ap.add_argument("--write-thresholds", action="store_true")
    ap.add_argument("--pool", default=str(POOL))
    ap.add_argument("--models", help="keep the fold models in this folder (reused when present)")
    ap.add_argument("--rules", help="another guideline folder (e.g. a copy with every learned signal switched on)")
    ap.add_argument("--out", default=str(LABELS / "crossval.json"), help="where the result goes")
    a = ap.parse_args()
    pool = Path(a.pool)
    labels = labelled("train")
    ruleset = load_guideline(a.rules)
    items = [r.spec.id for r in ruleset.rules]
    model_items = {r.spec.id for r in ruleset.rules if r.spec.model_thresholds}
    settings = [(t, f) for t in (OFF, *GRID) for f in FLOORS]
    preds: dict[tuple, dict[str, list[tuple[bool, bool]]]] = {s: {i: [] for i in items} for s in settings}
    workdir = Path(a.models) if a.models else Path(tempfile.mkdtemp(prefix="care-cv-"))
    for k in range(a.folds):
        held = [s for s in labels if fold_of(s, a.folds) == k]
        rest = [s for s in labels if fold_of(s, a.folds) != k]
        mdir = workdir / f"fold{k}"
        if not (mdir / "config.cfg").is_file():
            train(rest, labels, mdir, pool, quiet=True)
        checker = Checker(ruleset, SentenceModel(mdir))
        for stem in held:
            lab = labels[stem]
            try:
                doc = load_document(str(document_path(lab, pool)))
            except CareCheckError as exc:
                print(f"skipped {stem}: {exc}", file=sys.stderr)
                continue
            sents = checker.sentences(doc)
            for t, f in settings:
                checker.thresholds = {i: t for i in items}
                checker.floors = {i: f for i in items}
                report = checker.check(doc, sents)
                for v in report.verdicts:
                    gold = lab["items"].get(v.id, {}).get("label")
                    if gold in ("present", "absent"):
                        preds[(t, f)][v.id].append((gold == "present", v.status in (Status.REPORTED, Status.PARTIAL)))
        print(f"fold {k}: {len(held)} held out, trained on {len(rest)}", file=sys.stderr)
    scores = {t: score(p) for t, p in preds.items()}
    result = {"folds": a.folds, "documents": len(labels), "margin": a.margin, "items": {}}
    for i in items:
        base = scores[(OFF, 0.0)][i]
        best_s, best = (OFF, 0.0), base.macro_f1
        for st in settings:
            if st[0] != OFF and i not in model_items:
                continue
            # Simpler settings first: a learned signal or veto must beat the rules by a margin.
            if scores[st][i].macro_f1 > best + (a.margin if best_s == (OFF, 0.0) else 0.0):
                best_s, best = st, scores[st][i].macro_f1
        best_t, best_f = best_s
        chosen = scores[best_s][i]
        result["items"][i] = {
            "n": base.n, "present": base.gold_present, "absent": base.gold_absent,
            "rules": {"macro_f1": round(base.macro_f1, 4), "precision": round(base.precision, 4),
                      "recall": round(base.recall, 4)},
            "rules_model": {"macro_f1": round(chosen.macro_f1, 4), "precision": round(chosen.precision, 4),
                            "recall": round(chosen.recall, 4)},
            "by_threshold": {str(t): round(scores[(t, 0.0)][i].macro_f1, 4) for t in GRID} if i in model_items else {},
            "by_floor": {str(f): round(scores[(OFF, f)][i].macro_f1, 4) for f in FLOORS[1:]},
            "threshold": None if best_t == OFF else best_t,
            "floor": best_f or None,
            "winner": "rules + model" if best_s != (OFF, 0.0) else "rules",
        }
    for name, key in (("care", False), ("declarations", True)):
        rows = [v for i, v in result["items"].items() if i.startswith("x-") == key and v["n"]]
        result[f"{name}_rules"] = round(sum(v["rules"]["macro_f1"] for v in rows) / len(rows), 4)
        result[f"{name}_rules_model"] = round(sum(v["rules_model"]["macro_f1"] for v in rows) / len(rows), 4)
    Path(a.out).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"CV macro-F1 CARE: rules {result['care_rules']:.3f} -> rules+model {result['care_rules_model']:.3f}; "
          f"declarations {result['declarations_rules']:.3f} -> {result['declarations_rules_model']:.3f}")
    for i, v in result["items"].items():
        print(f"{i:>9} n={v['n']:>3} ({v['present']:>3}/{v['absent']:>3})  rules {v['rules']['macro_f1']:.3f}  "
              f"+model {v['rules_model']['macro_f1']:.3f}  t={v['threshold']} floor={v['floor']}  "
              f"{v['by_threshold']} {v['by_floor']}")
    if a.write_thresholds:
        write_thresholds(ruleset, result)
    return 0


_MODEL_LINE = re.compile(r"^(\s*)(#\s*)?(- )?model: [0-9.]+(.*)$")
_SIGNAL_KEY = re.compile(r"^(?:  #   |    )((?:about|none|when|affirmed|sections|not_sections|any|all): .*)$")


def write_thresholds(ruleset, result: dict) -> None:
    """Put each item's chosen threshold into its YAML; comment the signal out where rules won."""
    for r in ruleset.rules:
        info = result["items"].get(r.spec.id)
        if info is None:
            continue
        path = Path(r.path)
        lines = path.read_text(encoding="utf-8").splitlines()
        lines = [ln for ln in lines if not ln.startswith("model_floor:")]
        if info.get("floor"):
            at = next(k for k, ln in enumerate(lines) if ln.startswith("evidence:") or ln.startswith("components:"))
            lines.insert(at, f"model_floor: {info['floor']}  # learned veto, chosen by cross-validation")
        out = []
        state = None  # "on" / "off" while inside the learned signal's own lines
        for line in lines:
            m = _MODEL_LINE.match(line)
            if m and "learned" in m.group(4):
                indent, dash = m.group(1), m.group(3) or ""
                t = info["threshold"]
                if t is None:
                    out.append(f"{indent}# {dash}model: 0.5  # learned: off, the rules alone did better in cross-validation")
                    state = "off"
                else:
                    out.append(f"{indent}{dash}model: {t}  # learned: threshold chosen by cross-validation")
                    state = "on"
                continue
            body = _SIGNAL_KEY.match(line)
            if state and body:  # the signal's other keys follow it in or out of comment
                out.append(("  #   " if state == "off" else "    ") + body.group(1))
                continue
            state = None
            out.append(line)
        path.write_text("\n".join(out) + "\n", encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
