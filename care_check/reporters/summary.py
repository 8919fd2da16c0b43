"""One table row per manuscript, so an editor triages a folder at a glance."""

from __future__ import annotations

from collections.abc import Mapping

from rich.console import Console
from rich.markup import escape
from rich.measure import Measurement
from rich.table import Table

from ..model import Report, Status
from ..suppress import why


def ordered(reports: list[Report], sort: str = "name") -> list[Report]:
    """By path; or worst first: lowest completeness, or most missing items."""
    if sort == "completeness":
        return sorted(reports, key=lambda r: (r.completeness, r.document.path))
    if sort == "missing":
        return sorted(reports, key=lambda r: (-r.count(Status.MISSING), r.document.path))
    return sorted(reports, key=lambda r: r.document.path)


def render(reports: list[Report], console: Console, sort: str = "name",
           suppressed: Mapping[str, Mapping[str, str]] | None = None) -> None:
    """Print the summary table; suppressed missing items are listed in parentheses."""
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
                      str(r.count(Status.PARTIAL)), str(r.count(Status.MISSING)), f"{r.completeness:.1f}%",
                      escape(", ".join(missing)) or "–")
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
