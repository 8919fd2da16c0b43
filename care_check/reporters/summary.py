"""One table row per manuscript, so an editor triages a folder at a glance.

Completeness is only compared within a scope: a PubMed abstract page has four items to
report and a full manuscript thirty-four, so sorting by completeness (or missing items)
orders the full manuscripts first, then body-only texts, then abstract pages, and within
each the worst first. A document that does not read as a case report is not scored and
comes last in its scope.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.console import Console
from rich.markup import escape
from rich.measure import Measurement
from rich.table import Table

from ..model import Report, Status
from ..suppress import why

SCOPES = ("full", "body", "abstract")  # most to least that a document can report


def scope_rank(report: Report) -> int:
    scope = report.document.scope
    return SCOPES.index(scope) if scope in SCOPES else len(SCOPES)


def ordered(reports: list[Report], sort: str = "name") -> list[Report]:
    """By path; or, within each scope, worst first: lowest completeness, or most missing items."""
    if sort == "completeness":
        return sorted(reports, key=lambda r: (scope_rank(r), bool(r.not_case_report), r.completeness,
                                              r.document.path))
    if sort == "missing":
        return sorted(reports, key=lambda r: (scope_rank(r), bool(r.not_case_report), -r.count(Status.MISSING),
                                              r.document.path))
    return sorted(reports, key=lambda r: r.document.path)


def score(report: Report) -> str:
    """The completeness a person reads: a percentage, or why there is none."""
    return "not scored: not a case report?" if report.not_case_report else f"{report.completeness:.1f}%"


def render(reports: list[Report], console: Console, sort: str = "name",
           suppressed: Mapping[str, Mapping[str, str]] | None = None,
           skipped: Sequence[tuple[str, str]] = ()) -> None:
    """Print the summary table (suppressed missing items in parentheses), then the files
    of the folders that were not checked, each with the reason."""
    table = Table(title=f"{len(reports)} manuscript{'s' if len(reports) != 1 else ''}", title_justify="left",
                  caption="(id): missing but suppressed" if suppressed and any(suppressed.values()) else None,
                  caption_justify="left")
    for name, justify in (("file", "left"), ("format", "left"), ("scope", "left"), ("reported", "right"),
                          ("partial", "right"), ("missing", "right"), ("completeness", "right"),
                          ("missing items", "left")):
        table.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for r in ordered(reports, sort):
        missing = [f"({v.id})" if why(suppressed, r, v.id) else v.id for v in r.verdicts if v.status == Status.MISSING]
        table.add_row(escape(r.document.path), r.document.format, r.document.scope, str(r.count(Status.REPORTED)),
                      str(r.count(Status.PARTIAL)), str(r.count(Status.MISSING)), score(r),
                      escape(", ".join(missing)) or "–")
    tables = [table]
    if skipped:
        left = Table(title=f"{len(skipped)} file{'s' if len(skipped) != 1 else ''} not checked",
                     title_justify="left")
        left.add_column("file", overflow="fold")
        left.add_column("why", overflow="fold")
        for path, reason in skipped:
            left.add_row(escape(path), escape(reason))
        tables.append(left)
    for t in tables:
        _print(console, t)


def _print(console: Console, table: Table) -> None:
    if console.is_terminal or not console.soft_wrap:
        console.print(table)
        return
    # In a file or a pipe the table keeps its natural width instead of folding at 80 columns.
    width = console.width
    console.width = max(width, Measurement.get(console, console.options.update_width(1000), table).maximum)
    try:
        console.print(table)
    finally:
        console.width = width
