"""Realistic documents an editor's folder holds besides case reports, written for these tests,
and a folder builder that mixes them with the repository's own example manuscripts."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMPLETE = ROOT / "corpus" / "complete-case-report.md"
GAPPY = ROOT / "corpus" / "gappy-case-report.md"
FORMATS = ROOT / "tests" / "fixtures" / "formats"

COVER_LETTER = """Dear Editor,

Please find enclosed our manuscript entitled "Recurrent exertional rhabdomyolysis in a young
competitive rower: a case report", which we submit for consideration as a case report in
your journal.

We describe a 19-year-old woman with three admissions for rhabdomyolysis after training, in
whom carnitine palmitoyltransferase II deficiency was finally diagnosed. We believe the case
will interest sports physicians and general internists, because the diagnosis is often missed
for years.

The manuscript has not been published elsewhere and is not under consideration by another
journal. All authors have read and approved the final version and declare no competing
interests.

Yours sincerely,

Dr Anna Example
Department of Medicine, Example University Hospital
"""

REVIEWER_RESPONSE = """Response to reviewers

Manuscript ID CR-2024-0117: "Recurrent exertional rhabdomyolysis in a young competitive rower"

We thank the editor and the reviewers for their careful reading of our manuscript.

Reviewer 1

Comment 1: The abstract does not state the outcome.
Response: We agree and have added the outcome at fourteen months to the abstract.

Comment 2: Please add a timeline of the three admissions.
Response: A timeline table has been added after the case presentation (new Table 1).

Reviewer 2

Comment 1: Was informed consent for publication obtained?
Response: Yes; we have added a consent statement before the references.
"""

# A case report published in letter form: a salutation, but a patient and no cover-letter phrases.
LETTER_CASE_REPORT = """Dear Editor,

A 34-year-old woman presented to our emergency department with three days of fever, a
spreading rash on her trunk and painful swelling of both ankles. Two weeks earlier she had
started lamotrigine for bipolar depression. On examination her temperature was 38.9 °C and
she had a confluent morbilliform eruption with facial oedema and cervical lymphadenopathy.

Blood tests showed eosinophilia of 2.1 x 10^9/L and raised transaminases; a RegiSCAR score of
6 made drug reaction with eosinophilia and systemic symptoms (DRESS) definite. Lamotrigine was
stopped and oral prednisolone 1 mg/kg was started and tapered over eight weeks. The rash and
liver tests had returned to normal at three months.

This case reminds clinicians that DRESS can follow lamotrigine within weeks of starting it.

Yours sincerely,
The authors
"""

# A commentary: no case section, no patient.
COMMENTARY = """Why case reports still matter

Case reports are the oldest form of medical publication and remain the first signal of many
new diseases and adverse drug reactions. Critics point out that they cannot establish
causation and that publication favours the unusual.

Reporting guidelines such as CARE were written to make these reports more complete and more
useful for later synthesis. Journals that ask authors to submit the filled checklist publish
reports that are easier to include in systematic reviews.

We argue that editors should keep publishing well-reported cases, and that readers should
treat them as hypotheses rather than evidence of effectiveness.
"""

ABSTRACT_PAGE = """# Recurrent exertional rhabdomyolysis in a young competitive rower: a case report

## Abstract

**Background:** Carnitine palmitoyltransferase II deficiency is the most common inherited
cause of recurrent rhabdomyolysis in adults and is easily mistaken for overtraining.

**Case presentation:** A 19-year-old woman presented with myalgia and dark urine after
rowing training; creatine kinase was 112,000 U/L. Genetic testing confirmed CPT II
deficiency. She was treated with intravenous fluids and dietary advice and had no further
admissions at fourteen months.

**Conclusions:** Recurrent exertional rhabdomyolysis should prompt a metabolic work-up.

Keywords: case report; rhabdomyolysis; CPT II deficiency; exercise
"""


def editor_folder(base: Path) -> Path:
    """A folder as an editor gets it: manuscripts in several formats and scopes, a cover
    letter, figures, a reference library, a data sheet, an old .doc and a README."""
    folder = base / "submissions"
    (folder / "revised").mkdir(parents=True)
    shutil.copy(GAPPY, folder / "gappy-case-report.md")
    shutil.copy(COMPLETE, folder / "complete-case-report.md")
    shutil.copy(FORMATS / "gappy-case-report.docx", folder / "revised" / "gappy-case-report.docx")
    (folder / "abstract-page.md").write_text(ABSTRACT_PAGE, encoding="utf-8")
    (folder / "cover-letter.txt").write_text(COVER_LETTER, encoding="utf-8")
    (folder / "figure-1.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)
    (folder / "references.bib").write_text("@article{gagnier2013, title={The CARE guidelines}}\n")
    (folder / "lab-values.csv").write_text("day,ck\n1,112000\n")
    (folder / "old-draft.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 32)
    (folder / "README.md").write_text("# Submissions\n\nThe case reports of this issue.\n")
    return folder
