"""Configuration files, their precedence under flags, and inline suppressions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from care_check.config import load_config
from care_check.errors import ConfigError

from .test_outputs import check, check_to_file

ROOT = Path(__file__).resolve().parent.parent
GAPPY = ROOT / "corpus" / "gappy-case-report.md"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "care_check", *args], capture_output=True, text=True,
                          env={**os.environ, "NO_COLOR": "1"}, cwd=cwd)


@pytest.fixture(scope="module")
def gappy_items(tmp_path_factory) -> list[dict]:
    return json.loads(check_to_file(tmp_path_factory.mktemp("json"), str(GAPPY), "--format", "json")[1])["items"]


def test_config_fail_on_never_passes_and_the_flag_overrides_it(capsys, tmp_path, monkeypatch):
    (tmp_path / ".care-check.yaml").write_text("fail-on: never\n")
    assert run("check", str(GAPPY), cwd=tmp_path).returncode == 0
    monkeypatch.chdir(tmp_path)
    assert check(capsys, str(GAPPY), "--fail-on", "missing")[0] == 1


def test_invalid_config_is_one_line_naming_file_and_key(tmp_path):
    (tmp_path / "care-check.yaml").write_text("fail-on: sometimes\n")
    proc = run("check", str(GAPPY), cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "care-check.yaml" in lines[0] and "'fail-on'" in lines[0]


@pytest.mark.parametrize("text,key", [
    ("fail_on: never\n", "fail_on"),                # unknown key (underscore)
    ("severity:\n  13: fatal\n", "severity.13"),
    ("format: pdf\n", "format"),
    ("disable: [12\n", "line"),                     # broken YAML
])
def test_invalid_values_name_the_key(tmp_path, text, key):
    (tmp_path / ".care-check.yaml").write_text(text)
    with pytest.raises(ConfigError) as err:
        load_config(start=tmp_path)
    assert ".care-check.yaml" in str(err.value) and key in str(err.value) and "\n" not in str(err.value)


def test_lookup_goes_upward_and_reads_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.care-check]\nfail-on = "partial"\ndisable = [12, "x-care"]\n'
        'severity = { "7" = "info" }\nrules = "my-rules"\n')
    sub = tmp_path / "papers" / "2025"
    sub.mkdir(parents=True)
    cfg = load_config(start=sub)
    assert cfg.source == str(tmp_path / "pyproject.toml")
    assert cfg.fail_on == "partial" and cfg.disable == ("12", "x-care") and cfg.severity == {"7": "info"}
    assert cfg.rules == str(tmp_path / "my-rules")  # relative to the config file
    (sub / ".care-check.yaml").write_text("format: sarif\n")
    assert load_config(start=sub).format == "sarif" and load_config(start=sub).fail_on is None  # nearest wins


def test_pyproject_without_a_care_check_table_is_skipped(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    (tmp_path / "sub").mkdir()
    assert load_config(start=tmp_path / "sub").source != str(tmp_path / "pyproject.toml")


def test_explicit_config_and_severity_override(capsys, tmp_path, gappy_items):
    cfg = tmp_path / "policy.yaml"
    cfg.write_text("severity:\n" + "".join(f'  "{i["id"]}": info\n' for i in gappy_items))
    code, out, err = check(capsys, str(GAPPY), "--config", str(cfg), "--format", "json")
    assert code == 0, err  # info items never fail
    assert {i["severity"] for i in json.loads(out)["items"]} == {"info"}
    code, _, err = check(capsys, str(GAPPY), "--config", str(tmp_path / "nope.yaml"))
    assert code == 2 and "nope.yaml" in err


def test_unknown_item_in_config_is_an_error(capsys, tmp_path, monkeypatch):
    (tmp_path / ".care-check.yaml").write_text("disable: [99]\n")
    monkeypatch.chdir(tmp_path)
    code, _, err = check(capsys, str(GAPPY))
    assert code == 2 and "'disable'" in err and "99" in err


def test_inline_comment_suppresses_item_13_and_config_disables_the_rest(capsys, tmp_path, gappy_items, monkeypatch):
    failing = [i["id"] for i in gappy_items if i["status"] == "missing" and i["severity"] != "info"]
    assert "13" in failing
    others = [i for i in failing if i != "13"]
    (tmp_path / ".care-check.yaml").write_text(f"disable: {json.dumps(others)}\n")
    paper = tmp_path / "gappy.md"
    paper.write_text(GAPPY.read_text())
    monkeypatch.chdir(tmp_path)
    assert check(capsys, str(paper))[0] == 1  # 13 still fails

    paper.write_text(GAPPY.read_text() + "\n<!-- care-check: disable=13, no-such-item -->\n")
    proc = run("check", str(paper), "--format", "json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    items = {i["id"]: i for i in json.loads(proc.stdout)["items"]}
    assert items["13"]["status"] == "missing" and items["13"]["suppressed"] is True
    assert all(items[i]["suppressed"] for i in others)
    assert not any(i["suppressed"] for i in items.values() if i["status"] == "reported")
    assert proc.stderr.count("\n") == 1 and "warning" in proc.stderr and "no-such-item" in proc.stderr
    text = check(capsys, str(paper))[1]
    assert "suppressed: line" in text and "suppressed: config" in text


def test_latex_and_plain_text_directives(tmp_path):
    from care_check.model import Document, Report
    from care_check.suppress import for_report

    for name, line in (("a.tex", "% care-check: disable=12,x-care"), ("b.txt", "care-check: disable=12, x-care")):
        p = tmp_path / name
        p.write_text(f"Title\n\n{line}\n\nsee care-check: disable=7 in the docs\n")
        report = Report(Document(str(p), "text", [], "full"), "care", "2016", "CARE", [])
        sup, warnings = for_report(report, {"7", "12", "x-care"})
        assert sup == {"12": "line 3", "x-care": "line 3"} and warnings == []
