"""The GitHub Action and the pre-commit hook, run the way CI and pre-commit run them.

The action's check step is executed with bash, with the inputs passed as the runner passes
them (environment variables) and the runner's files (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY);
the `uses:` steps (setup-python, the SARIF upload) and the pip install are GitHub's and are
not run here. The hook is run by the real pre-commit, offline: pre-commit's own `language:
python` would build a virtualenv and install care-check and spaCy from the network, so the
hook is declared `language: system` with this repository's entry, files and options and the
care-check installed in this environment (what that virtualenv would hold).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from care_check import cli

ROOT = Path(__file__).resolve().parent.parent
GAPPY = ROOT / "corpus" / "gappy-case-report.md"
COMPLETE = ROOT / "corpus" / "complete-case-report.md"
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
CARE_CHECK = Path(sys.executable).parent / "care-check"


def check_options() -> set[str]:
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices["check"]
    return {s for a in sub._actions for s in a.option_strings}


def steps_running_care_check() -> list[dict]:
    return [s for s in ACTION["runs"]["steps"] if "run" in s and "care-check check" in s["run"]]


def test_every_option_the_action_passes_is_a_real_cli_option():
    steps = steps_running_care_check()
    assert steps
    passed = {tok for s in steps for tok in re.findall(r"(?<![\w-])--[a-z][a-z-]*", s["run"])}
    assert passed and passed <= check_options(), passed - check_options()
    for s in steps:  # and every choice it hard-codes is a valid value
        for fmt in re.findall(r"--format (\w+)", s["run"]):
            assert fmt in cli.FORMATS


def test_every_action_input_is_declared_and_used():
    text = (ROOT / "action.yml").read_text()
    used = set(re.findall(r"\$\{\{\s*inputs\.([\w-]+)", text)) | set(re.findall(r"inputs\.([\w-]+) ", text))
    assert used == set(ACTION["inputs"])
    for name, spec in ACTION["inputs"].items():
        assert spec.get("description"), name
    fail_on = next(a for a in cli.build_parser()._actions if a.dest == "command").choices["check"]
    choices = next(a.choices for a in fail_on._actions if a.dest == "fail_on")
    assert "fail-on" in ACTION["inputs"] and set(choices) == {"missing", "partial", "never"}


def _run_step(step: dict, inputs: dict[str, str], cwd: Path, files: dict[str, Path]) -> subprocess.CompletedProcess:
    """One composite run step with bash, as the runner runs it (inputs reach it as env)."""
    values = {k: str(v.get("default", "")) for k, v in ACTION["inputs"].items()} | inputs

    def expand(text: str) -> str:
        return re.sub(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}", lambda m: values[m.group(1)], text)

    env = {**os.environ, "NO_COLOR": "1", "PATH": f"{CARE_CHECK.parent}{os.pathsep}{os.environ['PATH']}",
           "GITHUB_OUTPUT": str(files["output"]), "GITHUB_STEP_SUMMARY": str(files["summary"])}
    env |= {k: expand(str(v)) for k, v in (step.get("env") or {}).items()}
    return subprocess.run(["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", step["run"]],
                          capture_output=True, text=True, cwd=cwd, env=env)


def test_action_check_step_annotates_summarises_and_writes_sarif(tmp_path):
    if not CARE_CHECK.is_file():
        pytest.skip("care-check is not installed as a script in this environment")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    for rel, src in (("manuscripts/gappy.md", GAPPY), ("manuscripts/complete.md", COMPLETE),
                     ("manuscripts/drafts/old.md", GAPPY)):
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(src.read_text())
    files = {"output": tmp_path / "output", "summary": tmp_path / "summary.md"}
    [step] = steps_running_care_check()
    proc = _run_step(step, {"paths": "manuscripts", "exclude": "drafts/ *.tmp.md", "ignore": "12",
                            "upload-sarif": "true"}, repo, files)
    assert proc.returncode == 0, proc.stderr  # the step records the status; a later step fails the job
    outputs = dict(ln.split("=", 1) for ln in files["output"].read_text().splitlines())
    assert outputs == {"exit-code": "1", "sarif-file": "care-check.sarif"}
    annotations = proc.stdout.splitlines()
    assert annotations and all(a.startswith("::") for a in annotations)
    assert all("file=manuscripts/gappy.md," in a for a in annotations)  # drafts/ excluded, complete has no gap
    assert not any("title=CARE-12 " in a for a in annotations)  # ignored
    summary = files["summary"].read_text()
    assert summary.startswith("### care-check: 2 manuscripts, 1 failing")
    sarif = json.loads((repo / "care-check.sarif").read_text())
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} >= {"CARE-13"}

    fail = next(s for s in ACTION["runs"]["steps"] if s.get("name", "").startswith("Fail"))
    fail = {**fail, "env": {"CC_STATUS": outputs["exit-code"]}}
    assert _run_step(fail, {}, repo, files).returncode == 1


# --- pre-commit ------------------------------------------------------------------------------

def _readme_snippet() -> dict:
    """The pre-commit snippet the README tells users to paste."""
    text = (ROOT / "README.md").read_text()
    block = re.search(r"```yaml\n(# \.pre-commit-config\.yaml\n.*?)```", text, re.S)
    assert block, "README has no .pre-commit-config.yaml snippet"
    return yaml.safe_load(block.group(1))


def test_readme_pre_commit_snippet_is_restricted_to_manuscripts():
    hook = _readme_snippet()["repos"][0]["hooks"][0]
    assert hook["id"] == "care-check"
    files = re.compile(hook["files"])
    assert files.search("manuscripts/case-42.md") and files.search("manuscripts/2025/case.docx")
    assert not files.search("README.md") and not files.search("docs/index.md")


@pytest.fixture
def hook_repo(tmp_path: Path) -> tuple[Path, dict]:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    pytest.importorskip("pre_commit")
    if not CARE_CHECK.is_file():
        pytest.skip("care-check is not installed as a script in this environment")
    repo = tmp_path / "paper-repo"
    (repo / "manuscripts").mkdir(parents=True)
    (repo / "manuscripts" / "case.md").write_text(COMPLETE.read_text())
    (repo / "README.md").write_text(GAPPY.read_text())  # would fail if the hook checked it
    declared = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())[0]
    user = _readme_snippet()["repos"][0]["hooks"][0]
    entry = declared["entry"].split(" ", 1)
    assert entry[0] == "care-check"
    hook = {**declared, **{k: v for k, v in user.items() if k != "id"},
            "entry": f"{CARE_CHECK} {entry[1]}", "language": "system"}
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    return repo, hook


def _pre_commit(repo: Path, hook: dict) -> subprocess.CompletedProcess:
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump({"repos": [{"repo": "local", "hooks": [hook]}]}))
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env |= {"PRE_COMMIT_HOME": str(repo.parent / "pre-commit-home"), "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"],
                          capture_output=True, text=True, cwd=repo, env=env)


def test_pre_commit_runs_the_hook_quietly_with_exit_codes_0_and_1(hook_repo):
    repo, hook = hook_repo
    passed = _pre_commit(repo, hook)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert re.search(r"care-check.*Passed", passed.stdout)

    (repo / "manuscripts" / "gappy.md").write_text(GAPPY.read_text())
    failed = _pre_commit(repo, hook)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    lines = [ln for ln in failed.stdout.splitlines() if ln.strip()]
    assert re.search(r"care-check.*Failed", failed.stdout) and "exit code: 1" in failed.stdout
    reports = [ln for ln in lines if ln.startswith("manuscripts/")]
    assert len(reports) == 1 and reports[0].startswith("manuscripts/gappy.md: ") and "failing (" in reports[0]
    assert "README.md" not in failed.stdout and "fix:" not in failed.stdout
    assert len(lines) <= 6  # hook name, id, exit code, one line per failing file
    # Details on request: `args: [-v]` is appended after the entry's --quiet and wins
    # (tests/test_ci_conventions.py::test_quiet_prints_one_line_per_failing_file_and_nothing_on_success).


def test_readme_workflow_uses_only_real_action_inputs():
    text = (ROOT / "README.md").read_text()
    block = re.search(r"```yaml\n(name: care-check\n.*?)```", text, re.S)
    assert block, "README has no workflow"
    steps = yaml.safe_load(block.group(1))["jobs"]["care-check"]["steps"]
    ours = [s for s in steps if "care-check@" in s.get("uses", "")]
    assert len(ours) == 1 and set(ours[0]["with"]) <= set(ACTION["inputs"])
