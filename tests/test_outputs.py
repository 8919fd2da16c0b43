"""Output formats for tools and editors: SARIF, JUnit, the filled checklist, the summary table, --output.

Most tests call the CLI in-process (``care_check.cli.main``) to stay fast; exit codes and
one-line errors are also checked in a subprocess, as a user sees them.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from care_check import cli
from care_check.model import Status
from care_check.pipeline import check_path
from care_check.reporters import junit

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
COMPLETE = ROOT / "corpus" / "complete-case-report.md"
GAPPY = ROOT / "corpus" / "gappy-case-report.md"


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """The CLI in a subprocess, as in test_cli.py."""
    return subprocess.run([sys.executable, "-m", "care_check", *args], capture_output=True, text=True,
                          env={**os.environ, "NO_COLOR": "1"}, cwd=cwd)


def check(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    """``care-check check ARGS`` in-process: (exit code, stdout, stderr)."""
    code = cli.main(["check", *args])
    out, err = capsys.readouterr()
    return code, out, err


def check_to_file(tmp: Path, *args: str) -> tuple[int, str]:
    """In-process with --output (for module-scoped fixtures, which cannot capture)."""
    out = tmp / "out"
    code = cli.main(["check", *args, "--output", str(out)])
    return code, out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def gappy_json(tmp_path_factory) -> dict:
    return json.loads(check_to_file(tmp_path_factory.mktemp("json"), str(GAPPY), "--format", "json")[1])


@pytest.fixture(scope="module")
def sarif(tmp_path_factory) -> dict:
    code, text = check_to_file(tmp_path_factory.mktemp("sarif"), str(GAPPY), str(COMPLETE), "--format", "sarif")
    assert code == 1
    return json.loads(text)


def test_sarif_validates_against_the_schema(sarif):
    schema_path = SHARED / "schemas" / "sarif-schema-2.1.0.json"
    if not schema_path.is_file():
        pytest.skip("../shared/schemas is not present (fresh clone)")
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(schema_path.read_text())
    cls = jsonschema.validators.validator_for(schema)
    errors = [e.message for e in cls(schema, format_checker=cls.FORMAT_CHECKER).iter_errors(sarif)]
    assert errors == []


def test_sarif_rules_are_the_checklist_and_results_are_the_gaps(sarif, gappy_json):
    run_ = sarif["runs"][0]
    rules = {r["id"].removeprefix("CARE-"): r for r in run_["tool"]["driver"]["rules"]}
    assert all(r["id"].startswith("CARE-") for r in run_["tool"]["driver"]["rules"])  # namespaced ids
    assert run_["tool"]["driver"]["name"] == "care-check" and len(rules) == 34
    assert rules["13"]["defaultConfiguration"]["level"] == "error"
    assert rules["x-care"]["defaultConfiguration"]["level"] == "note"
    assert "consent" in rules["13"]["fullDescription"]["text"] and rules["13"]["help"]["text"]
    gappy = [r for r in run_["results"] if "gappy" in r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]]
    by_id = {r["ruleId"].removeprefix("CARE-"): r for r in gappy}
    consent = by_id["13"]
    assert consent["level"] == "error" and "Fix:" in consent["message"]["text"]
    first_searched = gappy_json["items"][[i["id"] for i in gappy_json["items"]].index("13")]["searched"][0]
    line = next(s["line"] for s in gappy_json["document"]["sections"] if s["heading"] == first_searched)
    assert consent["locations"][0]["physicalLocation"]["region"]["startLine"] == line
    reported = {i["id"] for i in gappy_json["items"] if i["status"] == "reported"}
    problems = {i["id"] for i in gappy_json["items"] if i["status"] in ("missing", "partial")}
    assert reported and not reported & set(by_id)
    assert set(by_id) == problems


def test_junit_parses_and_failures_are_the_missing_items(capsys, gappy_json):
    root = ET.fromstring(check(capsys, str(GAPPY), "--format", "junit")[1].encode())
    suite = root.find("testsuite")
    assert suite is not None and suite.get("name") == str(GAPPY)
    missing = sum(1 for i in gappy_json["items"] if i["status"] == "missing" and i["severity"] != "info")
    assert len(suite.findall("testcase")) == 34
    assert len(suite.findall("testcase/failure")) == int(suite.get("failures")) == missing > 0


def test_junit_partial_fails_only_with_fail_on_partial(checker):
    report = check_path(str(GAPPY), checker)
    v = next(v for v in report.verdicts if v.status == Status.REPORTED)
    report.verdicts[report.verdicts.index(v)] = dataclasses.replace(v, status=Status.PARTIAL, message="age given")
    case = f".//testcase[@name='{v.id} {v.title}']"
    lenient = ET.fromstring(junit.render([report], "missing")).find(case)
    strict = ET.fromstring(junit.render([report], "partial")).find(case)
    assert lenient.find("failure") is None and "age given" in lenient.find("system-out").text
    assert strict.find("failure").get("message") == "age given"


def test_checklist_has_a_row_per_item_for_each_document(capsys):
    docs = check(capsys, str(GAPPY), str(COMPLETE), "--format", "checklist")[1].split("## Checklist: ")[1:]
    assert len(docs) == 2 and docs[0].startswith(str(GAPPY))
    for doc in docs:
        rows = [ln for ln in doc.splitlines() if ln.startswith("|")][2:]  # after header and rule
        assert len(rows) == 34 and all(ln.count(" | ") >= 4 for ln in rows)
    consent = next(ln for ln in docs[0].splitlines() if "| 13 |" in ln)
    assert "not reported" in consent and consent.rstrip(" |").endswith("missing")
    assert any("| 5a |" in ln and "line" in ln and "reported" in ln for ln in docs[1].splitlines())


def test_text_for_several_files_ends_with_a_summary_table_sorted_by_completeness(capsys):
    out = check(capsys, str(COMPLETE), str(GAPPY), "--sort", "completeness")[1]
    table = out[out.index("2 manuscripts"):]
    assert out.index("✘ 13") < out.index("2 manuscripts")  # the per-file reports come first
    assert "completeness" in table and "missing items" in table
    assert table.index("gappy-case-report.md") < table.index("complete-case-report.md")
    gappy_row = next(ln for ln in table.splitlines() if "gappy" in ln)
    assert "13" in gappy_row and "%" in gappy_row


def test_summary_only_prints_just_the_table_by_name(capsys):
    code, out, _ = check(capsys, str(GAPPY), str(COMPLETE), "--summary-only")
    assert code == 1 and "2 manuscripts" in out
    assert "fix:" not in out and "✘" not in out
    assert out.index("complete-case-report.md") < out.index("gappy-case-report.md")
    assert check(capsys, str(GAPPY), "--summary-only", "--format", "json")[0] == 2


def test_output_refuses_an_input(tmp_path):
    copy = tmp_path / "m.md"
    copy.write_text(GAPPY.read_text())
    before = copy.read_bytes()
    proc = run("check", str(tmp_path), "--format", "json", "--output", str(copy))  # the folder holds it
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "input" in proc.stderr
    assert copy.read_bytes() == before and proc.stdout == ""


def test_output_writes_the_report_instead_of_stdout(capsys, tmp_path):
    out = tmp_path / "report.txt"
    code, stdout, _ = check(capsys, str(GAPPY), "--output", str(out))
    assert code == 1 and stdout == ""
    assert "✘ 13" in out.read_text() and "\x1b[" not in out.read_text()


def test_pre_commit_hook_is_declared():
    import re

    import yaml

    hook = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())[0]
    assert hook["id"] == "care-check" and hook["entry"] == "care-check check --quiet" and hook["language"] == "python"
    assert all(re.search(hook["files"], f) for f in ("a.md", "b.tex", "c.docx", "d.htm", "e.html", "f.xml"))
    assert not re.search(hook["files"], "setup.py")
    assert all(re.search(hook["exclude"], f) for f in ("README.md", "docs/CHANGELOG.md", "LICENSE.txt"))
    assert not re.search(hook["exclude"], "manuscripts/readmission-case.md")
