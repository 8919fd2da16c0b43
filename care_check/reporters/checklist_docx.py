"""The filled CARE checklist as a Word document (python-docx), to upload with a submission.

The layout follows the official CARE checklist form: a title, the manuscript, then one
table with the topic, the item number, the checklist item description and where it is
reported, plus the checker's status; the header row repeats on every page. Built from
``checklist.rows``, so it says exactly what ``--format checklist`` says. Opens in Word and
LibreOffice (the test converts it to PDF with LibreOffice where installed).
"""

from __future__ import annotations

import io
from collections.abc import Mapping

from docx import Document as new_document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from .. import __version__
from ..model import Report, Status
from ..ruleset import Ruleset
from .checklist import HEADINGS, rows, summary_line

WIDTHS_CM = (3.2, 1.3, 9.4, 6.6, 4.2)  # landscape A4 less 1.6 cm margins: 25.7 cm of text


def _xml_safe(text: str) -> str:
    """Word refuses control characters (and python-docx raises on them): drop them."""
    return "".join(ch for ch in text if ch in "\t\n" or (ord(ch) >= 0x20 and not 0xD800 <= ord(ch) <= 0xDFFF
                                                          and ch not in "\ufffe\uffff"))


def _repeat_header(row) -> None:
    props = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    props.append(flag)


def render(report: Report, ruleset: Ruleset, suppressed: Mapping[str, Mapping[str, str]] | None = None) -> bytes:
    """The .docx file's bytes for one report."""
    doc = new_document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.6))
    normal = doc.styles["Normal"]
    normal.font.size = Pt(9.5)
    doc.core_properties.title = _xml_safe(f"CARE checklist: {report.document.path}")[:250]
    doc.core_properties.author = f"care-check {__version__}"

    doc.add_heading("CARE checklist", level=1)
    intro = doc.add_paragraph()
    intro.add_run("Manuscript: ").bold = True
    intro.add_run(_xml_safe(report.document.path))
    doc.add_paragraph(_xml_safe(summary_line(report)))
    unit = {"docx": "paragraph numbers of the .docx file", "pdf": "page and line on the page of the PDF"}.get(
        report.document.format, "line numbers of the file")
    doc.add_paragraph(f"Where reported: section and {unit}. Filled by care-check {__version__}; "
                      "check each entry before submitting.")

    table = doc.add_table(rows=1, cols=len(HEADINGS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = table.rows[0]
    _repeat_header(header)
    for cell, text in zip(header.cells, HEADINGS):
        cell.paragraphs[0].add_run(text).bold = True
    for r in rows(report, ruleset, suppressed):
        cells = table.add_row().cells
        for cell, text in zip(cells, (r.topic, r.item, r.description, r.where, r.status)):
            cell.text = _xml_safe(text)
        if r.topic:
            cells[0].paragraphs[0].runs[0].bold = True
        if r.state in (Status.MISSING, Status.PARTIAL):
            for run in cells[3].paragraphs[0].runs + cells[4].paragraphs[0].runs:
                run.bold = True
    table.autofit = False
    for column, width in zip(table.columns, WIDTHS_CM):  # the grid LibreOffice reads
        column.width = Cm(width)
    for row in table.rows:  # and each cell, which Word reads
        for cell, width in zip(row.cells, WIDTHS_CM):
            cell.width = Cm(width)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
