"""Measure the checker on the labelled corpus's test split and write the accuracy tables.

    python tools/accuracy_tables.py [--pool ../shared/corpus/pool]

Runs the checker twice on the test split (rules alone, rules + the learned signal), reads
the cross-validation result (``corpus/labels/crossval.json``) and writes
``corpus/labels/RESULTS.md``: per item, test-split precision/recall/macro-F1 for both, the
5-fold CV macro-F1 for both, and which won in cross-validation (the setting the rules ship).
Run it once, after the rules and the model are final: the test split is for measuring.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from care_check.engine import Checker  # noqa: E402
from care_check.evaluate import Evaluation, evaluate  # noqa: E402
from care_check.ruleset import load_guideline  # noqa: E402

LABELS = ROOT / "corpus" / "labels"


def row(ev: Evaluation, item: str) -> tuple[str, str]:
    s = ev.items.get(item)
    if not s or not s.n:
        return "–", "–"
    return f"{s.precision:.2f} / {s.recall:.2f}", f"{s.macro_f1:.3f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pool", default=str(ROOT.parent / "shared" / "corpus" / "pool"))
    a = ap.parse_args()
    rs = load_guideline()
    pool = Path(a.pool)
    rules = evaluate(pool, LABELS, Checker(rs, None), split="test")
    both = evaluate(pool, LABELS, Checker(rs), split="test")
    cv = json.loads((LABELS / "crossval.json").read_text()) if (LABELS / "crossval.json").is_file() else {"items": {}}
    # The shipped configuration, cross-validated: `crossval-shipped.json` is tools/crossval.py
    # run again on the final rules (only the shipped learned signals are candidates there).
    cvs_path = LABELS / "crossval-shipped.json"
    cvs = json.loads(cvs_path.read_text()) if cvs_path.is_file() else cv
    cv_shipped: dict[str, float] = {}
    for item, c in cvs["items"].items():
        spec = rs.rule(item).spec
        ts = spec.model_thresholds
        if c["n"]:
            by_t = c.get("by_threshold", {})
            cv_shipped[item] = by_t.get(str(ts[0]), c["rules"]["macro_f1"]) if ts else c["rules"]["macro_f1"]
            if ts and spec.model_floor and (c.get("threshold"), c.get("floor")) == (ts[0], spec.model_floor):
                cv_shipped[item] = c["rules_model"]["macro_f1"]  # by_threshold holds no floor: the winner's figure
    care_cv = [v for k, v in cv_shipped.items() if not k.startswith("x-")]
    decl_cv = [v for k, v in cv_shipped.items() if k.startswith("x-")]
    lines = [
        "# Accuracy on the labelled corpus", "",
        f"Test split: {both.documents} reports never used for tuning or training. Cross-validation: "
        f"{cv.get('folds', 5)}-fold, document-level, on the {cv.get('documents', '?')} train reports.",
        "Two-class macro-F1 per item (mean of the F1 of present and of absent); P / R for \"present\".",
        "`CV winner`: the better setting in cross-validation. `shipped`: what the item's YAML uses — the CV",
        "winner, except where the learned signal lowered the dev set's macro-F1 (then the rules alone).", "",
        "| item | test n (present / absent) | test P / R, rules | test macro-F1, rules | test P / R, shipped "
        "| test macro-F1, shipped | CV macro-F1, rules | CV macro-F1, rules + model | CV winner | shipped |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for item in rs.guideline.order:
        s = both.items.get(item)
        n = f"{s.n} ({s.gold_present} / {s.gold_absent})" if s and s.n else "0"
        pr_r, f_r = row(rules, item)
        pr_b, f_b = row(both, item)
        c = cv["items"].get(item)
        cv_r = f"{c['rules']['macro_f1']:.3f}" if c and c["n"] else "–"
        cv_b = f"{c['rules_model']['macro_f1']:.3f}" if c and c["n"] else "–"
        win = "–"
        if c and c["n"]:
            win = c["winner"]
            if c.get("threshold"):
                win += f" (model ≥ {c['threshold']})"
            if c.get("floor"):
                win += f" (floor {c['floor']})"
        spec = rs.rule(item).spec
        ts = spec.model_thresholds
        shipped = "rules" if not ts and not spec.model_floor else "rules + model" + (
            f" (model ≥ {ts[0]})" if ts else "") + (f" (floor {spec.model_floor})" if spec.model_floor else "")
        lines.append(f"| {item} | {n} | {pr_r} | {f_r} | {pr_b} | {f_b} | {cv_r} | {cv_b} | {win} | {shipped} |")
    lines += ["",
              f"**Test split, CARE items: rules alone {rules.headline(False):.3f}, as shipped {both.headline(False):.3f}. "
              f"Declarations: rules alone {rules.headline(True):.3f}, as shipped {both.headline(True):.3f}.**",
              f"Cross-validation (train): CARE rules {cv.get('care_rules', 0):.3f}, rules + model "
              f"{cv.get('care_rules_model', 0):.3f}; declarations {cv.get('declarations_rules', 0):.3f}, "
              f"{cv.get('declarations_rules_model', 0):.3f}; as shipped: CARE "
              f"{sum(care_cv) / max(len(care_cv), 1):.3f}, declarations {sum(decl_cv) / max(len(decl_cv), 1):.3f}."]
    # Declarations to rtransparent's measure: sensitivity and specificity.
    lines += ["", "| declaration | sensitivity | specificity |", "|---|---:|---:|"]
    for item in ("x-coi", "x-funding", "x-ethics", "x-care"):
        s = both.items[item]
        sens = s.tp / (s.tp + s.fn) if s.tp + s.fn else 1.0
        spec = s.tn / (s.tn + s.fp) if s.tn + s.fp else 1.0
        lines.append(f"| {item} | {sens:.3f} | {spec:.3f} |")
    out = LABELS / "RESULTS.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (LABELS / "results.json").write_text(json.dumps({"rules": rules.as_dict(), "rules_model": both.as_dict()},
                                                    indent=1) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
