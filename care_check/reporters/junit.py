"""JUnit XML, so any CI server (GitLab, Jenkins, Azure) lists checklist items as test cases.

A testsuite per document, a testcase per item. Missing items fail; partial items fail only
with ``--fail-on partial`` (otherwise their message goes to system-out); not-applicable and
suppressed items are skipped.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping

from ..model import Report, Status, Verdict
from ..suppress import why


def _case(suite: ET.Element, report: Report, v: Verdict, fail_on: str,
          suppressed: Mapping[str, Mapping[str, str]] | None) -> str:
    """Add one testcase; returns its outcome: pass, failure or skipped."""
    case = ET.SubElement(suite, "testcase", name=f"{v.id} {v.title}", classname=v.topic)
    reason = why(suppressed, report, v.id)
    detail = f"{v.message}\nfix: {v.fix}" if v.fix else v.message
    if v.status == Status.NOT_APPLICABLE or (reason and v.status != Status.REPORTED):
        msg = f"suppressed ({reason}): {v.status.value}" if reason else v.message
        ET.SubElement(case, "skipped", message=msg)
        return "skipped"
    if v.status == Status.MISSING or (v.status == Status.PARTIAL and fail_on == "partial"):
        ET.SubElement(case, "failure", message=v.message, type=v.status.value).text = detail
        return "failure"
    if v.status == Status.PARTIAL:
        ET.SubElement(case, "system-out").text = f"partial: {detail}"
    return "pass"


def render(reports: list[Report], fail_on: str = "missing",
           suppressed: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """The JUnit XML document for all reports."""
    root = ET.Element("testsuites", name="care-check")
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for report in reports:
        suite = ET.SubElement(root, "testsuite", name=report.document.path)
        props = ET.SubElement(suite, "properties")
        for name, value in (("guideline", f"{report.guideline_id} {report.guideline_version}"),
                            ("format", report.document.format), ("scope", report.document.scope),
                            ("completeness", f"{report.completeness:.1f}")):
            ET.SubElement(props, "property", name=name, value=value)
        outcomes = [_case(suite, report, v, fail_on, suppressed) for v in report.verdicts]
        counts = {"tests": len(outcomes), "failures": outcomes.count("failure"), "skipped": outcomes.count("skipped")}
        suite.attrib.update({k: str(n) for k, n in counts.items()}, errors="0")
        for k, n in counts.items():
            totals[k] += n
    root.attrib.update({k: str(n) for k, n in totals.items()}, errors="0")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)
