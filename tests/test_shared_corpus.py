"""On the shared real case reports (skipped when ../shared is absent).

Every dev and pool document gets a report without error, the dev accuracy stays above
the floor, and removing the passage that reports an item turns that item to missing.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from care_check.evaluate import evaluate
from care_check.model import Status
from care_check.pipeline import check_path
from care_check.readers import EXTENSIONS

from .conftest import shared_corpus

CARE_FLOOR = 0.90
DECLARATIONS_FLOOR = 0.95


def test_every_dev_document_gets_a_report(checker):
    docs = sorted((shared_corpus() / "dev" / "docs").iterdir())
    for doc in docs:
        report = check_path(str(doc), checker)
        assert len(report.verdicts) == 34
        for v in report.verdicts:
            if v.status in (Status.REPORTED, Status.PARTIAL):
                assert v.evidence, f"{doc.name} {v.id}: reported without evidence"
                assert all(e.line >= 1 for e in v.evidence)
            if v.status == Status.MISSING:
                assert v.fix


def test_dev_accuracy_floor(checker):
    corpus = shared_corpus()
    ev = evaluate(corpus / "dev" / "docs", corpus / "dev" / "gold", checker)
    assert not ev.failures
    assert ev.documents == 55
    assert ev.headline(False) >= CARE_FLOOR, ev.headline(False)
    assert ev.headline(True) >= DECLARATIONS_FLOOR, ev.headline(True)


def test_seed_pubmed_page_is_scoped_to_the_abstract(checker):
    seed = shared_corpus() / "seed"
    page = next(seed.glob("*.txt"))
    gold = json.loads(next(seed.glob("*.gold.json")).read_text())
    report = check_path(str(page), checker)
    assert report.document.scope == "abstract"
    for v in report.verdicts:
        label = gold["items"][v.id]["label"]
        if label == "na":
            assert v.status == Status.NOT_APPLICABLE, v.id
    agree = sum((gold["items"][v.id]["label"] == "present") == v.status.present
                for v in report.verdicts if gold["items"][v.id]["label"] != "na")
    applicable = sum(1 for v in gold["items"].values() if v["label"] != "na")
    assert agree >= applicable - 1


def test_every_pool_document_gets_a_report(checker):
    pool = shared_corpus() / "pool"
    files = sorted(p for p in pool.rglob("*") if p.is_file() and p.suffix.lower() in EXTENSIONS)
    assert len(files) > 2000
    for f in files:
        report = check_path(str(f), checker)
        assert len(report.verdicts) == 34


# -- gap detection: delete the passage, the item must turn missing ----------------------

GAP_ITEMS = ["13", "7", "12", "2", "x-coi", "x-funding", "x-ethics", "x-care", "11a"]


def _remove_passages(text: str, quotes: list[str]) -> str:
    """Delete every line that holds a quote or is part of one (a heading glued to its text
    in the quote, "Funding: None declared.", spans two lines of the file)."""
    def norm(s: str) -> str:
        return re.sub(r"\s+", " ", s).strip().lower()

    qs = [norm(q) for q in quotes]
    keep = []
    for ln in text.split("\n"):
        n = norm(ln)
        inside = len(n) >= 4 and any(n in q for q in qs)
        holds = any(q[:60] in n for q in qs)
        if not (inside or holds):
            keep.append(ln)
    return "\n".join(keep)


def _gap_cases():
    corpus = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "dev"
    if not corpus.is_dir():
        return []
    cases = []
    for gold_path in sorted((corpus / "gold").glob("*.gold.json")):
        gold = json.loads(gold_path.read_text())
        doc = corpus / "docs" / gold["document"]
        if not doc.name.endswith("_body.txt"):
            continue  # multi-line text: a passage is a line we can delete
        for item in GAP_ITEMS:
            g = gold["items"].get(item, {})
            if g.get("label") == "present" and g.get("evidence"):
                cases.append((doc, item, g["evidence"]))
    return cases


def test_removing_the_reporting_passage_turns_the_item_missing(checker, tmp_path):
    shared_corpus()
    flipped, tried, stuck = 0, 0, []
    for doc, item, quotes in _gap_cases():
        before = next(v for v in check_path(str(doc), checker).verdicts if v.id == item)
        if before.status != Status.REPORTED:
            continue
        out = tmp_path / doc.name
        out.write_text(_remove_passages(doc.read_text(encoding="utf-8"), quotes), encoding="utf-8")
        after = next(v for v in check_path(str(out), checker).verdicts if v.id == item)
        tried += 1
        if after.status == Status.MISSING:
            flipped += 1
        else:
            stuck.append(f"{doc.name} {item}: {[e.quote[:80] for e in after.evidence]}")
    assert tried >= 60
    assert flipped / tried >= 0.9, "\n".join(stuck)


def test_the_models_words_read_off_real_reports_give_spacys_own_scores(checker):
    """On real reports (PMC bodies and web pages): the hashes the checker reads off each
    document's tokens score exactly as spaCy's model does on the words training builds."""
    import numpy

    from care_check.engine import MIN_SCORED_WORDS
    from care_check.pipeline import load_document

    if checker.model is None:
        pytest.skip("no shipped model")
    pool = shared_corpus() / "pool"
    files = sorted((pool / "pmc-body").glob("*.txt"))[:12] + sorted((pool / "web-page").glob("*.txt"))[:4]
    n = 0
    for f in files:
        doc = load_document(str(f))
        scored = [(s, w) for s, w in checker.model_inputs(doc) if s.text.count(" ") >= MIN_SCORED_WORDS - 1]
        if not scored:
            continue
        expected = checker.model.scores_of_words([w for _, w in scored])
        assert numpy.array_equal(numpy.array([s.scores for s, _ in scored], dtype="float32"), expected), f.name
        n += len(scored)
    assert n > 500
