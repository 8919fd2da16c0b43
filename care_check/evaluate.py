"""Agreement with reference labels: per-item precision, recall and F1, two-class macro-F1.

For each item, documents whose reference label is ``na`` are left out. "Present" is
predicted when the verdict is reported or partial. An item's score is the mean of the
F1 of "present" and the F1 of "absent"; when the reference has only one class, that
class's F1. The headline is the mean over items, CARE items and declarations apart.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .engine import Checker
from .errors import CareCheckError
from .model import Report, Status
from .pipeline import check_path
from .readers import EXTENSIONS
from .typography import normalise


@dataclass
class ItemScore:
    id: str
    n: int = 0
    gold_present: int = 0
    gold_absent: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    quoted: int = 0     # true "reported" verdicts whose reference lists every reporting sentence
    quoted_right: int = 0  # ... whose first quote is one of those sentences
    errors: list[dict] = field(default_factory=list)

    @staticmethod
    def _f1(tp: int, fp: int, fn: int) -> float:
        return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0

    @property
    def f1_present(self) -> float:
        return self._f1(self.tp, self.fp, self.fn)

    @property
    def f1_absent(self) -> float:
        return self._f1(self.tn, self.fn, self.fp)

    @property
    def macro_f1(self) -> float:
        if self.gold_present and self.gold_absent:
            return (self.f1_present + self.f1_absent) / 2
        return self.f1_present if self.gold_present else self.f1_absent

    @property
    def accuracy(self) -> float:
        return (self.tp + self.tn) / self.n if self.n else 0.0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def evidence_precision(self) -> float | None:
        return self.quoted_right / self.quoted if self.quoted else None


@dataclass
class Evaluation:
    items: dict[str, ItemScore]
    documents: int
    failures: list[str]

    def headline(self, declarations: bool) -> float:
        chosen = [s for k, s in self.items.items() if k.startswith("x-") == declarations and s.n]
        return sum(s.macro_f1 for s in chosen) / len(chosen) if chosen else 0.0

    def evidence_precision(self) -> tuple[int, int]:
        """(first quotes that are a reference sentence, true "reported" verdicts checked)."""
        return (sum(s.quoted_right for s in self.items.values()), sum(s.quoted for s in self.items.values()))

    def as_dict(self) -> dict:
        right, checked = self.evidence_precision()
        return {
            "documents": self.documents,
            "failures": self.failures,
            "care_macro_f1": round(self.headline(False), 4),
            "declarations_macro_f1": round(self.headline(True), 4),
            "evidence_precision": round(right / checked, 4) if checked else None,
            "evidence_checked": checked,
            "items": {k: {**{f: v for f, v in asdict(s).items() if f != "errors"},
                          "f1_present": round(s.f1_present, 4), "f1_absent": round(s.f1_absent, 4),
                          "macro_f1": round(s.macro_f1, 4), "accuracy": round(s.accuracy, 4)}
                      for k, s in self.items.items()},
        }


def gold_documents(docs_dir: Path, gold_dir: Path, split: str | None = None) -> list[tuple[Path, dict]]:
    """(document, labels) for every labelled document.

    Two layouts: the dev set's ``<stem>.gold.json`` beside a flat folder of documents, and
    the labelled corpus's ``corpus/labels/<stem>.json`` (with ``split``) whose documents sit
    anywhere under ``docs_dir`` (the pool's sub-folders). ``split`` keeps one split only.
    """
    pairs = []
    flat = sorted(p for p in docs_dir.iterdir() if p.is_file() and p.suffix.lower() in EXTENSIONS)
    for doc in flat:
        gold = gold_dir / f"{doc.stem}.gold.json"
        if gold.is_file():
            pairs.append((doc, json.loads(gold.read_text(encoding="utf-8"))))
    if pairs:
        return pairs
    by_name = {p.name: p for p in docs_dir.rglob("*") if p.is_file() and p.suffix.lower() in EXTENSIONS}
    for gold in sorted(gold_dir.glob("*.json")):
        try:
            labels = json.loads(gold.read_text(encoding="utf-8"))
        except ValueError:
            continue
        if not isinstance(labels, dict) or not isinstance(labels.get("items"), dict) or "document" not in labels:
            continue
        if labels.get("excluded") or (split and labels.get("split") != split):
            continue
        doc = by_name.get(labels["document"])
        if doc is not None:
            pairs.append((doc, labels))
    return pairs


def score_report(report: Report, labels: dict, scores: dict[str, ItemScore], name: str) -> None:
    """Add one document's verdicts to the running per-item counts."""
    for v in report.verdicts:
        gold = labels.get("items", {}).get(v.id)
        if not gold or gold.get("label") == "na":
            continue
        s = scores.setdefault(v.id, ItemScore(v.id))
        truth = gold["label"] == "present"
        pred = v.status in (Status.REPORTED, Status.PARTIAL)
        s.n += 1
        s.gold_present += truth
        s.gold_absent += not truth
        if truth and pred:
            s.tp += 1
            reference = gold.get("sentences")
            if reference and v.evidence:
                s.quoted += 1
                if quote_matches(v.evidence[0].quote, reference):
                    s.quoted_right += 1
                else:
                    e = v.evidence[0]
                    s.errors.append({"document": name, "kind": "wrong quote", "status": v.status.value,
                                     "evidence": [f"{e.quote} ({e.section}, line {e.line})"],
                                     "reference": reference[:2]})
        elif truth:
            s.fn += 1
            s.errors.append({"document": name, "kind": "false missing", "status": v.status.value,
                             "reference": gold.get("evidence", [])[:2], "searched": v.searched,
                             "message": v.message})
        elif pred:
            s.fp += 1
            s.errors.append({"document": name, "kind": "false reported", "status": v.status.value,
                             "evidence": [f"{e.quote} ({e.section}, line {e.line})" for e in v.evidence[:2]],
                             "note": gold.get("note", "")})
        else:
            s.tn += 1


def _norm(text: str) -> str:
    # quotes are read after typographic hyphens became "-" (typography.py); references are verbatim
    return " ".join(normalise(text).replace("\u2026", " ").split()).lower()


def quote_matches(quote: str, sentences: list[str]) -> bool:
    """Is a quote (possibly clipped with an ellipsis) one of the reference sentences?

    The reference lists every sentence that reports the item, verbatim from the same
    sentence splitter; a clipped quote matches the sentence it starts, and a quote that
    holds or is held by a reference sentence of some length matches too (a heading or a
    citation glued to one side must not make a right quote wrong).
    """
    q = _norm(quote)
    if not q:
        return False
    for ref in sentences:
        r = _norm(ref)
        if not r:
            continue
        if q == r or r.startswith(q) or (min(len(q), len(r)) >= 25 and (q in r or r in q)):
            return True
    return False


def evaluate(docs_dir: Path, gold_dir: Path, checker: Checker, split: str | None = None) -> Evaluation:
    scores: dict[str, ItemScore] = {r.spec.id: ItemScore(r.spec.id) for r in checker.ruleset.rules}
    pairs = gold_documents(docs_dir, gold_dir, split)
    failures = []
    for doc, labels in pairs:
        try:
            report = check_path(str(doc), checker)
        except CareCheckError as exc:
            failures.append(str(exc))
            continue
        score_report(report, labels, scores, doc.name)
    return Evaluation(scores, len(pairs), failures)


def format_table(ev: Evaluation) -> str:
    head = f"{'item':<10}{'n':>4}{'pres':>6}{'abs':>5}{'P':>7}{'R':>7}{'F1+':>7}{'F1-':>7}{'macro':>7}{'acc':>7}"
    lines = [head, "-" * len(head)]
    for declarations in (False, True):
        for k, s in ev.items.items():
            if k.startswith("x-") != declarations or not s.n:
                continue
            lines.append(f"{k:<10}{s.n:>4}{s.gold_present:>6}{s.gold_absent:>5}{s.precision:>7.3f}{s.recall:>7.3f}"
                         f"{s.f1_present:>7.3f}{s.f1_absent:>7.3f}{s.macro_f1:>7.3f}{s.accuracy:>7.3f}")
        lines.append("-" * len(head))
    lines.append(f"documents: {ev.documents}   failures: {len(ev.failures)}")
    lines.append(f"CARE items (30): two-class macro-F1 {ev.headline(False):.3f}")
    lines.append(f"Declarations (4): two-class macro-F1 {ev.headline(True):.3f}")
    right, checked = ev.evidence_precision()
    if checked:
        lines.append(f"Evidence precision: {right}/{checked} = {right / checked:.3f} of true 'reported' verdicts "
                     "quote a reference sentence first")
    return "\n".join(lines)


def format_errors(ev: Evaluation) -> str:
    out = []
    for k, s in ev.items.items():
        if not s.errors:
            continue
        out.append(f"== {k}: {s.fp} false reported, {s.fn} false missing, "
                   f"{s.quoted - s.quoted_right} wrong first quote")
        for e in s.errors:
            if e["kind"] == "wrong quote":
                out.append(f"  WQ {e['document']} [{e['status']}]")
                for q in e["evidence"]:
                    out.append(f"      quoted: {q}")
                for q in e["reference"]:
                    out.append(f"      reference: {q}")
            elif e["kind"] == "false reported":
                out.append(f"  FP {e['document']} [{e['status']}]")
                for q in e["evidence"]:
                    out.append(f"      fooled by: {q}")
                if e.get("note"):
                    out.append(f"      reference note: {e['note']}")
            else:
                out.append(f"  FN {e['document']} [{e['status']}] searched: {', '.join(e['searched'])}")
                for q in e["reference"]:
                    out.append(f"      reference: {q}")
    return "\n".join(out)
