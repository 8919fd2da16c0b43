"""Sentence context: negation scope over cues, who a sentence is about, and when it happens.

A small guideline written at test time asks for each context option; the same passages
are checked with and without it, so each test shows what the option changes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from care_check.engine import Checker
from care_check.errors import RuleError
from care_check.model import Status
from care_check.ruleset import load_guideline

from .helpers import check_markdown, verdict

ITEM = """id: "T1"
topic: Test
title: Test item
asks: test
source: test
sections: [case, discussion, consent, body]
cues:
  consent: {{phrases: [consent]}}
  publish: {{phrases: [publication, publish]}}
  differential: {{phrases: [tuberculosis, sarcoidosis]}}
  scan: {{phrases: [CT, MRI, ultrasound]}}
evidence:
  - {signal}
fix: test
"""


def checker_for(tmp_path: Path, signal: str) -> Checker:
    folder = tmp_path / "g"
    (folder / "items").mkdir(parents=True)
    (folder / "guideline.yaml").write_text("id: g\nversion: '1'\ntitle: G\ncitation: test\n")
    (folder / "items" / "t1.yaml").write_text(ITEM.format(signal=signal))
    return Checker(load_guideline(folder), None)


def present(checker: Checker, text: str) -> bool:
    return verdict(check_markdown(checker, text), "T1").status == Status.REPORTED


@pytest.mark.parametrize("text,affirmed", [
    ("## Consent\n\nWritten consent for publication was obtained from the patient.", True),
    ("## Consent\n\nNo consent for publication could be obtained.", False),
    ("## Consent\n\nConsent for publication was not obtained because the patient died.", False),
    ("## Consent\n\nThe family did not give consent, but the ethics board approved publication.", False),
    ("## Consent\n\nNo identifying images are shown, but consent to publish was given by his wife.", True),
])
def test_affirmed_cues_ignore_negated_mentions(tmp_path, text, affirmed):
    plain = checker_for(tmp_path / "a", "all: [consent]")
    strict = checker_for(tmp_path / "b", "all: [consent]\n    affirmed: true")
    assert present(plain, text)  # the bare cue test sees the word either way
    assert present(strict, text) is affirmed


@pytest.mark.parametrize("text,about_patient", [
    ("## Case\n\nTuberculosis was considered, and sputum cultures were sent.", True),
    ("## Discussion\n\nSmith et al. described sarcoidosis in a similar patient [4].", False),
    ("## Discussion\n\nSarcoidosis has been reported in three previous cases.", False),
    ("## Case\n\nHis mother had sarcoidosis.", False),
])
def test_about_selects_sentences_on_this_patient(tmp_path, text, about_patient):
    c = checker_for(tmp_path, "all: [differential]\n    about: [patient]")
    assert present(c, text) is about_patient


@pytest.mark.parametrize("text,after", [
    ("## Case\n\nAt 6-month follow-up, MRI showed no recurrence.", True),
    ("## Case\n\nMRI three months later showed complete resolution.", True),
    ("## Case\n\nOn admission, MRI showed a 4 cm mass.", False),
    ("## Case\n\nShe had a history of an abnormal CT.", False),
])
def test_when_selects_follow_up_sentences(tmp_path, text, after):
    c = checker_for(tmp_path, "all: [scan]\n    when: [after]")
    assert present(c, text) is after


def test_when_before_selects_history(tmp_path):
    c = checker_for(tmp_path, "all: [scan]\n    when: [before]")
    assert present(c, "## Case\n\nShe had a history of an abnormal CT years ago.")
    assert not present(c, "## Case\n\nOn admission, CT showed a mass.")


def test_an_unknown_context_class_is_a_rule_error(tmp_path):
    with pytest.raises(RuleError) as exc:
        checker_for(tmp_path, "all: [scan]\n    when: [tomorrow]")
    assert "t1.yaml" in str(exc.value)


def test_affirmed_applies_to_any_cues_too(tmp_path):
    c = checker_for(tmp_path, "any: [consent]\n    affirmed: true")
    assert present(c, "## Consent\n\nConsent was obtained from his wife.")
    assert not present(c, "## Consent\n\nThe patient is deceased, so obtaining consent was not possible.")
    assert not present(c, "## Consent\n\nWe didn't have the opportunity to ask for his consent.")
