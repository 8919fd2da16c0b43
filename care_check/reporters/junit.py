"""JUnit XML, so any CI server (GitLab, Jenkins, Azure) lists checklist items as test cases.

A testsuite per document, a testcase per item with the ``file`` (from the repository root)
and ``line`` where the item is reported or was looked for. A testcase fails exactly when
the item fails the run (``care_check.policy``): missing items, partial ones with
``--fail-on partial``, never items of severity ``info`` (their gap goes to system-out).
Not-applicable and suppressed items are skipped. Valid against the common JUnit schema
(Jenkins' junit-10 layout, plus ``file``/``line`` on testcases as GitLab reads them):
``tests/junit.xsd``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path

from ..model import Report, Status, Verdict
from ..policy import fails
from ..repo import display_path
from ..suppress import why
from .locate import item_line


def _case(suite: ET.Element, report: Report, v: Verdict, fail_on: str, file: str,
          suppressed: Mapping[str, Mapping[str, str]] | None) -> str:
    """Add one testcase; returns its outcome: pass, failure or skipped."""
    case = ET.SubElement(suite, "testcase", name=f"{v.id} {v.title}", classname=v.topic,
                         file=file, line=str(item_line(report, v)))
    reason = why(suppressed, report, v.id)
    detail = f"{v.message}\nfix: {v.fix}" if v.fix else v.message
    if v.status == Status.NOT_APPLICABLE or (reason and v.status != Status.REPORTED):
        msg = f"suppressed ({reason}): {v.status.value}" if reason else v.message
        ET.SubElement(case, "skipped", message=msg)
        return "skipped"
    if fails(v, fail_on):
        ET.SubElement(case, "failure", message=v.message, type=v.status.value).text = detail
        return "failure"
    if v.status in (Status.MISSING, Status.PARTIAL):
        note = " (severity info: never fails)" if v.severity == "info" else f" (below --fail-on {fail_on})"
        ET.SubElement(case, "system-out").text = f"{v.status.value}{note}: {detail}"
    return "pass"


def render(reports: list[Report], fail_on: str = "missing",
           suppressed: Mapping[str, Mapping[str, str]] | None = None, root: Path | None = None) -> str:
    """The JUnit XML document for all reports."""
    root_dir = root or Path.cwd()
    top = ET.Element("testsuites", name="care-check")
    totals = {"tests": 0, "failures": 0}
    for report in reports:
        file = display_path(report.document.path, root_dir)
        suite = ET.SubElement(top, "testsuite", name=report.document.path, file=file)
        props = ET.SubElement(suite, "properties")
        for name, value in (("guideline", f"{report.guideline_id} {report.guideline_version}"),
                            ("format", report.document.format), ("scope", report.document.scope),
                            ("completeness", f"{report.completeness:.1f}")):
            ET.SubElement(props, "property", name=name, value=value)
        outcomes = [_case(suite, report, v, fail_on, file, suppressed) for v in report.verdicts]
        counts = {"tests": len(outcomes), "failures": outcomes.count("failure"), "skipped": outcomes.count("skipped")}
        suite.attrib.update({k: str(n) for k, n in counts.items()}, errors="0")
        for k in totals:
            totals[k] += counts[k]
    # <testsuites> takes no "skipped" attribute in the common schema; each suite keeps its own.
    top.attrib.update({k: str(n) for k, n in totals.items()}, errors="0")
    ET.indent(top)
    return ET.tostring(top, encoding="unicode", xml_declaration=True)
