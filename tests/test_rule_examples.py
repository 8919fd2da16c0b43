"""Every rule carries its own proof: passages that must and must not satisfy it.

One generic test runs the examples of every item YAML, so a rule and its examples live
together (as in sqlfluff and proselint).
"""

from __future__ import annotations

import pytest

from care_check.model import Status
from care_check.ruleset import load_guideline

from .helpers import check_markdown, verdict

RULES = load_guideline().rules
CASES = [(r.spec.id, "reported", i, text) for r in RULES for i, text in enumerate(r.spec.examples.reported)] + \
        [(r.spec.id, "missing", i, text) for r in RULES for i, text in enumerate(r.spec.examples.missing)]


def test_every_item_has_examples_both_ways():
    for r in RULES:
        assert r.spec.examples.reported, f"item {r.spec.id} has no 'reported' example"
        assert r.spec.examples.missing, f"item {r.spec.id} has no 'missing' example"


@pytest.mark.parametrize("item_id,expect,index,text", CASES, ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in CASES])
def test_rule_example(checker, item_id, expect, index, text):
    v = verdict(check_markdown(checker, text), item_id)
    if expect == "reported":
        assert v.status in (Status.REPORTED, Status.PARTIAL), f"{item_id}: {v.status.value}: {v.message}"
        assert v.evidence, "a reported item must show its evidence"
    else:
        assert v.status == Status.MISSING, (
            f"{item_id}: expected missing, got {v.status.value}: {[e.quote for e in v.evidence]}")
