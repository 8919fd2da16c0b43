"""CI formats: SARIF for code scanning, JUnit for test reports, GitHub annotations, the Markdown summary.

In-process through ``care_check.cli.main`` (fast), in a throwaway repository (a folder with
``.git``) so paths from the repository root can be checked.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from care_check import cli

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
GAPPY = ROOT / "corpus" / "gappy-case-report.md"
COMPLETE = ROOT / "corpus" / "complete-case-report.md"
XSD = Path(__file__).with_name("junit.xsd")


def main(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with two manuscripts; the current folder is a subfolder of it."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "manuscripts").mkdir()
    (tmp_path / "manuscripts" / "gappy.md").write_text(GAPPY.read_text())
    (tmp_path / "manuscripts" / "complete.md").write_text(COMPLETE.read_text())
    (tmp_path / "tools").mkdir()
    monkeypatch.chdir(tmp_path / "tools")
    return tmp_path


def sarif_of(capsys, *args: str) -> dict:
    return json.loads(main(capsys, "check", *args, "--format", "sarif")[1])


# --- SARIF ---------------------------------------------------------------------------------

def test_sarif_uris_are_normalised_and_relative_to_the_repository_root(capsys, repo):
    log = sarif_of(capsys, "../manuscripts/../manuscripts/gappy.md", str(repo / "manuscripts" / "complete.md"))
    run = log["runs"][0]
    assert [a["location"] for a in run["artifacts"]] == [
        {"uri": "manuscripts/gappy.md", "uriBaseId": "SRCROOT"},
        {"uri": "manuscripts/complete.md", "uriBaseId": "SRCROOT"}]
    assert run["originalUriBaseIds"]["SRCROOT"]["uri"] == repo.resolve().as_uri() + "/"
    locs = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert locs == {"manuscripts/gappy.md"}  # the complete manuscript has no gaps


def test_sarif_rule_ids_are_namespaced(capsys, repo):
    run = sarif_of(capsys, "../manuscripts/gappy.md")["runs"][0]
    assert {r["ruleId"] for r in run["results"]} >= {"CARE-13", "CARE-12"}
    rules = run["tool"]["driver"]["rules"]
    assert all(re.fullmatch(r"CARE-[\w-]+", r["id"]) for r in rules)
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in run["results"])


def test_sarif_fingerprints_are_stable_across_runs_and_an_edit_above_the_finding(capsys, repo):
    paper = repo / "manuscripts" / "gappy.md"

    def fingerprints() -> dict[str, tuple[str, int]]:
        run = sarif_of(capsys, "../manuscripts/gappy.md")["runs"][0]
        return {r["ruleId"]: (r["partialFingerprints"]["careCheckItem/v1"],
                              r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in run["results"]}

    first = fingerprints()
    assert first == fingerprints()  # same input, same log
    lines = paper.read_text().splitlines(keepends=True)
    paper.write_text(lines[0] + "\nA paragraph added by a co-author.\n\nAnd a second one.\n" + "".join(lines[1:]))
    after = fingerprints()
    assert set(after) == set(first)
    assert {k: fp for k, (fp, _) in after.items()} == {k: fp for k, (fp, _) in first.items()}
    moved = [k for k in first if after[k][1] != first[k][1]]
    assert "CARE-13" in moved  # the finding did move down, the fingerprint did not change
    assert len({fp for fp, _ in first.values()}) == len(first)  # one per finding


def test_sarif_unreadable_file_is_a_tool_notification(capsys, repo):
    (repo / "manuscripts" / "empty.md").write_text("")
    code, out, err = main(capsys, "check", "../manuscripts/gappy.md", "../manuscripts/empty.md", "--format", "sarif")
    assert code == 2 and "empty.md: file is empty" in err
    inv = json.loads(out)["runs"][0]["invocations"][0]
    assert inv["executionSuccessful"] is False
    [note] = inv["toolExecutionNotifications"]
    assert note["level"] == "error" and note["message"]["text"] == "file is empty"
    assert note["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "manuscripts/empty.md",
                                                                           "uriBaseId": "SRCROOT"}


def test_sarif_with_notifications_and_suppressions_validates_against_the_schema(capsys, repo):
    schema_path = SHARED / "schemas" / "sarif-schema-2.1.0.json"
    if not schema_path.is_file():
        pytest.skip("../shared/schemas is not present (fresh clone)")
    jsonschema = pytest.importorskip("jsonschema")
    (repo / "manuscripts" / "empty.md").write_text("")
    paper = repo / "manuscripts" / "gappy.md"
    paper.write_text("<!-- care-check: disable=12 -->\n" + paper.read_text())
    log = json.loads(main(capsys, "check", "../manuscripts", "--ignore", "13", "--format", "sarif")[1])
    assert log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert any(r.get("suppressions") for r in log["runs"][0]["results"])
    schema = json.loads(schema_path.read_text())
    cls = jsonschema.validators.validator_for(schema)
    assert [e.message for e in cls(schema, format_checker=cls.FORMAT_CHECKER).iter_errors(log)] == []


# --- JUnit ---------------------------------------------------------------------------------

def junit_of(capsys, *args: str):
    from lxml import etree

    code, out, _ = main(capsys, "check", *args, "--format", "junit")
    return code, etree.fromstring(out.encode())


def test_junit_validates_against_the_common_schema(capsys, repo):
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(XSD)))
    (repo / ".care-check.yaml").write_text('severity: {"12": info}\n')
    code, doc = junit_of(capsys, "../manuscripts", "--ignore", "x-funding")
    assert code == 1
    assert schema.validate(doc), schema.error_log
    doc.set("skipped", "1")  # what the schema refused before: the check has teeth
    assert not schema.validate(doc)


def test_junit_cases_carry_file_and_line(capsys, repo, tmp_path):
    _, doc = junit_of(capsys, "../manuscripts/gappy.md")
    cases = doc.findall(".//testcase")
    assert len(cases) == 34 and {c.get("file") for c in cases} == {"manuscripts/gappy.md"}
    items = {i["id"]: i for i in json.loads(main(capsys, "check", "../manuscripts/gappy.md", "--format", "json")[1])["items"]}
    by_id = {c.get("name").split()[0]: c for c in cases}
    reported = next(i for i in items.values() if i["status"] == "reported")
    assert by_id[reported["id"]].get("line") == str(reported["evidence"][0]["line"])
    assert all(int(c.get("line")) >= 1 for c in cases)


def test_junit_info_items_never_fail(capsys, repo):
    (repo / ".care-check.yaml").write_text('severity: {"13": info}\n')
    _, doc = junit_of(capsys, "../manuscripts/gappy.md")
    case = next(c for c in doc.findall(".//testcase") if c.get("name").startswith("13 "))
    assert case.find("failure") is None and "severity info" in case.find("system-out").text
    assert doc.find("testsuite").get("failures") == str(len(doc.findall(".//failure")))
    (repo / ".care-check.yaml").unlink()
    _, doc = junit_of(capsys, "../manuscripts/gappy.md")
    case = next(c for c in doc.findall(".//testcase") if c.get("name").startswith("13 "))
    assert case.find("failure") is not None


# --- GitHub annotations and the Markdown summary -------------------------------------------

ANNOTATION = re.compile(r"^::(error|warning|notice) file=([^,]+),line=(\d+),title=([^:]+)::(.+)$")


def test_github_format_one_annotation_per_gap(capsys, repo):
    items = json.loads(main(capsys, "check", "../manuscripts/gappy.md", "--format", "json")[1])["items"]
    gaps = [i for i in items if i["status"] in ("missing", "partial")]
    failing = [i for i in gaps if i["status"] == "missing" and i["severity"] != "info"]
    code, out, _ = main(capsys, "check", "../manuscripts/gappy.md", "--format", "github")
    lines = out.strip().splitlines()
    assert code == 1 and len(lines) == len(gaps)
    parsed = [ANNOTATION.match(ln) for ln in lines]
    assert all(parsed), lines
    assert {m.group(2) for m in parsed} == {"manuscripts/gappy.md"}
    assert sum(m.group(1) == "error" for m in parsed) == len(failing)
    consent = next(m for m in parsed if m.group(4).startswith("CARE-13 "))
    assert "Fix%3A" not in consent.group(5) and "Fix:" in consent.group(5)  # message data keeps colons
    titled = next(m for m in parsed if m.group(4).startswith("CARE-3c "))
    assert "%3A" in titled.group(4) and "%2C" in titled.group(4)  # property values escape : and ,
    _, out, _ = main(capsys, "check", "../manuscripts/gappy.md", "--format", "github", "--fail-on", "never")
    assert "::error" not in out and out.count("::warning") == len(failing)


def test_github_format_names_an_unreadable_file(capsys, repo):
    (repo / "manuscripts" / "empty.md").write_text("")
    code, out, _ = main(capsys, "check", "../manuscripts/empty.md", "--format", "github")
    assert code == 2 and out.strip() == "::error file=manuscripts/empty.md,title=care-check%3A cannot check::file is empty"


def test_markdown_summary_table(capsys, repo):
    code, out, _ = main(capsys, "check", "../manuscripts", "--format", "markdown")
    assert code == 1 and out.startswith("### care-check: 2 manuscripts, 1 failing")
    rows = {ln.split(" | ")[1]: ln for ln in out.splitlines() if ln.startswith("| ✅") or ln.startswith("| ❌")}
    assert rows["manuscripts/complete.md"].startswith("| ✅") and rows["manuscripts/gappy.md"].startswith("| ❌")
    assert "13" in rows["manuscripts/gappy.md"].split(" | ")[-1]
    assert "<details><summary>manuscripts/gappy.md" in out and "| CARE-13 |" in out
