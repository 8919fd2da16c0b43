"""Suppressions: items a file (inline comment) or the config (``disable``) turns off.

An author who has a reason not to report an item writes, anywhere in the manuscript::

    <!-- care-check: disable=12,x-care -->     (Markdown, HTML, XML)
    % care-check: disable=12                   (LaTeX)
    care-check: disable=12                     (a line of its own in plain text)

The verdict keeps its status (the checker still says what it found); reporters mark it
suppressed and the exit code ignores it. Suppressions live beside the Report, keyed by
document path, so the model stays the engine's output.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from .model import Report

# document path -> {item id: why it is suppressed ("config" or "line N")}
Suppressions = dict[str, dict[str, str]]

_DIRECTIVE = re.compile(
    r"(?:<!--|^[ \t]*%*)[ \t]*care-check:[ \t]*disable[ \t]*=[ \t]*([\w.\-]+(?:[ \t]*,[ \t]*[\w.\-]+)*)",
    re.IGNORECASE | re.MULTILINE)
_BINARY_FORMATS = frozenset({"docx", "pdf"})


def _scan(text: str, first_line: int = 1) -> list[tuple[str, int]]:
    found = []
    for m in _DIRECTIVE.finditer(text):
        line = first_line + text.count("\n", 0, m.start(1))
        found.extend((i.strip().lower(), line) for i in m.group(1).split(",") if i.strip())
    return found


def directives(report: Report, source: bytes | None = None) -> list[tuple[str, int]]:
    """(item id, line) for each id a directive names.

    Text formats are searched in the file itself (read-only, comments included), or in
    ``source`` when the manuscript came from standard input; binary ones (DOCX, PDF) in the
    text their reader extracted.
    """
    doc = report.document
    if doc.format not in _BINARY_FORMATS:
        try:
            data = source if source is not None else Path(doc.path).read_bytes()
            return _scan(data.decode("utf-8", errors="replace"))
        except OSError:
            pass
    return [hit for s in doc.sections for b in s.blocks for hit in _scan(b.text, b.line)]


def for_report(report: Report, known: Iterable[str], disabled: Iterable[str] | Mapping[str, str] = (),
               source: bytes | None = None) -> tuple[dict[str, str], list[str]]:
    """The suppressed items of one report and a warning per unknown id in its directives.

    ``disabled``: ids the config turns off, or a mapping id -> why (config, --ignore, --select).
    """
    known = set(known)
    out = dict(disabled) if isinstance(disabled, Mapping) else {i: "config" for i in disabled}
    warnings = []
    for item, line in directives(report, source):
        if item in known:
            out.setdefault(item, f"line {line}")
        else:
            warnings.append(f"{report.document.path}:{line}: unknown item '{item}' in care-check: disable (ignored)")
    return out, warnings


def why(suppressed: Mapping[str, Mapping[str, str]] | None, report: Report, item_id: str) -> str | None:
    """Why an item of a report is suppressed, or None when it is not."""
    if not suppressed:
        return None
    return suppressed.get(report.document.path, {}).get(item_id)
