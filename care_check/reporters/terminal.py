"""The report a person reads in a terminal: item by item, grouped by CARE topic.

Rendered with rich; colour per ``--color`` (auto: only on a terminal, never with NO_COLOR;
FORCE_COLOR forces it). ``quiet_line`` is the one line ``-q`` prints for a failing file.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import TextIO

from rich.console import Console
from rich.markup import escape

from ..model import Report, Status, Verdict

MARKS = {
    Status.REPORTED: ("✔", "green"),
    Status.PARTIAL: ("◐", "yellow"),
    Status.MISSING: ("✘", "red"),
    Status.NOT_APPLICABLE: ("–", "dim"),
}


def make_console(stream: TextIO | None = None, color: str = "auto") -> Console:
    """A console for ``stream``: ``color`` is always, never, or auto (a terminal and no NO_COLOR)."""
    stream = stream or sys.stdout
    tty = stream.isatty()
    if color == "auto":
        color = "never" if os.environ.get("NO_COLOR") or not tty else "always"
    if color == "never":
        return Console(file=stream, no_color=True, highlight=False, soft_wrap=not tty,
                       force_terminal=False, emoji=False)
    return Console(file=stream, no_color=False, highlight=False, soft_wrap=not tty, force_terminal=True, emoji=False,
                   color_system="standard" if not tty else "auto", width=None if tty else 100)


def _where(v: Verdict, i: int) -> str:
    e = v.evidence[i]
    loc = (f"p. {e.page}, " if e.page else "") + f"line {e.line}" + (f", col {e.column}" if e.column else "")
    return f"{e.section}, {loc}"


def render(report: Report, console: Console, verbose: bool = False,
           suppressed: Mapping[str, str] | None = None) -> None:
    """Print one report; ``suppressed`` (item id -> why) items are marked and do not fail."""
    suppressed = suppressed or {}
    doc = report.document
    console.print(f"[bold]{escape(doc.path)}[/]  ({doc.format}, {doc.scope} text) · {escape(report.guideline_title)}")
    topic = None
    width = max((len(v.title) for v in report.verdicts), default=0)  # statuses in one column
    for v in report.verdicts:
        if v.topic != topic:
            topic = v.topic
            console.print(f"\n[bold underline]{escape(topic)}[/]")
        mark, colour = MARKS[v.status]
        label = v.status.value.replace("_", " ")
        why = suppressed.get(v.id)
        note = f" [dim](suppressed: {escape(why)})[/]" if why else ""
        console.print(f" [{colour}]{mark}[/] [bold]{v.id:<9}[/] {escape(v.title.ljust(width))}  [{colour}]{label}[/]{note}")
        if v.status == Status.NOT_APPLICABLE:
            if verbose:
                console.print(f"     [dim]{escape(v.message)}[/]")
            continue
        if v.status == Status.PARTIAL:
            console.print(f"     [yellow]{escape(v.message)}[/]")
        for i, e in enumerate(v.evidence[: 3 if verbose else 1]):
            tag = f"[{escape(e.component)}] " if e.component and v.status == Status.PARTIAL else ""
            tag += f"[dim]({escape(e.via)})[/]" if e.via and verbose else ""
            console.print(f"     [dim]“{escape(e.quote)}”[/] ({escape(_where(v, i))}) {tag}".rstrip())
        if v.status == Status.MISSING:
            console.print(f"     [dim]{escape(v.message)}[/]")
        if v.fix and v.status in (Status.MISSING, Status.PARTIAL):
            console.print(f"     [cyan]fix:[/] {escape(v.fix)}")
    n_rep, n_par = report.count(Status.REPORTED), report.count(Status.PARTIAL)
    n_mis, n_na = report.count(Status.MISSING), report.count(Status.NOT_APPLICABLE)
    n_sup = f" · {len(suppressed)} suppressed" if suppressed else ""
    console.print(f"\n[bold]{n_rep} reported · {n_par} partial · {n_mis} missing · {n_na} not applicable"
                  f" · completeness {report.completeness:.1f}%{n_sup}[/]\n")


def quiet_line(report: Report, failing: list[Verdict], console: Console) -> None:
    """One line for a file with failing items: the ids to fix, then the counts (``-q``)."""
    ids = ", ".join(v.id for v in failing)
    console.print(f"[bold]{escape(report.document.path)}[/]: [red]{len(failing)} failing ({escape(ids)})[/] · "
                  f"{report.count(Status.REPORTED)} reported · {report.count(Status.PARTIAL)} partial · "
                  f"{report.count(Status.MISSING)} missing · completeness {report.completeness:.1f}%")
