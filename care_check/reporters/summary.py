"""One table row per manuscript, so an editor triages a folder at a glance.

Completeness is only compared within a scope: a PubMed abstract page has four items to
report and a full manuscript thirty-four, so sorting by completeness (or missing items)
orders the full manuscripts first, then body-only texts, then abstract pages, and within
each the worst first. A document that does not read as a case report is not scored and
comes last in its scope.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.measure import Measurement
from rich.table import Table

from .rows import Row, ordered


def render(rows: list[Row], console: Console, sort: str = "name", skipped: Sequence[tuple[str, str]] = ()) -> None:
    """Print the summary table (suppressed missing items in parentheses), then the files
    of the folders that were not checked, each with the reason."""
    table = Table(title=f"{len(rows)} manuscript{'s' if len(rows) != 1 else ''}", title_justify="left",
                  caption="(id): missing but suppressed" if any(r.suppressed for r in rows) else None,
                  caption_justify="left")
    for name, justify in (("file", "left"), ("format", "left"), ("scope", "left"), ("reported", "right"),
                          ("partial", "right"), ("missing", "right"), ("completeness", "right"),
                          ("missing items", "left")):
        table.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for r in ordered(rows, sort):
        table.add_row(escape(r.path), r.format, r.scope, str(r.reported), str(r.partial), str(r.missing), r.score,
                      escape(", ".join(r.missing_items)) or "–")
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
