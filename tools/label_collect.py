"""Turn annotators' sentence-number labels into the corpus's label files, and measure agreement.

    python tools/label_collect.py WORKDIR

Reads ``WORKDIR/out/A/<stem>.json`` (first annotator), ``WORKDIR/out/B/<stem>.json`` (the
independent second annotator of the doubly labelled subset) and ``WORKDIR/units`` (the
numbered sentences of each packet), plus ``corpus/labels/adjudication.json`` (decisions on
disagreements, each with the guide rule applied). Writes ``corpus/labels/<stem>.json`` in
the shape of the dev reference labels (``label``, up to three ``evidence`` quotes) plus
``sentences``: every sentence the annotator cited, verbatim. Writes the agreement table to
``corpus/labels/AGREEMENT.md`` and ``agreement.json``.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "corpus" / "labels"
ITEMS = ["1", "2", "3a", "3b", "3c", "3d", "4", "5a", "5b", "5c", "5d", "6", "7", "8a", "8b", "8c", "8d",
         "9a", "9b", "9c", "10a", "10b", "10c", "10d", "11a", "11b", "11c", "11d", "12", "13",
         "x-coi", "x-funding", "x-ethics", "x-care"]


def cohen_kappa(a: list[str], b: list[str]) -> float | None:
    """Cohen's kappa of two label sequences; None when chance agreement is total (one class)."""
    n = len(a)
    if not n:
        return None
    po = sum(x == y for x, y in zip(a, b)) / n
    ca, cb = Counter(a), Counter(b)
    pe = sum(ca[k] * cb[k] for k in set(ca) | set(cb)) / (n * n)
    if pe >= 1.0:
        return None
    return (po - pe) / (1 - pe)


def load(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def build(stem: str, ann: dict, units: dict, meta: dict, decisions: dict, second: bool) -> dict:
    texts = {u["id"]: u["text"] for u in units["units"]}
    items = {}
    for k in ITEMS:
        it = ann["items"][k]
        label = it["label"]
        entry: dict = {"label": label}
        d = decisions.get(k)
        if d is not None:
            label = d["label"]
            entry = {"label": label}
            ids = d.get("sentences", it.get("sentences", []) if it["label"] == label else [])
        else:
            ids = it.get("sentences", [])
        if label == "present":
            sents = [texts[i] for i in ids if i in texts]
            entry["evidence"] = sents[:3]
            entry["sentences"] = sents
        note = (d or {}).get("rule") or it.get("note")
        if note:
            entry["note"] = note
        items[k] = entry
    return {"document": units["document"], "source": f"pool/{meta['file']}", "scope": ann.get("scope", "body"),
            "split": meta["split"], "annotators": 2 if second else 1, "items": items}


def gather_adjudication(work: Path, done: Path) -> None:
    """The adjudicator's decisions (``WORKDIR/adjudication/done``) -> ``adjudication.json``,
    with both annotators' original labels beside each decision."""
    out = []
    for f in sorted(done.glob("*.json")):
        d = load(f)
        a = load(work / "out" / "A" / f.name)
        b = load(work / "out" / "B" / f.name)
        if not d or not a or not b:
            continue
        for item, dec in sorted(d.get("decisions", {}).items()):
            if item not in ITEMS or dec.get("label") not in ("present", "absent", "na"):
                continue
            out.append({"document": f.stem, "item": item,
                        "first": a["items"][item]["label"], "second": b["items"][item]["label"],
                        "label": dec["label"], "sentences": [i for i in dec.get("sentences", []) if isinstance(i, int)],
                        "rule": dec.get("rule", "")})
    (LABELS / "adjudication.json").write_text(json.dumps({"decisions": out}, indent=1, ensure_ascii=False) + "\n",
                                              encoding="utf-8")


def main() -> int:
    work = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/labelwork")
    sample = json.loads((LABELS / "sample.json").read_text())
    metas = {d["stem"]: d for d in sample["documents"]}
    excluded = {e["stem"]: e["reason"] for e in sample.get("excluded", [])}
    done = work / "adjudication" / "done"
    if done.is_dir():
        gather_adjudication(work, done)
    adjud = load(LABELS / "adjudication.json") or {"decisions": []}
    decisions: dict[str, dict[str, dict]] = {}
    for d in adjud["decisions"]:
        decisions.setdefault(d["document"], {})[d["item"]] = d
    written = 0
    pairs: list[tuple[str, dict, dict]] = []
    for stem, meta in metas.items():
        a = load(work / "out" / "A" / f"{stem}.json")
        units = load(work / "units" / f"{stem}.json")
        if not a or not units or any(k not in a.get("items", {}) for k in ITEMS):
            continue
        b = load(work / "out" / "B" / f"{stem}.json")
        if b and all(k in b.get("items", {}) for k in ITEMS):
            pairs.append((stem, a, b))
        else:
            b = None
        out = build(stem, a, units, meta, decisions.get(stem, {}), b is not None)
        if stem in excluded:
            out["excluded"] = excluded[stem]
        (LABELS / f"{stem}.json").write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        written += 1
    # Agreement on the doubly labelled documents, before adjudication.
    rows = []
    for k in ITEMS:
        la = [p[1]["items"][k]["label"] for p in pairs]
        lb = [p[2]["items"][k]["label"] for p in pairs]
        n = len(la)
        raw = sum(x == y for x, y in zip(la, lb)) / n if n else None
        kap = cohen_kappa(la, lb)
        rows.append({"item": k, "n": n, "raw": raw, "kappa": kap,
                     "present_a": la.count("present"), "present_b": lb.count("present"),
                     "disagreements": [p[0] for p, x, y in zip(pairs, la, lb) if x != y]})
    agreement = {"documents": len(pairs), "items": rows}
    (LABELS / "agreement.json").write_text(json.dumps(agreement, indent=1) + "\n", encoding="utf-8")
    md = ["# Inter-annotator agreement", "",
          f"{len(pairs)} reports labelled twice, independently (annotators A and B), before adjudication.",
          "Labels present / absent / na; raw agreement and Cohen's kappa per item (kappa is undefined",
          "when both annotators gave one and the same class to every report).", "",
          "| item | n | present (A / B) | raw agreement | Cohen's kappa |", "|---|---:|---:|---:|---:|"]
    for r in rows:
        kap = "–" if r["kappa"] is None else f"{r['kappa']:.3f}"
        raw = "–" if r["raw"] is None else f"{r['raw']:.3f}"
        md.append(f"| {r['item']} | {r['n']} | {r['present_a']} / {r['present_b']} | {raw} | {kap} |")
    # Means over items that were judged (not `na` for every doubled report, as 1-3d are in
    # PMC body files) and whose kappa is defined.
    care = [r for r in rows if not r["item"].startswith("x-") and r["kappa"] is not None]
    decl = [r for r in rows if r["item"].startswith("x-") and r["kappa"] is not None]
    judged = [r for r in rows if not r["item"].startswith("x-") and
              any(p[1]["items"][r["item"]]["label"] != "na" or p[2]["items"][r["item"]]["label"] != "na"
                  for p in pairs)]
    if judged:
        md += ["", f"Raw agreement over the {len(judged)} CARE items judged in these reports (items 1-3d are "
                   f"`na` in body files): {sum(r['raw'] for r in judged) / len(judged):.3f}."]
    if care:
        md += [f"Mean over the {len(care)} CARE items with a defined kappa: raw {sum(r['raw'] for r in care) / len(care):.3f}, "
                   f"kappa {sum(r['kappa'] for r in care) / len(care):.3f}."]
    if decl:
        md += [f"Mean over declarations: raw {sum(r['raw'] for r in decl) / len(decl):.3f}, "
               f"kappa {sum(r['kappa'] for r in decl) / len(decl):.3f}."]
    (LABELS / "AGREEMENT.md").write_text("\n".join(md) + "\n", encoding="utf-8")
    print(f"{written} label files; {len(pairs)} doubly labelled")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
