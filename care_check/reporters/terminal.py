"""The report a person reads in a terminal: item by item, grouped by CARE topic.

Rendered with rich; colour only on a terminal and never when NO_COLOR is set.
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


def make_console(stream: TextIO | None = None) -> Console:
    stream = stream or sys.stdout
    plain = bool(os.environ.get("NO_COLOR")) or not stream.isatty()
    return Console(file=stream, no_color=plain, highlight=False, soft_wrap=not stream.isatty(),
                   force_terminal=False if plain else None, emoji=False)


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
