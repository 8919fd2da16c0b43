"""The filled CARE checklist journals ask for at submission: one row per item with where the
manuscript reports it, in the layout of the official form (topic, item number, checklist
item description, where reported) plus the checker's status.

Locations are given the way the file counts them (``locate.location``): paragraph numbers
for DOCX, page and line for PDF, line for text formats. ``rows`` is the one table every
form of the checklist is written from: Markdown (``render``, also ``--format checklist``),
CSV (``render_csv``) and Word (``checklist_docx``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass

from ..model import Report, Status, Verdict
from ..ruleset import Ruleset
from ..suppress import why

HEADINGS = ("Topic", "Item", "Checklist item description", "Where reported", "Status")
HEADER = "| Topic | Item | Checklist item | Reported in | Status |\n|---|---|---|---|---|"


@dataclass(frozen=True)
class Row:
    """One line of the filled checklist; ``topic`` is empty after the first item of a topic."""

    topic: str
    item: str
    description: str
    where: str
    status: str
    state: Status


def where(v: Verdict, fmt: str) -> str:
    """Where the item is reported: each section once, with its lines (paragraphs, pages)."""
    if v.status == Status.NOT_APPLICABLE:
        return "not applicable"
    if not v.evidence or v.status == Status.MISSING:
        return "not reported"
    unit = "paragraph" if fmt == "docx" else "line"
    places: dict[tuple[str, int | None], list[str]] = {}
    for e in v.evidence:
        number = f"{e.line}" + (f" (col {e.column})" if e.column else "")
        seen = places.setdefault((e.section, e.page if fmt != "docx" else None), [])
        if number not in seen:
            seen.append(number)
    parts = []
    for (section, page), numbers in places.items():
        plural = "s" if len(numbers) > 1 else ""
        parts.append(f"{section}, " + (f"p. {page}, " if page else "") + f"{unit}{plural} {', '.join(numbers)}")
    return "; ".join(parts)


def status(v: Verdict, reason: str | None) -> str:
    text = v.status.value.replace("_", " ")
    if v.status == Status.PARTIAL:
        text += f" ({v.message})"
    return text + (f"; suppressed ({reason})" if reason else "")


def rows(report: Report, ruleset: Ruleset, suppressed: Mapping[str, Mapping[str, str]] | None = None) -> list[Row]:
    """The checklist of one report, item by item in the guideline's order."""
    asks = {r.spec.id: r.spec.asks for r in ruleset.rules}
    out: list[Row] = []
    topic = None
    for v in report.verdicts:
        shown, topic = ("" if v.topic == topic else v.topic), v.topic
        out.append(Row(shown, v.id, " ".join(asks.get(v.id, v.title).split()), where(v, report.document.format),
                       status(v, why(suppressed, report, v.id)), v.status))
    return out


def counts(report: Report) -> str:
    return ", ".join(f"{report.count(s)} {s.value.replace('_', ' ')}" for s in Status)


def summary_line(report: Report) -> str:
    if report.not_case_report:
        return (f"{report.guideline_title}: not scored: this does not read as a case report "
                f"(it {report.not_case_report}); {counts(report)}.")
    return f"{report.guideline_title}: completeness {report.completeness:.1f}% ({counts(report)})."


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def render(reports: list[Report], ruleset: Ruleset,
           suppressed: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """Markdown: a heading, a one-line summary and the checklist table for each report."""
    parts: list[str] = []
    for report in reports:
        lines = ["| " + " | ".join(_cell(c) for c in (r.topic, r.item, r.description, r.where, r.status)) + " |"
                 for r in rows(report, ruleset, suppressed)]
        parts.append(f"## Checklist: {_cell(report.document.path)}\n\n{summary_line(report)}\n\n"
                     + HEADER + "\n" + "\n".join(lines))
    return "\n\n".join(parts) + "\n"


def render_csv(reports: list[Report], ruleset: Ruleset,
               suppressed: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """CSV: one row per item (and a file column when there are several manuscripts).

    The topic is repeated on every row, so the sheet can be sorted and filtered.
    """
    from .csv_summary import safe_cell

    buf = io.StringIO()
    writer = csv.writer(buf)
    several = len(reports) > 1
    writer.writerow((["File"] if several else []) + list(HEADINGS))
    for report in reports:
        topic = ""
        for r in rows(report, ruleset, suppressed):
            topic = r.topic or topic
            cells = [topic, r.item, r.description, r.where, r.status]
            writer.writerow([safe_cell(c) for c in ([report.document.path] if several else []) + cells])
    return buf.getvalue()
