"""Sentence segmentation survives biomedical text."""

from __future__ import annotations

import pytest

from care_check.nlp import get_nlp


def sents(text: str) -> list[str]:
    return [s.text.strip() for s in get_nlp()(text).sents]


@pytest.mark.parametrize("text", [
    "The mass is shown in Fig. 2 and was resected.",
    "As described by Smith et al. in 2001 the lesion regressed.",
    "Ceftriaxone 2 g i.v. was given b.i.d. for 14 days.",
    "Surgery vs. conservative care was discussed with the family.",
    "Hemoglobin was 8.4 g/dL and the difference was significant (p < 0.05) in that series.",
    "Treatment, e.g. steroids, was started.",
])
def test_no_false_breaks(text):
    assert sents(text) == [text]


def test_breaks_between_sentences_and_lines():
    assert sents("She had fever. CT showed an abscess.\nDay 3\tSurgery") == [
        "She had fever.", "CT showed an abscess.", "Day 3\tSurgery"]


def test_very_long_run_on_text_is_cut():
    assert len(sents("word " * 1000)) >= 8


def test_hard_wrapped_prose_is_one_sentence_but_table_rows_and_lists_are_not():
    wrapped = ("A 58-year-old man was referred with four months of watery diarrhoea and weight\n"
               "loss of 11 kg, night sweats and evening fevers.")
    assert sents(wrapped) == [wrapped]
    assert sents("Day 0\tAdmission\nDay 3\tSurgery") == ["Day 0\tAdmission", "Day 3\tSurgery"]
    assert sents("Learning points\n• Think of gout\n• Aspirate the knee") == [
        "Learning points", "• Think of gout", "• Aspirate the knee"]
