"""The machine-readable report, schema ``care-check/report/v1``.

Other tools read these names: add fields, never rename or remove them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .. import __version__
from ..model import Report, Status

SCHEMA = "care-check/report/v1"


def report_dict(report: Report, suppressed: Mapping[str, str] | None = None) -> dict[str, Any]:
    """``suppressed``: item id -> why, for items a config or an inline comment turned off."""
    doc = report.document
    suppressed = suppressed or {}
    return {
        "schema": SCHEMA,
        "tool": {"name": "care-check", "version": __version__},
        "guideline": {"id": report.guideline_id, "version": report.guideline_version,
                      "title": report.guideline_title},
        "document": {
            "path": doc.path,
            "format": doc.format,
            "scope": doc.scope,
            "not_case_report": report.not_case_report,  # why it does not read as one (care_check.genre), or null
            "sections": [{"heading": s.heading, "kind": s.kind, "line": s.line}
                         for s in doc.sections if s.kind not in ("caption", "table") and (s.heading or s.has_text)],
        },
        "items": [
            {
                "id": v.id, "topic": v.topic, "title": v.title, "status": v.status.value,
                "severity": v.severity,
                "evidence": [{k: val for k, val in (("quote", e.quote), ("section", e.section), ("line", e.line),
                                                     ("column", e.column), ("page", e.page), ("component", e.component),
                                                     ("via", e.via))
                              if val is not None} for e in v.evidence],
                "message": v.message, "fix": v.fix, "searched": v.searched,
                "suppressed": v.id in suppressed,
            }
            for v in report.verdicts
        ],
        "summary": {
            "reported": report.count(Status.REPORTED),
            "partial": report.count(Status.PARTIAL),
            "missing": report.count(Status.MISSING),
            "not_applicable": report.count(Status.NOT_APPLICABLE),
            "completeness": report.completeness,
        },
    }


def render(reports: list[Report], suppressed: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """One object for one file, an array for several, in input order."""
    sup = suppressed or {}
    dicts = [report_dict(r, sup.get(r.document.path)) for r in reports]
    data: Any = dicts[0] if len(dicts) == 1 else dicts
    return json.dumps(data, ensure_ascii=False, indent=2)
