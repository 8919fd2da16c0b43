"""Which sentence a verdict quotes first, and how that choice is measured.

The verdict is always the rule's; these tests are about the quote an author reads: the
rule's strongest signal before a weaker one (``rank_evidence: tiers``), this patient's
sentence before one about other cases (``quote_last``), the best-ranked component first,
the place in the story (``rank_story``), a citation number flattened into the text never
starting a quote, and the evidence-precision measure (``eval``: is the first quote one of
the reference sentences?).
"""

from __future__ import annotations

import dataclasses

import pytest

from care_check.engine import Checker, _merge_evidence
from care_check.evaluate import ItemScore, quote_matches, score_report
from care_check.model import Evidence
from care_check.ruleset import ItemSpec, Ruleset, load_guideline

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


def _with(item: str, **settings) -> Ruleset:
    """The shipped rules with one item's settings changed."""
    rs = load_guideline()
    rules = tuple(dataclasses.replace(r, spec=r.spec.model_copy(update=settings)) if r.spec.id == item else r
                  for r in rs.rules)
    return dataclasses.replace(rs, rules=rules)


@pytest.mark.parametrize("other_cases", [
    "Similar cases have been treated with intravenous ceftriaxone 2 g once daily for 14 days.",
    "As described in a retrospective cohort, oral amoxicillin 1 g three times daily for 7 days is given.",
])
def test_a_dose_given_in_other_cases_is_quoted_after_this_patients_dose(checker, other_cases):
    """Both sentences give a dose, route and schedule (9b is satisfied by either); the one
    about this patient leads, the verdict is the same as without the literature sentence."""
    mine = "She received ceftriaxone 2 g intravenously once daily."
    text = f"## Treatment\n\n{other_cases} {mine}\n"
    assert load_guideline().rule("9b").spec.quote_last == ("literature",)
    v = verdict(check_markdown(checker, text), "9b")
    assert v.evidence[0].quote == mine, [e.quote for e in v.evidence]
    alone = verdict(check_markdown(checker, f"## Treatment\n\n{mine}\n"), "9b")
    assert (v.status, v.message) == (alone.status, alone.message)


def test_several_components_quote_their_best_ranked_sentence_first():
    dose, technique = Evidence("200 mg daily was given.", "Case", 3), Evidence("A laparoscopic approach.", "Case", 5)
    found = [("dose", [dose]), ("route", []), ("surgical technique", [technique])]
    assert [e.quote for e in _merge_evidence(found, 3)] == [dose.quote, technique.quote]  # unranked: rule order
    ranked = _merge_evidence(found, 3, [0.2, float("-inf"), 0.7])
    assert [(e.quote, e.component) for e in ranked] == [(technique.quote, "surgical technique"), (dose.quote, "dose")]


def test_rank_story_puts_early_or_late_sentences_first():
    """Two outcome sentences far apart in the story: a strong pull to the end quotes the
    late one, a strong pull to the start the early one; the verdict does not move."""
    early = "After the first dose of prednisone her rash resolved completely."
    late = "At the 12-month follow-up visit she remained well with no recurrence of the rash."
    filler = " ".join(f"On day {d} the blood count was repeated and was unchanged." for d in range(2, 14))
    text = f"## Case presentation\n\nA 30-year-old woman had a rash. {early} {filler} {late}\n"
    got = {}
    for pull in (1.0, -1.0):
        v = verdict(check_markdown(Checker(_with("10a", rank_story=pull)), text), "10a")
        got[pull] = (v.status, v.message, v.evidence[0].quote)
    assert got[1.0][2] == late and got[-1.0][2] == early, got
    assert got[1.0][:2] == got[-1.0][:2]


@pytest.mark.parametrize("settings", [{"rank_story": 1.5}, {"rank_order": -0.1}, {"quote_last": ["everyone"]}])
def test_ranking_settings_are_bounded(settings):
    spec = load_guideline().rules[0].spec.model_dump()
    with pytest.raises(ValueError):
        ItemSpec(**{**spec, **settings})


def test_a_citation_number_left_at_a_sentence_start_is_not_quoted(checker):
    """The splitter cuts after 'aeruginosa.' and before '5,6': the quote starts at 'Intravenous'."""
    text = ("## Case presentation\n\nA 60-year-old man had a fever. Cultures grew Pseudomonas aeruginosa. 5,6 "
            "Intravenous meropenem 1 g every 8 hours was given for 14 days.\n")
    v = verdict(check_markdown(checker, text), "9b")
    assert v.evidence, v.message
    assert not any(e.quote[0].isdigit() for e in v.evidence), [e.quote for e in v.evidence]


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


def test_a_change_of_treatment_is_quoted_before_a_change_in_a_test_result(checker):
    """9c: "increased to" in a laboratory value satisfies the change cue as well as a new drug
    does; the sentence that names a treatment leads (the verdict is the same either way)."""
    text = ("## Case presentation\n\nA 58-year-old woman was admitted with cholangitis. Her white cell count "
            "increased to 24 x 10^9/L on the second day. Intravenous vancomycin was then started.\n")
    v = verdict(check_markdown(checker, text), "9c")
    assert v.status.present
    assert v.evidence[0].quote.startswith("Intravenous vancomycin"), [e.quote for e in v.evidence]
    plain = text.replace("Intravenous vancomycin was then started.", "")
    assert verdict(check_markdown(checker, plain), "9c").status.present


def test_the_presenting_complaint_is_quoted_before_a_later_complication(checker):
    """5b: both sentences hold a presenting word and a symptom; the presentation, early in the
    story, leads."""
    text = ("## Case presentation\n\nA 71-year-old man presented with three days of fever and a productive cough. "
            "Chest radiography showed a right lower lobe consolidation. Amoxicillin was started. On the fifth "
            "day he developed abdominal pain and watery diarrhoea.\n")
    v = verdict(check_markdown(checker, text), "5b")
    assert v.evidence[0].quote.startswith("A 71-year-old man presented"), [e.quote for e in v.evidence]


def test_an_explicit_prognosis_is_quoted_before_a_stage(checker):
    """8d: a stage and an explicit prognosis both satisfy the item; the prognosis leads."""
    text = ("## Case presentation\n\nA 64-year-old man had a rectal adenocarcinoma, stage IIIB at diagnosis. "
            "Given the liver involvement, his prognosis was judged to be poor.\n")
    v = verdict(check_markdown(checker, text), "8d")
    assert v.status.present
    assert "prognosis" in v.evidence[0].quote, [e.quote for e in v.evidence]


def test_quote_after_puts_sentences_holding_a_cue_after_the_others():
    """10b: a follow-up sentence that also tells a presentation ("was admitted with ...")
    is quoted after one that only tells the follow-up; the verdict does not move."""
    admitted = ("At the 6-month follow-up visit she was admitted with a recurrent fever and followed up in "
                "the clinic.")
    review = "Her scan at 12 months showed no recurrence."
    text = f"## Case presentation\n\nA 50-year-old woman had a liver abscess that was drained. {admitted} {review}\n"
    assert load_guideline().rule("10b").spec.quote_after == ("presenting",)
    got = {}
    for after in ((), ("presenting",)):
        v = verdict(check_markdown(Checker(_with("10b", quote_after=after)), text), "10b")
        got[after] = (v.status, v.message, [e.quote for e in v.evidence])
    assert got[()][2][0] == admitted and got[("presenting",)][2][0] == review, got
    assert got[()][:2] == got[("presenting",)][:2]


def test_quote_after_names_only_known_cues(tmp_path):
    import shutil

    from care_check.errors import RuleError
    from care_check.ruleset import rules_root

    folder = tmp_path / "care"
    shutil.copytree(rules_root() / "care", folder)
    item = folder / "items" / "10b-follow-up.yaml"
    item.write_text(item.read_text(encoding="utf-8").replace("quote_after: [presenting]", "quote_after: [no_such_cue]"),
                    encoding="utf-8")
    with pytest.raises(RuleError, match="unknown cue 'no_such_cue'"):
        load_guideline(folder)
