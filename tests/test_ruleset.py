"""Rule files are validated: a bad file gives one line naming the file, the rule and the field."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from care_check.engine import Checker
from care_check.errors import RuleError
from care_check.resources import rules_root
from care_check.ruleset import load_guideline


def make_ruleset(tmp_path: Path, item_yaml: str) -> Path:
    folder = tmp_path / "mini"
    (folder / "items").mkdir(parents=True)
    (folder / "guideline.yaml").write_text("id: mini\nversion: '1'\ntitle: Mini\ncitation: test\n")
    (folder / "items" / "a.yaml").write_text(item_yaml)
    return folder


GOOD = """id: "A1"
topic: Consent
title: Consent
asks: Consent to publish.
source: test
sections: [consent, back]
cues:
  consent: {phrases: [consent]}
evidence:
  - all: [consent]
fix: Add a consent statement.
"""


def test_the_bundled_care_rules_load_and_compile():
    rs = load_guideline()
    ids = [r.spec.id for r in rs.rules]
    assert ids == list(rs.guideline.order) and len(ids) == 34
    assert Checker(rs)._n_patterns > 0


def test_a_good_minimal_ruleset(tmp_path):
    rs = load_guideline(make_ruleset(tmp_path, GOOD))
    assert [r.spec.id for r in rs.rules] == ["A1"]


@pytest.mark.parametrize("broken,field,problem", [
    (GOOD.replace("severity", "x").replace("sections: [consent, back]\n", ""), "sections", "Field required"),
    (GOOD.replace("  - all: [consent]", "  - all: [consnet]"), "evidence.0.all", "unknown cue 'consnet'"),
    (GOOD + "colour: red\n", "colour", "Extra inputs"),
    (GOOD.replace("sections: [consent, back]", "sections: [consent, back]\nseverity: fatal"), "severity", "Input should be"),
])
def test_schema_errors_name_file_rule_and_field(tmp_path, broken, field, problem):
    folder = make_ruleset(tmp_path, broken)
    with pytest.raises(RuleError) as err:
        load_guideline(folder)
    msg = str(err.value)
    assert "a.yaml" in msg and "rule A1" in msg and f"field '{field}'" in msg and problem in msg
    assert "\n" not in msg


def test_invalid_yaml_names_the_line(tmp_path):
    folder = make_ruleset(tmp_path, GOOD.replace("cues:", "cues: [unclosed"))
    with pytest.raises(RuleError, match=r"a.yaml: invalid YAML \(line \d+\)"):
        load_guideline(folder)


def test_bad_token_pattern_is_a_rule_error(tmp_path):
    folder = make_ruleset(tmp_path, GOOD.replace("consent: {phrases: [consent]}",
                                                  "consent: {patterns: [[{LOWERR: consent}]]}"))
    with pytest.raises(RuleError, match="bad token pattern"):
        Checker(load_guideline(folder))


def test_cli_reports_invalid_rules_in_one_line_with_exit_2(tmp_path):
    folder = make_ruleset(tmp_path, GOOD.replace("  - all: [consent]", "  - all: [consnet]"))
    manuscript = tmp_path / "m.md"
    manuscript.write_text("## Consent\n\nConsent was obtained.\n")
    proc = subprocess.run([sys.executable, "-m", "care_check", "check", str(manuscript), "--rules", str(folder)],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert "unknown cue 'consnet'" in proc.stderr


def test_a_copy_of_the_care_rules_can_be_used_as_a_custom_folder(tmp_path):
    dest = tmp_path / "care"
    shutil.copytree(rules_root() / "care", dest)
    assert len(load_guideline(dest).rules) == 34


def test_yaml_1_1_booleans_stay_words_in_rules(tmp_path):
    folder = make_ruleset(tmp_path, GOOD.replace("consent: {phrases: [consent]}",
                                                  "consent: {phrases: [consent, on, yes, no]}"))
    cue = load_guideline(folder).rules[0].spec.cues["consent"]
    assert cue.phrases == ("consent", "on", "yes", "no")


LAST = """id: "A2"
topic: Discussion
title: Closing
asks: A closing lesson.
source: test
sections: [discussion]
fallback: unstructured
cues:
  lesson: {phrases: [should]}
evidence:
  - all: [lesson]
    sections: [discussion]
    last: 2
fix: End with a lesson.
"""


@pytest.mark.parametrize("text,reported", [
    # a discussion: its last two sentences
    ("## Discussion\n\nYou should know. One. Two.", False),
    ("## Discussion\n\nOne. Two. You should know.", True),
    # no discussion: widened, the end of the main text, captions and back matter left out
    ("One. Two. You should know.\n\n## Funding\n\nNone.", True),
    ("You should know. One. Two.\n\n## Acknowledgements\n\nThanks should go to the unit.", False),
])
def test_a_last_signal_widens_to_the_end_of_the_main_text_only(tmp_path, text, reported):
    from care_check.model import Status

    from .helpers import check_markdown, verdict

    checker = Checker(load_guideline(make_ruleset(tmp_path, LAST)), model=None)
    v = verdict(check_markdown(checker, text), "A2")
    assert (v.status == Status.REPORTED) == reported, [e.quote for e in v.evidence]
