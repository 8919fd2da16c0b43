"""The command line: exit codes, folders, JSON report, plain output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from care_check import __version__

ROOT = Path(__file__).resolve().parent.parent
COMPLETE = ROOT / "corpus" / "complete-case-report.md"
GAPPY = ROOT / "corpus" / "gappy-case-report.md"


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "care_check", *args], capture_output=True, text=True,
                          env={**os.environ, "NO_COLOR": "1", **(env or {})}, cwd=ROOT)


def test_version():
    assert run("--version").stdout.strip() == f"care-check {__version__}"


def test_gappy_manuscript_fails_on_missing_and_passes_with_never():
    assert run("check", str(GAPPY)).returncode == 1
    assert run("check", str(GAPPY), "--fail-on", "never").returncode == 0


def test_terminal_report_is_plain_and_shows_evidence_and_fixes():
    out = run("check", str(GAPPY)).stdout
    assert "\x1b[" not in out
    assert "✘ 13" in out and "fix:" in out and "Informed consent" in out
    assert "✔ 5a" in out and "line " in out
    assert "completeness" in out


def test_json_report_schema_for_one_file():
    proc = run("check", str(COMPLETE), "--format", "json", "--fail-on", "never")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["schema"] == "care-check/report/v1"
    assert data["tool"] == {"name": "care-check", "version": __version__}
    assert data["guideline"]["id"] == "care" and data["guideline"]["version"] == "2016"
    assert data["document"]["format"] == "markdown" and data["document"]["scope"] == "full"
    assert {"heading", "kind", "line"} <= set(data["document"]["sections"][0])
    ids = [i["id"] for i in data["items"]]
    assert len(ids) == 34 and ids[0] == "1" and ids[-1] == "x-care"
    for item in data["items"]:
        assert item["status"] in ("reported", "partial", "missing", "not_applicable")
        assert item["severity"] in ("error", "warning", "info")
        if item["status"] in ("reported", "partial"):
            assert item["evidence"] and {"quote", "section", "line"} <= set(item["evidence"][0])
    s = data["summary"]
    assert s["reported"] + s["partial"] + s["missing"] + s["not_applicable"] == 34
    assert 0.0 <= s["completeness"] <= 100.0


def test_several_files_give_an_array_in_input_order():
    data = json.loads(run("check", str(GAPPY), str(COMPLETE), "--format", "json").stdout)
    assert [d["document"]["path"] for d in data] == [str(GAPPY), str(COMPLETE)]


def test_unreadable_file_is_one_line_exit_2_and_others_still_checked(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    proc = run("check", str(empty), str(COMPLETE), "--format", "json", "--fail-on", "never")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [f"care-check: error: {empty}: file is empty"]
    assert json.loads(proc.stdout)["document"]["path"] == str(COMPLETE)


def test_folder_expands_to_supported_files(tmp_path):
    (tmp_path / "a.md").write_text(GAPPY.read_text())
    (tmp_path / "notes.bin").write_bytes(b"\x00\x01")
    data = json.loads(run("check", str(tmp_path), "--format", "json").stdout)
    assert data["document"]["path"].endswith("a.md")


def test_usage_error_is_exit_2_one_line():
    proc = run("check", "--format", "yaml", str(GAPPY))
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1


def test_sections_and_rules_commands():
    out = run("sections", str(COMPLETE)).stdout
    assert "introduction" in out and "timeline" in out and "consent" in out
    out = run("rules").stdout
    assert "x-care" in out and "13 " in out


def test_input_is_never_modified(tmp_path):
    p = tmp_path / "m.md"
    p.write_text(GAPPY.read_text())
    before = (p.read_bytes(), p.stat().st_mtime_ns)
    run("check", str(p))
    assert (p.read_bytes(), p.stat().st_mtime_ns) == before


@pytest.mark.parametrize("manuscript,expect_missing", [
    (GAPPY, {"1", "2", "7", "12", "13", "x-funding"}),
    (COMPLETE, set()),
])
def test_example_manuscripts_verdicts(manuscript, expect_missing):
    data = json.loads(run("check", str(manuscript), "--format", "json").stdout)
    missing = {i["id"] for i in data["items"] if i["status"] == "missing"}
    assert expect_missing <= missing
    if manuscript == COMPLETE:
        assert data["summary"]["completeness"] >= 90.0


def test_every_reader_is_offered_by_input_format():
    from care_check.cli import INPUT_FORMATS
    from care_check.readers import READERS
    assert sorted(READERS) == INPUT_FORMATS


def test_folder_skips_project_files_but_an_explicit_path_is_checked(tmp_path):
    (tmp_path / "case.md").write_text(GAPPY.read_text())
    (tmp_path / "README.md").write_text("# Manuscripts\n\nThe submissions of this issue.\n")
    data = json.loads(run("check", str(tmp_path), "--format", "json", "--fail-on", "never").stdout)
    assert data["document"]["path"].endswith("case.md")
    data = json.loads(run("check", str(tmp_path / "README.md"), "--format", "json", "--fail-on", "never").stdout)
    assert data["document"]["path"].endswith("README.md")
