"""Linter conventions, each through the command line: --select/--ignore, --exclude and
.gitignore, -q, --color with NO_COLOR/FORCE_COLOR, stdin, rules ID, config, --isolated,
completion, --help, and a Markdown file that opens with a suppression comment.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from care_check import cli
from care_check.ruleset import load_guideline

ROOT = Path(__file__).resolve().parent.parent
GAPPY = ROOT / "corpus" / "gappy-case-report.md"
COMPLETE = ROOT / "corpus" / "complete-case-report.md"
ANSI = "\x1b["


def main(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def gappy_items() -> dict[str, dict]:
    out = Path(os.environ.get("TMPDIR", "/tmp")) / f"care-check-items-{os.getpid()}.json"
    cli.main(["check", str(GAPPY), "--format", "json", "--isolated", "-o", str(out)])
    items = {i["id"]: i for i in json.loads(out.read_text())["items"]}
    out.unlink()
    return items


def failing(items: dict[str, dict]) -> list[str]:
    return [i for i, v in items.items() if v["status"] == "missing" and v["severity"] != "info"]


@pytest.fixture(autouse=True)
def _no_config_around(tmp_path, monkeypatch):
    """Each test runs in an empty folder, with no colour variables set."""
    monkeypatch.chdir(tmp_path)
    for var in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(var, raising=False)


# --- --select / --ignore -------------------------------------------------------------------

def test_ignore_has_the_effect_of_the_config_disable(capsys, tmp_path, gappy_items):
    bad = failing(gappy_items)
    code, out, _ = main(capsys, "check", str(GAPPY), "--format", "json", "--ignore", ",".join(bad[:-1]),
                        "--ignore", f"CARE-{bad[-1]}")
    assert code == 0
    by_flag = {i["id"]: i["suppressed"] for i in json.loads(out)["items"]}
    (tmp_path / ".care-check.yaml").write_text(f"disable: {json.dumps(bad)}\n")
    code, out, _ = main(capsys, "check", str(GAPPY), "--format", "json")
    assert code == 0 and {i["id"]: i["suppressed"] for i in json.loads(out)["items"]} == by_flag
    assert main(capsys, "check", str(GAPPY), "--format", "json", "--isolated")[0] == 1


def test_select_checks_only_the_named_items(capsys, gappy_items):
    reported = next(i for i, v in gappy_items.items() if v["status"] == "reported")
    assert "13" in failing(gappy_items)
    code, out, _ = main(capsys, "check", str(GAPPY), "-q", "--select", f"{reported},CARE-13")
    assert code == 1 and "1 failing (13)" in out
    assert main(capsys, "check", str(GAPPY), "--select", reported)[0] == 0
    code, _, err = main(capsys, "check", str(GAPPY), "--select", "13,99z")
    assert code == 2 and err.strip() == "care-check: error: --select: unknown item '99z' (see care-check rules)"


# --- walking folders: --exclude and .gitignore ----------------------------------------------

@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    text = GAPPY.read_text()
    for rel in ("manuscripts/a.md", "manuscripts/a.bak.md", "manuscripts/keep.bak.md", "drafts/b.md",
                "manuscripts/old/c.md", "manuscripts/old/d.md", "manuscripts/2024/e.md"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    (tmp_path / ".gitignore").write_text("drafts/\n*.bak.md\n!keep.bak.md\n")
    (tmp_path / "manuscripts" / "old" / ".gitignore").write_text("c.md\n")
    return tmp_path


def checked(capsys, *args: str) -> list[str]:
    code, out, err = main(capsys, "check", *args, "--format", "json", "--fail-on", "never")
    assert code == 0, err
    data = json.loads(out)
    return sorted(Path(d["document"]["path"]).as_posix() for d in (data if isinstance(data, list) else [data]))


def test_gitignore_is_respected_when_walking_a_folder(capsys, project):
    assert checked(capsys, ".") == ["manuscripts/2024/e.md", "manuscripts/a.md", "manuscripts/keep.bak.md",
                                    "manuscripts/old/d.md"]


def test_exclude_globs_prune_the_walk_but_an_explicit_path_is_checked(capsys, project):
    assert checked(capsys, ".", "--exclude", "old/", "--exclude", "manuscripts/2024/*.md") == [
        "manuscripts/a.md", "manuscripts/keep.bak.md"]
    assert checked(capsys, "drafts/b.md", "manuscripts/old/c.md", "--exclude", "*.md") == [
        "drafts/b.md", "manuscripts/old/c.md"]
    (project / ".care-check.yaml").write_text("exclude: [keep.bak.md]\n")
    assert "manuscripts/keep.bak.md" not in checked(capsys, ".")


# --- -q / -v --------------------------------------------------------------------------------

def test_quiet_prints_one_line_per_failing_file_and_nothing_on_success(capsys, gappy_items):
    code, out, _ = main(capsys, "check", str(GAPPY), str(COMPLETE), "-q")
    bad = failing(gappy_items)
    assert code == 1 and out.splitlines() == [out.strip()]
    assert out.startswith(f"{GAPPY}: {len(bad)} failing ({', '.join(bad)})") and "completeness" in out
    assert main(capsys, "check", str(COMPLETE), "--quiet") == (0, "", "")
    code, out, _ = main(capsys, "check", str(GAPPY), "-q", "-v")  # the last of -q/-v wins
    assert code == 1 and "fix:" in out and len(out.splitlines()) > 40


# --- --color --------------------------------------------------------------------------------

@pytest.mark.parametrize("env,flag,coloured", [
    ({}, "auto", False),                      # captured output is not a terminal
    ({}, "always", True),
    ({"FORCE_COLOR": "1"}, None, True),
    ({"FORCE_COLOR": "1"}, "never", False),  # the flag wins over the variable
    ({"NO_COLOR": "1"}, "always", True),
    ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, None, False),  # NO_COLOR first
])
def test_color_flag_and_variables(capsys, monkeypatch, env, flag, coloured):
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    out = main(capsys, "check", str(GAPPY), "-q", *(["--color", flag] if flag else []))[1]
    assert (ANSI in out) is coloured and "failing" in out


# --- standard input -------------------------------------------------------------------------

def stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


def test_stdin_with_a_filename_and_a_leading_suppression_comment(capsys, monkeypatch, tmp_path):
    stdin(monkeypatch, ("<!-- care-check: disable=13 -->\n" + GAPPY.read_text()).encode())
    code, out, _ = main(capsys, "check", "-", "--stdin-filename", "papers/case.md", "--format", "json")
    data = json.loads(out)
    assert data["document"]["path"] == "papers/case.md" and data["document"]["format"] == "markdown"
    assert {i["id"]: i["suppressed"] for i in data["items"]}["13"] is True
    assert code == 1 and not (tmp_path / "papers").exists()


def test_stdin_empty_or_misused_is_one_line_exit_2(capsys, monkeypatch):
    stdin(monkeypatch, b"  \n")
    code, out, err = main(capsys, "check", "-", "--stdin-filename", "x.md")
    assert code == 2 and err == "care-check: error: x.md: standard input is empty\n"
    code, _, err = main(capsys, "check", str(GAPPY), "--stdin-filename", "x.md")
    assert code == 2 and err.count("\n") == 1 and "'-'" in err


# --- a Markdown file that opens with an HTML comment -----------------------------------------

def test_markdown_opening_with_a_suppression_comment_is_not_xml(capsys, tmp_path):
    paper = tmp_path / "paper.md"
    paper.write_text("<!-- care-check: disable=12 -->\n" + COMPLETE.read_text())
    code, out, err = main(capsys, "check", str(paper), "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["document"]["format"] == "markdown"
    assert next(i for i in data["items"] if i["id"] == "12")["suppressed"] is True


# --- rules ID, config, --isolated -----------------------------------------------------------

def test_rules_id_explains_one_item(capsys):
    spec = load_guideline().rule("13").spec
    code, out, _ = main(capsys, "rules", "CARE-13")
    assert code == 0 and out.startswith(f"CARE-13  {spec.title}")
    flat = " ".join(out.split())
    for heading, text in (("What it asks", spec.asks), ("Fix", spec.fix),
                          ("An example that satisfies it", spec.examples.reported[0])):
        assert heading in out and " ".join(text.split()) in flat
    assert "Where it looks" in out and ", ".join(spec.sections[:3]) in flat
    assert main(capsys, "rules", "5a")[1].startswith("CARE-5a ")
    code, out, err = main(capsys, "rules", "14z")
    assert code == 2 and out == "" and "unknown item '14z'" in err


def test_config_shows_each_value_and_where_it_came_from(capsys, tmp_path, monkeypatch):
    cfg = tmp_path / ".care-check.yaml"
    cfg.write_text("fail-on: partial\ndisable: [12]\nformat: sarif\n")
    monkeypatch.setenv("NO_COLOR", "1")
    code, out, _ = main(capsys, "config", "--format", "junit", "--ignore", "13", "--json")
    got = json.loads(out)
    assert code == 0
    assert got["config-file"]["value"] == str(cfg)
    assert got["fail-on"] == {"value": "partial", "source": str(cfg)}
    assert got["format"] == {"value": "junit", "source": "--format"}
    assert got["disable"] == {"value": ["12"], "source": str(cfg)}
    assert got["ignore"] == {"value": ["13"], "source": "--ignore"}
    assert got["color"] == {"value": "never", "source": "NO_COLOR"}
    assert got["exclude"] == {"value": [], "source": "default"}
    text = main(capsys, "config")[1]
    assert any(ln.split()[:2] == ["fail-on", "partial"] and ln.endswith(str(cfg)) for ln in text.splitlines())
    isolated = json.loads(main(capsys, "config", "--isolated", "--json")[1])
    assert isolated["fail-on"] == {"value": "missing", "source": "default"} and isolated["config-file"]["value"] is None


def test_isolated_ignores_config_files(capsys, tmp_path):
    (tmp_path / ".care-check.yaml").write_text("fail-on: never\n")
    assert main(capsys, "check", str(GAPPY), "-q")[0] == 0
    assert main(capsys, "check", str(GAPPY), "-q", "--isolated")[0] == 1
    code, _, err = main(capsys, "check", str(GAPPY), "--isolated", "--config", str(tmp_path / ".care-check.yaml"))
    assert code == 2 and err.count("\n") == 1 and "--isolated" in err


# --- --help and completion ------------------------------------------------------------------

@pytest.mark.parametrize("args", [["--help"], ["check", "--help"]])
def test_help_has_examples_and_exit_codes(capsys, args):
    with pytest.raises(SystemExit) as done:
        cli.main(args)
    out = capsys.readouterr().out
    assert done.value.code == 0
    assert "examples:" in out and "care-check check paper.md" in out
    codes = out[out.index("exit codes:"):].splitlines()
    assert [ln.split()[0] for ln in codes[1:4]] == ["0", "1", "2"]


def options_of(command: str) -> set[str]:
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices[command]
    return {s for a in sub._actions for s in a.option_strings}


def completion(capsys, shell: str) -> str:
    code, out, _ = main(capsys, "completion", shell)
    assert code == 0
    return out


def test_bash_completion_completes_commands_options_and_choices(capsys, tmp_path):
    script = tmp_path / "care-check.bash"
    script.write_text(completion(capsys, "bash"))

    def complete(*words: str) -> list[str]:
        cmd = (f"source {script}; COMP_WORDS=(care-check {' '.join(repr(w) for w in words)}); "
               f"COMP_CWORD={len(words)}; _care_check; printf '%s\\n' \"${{COMPREPLY[@]}}\"")
        return subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, check=True).stdout.split()

    assert {"check", "rules", "config", "completion"} <= set(complete(""))
    assert set(complete("check", "--")) == {o for o in options_of("check") if o.startswith("--")}
    assert complete("check", "--format", "s") == ["sarif"]
    assert complete("check", "--color", "") == ["auto", "always", "never"]
    assert complete("completion", "f") == ["fish"]


def test_zsh_completion_script_is_valid_zsh(capsys, tmp_path):
    if not shutil.which("zsh"):
        pytest.skip("zsh is not installed")
    script = tmp_path / "_care-check"
    script.write_text(completion(capsys, "zsh"))
    proc = subprocess.run(["zsh", "-n", str(script)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    text = script.read_text()
    assert all(o in text for o in options_of("check"))


def test_fish_completion_completes_options_and_choices(capsys, tmp_path):
    if not shutil.which("fish"):
        pytest.skip("fish is not installed")
    script = tmp_path / "care-check.fish"
    script.write_text(completion(capsys, "fish"))

    def complete(line: str) -> list[str]:
        proc = subprocess.run(["fish", "--no-config", "-c", f"source {script}; complete -C '{line}'"],
                              capture_output=True, text=True, check=True)
        return [ln.split("\t")[0] for ln in proc.stdout.splitlines()]

    assert "--stdin-filename" in complete("care-check check --std")
    assert set(complete("care-check check --format ")) == {"text", "json", "sarif", "junit", "github", "markdown",
                                                           "checklist", "html"}
    assert "config" in complete("care-check ")
