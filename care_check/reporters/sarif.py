"""SARIF 2.1.0, so code-review tools (GitHub code scanning, IDEs) show gaps like lint findings.

One run; every checklist item is a rule with a namespaced id (``CARE-3a``); each missing or
partial item is a result located at the section that was searched first. Reported items
are not problems, so they are not results: each document's summary goes into the run's
``properties``. Suppressed items stay results with a SARIF ``suppressions`` entry, which
viewers hide.

For code scanning to follow a finding across commits: artifact URIs are relative to the
repository root (``uriBaseId: SRCROOT``; normalised, forward slashes), and every result
carries a ``partialFingerprints`` value built from the file and the item only, so it stays
the same when text is added above the finding. A file that could not be read appears as a
tool execution notification instead of vanishing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .. import __version__
from ..model import Report, Status
from ..policy import is_gap
from ..repo import relative_to_root
from ..ruleset import Ruleset
from ..suppress import why
from .locate import rule_id, section_line

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
ROOT_ID = "SRCROOT"
FINGERPRINT = "careCheckItem/v1"


def location(path: str, root: Path) -> dict[str, str]:
    """An artifactLocation: relative to the root when inside it, else an absolute file URI."""
    rel = relative_to_root(path, root) if path != "-" else None
    if rel is not None:
        return {"uri": quote(rel), "uriBaseId": ROOT_ID}
    if path == "-":
        return {"uri": "stdin"}
    return {"uri": Path(path).resolve().as_uri()}


def fingerprint(uri: str, rid: str) -> str:
    """Same file, same item: same value, wherever the section moved."""
    return hashlib.sha256(f"{uri}\0{rid}".encode()).hexdigest()[:32]


def _rule(ruleset: Ruleset, item_id: str, severity: Mapping[str, str]) -> dict[str, Any]:
    s = ruleset.rule(item_id).spec
    return {
        "id": rule_id(ruleset.guideline.id, s.id), "name": s.title,
        "shortDescription": {"text": s.title},
        "fullDescription": {"text": s.asks},
        "help": {"text": s.fix},
        "defaultConfiguration": {"level": LEVELS[severity.get(s.id, s.severity)]},
        "properties": {"topic": s.topic, "severity": severity.get(s.id, s.severity), "item": s.id},
    }


def _notification(path: str, problem: str, root: Path) -> dict[str, Any]:
    return {"level": "error", "message": {"text": problem},
            "descriptor": {"id": "input-error", "index": 0},
            "locations": [{"physicalLocation": {"artifactLocation": location(path, root)}}]}


def render(reports: list[Report], ruleset: Ruleset, suppressed: Mapping[str, Mapping[str, str]] | None = None,
           severity: Mapping[str, str] | None = None, root: Path | None = None,
           problems: list[tuple[str, str]] = ()) -> str:
    """The SARIF log for all reports (``severity``: config overrides; ``problems``: (path, why) not checked)."""
    root = root or Path.cwd()
    ids = [r.spec.id for r in ruleset.rules]
    index = {i: n for n, i in enumerate(ids)}
    results, artifacts, summaries = [], [], []
    for n, report in enumerate(reports):
        loc = location(report.document.path, root)
        artifacts.append({"location": loc})
        summaries.append({
            "document": loc["uri"], "format": report.document.format, "scope": report.document.scope,
            "completeness": report.completeness,
            "reported": [v.id for v in report.verdicts if v.status == Status.REPORTED],
            "notApplicable": [v.id for v in report.verdicts if v.status == Status.NOT_APPLICABLE],
        })
        for v in report.verdicts:
            if not is_gap(v):
                continue
            rid = rule_id(report, v.id)
            text = f"{rid} {v.title}: {v.status.value}: {v.message.rstrip('.')}." + (f" Fix: {v.fix}" if v.fix else "")
            result: dict[str, Any] = {
                "ruleId": rid, "level": LEVELS[v.severity], "message": {"text": text},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {**loc, "index": n},
                    "region": {"startLine": section_line(report, v)}}}],
                "partialFingerprints": {FINGERPRINT: fingerprint(loc["uri"], rid)},
                "properties": {"status": v.status.value, "item": v.id},
            }
            if v.id in index:
                result["ruleIndex"] = index[v.id]
            reason = why(suppressed, report, v.id)
            if reason:
                result["suppressions"] = [{"kind": "inSource" if reason.startswith("line ") else "external",
                                           "justification": f"disabled ({reason})"}]
            results.append(result)
    problems = list(problems)
    log = {
        "$schema": SARIF_SCHEMA, "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "care-check", "version": __version__,
                                "informationUri": "https://www.care-statement.org",
                                "rules": [_rule(ruleset, i, severity or {}) for i in ids],
                                "notifications": [{"id": "input-error", "shortDescription": {
                                    "text": "A manuscript could not be read or was refused (hostile or unsupported "
                                            "input); it was not checked."}}]}},
            "originalUriBaseIds": {ROOT_ID: {"uri": root.resolve().as_uri().rstrip("/") + "/"}},
            "invocations": [{"executionSuccessful": not problems,
                             "toolExecutionNotifications": [_notification(p, why_, root) for p, why_ in problems]}],
            "artifacts": artifacts,
            "results": results,
            "properties": {"guideline": {"id": ruleset.guideline.id, "version": ruleset.guideline.version},
                           "documents": summaries},
        }],
    }
    return json.dumps(log, ensure_ascii=False, indent=2)
