"""GitHub Actions workflow commands: one annotation per gap, shown on the file in the pull request.

``::error file=…,line=…,title=…::message`` for items that fail the run, ``::warning`` for the
other gaps (``::notice`` for severity info), so annotations agree with the exit code. Works
on private repositories without code scanning. Paths are from the repository root.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ..model import Report
from ..policy import fails, is_gap
from ..repo import display_path
from ..suppress import why
from .locate import item_line, rule_id


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def command(level: str, message: str, **props: str | int) -> str:
    """One workflow command line, escaped as the runner expects."""
    inner = ",".join(f"{k}={_prop(str(v))}" for k, v in props.items())
    return f"::{level} {inner}::{_data(message)}" if inner else f"::{level}::{_data(message)}"


def render(reports: list[Report], root: Path, fail_on: str = "missing",
           suppressed: Mapping[str, Mapping[str, str]] | None = None,
           problems: list[tuple[str, str]] = ()) -> str:
    """Annotation lines for every unsuppressed gap and every unreadable file."""
    lines: list[str] = []
    for report in reports:
        path = display_path(report.document.path, root)
        for v in report.verdicts:
            reason = why(suppressed, report, v.id)
            if not is_gap(v) or reason:
                continue
            level = "error" if fails(v, fail_on) else "notice" if v.severity == "info" else "warning"
            text = f"{v.status.value}: {v.message.rstrip('.')}." + (f" Fix: {v.fix}" if v.fix else "")
            lines.append(command(level, text, file=path, line=item_line(report, v),
                                 title=f"{rule_id(report, v.id)} {v.title}"))
    for path, problem in problems:
        lines.append(command("error", problem, file=display_path(path, root), title="care-check: cannot check"))
    return "\n".join(lines)
