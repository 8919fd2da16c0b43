"""A compact Markdown summary for a pull-request comment or the GitHub job summary.

One table row per manuscript (pass/fail, completeness, counts, the failing items), then
per manuscript with gaps a collapsed list of them with their fixes. For the full filled
checklist use ``--format checklist``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ..model import Report, Status
from ..policy import fails, is_gap
from ..repo import display_path
from ..suppress import why
from .locate import item_line, rule_id


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def render(reports: list[Report], root: Path, fail_on: str = "missing",
           suppressed: Mapping[str, Mapping[str, str]] | None = None,
           problems: list[tuple[str, str]] = ()) -> str:
    """The summary table, the gaps of each manuscript, and any file that could not be checked."""
    failing = {r.document.path: [v for v in r.verdicts if fails(v, fail_on, why(suppressed, r, v.id))]
               for r in reports}
    n_fail = sum(1 for r in reports if failing[r.document.path])
    head = (f"### care-check: {len(reports)} manuscript{'s' if len(reports) != 1 else ''}, "
            f"{n_fail} failing (--fail-on {fail_on})")
    if problems:
        head += f", {len(problems)} not checked"
    rows = ["| | Manuscript | Completeness | Reported | Partial | Missing | Failing items |",
            "|---|---|---:|---:|---:|---:|---|"]
    for r in reports:
        bad = failing[r.document.path]
        rows.append(f"| {'❌' if bad else '✅'} | {_cell(display_path(r.document.path, Path(root)))} | "
                    f"{'not scored: not a case report?' if r.not_case_report else f'{r.completeness:.1f}%'} | "
                    f"{r.count(Status.REPORTED)} | {r.count(Status.PARTIAL)} | "
                    f"{r.count(Status.MISSING)} | {_cell(', '.join(v.id for v in bad)) or '–'} |")
    for path, problem in problems:
        rows.append(f"| ⚠️ | {_cell(display_path(path, Path(root)))} | not checked: {_cell(problem)} | | | | |")
    parts = [head, "\n".join(rows)]
    for r in reports:
        gaps = [v for v in r.verdicts if is_gap(v)]
        if not gaps:
            continue
        items = []
        for v in gaps:
            reason = why(suppressed, r, v.id)
            state = v.status.value + (f", suppressed ({reason})" if reason else "")
            items.append(f"| {rule_id(r, v.id)} | {_cell(v.title)} | {state} | {item_line(r, v)} | {_cell(v.fix)} |")
        parts.append(f"<details><summary>{_cell(display_path(r.document.path, Path(root)))}: {len(gaps)} gap"
                     f"{'s' if len(gaps) != 1 else ''}</summary>\n\n| Item | Title | Status | Line | Fix |\n"
                     "|---|---|---|---:|---|\n" + "\n".join(items) + "\n\n</details>")
    return "\n\n".join(parts) + "\n"
