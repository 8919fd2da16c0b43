"""``--summary FILE.csv``: one row per manuscript for an editor's spreadsheet.

Written with the csv module (RFC 4180: fields holding commas, quotes or line breaks are
quoted, quotes doubled, rows end with CRLF) in **UTF-8 with a byte-order mark**: Excel
opens a double-clicked .csv in the computer's legacy code page unless the file starts with
a BOM, which would garble "Müller-case-ré.docx" or "µmol"; LibreOffice, Google Sheets,
pandas and Python's ``utf-8-sig`` read the BOM and drop it.

Rows: every checked manuscript, sorted by scope (full manuscripts, then body-only texts,
then abstract pages: completeness is only compared within a scope), then completeness,
worst first (or by missing items with ``--sort missing``); then the files that could not
be checked (the error) and the files of a folder that were skipped (the reason).
Completeness is a plain number (50.0, not "50.0%") so the column sorts as numbers; it is
empty for a document that does not read as a case report (the warning column says why).

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
leading apostrophe, so a hostile file name can never run as a spreadsheet formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from ..model import Report, Status
from .summary import ordered

COLUMNS = ("file", "format", "scope", "reported", "partial", "missing", "not applicable", "completeness (%)",
           "missing items", "partial items", "warning", "error")
ENCODING = "utf-8-sig"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str) -> str:
    """A text cell a spreadsheet shows as text, never evaluates."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def rows(reports: list[Report], problems: Sequence[tuple[str, str]] = (),
         skipped: Sequence[tuple[str, str]] = (), sort: str = "completeness") -> list[list[str | int | float]]:
    """The table under the header, in the documented order."""
    out: list[list[str | int | float]] = []
    for r in ordered(reports, sort if sort != "name" else "completeness"):
        ids = {s: ", ".join(v.id for v in r.verdicts if v.status == s) for s in (Status.MISSING, Status.PARTIAL)}
        out.append([safe_cell(r.document.path), r.document.format, r.document.scope, r.count(Status.REPORTED),
                    r.count(Status.PARTIAL), r.count(Status.MISSING), r.count(Status.NOT_APPLICABLE),
                    "" if r.not_case_report else r.completeness, ids[Status.MISSING], ids[Status.PARTIAL],
                    safe_cell(f"not a case report? it {r.not_case_report}") if r.not_case_report else "", ""])
    for path, problem in problems:
        out.append([safe_cell(path)] + [""] * 10 + [safe_cell(f"not checked: {problem}")])
    for path, reason in skipped:
        out.append([safe_cell(path)] + [""] * 10 + [safe_cell(f"skipped: {reason}")])
    return out


def render(reports: list[Report], problems: Sequence[tuple[str, str]] = (),
           skipped: Sequence[tuple[str, str]] = (), sort: str = "completeness") -> str:
    """The CSV text (without the BOM: ``ENCODING`` adds it when the file is written)."""
    buf = io.StringIO()
    writer = csv.writer(buf)  # QUOTE_MINIMAL, CRLF
    writer.writerow(COLUMNS)
    writer.writerows(rows(reports, problems, skipped, sort))
    return buf.getvalue()
