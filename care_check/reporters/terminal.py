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
from rich.cells import cell_len
from rich.markup import escape
from rich.text import Text

from ..model import Report, Status, Verdict
from .locate import location

MARKS = {
    Status.REPORTED: ("✔", "green"),
    Status.PARTIAL: ("◐", "yellow"),
    Status.MISSING: ("✘", "red"),
    Status.NOT_APPLICABLE: ("–", "dim"),
}


def _columns() -> int | None:
    """COLUMNS from the environment, when it holds a usable width."""
    try:
        value = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        return None
    return value if value >= 20 else None


def make_console(stream: TextIO | None = None, color: str = "auto") -> Console:
    """A console for ``stream``: ``color`` is always, never, or auto (a terminal and no NO_COLOR).

    On a terminal the report wraps to its width. In a file or a pipe lines are not wrapped,
    unless COLUMNS is set (``COLUMNS=80 care-check check paper.md | less``).
    """
    stream = stream or sys.stdout
    tty = stream.isatty()
    columns = None if tty else _columns()
    wrap = tty or columns is not None
    if color == "auto":
        color = "never" if os.environ.get("NO_COLOR") or not tty else "always"
    if color == "never":
        return Console(file=stream, no_color=True, highlight=False, soft_wrap=not wrap,
                       force_terminal=False, emoji=False, width=columns)
    return Console(file=stream, no_color=False, highlight=False, soft_wrap=not wrap, force_terminal=True, emoji=False,
                   color_system="standard" if not tty else "auto", width=columns or (None if tty else 100))


def _width(console: Console) -> int | None:
    """The width to wrap to, or None when lines are not wrapped (a file or a pipe)."""
    return None if console.soft_wrap else max(console.width, 20)


def _lines(console: Console, text: Text, width: int | None, indent: int, hang: int = 0) -> None:
    """Print ``text`` wrapped at the console width: the first line at ``indent`` columns,
    the lines it wraps onto at ``indent + hang`` (a hanging indent), no line end padded."""
    if width is None:
        console.print(Text(" " * indent) + text, soft_wrap=True)
        return
    room = max(width - indent - hang, 10)
    for i, line in enumerate(text.wrap(console, room)):
        line.rstrip()
        console.print(Text(" " * (indent + (hang if i else 0))) + line, soft_wrap=True)


def _title_lines(console: Console, title: str, width: int) -> list[Text]:
    return [line for line in Text(title).wrap(console, width)] or [Text("")]


def render(report: Report, console: Console, verbose: bool = False,
           suppressed: Mapping[str, str] | None = None) -> None:
    """Print one report; ``suppressed`` (item id -> why) items are marked and do not fail.

    One line per item: mark, id, title, status word, the status words in one column. The
    title wraps inside its column, so a status word never ends up alone on a line; the
    evidence, messages and fixes below wrap with hanging indents.
    """
    suppressed = suppressed or {}
    doc = report.document
    width = _width(console)
    head = Text(doc.path, style="bold") + Text(f"  ({doc.format}, {doc.scope} text) · {report.guideline_title}")
    _lines(console, head, width, 0, 2)
    if report.not_case_report:
        _lines(console, Text("⚠ warning: ", style="bold yellow") + Text(
            f"not scored: this does not read as a case report: it {report.not_case_report}. "
            "Its items are listed below in case it is one."), width, 0, 2)
    id_w = max((len(v.id) for v in report.verdicts), default=0)
    status_w = max((len(v.status.value) for v in report.verdicts), default=0)
    title_w = max((cell_len(v.title) for v in report.verdicts), default=0)  # statuses in one column
    prefix = 3 + id_w + 1
    if width is not None:
        title_w = max(12, min(title_w, width - prefix - 2 - status_w))
    topic = None
    for v in report.verdicts:
        if v.topic != topic:
            topic = v.topic
            console.print()
            _lines(console, Text(topic, style="bold underline"), width, 0, 2)
        mark, colour = MARKS[v.status]
        label = v.status.value.replace("_", " ")
        titles = _title_lines(console, v.title, title_w) if width is not None else [Text(v.title)]
        first = titles[0]
        first.pad_right(title_w - first.cell_len)
        console.print(Text(" ") + Text(mark, style=colour) + Text(" ") + Text(v.id.ljust(id_w), style="bold")
                      + Text(" ") + first + Text("  ") + Text(label, style=colour), soft_wrap=True)
        for more in titles[1:]:
            console.print(Text(" " * prefix) + more, soft_wrap=True)
        why = suppressed.get(v.id)
        if why:
            _lines(console, Text(f"(suppressed: {why}; does not fail the run)", style="dim"), width, 5, 2)
        if v.status == Status.NOT_APPLICABLE:
            if verbose:
                _lines(console, Text(v.message, style="dim"), width, 5, 2)
            continue
        if v.status in (Status.PARTIAL, Status.MISSING):
            # The message first: it says what is missing, in agreement with the mark.
            _lines(console, Text(v.message, style="yellow" if v.status == Status.PARTIAL else "dim"), width, 5, 2)
        for e in v.evidence[: 3 if verbose else 1]:
            quote = Text()
            if e.component and v.status != Status.REPORTED:
                quote.append(f"found ({e.component}): ")
            quote.append(f"“{e.quote}”", style="dim")
            quote.append(f" ({e.section}, {location(e, doc.format)})")
            if e.via and verbose:
                quote.append(f" ({e.via})", style="dim")
            _lines(console, quote, width, 5, 1)
        if v.fix and v.status in (Status.MISSING, Status.PARTIAL):
            _lines(console, Text("fix: ", style="cyan") + Text(v.fix), width, 5, 5)
    n_rep, n_par = report.count(Status.REPORTED), report.count(Status.PARTIAL)
    n_mis, n_na = report.count(Status.MISSING), report.count(Status.NOT_APPLICABLE)
    n_sup = f" · {len(suppressed)} suppressed" if suppressed else ""
    score = ("not scored (not a case report?)" if report.not_case_report
             else f"completeness {report.completeness:.1f}%")
    console.print()
    _lines(console, Text(f"{n_rep} reported · {n_par} partial · {n_mis} missing · {n_na} not applicable"
                         f" · {score}{n_sup}", style="bold"), width, 0, 2)
    console.print()


def quiet_line(report: Report, failing: list[Verdict], console: Console) -> None:
    """One line for a file with failing items: the ids to fix, then the counts (``-q``)."""
    ids = ", ".join(v.id for v in failing)
    console.print(f"[bold]{escape(report.document.path)}[/]: [red]{len(failing)} failing ({escape(ids)})[/] · "
                  f"{report.count(Status.REPORTED)} reported · {report.count(Status.PARTIAL)} partial · "
                  f"{report.count(Status.MISSING)} missing · "
                  + ("not scored (not a case report?)" if report.not_case_report
                     else f"completeness {report.completeness:.1f}%"))
