"""One table row per manuscript, so an editor triages a folder at a glance."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rich.console import Console
from rich.markup import escape
from rich.measure import Measurement
from rich.table import Table

from ..model import Report, Status
from ..suppress import why


@dataclass(frozen=True)
class Row:
    """What the table shows of one report (kept instead of the report, so a folder of any
    size is summarised in little memory)."""

    path: str
    format: str
    scope: str
    reported: int
    partial: int
    missing: int
    completeness: float
    missing_items: tuple[str, ...]  # suppressed ones in parentheses
    suppressed: bool = False  # whether any item of the file is suppressed

    @classmethod
    def of(cls, report: Report, suppressed: Mapping[str, str] | None = None) -> Row:
        sup = {report.document.path: suppressed or {}}
        missing = tuple(f"({v.id})" if why(sup, report, v.id) else v.id
                        for v in report.verdicts if v.status == Status.MISSING)
        d = report.document
        return cls(d.path, d.format, d.scope, report.count(Status.REPORTED), report.count(Status.PARTIAL),
                   report.count(Status.MISSING), report.completeness, missing, bool(suppressed))


def ordered(rows: list[Row], sort: str = "name") -> list[Row]:
    """By path; or worst first: lowest completeness, or most missing items."""
    if sort == "completeness":
        return sorted(rows, key=lambda r: (r.completeness, r.path))
    if sort == "missing":
        return sorted(rows, key=lambda r: (-r.missing, r.path))
    return sorted(rows, key=lambda r: r.path)


def render(rows: list[Row], console: Console, sort: str = "name") -> None:
    """Print the summary table; suppressed missing items are listed in parentheses."""
    table = Table(title=f"{len(rows)} manuscript{'s' if len(rows) != 1 else ''}", title_justify="left",
                  caption="(id): missing but suppressed" if any(r.suppressed for r in rows) else None,
                  caption_justify="left")
    for name, justify in (("file", "left"), ("format", "left"), ("scope", "left"), ("reported", "right"),
                          ("partial", "right"), ("missing", "right"), ("completeness", "right"),
                          ("missing items", "left")):
        table.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for r in ordered(rows, sort):
        table.add_row(escape(r.path), r.format, r.scope, str(r.reported), str(r.partial), str(r.missing),
                      f"{r.completeness:.1f}%", escape(", ".join(r.missing_items)) or "–")
    if console.is_terminal:
        console.print(table)
        return
    # In a file or a pipe the table keeps its natural width instead of folding at 80 columns.
    width = console.width
    console.width = max(width, Measurement.get(console, console.options.update_width(1000), table).maximum)
    try:
        console.print(table)
    finally:
        console.width = width
