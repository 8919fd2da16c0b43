"""The filled CARE checklist journals ask for at submission, as a Markdown table per document.

Authors paste it into the submission system (or convert it with pandoc): each item with
where the manuscript reports it (section and line) or "not reported".
"""

from __future__ import annotations

from collections.abc import Mapping

from ..model import Report, Status, Verdict
from ..ruleset import Ruleset
from ..suppress import why

HEADER = "| Topic | Item | Checklist item | Reported in | Status |\n|---|---|---|---|---|"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _where(v: Verdict) -> str:
    if v.status == Status.NOT_APPLICABLE:
        return "not applicable"
    if not v.evidence or v.status == Status.MISSING:
        return "not reported"
    lines: dict[str, list[int]] = {}
    for e in v.evidence:
        seen = lines.setdefault(e.section, [])
        if e.line not in seen:
            seen.append(e.line)
    return "; ".join(f"{sec}, line{'s' if len(ns) > 1 else ''} {', '.join(map(str, ns))}" for sec, ns in lines.items())


def _status(v: Verdict, reason: str | None) -> str:
    text = v.status.value.replace("_", " ")
    if v.status == Status.PARTIAL:
        text += f" ({v.message})"
    return text + (f"; suppressed ({reason})" if reason else "")


def render(reports: list[Report], ruleset: Ruleset,
           suppressed: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """Markdown: a heading, a one-line summary and the checklist table for each report."""
    asks = {r.spec.id: r.spec.asks for r in ruleset.rules}
    parts: list[str] = []
    for report in reports:
        rows: list[str] = []
        topic = None
        for v in report.verdicts:
            shown, topic = ("" if v.topic == topic else v.topic), v.topic
            cells = (shown, v.id, asks.get(v.id, v.title), _where(v), _status(v, why(suppressed, report, v.id)))
            rows.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        counts = ", ".join(f"{report.count(s)} {s.value.replace('_', ' ')}" for s in Status)
        parts.append(f"## Checklist: {_cell(report.document.path)}\n\n{report.guideline_title}: completeness "
                     f"{report.completeness:.1f}% ({counts}).\n\n" + HEADER + "\n" + "\n".join(rows))
    return "\n\n".join(parts) + "\n"
