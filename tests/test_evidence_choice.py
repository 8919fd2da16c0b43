"""Which sentence a verdict quotes first, and how that choice is measured.

The verdict is always the rule's; these tests are about the quote an author reads: the
rule's strongest signal before a weaker one (``rank_evidence: tiers``), a citation number
flattened into the text never starting a quote, and the evidence-precision measure
(``eval``: is the first quote one of the reference sentences?).
"""

from __future__ import annotations

import pytest

from care_check.evaluate import ItemScore, quote_matches, score_report
from care_check.ruleset import ItemSpec, load_guideline

from .helpers import check_markdown, verdict


def test_a_change_said_as_a_change_is_quoted_before_a_plain_sequence(checker):
    text = ("## Case presentation\n\nA 60-year-old man had pneumonia. Ceftriaxone was started and oxygen was "
            "then given by nasal cannula. On day 4 ceftriaxone was switched to meropenem because of "
            "worsening fever.\n")
    v = verdict(check_markdown(checker, text), "9c")
    assert v.status.present
    assert "switched to meropenem" in v.evidence[0].quote


def test_evidence_order_is_one_of_three_named_choices():
    spec = load_guideline().rules[0].spec.model_dump()
    with pytest.raises(ValueError):
        ItemSpec(**{**spec, "rank_evidence": "loudest"})
    assert {r.spec.rank_evidence for r in load_guideline().rules} <= {"model", "tiers", "rule"}


def test_a_citation_number_glued_to_a_sentence_start_is_not_quoted(checker):
    text = ("## Case presentation\n\nA 52-year-old woman met the modified Duke criteria for endocarditis.2 "
            "The patient was started on intravenous daptomycin 8 mg/kg once daily for six weeks.\n")
    v = verdict(check_markdown(checker, text), "9b")
    quotes = [e.quote for e in v.evidence]
    assert any(q.startswith("The patient was started on intravenous daptomycin") for q in quotes), quotes
    assert not any(q.startswith("2 ") for q in quotes), quotes


def test_a_number_that_starts_a_sentence_is_kept():
    """'2 days later' after a full stop and a space is the sentence's own number."""
    from care_check.engine import _GLUED_CITATION

    assert _GLUED_CITATION.match("2 The patient") and _GLUED_CITATION.match("4,12 Cefepime was continued")
    assert not _GLUED_CITATION.match("2 days later she was afebrile")


@pytest.mark.parametrize("quote,sentences,expected", [
    ("The patient was started on daptomycin.", ["The patient was started on daptomycin."], True),
    ("The patient was treated with IV methylprednisolone for 3 days, followed by oral…",
     ["The patient was treated with IV methylprednisolone for 3 days, followed by oral prednisolone."], True),
    ("Figure 2 Abdominal CT: a 5 cm abscess in the right lobe of the liver.",
     ["A 5 cm abscess in the right lobe of the liver."], True),
    ("Blood cultures were negative.", ["The patient was started on daptomycin."], False),
    ("Ok.", ["Ok, the patient improved and was discharged home."], False),
])
def test_a_quote_matches_a_reference_sentence_when_it_is_that_sentence(quote, sentences, expected):
    assert quote_matches(quote, sentences) is expected


def test_evidence_precision_counts_only_true_reported_verdicts_with_every_sentence_listed(checker):
    text = ("## Case presentation\n\nA 60-year-old man had pneumonia and was given ceftriaxone 2 g daily. "
            "On day 4 ceftriaxone was switched to meropenem because of worsening fever.\n")
    report = check_markdown(checker, text)
    labels = {"items": {
        "9c": {"label": "present", "sentences": ["On day 4 ceftriaxone was switched to meropenem because of "
                                                 "worsening fever."]},
        "5a": {"label": "present", "sentences": ["Nothing like the quote at all, a different sentence."]},
        "9a": {"label": "present", "evidence": ["dev-style labels list a few quotes only"]},
        "12": {"label": "absent"},
    }}
    scores: dict[str, ItemScore] = {}
    score_report(report, labels, scores, "x.md")
    assert (scores["9c"].quoted, scores["9c"].quoted_right) == (1, 1)
    assert (scores["5a"].quoted, scores["5a"].quoted_right) == (1, 0)
    assert any(e["kind"] == "wrong quote" for e in scores["5a"].errors)
    assert scores["9a"].quoted == 0 and scores["12"].quoted == 0


def test_a_quote_with_typographic_hyphens_read_as_ascii_still_matches_its_reference():
    assert quote_matches("A 7-year-old boy presented with fever.", ["A 7\u2010year\u2010old boy presented with fever."])
