"""Declarations however their heading was written: glued to the text, split from it, or absent.

PMC bodies glue a heading to its statement ("Competing interestsThe authors ..."), web pages
put it on a line of its own, and many manuscripts give the statement with no heading at
all. Each variant must be found; look-alikes (a CRediT "Funding acquisition" line, a
conflict statement with no word on funding) must not count.
"""

from __future__ import annotations

import pytest

from care_check.model import Status
from care_check.readers import text as text_reader
from care_check.sections import classify

from .helpers import verdict

CASE = ("Case presentation\n\nA 54-year-old man presented with chest pain. He was treated with aspirin and "
        "recovered fully.\n\nDiscussion\n\nChest pain has many causes [1].\n\n")


def check_text(checker, body: str):
    return checker.check(classify(text_reader.read("manuscript.txt", CASE + body)))


@pytest.mark.parametrize("item,body", [
    ("x-coi", "Competing interestsThe authors declare that they have no competing interests.\n"),
    ("x-coi", "Conflict of interest\n\nNone declared.\n"),
    ("x-coi", "The authors declare no conflicts of interest.\n"),
    ("x-coi", "Financial disclosure: none.\n"),
    # a short answer on a line of its own is the heading's text, not a heading
    ("x-coi", "Conflict of Interest\n\nNone\n\nAcknowledgements\n\nWe thank the nurses.\n"),
    ("x-coi", "Roger Smith has served as a consultant to a device maker and on a speakers bureau.\n"),
    ("x-funding", "FundingThis research received no specific grant from any funding agency.\n"),
    ("x-funding", "Source of support\n\nNil.\n"),
    ("x-funding", "Sources of funding\n\nNo Source of Funding\n\nGuarantor\n\nDr Smith.\n"),
    ("x-funding", "Funding\n\nN/A.\n"),
    ("x-funding", "This work was not supported by any external funding.\n"),
    ("x-funding", "Acknowledgements\n\nThis paper was supported by the Regional University in 2014.\n"),
    ("x-ethics", "Ethics approval and consent to participateNot applicable.\n"),
    ("x-ethics", "Ethical approval\n\nN/A.\n"),
    ("x-ethics", "Human Ethics\n\nThe Biomedical Ethics Research Committee issued that approval was not applicable.\n"),
    ("x-ethics", "Ethical approval\n\nEthical approval is not required for case reports at our institution.\n"),
    ("x-ethics", "The study was approved by the institutional review board of the university hospital.\n"),
    ("x-ethics", "All procedures were performed in accordance with the Declaration of Helsinki.\n"),
    ("x-care", "This report was written following the CARE guidelines.\n"),
    ("x-care", "The work has been reported in line with the SCARE 2020 criteria.\n"),
    ("x-care", "It was written according to the recommendations of the Case Report (CARE) guidelines.\n"),
])
def test_a_declaration_is_found_with_a_glued_split_or_missing_heading(checker, item, body):
    v = verdict(check_text(checker, body), item)
    assert v.status == Status.REPORTED, f"{item}: {v.message}"


@pytest.mark.parametrize("item,body", [
    ("x-funding", "Conflict of interest\n\nNone declared.\n"),
    ("x-funding", "Author contributions\n\nJD: conceptualization, funding acquisition, writing.\n"),
    ("x-funding", "Dr. Smith has received grant support from a device maker and is a consultant for another.\n"),
    ("x-ethics", "Ethics\n\nWritten informed consent was obtained from the patient for publication.\n"),
    ("x-ethics", "The drug was approved by the Food and Drug Administration in 2014.\n"),
    ("x-coi", "Funding\n\nNone.\n"),
    ("x-care", "Case reports are a valuable source of clinical knowledge.\n"),
])
def test_a_look_alike_is_not_a_declaration(checker, item, body):
    v = verdict(check_text(checker, body), item)
    assert v.status == Status.MISSING, f"{item}: {[e.quote for e in v.evidence]}"
