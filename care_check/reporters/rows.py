"""One small row per checked manuscript: what the summaries (terminal table, ``--summary``
CSV, HTML index) need of a report, kept instead of the report so a folder of any size is
summarised in little memory. No rich here: JSON Lines and CSV runs never import it.

Completeness is only compared within a scope: a PubMed abstract page has four items to
report and a full manuscript thirty-four, so sorting by completeness (or missing items)
orders the full manuscripts first, then body-only texts, then abstract pages, and within
each the worst first. A document that does not read as a case report is not scored and
comes last in its scope.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..model import Report, Status
from ..suppress import why

SCOPES = ("full", "body", "abstract")  # most to least that a document can report


def scope_rank(scope: str) -> int:
    return SCOPES.index(scope) if scope in SCOPES else len(SCOPES)


@dataclass(frozen=True)
class Row:
    """What the summaries (terminal table, CSV) show of one report, kept instead of the
    report so a folder of any size is summarised in little memory."""

    path: str
    format: str
    scope: str
    reported: int
    partial: int
    missing: int
    not_applicable: int
    completeness: float
    missing_items: tuple[str, ...]  # suppressed ones in parentheses
    missing_ids: tuple[str, ...]
    partial_ids: tuple[str, ...]
    not_case_report: str = ""  # why the document does not read as a case report, if it does not
    suppressed: bool = False  # whether any item of the file is suppressed

    @classmethod
    def of(cls, report: Report, suppressed: Mapping[str, str] | None = None) -> Row:
        sup = {report.document.path: suppressed or {}}
        missing = [v.id for v in report.verdicts if v.status == Status.MISSING]
        d = report.document
        return cls(d.path, d.format, d.scope, report.count(Status.REPORTED), report.count(Status.PARTIAL),
                   report.count(Status.MISSING), report.count(Status.NOT_APPLICABLE), report.completeness,
                   tuple(f"({i})" if why(sup, report, i) else i for i in missing), tuple(missing),
                   tuple(v.id for v in report.verdicts if v.status == Status.PARTIAL),
                   report.not_case_report or "", bool(suppressed))

    @property
    def score(self) -> str:
        """The completeness a person reads: a percentage, or why there is none."""
        return "not scored: not a case report?" if self.not_case_report else f"{self.completeness:.1f}%"


def sort_key(row: Row, sort: str = "name") -> tuple:
    """By path; or, within each scope, worst first: lowest completeness, or most missing items."""
    if sort == "completeness":
        return (scope_rank(row.scope), bool(row.not_case_report), row.completeness, row.path)
    if sort == "missing":
        return (scope_rank(row.scope), bool(row.not_case_report), -row.missing, row.path)
    return (row.path,)


def ordered(rows: list[Row], sort: str = "name") -> list[Row]:
    return sorted(rows, key=lambda r: sort_key(r, sort))
