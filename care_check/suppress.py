"""Suppressions: items a file (inline comment) or the config (``disable``) turns off.

An author who has a reason not to report an item writes, anywhere in the manuscript::

    <!-- care-check: disable=12,x-care -->     (Markdown, HTML, XML)
    % care-check: disable=12                   (LaTeX)
    care-check: disable=12                     (a line of its own in plain text, or a
                                                Word review comment / ODT annotation)

The verdict keeps its status (the checker still says what it found); reporters mark it
suppressed and the exit code ignores it. Suppressions live beside the Report, keyed by
document path, so the model stays the engine's output.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from .model import Report

# document path -> {item id: why it is suppressed ("config" or "line N")}
Suppressions = dict[str, dict[str, str]]

# Each part of the prefix is unambiguous (blanks, then % signs, then blanks), so a line of
# thousands of spaces costs one pass, not one per way of splitting it.
_DIRECTIVE = re.compile(
    r"(?:<!--[ \t]*|^[ \t]*(?:%+[ \t]*)?)care-check:[ \t]*disable[ \t]*=[ \t]*"
    r"([\w.\-]+(?:[ \t]*,[ \t]*[\w.\-]+)*)",
    re.IGNORECASE | re.MULTILINE)
_BINARY_FORMATS = frozenset({"docx", "odt", "rtf", "pdf"})
MAX_NAMED = 5  # unknown ids named in the one warning line of a file


def _scan(text: str, first_line: int = 1) -> list[tuple[str, int]]:
    found = []
    line, counted = first_line, 0  # matches come in order: count line breaks once
    for m in _DIRECTIVE.finditer(text):
        line += text.count("\n", counted, m.start(1))
        counted = m.start(1)
        found.extend((i.strip().lower(), line) for i in m.group(1).split(",") if i.strip())
    return found


def directives(report: Report, source: bytes | None = None) -> list[tuple[str, int]]:
    """(item id, line) for each id a directive names.

    Text formats are searched in the file itself (read-only, comments included, with the
    readers' size limit and decoding), or in ``source`` when the manuscript came from
    standard input; binary ones (DOCX, ODT, RTF, PDF) in the text their reader extracted
    and in their review comments (Word comments, ODT annotations), which are never
    manuscript text but may hold a directive.
    """
    from .errors import InputError
    from .readers.source import decode, read_bytes

    doc = report.document
    if doc.format not in _BINARY_FORMATS:
        try:
            data = source if source is not None else read_bytes(doc.path)
            return _scan(decode(doc.path, data))
        except InputError:
            pass
    blocks = [b for s in doc.sections for b in s.blocks] + list(doc.comments)
    return [hit for b in blocks for hit in _scan(b.text, b.line)]


def for_report(report: Report, known: Iterable[str], disabled: Iterable[str] | Mapping[str, str] = (),
               source: bytes | None = None) -> tuple[dict[str, str], list[str]]:
    """The suppressed items of one report and a warning per unknown id in its directives.

    ``disabled``: ids the config turns off, or a mapping id -> why (config, --ignore, --select).
    """
    known = set(known)
    out = dict(disabled) if isinstance(disabled, Mapping) else {i: "config" for i in disabled}
    unknown: dict[str, int] = {}
    for item, line in directives(report, source):
        if item in known:
            out.setdefault(item, f"line {line}")
        else:
            unknown.setdefault(item, line)
    if not unknown:
        return out, []
    # One line per file, however many unknown ids a directive lists.
    (first, line), n = next(iter(unknown.items())), len(unknown)
    if n == 1:
        what = f"unknown item '{first}'"
    else:
        named = ", ".join(f"'{i[:40]}'" for i in list(unknown)[:MAX_NAMED])
        what = f"unknown items {named}" + (f" and {n - MAX_NAMED:,} more" if n > MAX_NAMED else "")
    return out, [f"{report.document.path}:{line}: {what} in care-check: disable (ignored)"]


def why(suppressed: Mapping[str, Mapping[str, str]] | None, report: Report, item_id: str) -> str | None:
    """Why an item of a report is suppressed, or None when it is not."""
    if not suppressed:
        return None
    return suppressed.get(report.document.path, {}).get(item_id)
