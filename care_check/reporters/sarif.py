"""SARIF 2.1.0, so code-review tools (GitHub code scanning, IDEs) show gaps like lint findings.

One run; every checklist item is a rule; each missing or partial item is a result located
at the section that was searched first. Reported items are not problems, so they are not
results: each document's summary goes into the run's ``properties``. Suppressed items stay
results with a SARIF ``suppressions`` entry, which viewers hide.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .. import __version__
from ..model import Report, Status, Verdict
from ..ruleset import Ruleset
from ..suppress import why

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def _uri(path: str) -> str:
    p = Path(path)
    return p.as_uri() if p.is_absolute() else quote(p.as_posix())


def _line(report: Report, v: Verdict) -> int:
    """The line of the first section searched for the item (1 when unknown)."""
    for name in v.searched[:1]:
        for s in report.document.sections:
            if (s.heading.strip() or s.kind.replace("_", " ")) == name:
                return max(s.line, 1)
    return 1


def _rule(ruleset: Ruleset, item_id: str, severity: Mapping[str, str]) -> dict[str, Any]:
    s = ruleset.rule(item_id).spec
    return {
        "id": s.id, "name": s.title,
        "shortDescription": {"text": s.title},
        "fullDescription": {"text": s.asks},
        "help": {"text": s.fix},
        "defaultConfiguration": {"level": LEVELS[severity.get(s.id, s.severity)]},
        "properties": {"topic": s.topic, "severity": severity.get(s.id, s.severity)},
    }


def render(reports: list[Report], ruleset: Ruleset, suppressed: Mapping[str, Mapping[str, str]] | None = None,
           severity: Mapping[str, str] | None = None) -> str:
    """The SARIF log for all reports (``severity``: config overrides of item severities)."""
    ids = [r.spec.id for r in ruleset.rules]
    index = {i: n for n, i in enumerate(ids)}
    results, artifacts, summaries = [], [], []
    for n, report in enumerate(reports):
        uri = _uri(report.document.path)
        artifacts.append({"location": {"uri": uri}})
        summaries.append({
            "document": report.document.path, "format": report.document.format, "scope": report.document.scope,
            "completeness": report.completeness,
            "reported": [v.id for v in report.verdicts if v.status == Status.REPORTED],
            "notApplicable": [v.id for v in report.verdicts if v.status == Status.NOT_APPLICABLE],
        })
        for v in report.verdicts:
            if v.status not in (Status.MISSING, Status.PARTIAL):
                continue
            text = f"{v.id} {v.title}: {v.status.value}: {v.message.rstrip('.')}." + (f" Fix: {v.fix}" if v.fix else "")
            result: dict[str, Any] = {
                "ruleId": v.id, "level": LEVELS[v.severity], "message": {"text": text},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": uri, "index": n},
                    "region": {"startLine": _line(report, v)}}}],
                "properties": {"status": v.status.value},
            }
            if v.id in index:
                result["ruleIndex"] = index[v.id]
            reason = why(suppressed, report, v.id)
            if reason:
                result["suppressions"] = [{"kind": "external" if reason == "config" else "inSource",
                                           "justification": f"disabled ({reason})"}]
            results.append(result)
    log = {
        "$schema": SARIF_SCHEMA, "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "care-check", "version": __version__,
                                "rules": [_rule(ruleset, i, severity or {}) for i in ids]}},
            "artifacts": artifacts,
            "results": results,
            "properties": {"guideline": {"id": ruleset.guideline.id, "version": ruleset.guideline.version},
                           "documents": summaries},
        }],
    }
    return json.dumps(log, ensure_ascii=False, indent=2)
