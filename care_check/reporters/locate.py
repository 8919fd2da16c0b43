"""The one line a CI format points at for an item, and the item's namespaced id."""

from __future__ import annotations

from ..model import Evidence, Report, Status, Verdict


def section_line(report: Report, v: Verdict) -> int:
    """The line of the first section searched for the item (1 when unknown)."""
    for name in v.searched[:1]:
        for s in report.document.sections:
            if (s.heading.strip() or s.kind.replace("_", " ")) == name:
                return max(s.line, 1)
    return 1


def item_line(report: Report, v: Verdict) -> int:
    """Where the item is reported (its first evidence), else where it was looked for first."""
    if v.evidence and v.status in (Status.REPORTED, Status.PARTIAL):
        return max(v.evidence[0].line, 1)
    return section_line(report, v)


def rule_id(report_or_guideline: Report | str, item_id: str) -> str:
    """``CARE-3a``: the guideline's id as a namespace, so dashboards mixing tools read clearly."""
    gid = report_or_guideline if isinstance(report_or_guideline, str) else report_or_guideline.guideline_id
    return f"{gid.upper()}-{item_id}"


def location(e: Evidence, fmt: str) -> str:
    """Where a person finds a sentence, counted the way its file counts: paragraph for DOCX
    (Word numbers no lines), page and line on the page for PDF, line otherwise (and the
    column on a web page saved as one long line)."""
    if fmt == "docx":
        return f"paragraph {e.line}"
    where = f"line {e.line}" + (f", col {e.column}" if e.column else "")
    return f"p. {e.page}, {where}" if e.page else where
