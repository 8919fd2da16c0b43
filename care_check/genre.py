"""Is this a case report at all? A cover letter or a response to reviewers dropped in a
folder of manuscripts should get a warning, not a 3% completeness score.

The test is deliberately simple, so a person can check it against the text:

1. A document with a case section (case presentation, patient information, clinical
   findings, … as ``rules/sections.yaml`` groups them) is a case report. Nothing else is
   asked.
2. Without one, it is **a cover letter** when it opens with a salutation ("Dear Editor",
   "To the Editor") or closes like a letter ("Yours sincerely") *and* speaks of submitting
   a manuscript ("please find enclosed", "for your consideration", "has not been
   published elsewhere"). A case report written as a letter ("Dear Editor, a 34-year-old
   woman presented …") has no submission phrases and stays a case report.
3. Without one, it is **a response to reviewers** when it has two or more reviewer markers
   ("Reviewer 1", "Response to reviewers", "Comment 2:", "We thank the reviewer").
4. Without one, it is **not a case report** when no sentence describes a patient: no age
   ("a 45-year-old", "6-month-old") and no "a/the/our (…) patient|man|woman|child …
   presented / was admitted / was referred …".

Abstract-only pages (scope ``abstract``) have their own scope and are never judged here.
Only the first ``SCAN_CHARS`` characters are searched, so the test stays cheap on any input.
"""

from __future__ import annotations

import re

from .model import Document

SCAN_CHARS = 200_000
OPENING_STRINGS = 4  # headings or paragraphs a salutation may be in

_SALUTATION = re.compile(
    r"\s*(?:dear\s+(?:the\s+)?(?:editors?(?:-in-chief)?|sirs?|madam|colleagues?|reviewers?|"
    r"dr\b|prof\b|professor|mr\b|ms\b|mrs\b)|to\s+the\s+editors?\b)", re.IGNORECASE)
_CLOSING = re.compile(
    r"^[ \t]*(?:yours\s+(?:sincerely|faithfully|truly)|sincerely(?:\s+yours)?|"
    r"(?:with\s+)?(?:kind|best|warm)(?:est)?\s+regards)[ \t]*,?[ \t]*$", re.IGNORECASE | re.MULTILINE)
_SUBMISSION = re.compile(
    r"\b(?:please\s+find\s+(?:enclosed|attached)|(?:enclosed|attached)\s+(?:please\s+find|is\s+(?:our|the|a))|"
    r"for\s+(?:your\s+)?(?:kind\s+)?consideration|(?:wish|like)\s+to\s+submit|(?:are|am)\s+(?:pleased\s+to\s+)?"
    r"submitt?ing|manuscript\s+(?:entitled|titled)|(?:not|neither)\s+been\s+(?:previously\s+)?published|"
    r"not\s+(?:currently\s+)?under\s+consideration|suggested\s+reviewers)\b", re.IGNORECASE)
_REVIEW = re.compile(
    r"\b(?:reviewer\s*#?\s*\d+|responses?\s+to\s+(?:the\s+)?(?:reviewers?|editors?|comments)|"
    r"(?:we|the\s+authors)\s+(?:would\s+like\s+to\s+)?thank\s+the\s+(?:\w+\s+)?(?:reviewers?|editors?)|"
    r"point[- ]by[- ]point)\b", re.IGNORECASE)
_RESPONSE_LABEL = re.compile(r"^[ \t]*(?:comment|response|reply|answer)[ \t]*\d*(?:\.\d+)?[ \t]*:",
                             re.IGNORECASE | re.MULTILINE)
_PATIENT = re.compile(
    r"\b\d{1,3}[- ](?:years?|months?|weeks?|days?)[- ]old\b|"
    r"\b(?:a|an|our|the|this)\s+(?:[\w-]+\s+){0,3}?(?:patient|man|woman|boy|girl|infant|neonate|newborn|child|"
    r"male|female|gentleman|lady|adolescent)\s+(?:[\w,-]+\s+){0,3}?(?:presented|was\s+admitted|was\s+referred|"
    r"was\s+brought|came|complained|developed|attended|underwent|was\s+diagnosed)\b", re.IGNORECASE)


def _strings(doc: Document) -> list[str]:
    """Headings and paragraphs in reading order (references left out)."""
    out: list[str] = []
    for s in doc.sections:
        if s.kind == "references":
            continue
        if s.heading.strip():
            out.append(s.heading.strip())
        out.extend(b.text.strip() for b in s.blocks if b.text.strip())
    return out


def _quote(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return f"“{text if len(text) <= limit else text[: limit - 1].rstrip() + '…'}”"


def assess(doc: Document) -> str | None:
    """None for a case report (or an abstract page); else why it does not read as one."""
    if doc.scope == "abstract" or any(s.group == "case" for s in doc.sections):
        return None
    strings = _strings(doc)
    text, size = [], 0
    for piece in strings:
        if size >= SCAN_CHARS:
            break
        text.append(piece[: SCAN_CHARS - size])
        size += len(text[-1]) + 2
    body = "\n\n".join(text)
    no_case = "and has no case presentation section"
    salutation = next((m for m in (_SALUTATION.match(s) for s in strings[:OPENING_STRINGS]) if m), None)
    closing = _CLOSING.search(body)
    submission = _SUBMISSION.search(body)
    if (salutation or closing) and submission:
        letter = _quote(salutation.string if salutation else closing.group())
        return f"reads as a cover letter ({letter} … {_quote(submission.group())}) {no_case}"
    reviews = [m.group() for m in _REVIEW.finditer(body)] + [m.group() for m in _RESPONSE_LABEL.finditer(body)]
    if len(reviews) >= 2:
        return f"reads as a response to reviewers ({_quote(reviews[0])}, {len(reviews)} such markers) {no_case}"
    if not _PATIENT.search(body):
        return ("has no case presentation section and no sentence describing a patient "
                "(such as “a 45-year-old man presented …”)")
    return None
