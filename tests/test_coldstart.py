"""Cold start: a check imports only what its input and output need, and the validated rules
come from a cache keyed by the rule files' content (rebuilt when one changes, ignored when
corrupt)."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from care_check import cache, ruleset
from care_check.errors import RuleError
from care_check.resources import rules_root

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "corpus" / "complete-case-report.md"


def _modules_after(code: str, env: dict[str, str] | None = None) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys, json\n"
                          "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})), file=sys.stderr)"],
                         capture_output=True, text=True, cwd=ROOT, env={**os.environ, **(env or {})}, timeout=120)
    return set(json.loads(out.stderr.strip().splitlines()[-1]))


def test_a_markdown_check_to_json_imports_no_other_reader_nor_spacys_command_line():
    mods = _modules_after("from care_check.cli import main\n"
                          f"main(['check', {str(EXAMPLE)!r}, '--format', 'json'])")
    assert "spacy" in mods and "markdown_it" in mods
    assert not mods & {"lxml", "docx", "pdfminer", "rich", "typer", "weasel", "httpx", "requests"}, mods


def test_version_and_rules_do_not_import_spacy():
    assert "spacy" not in _modules_after("from care_check.cli import main\ntry:\n main(['--version'])\n"
                                         "except SystemExit:\n pass\nmain(['rules'])")


def test_spacys_command_line_is_still_there_when_asked_for():
    code = ("import care_check.engine, sys\nassert 'typer' not in sys.modules\nimport spacy, spacy.cli\n"
            "assert callable(spacy.cli.info)\nfrom spacy.cli import app\nfrom spacy.cli.train import train\n"
            "assert callable(train) and app is not None\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr


# -- the rule cache ------------------------------------------------------------------------

@pytest.fixture()
def rules(tmp_path: Path, monkeypatch) -> Path:
    """A copy of the bundled CARE rules, and an empty cache folder."""
    monkeypatch.setenv("CARE_CHECK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("CARE_CHECK_NO_CACHE", raising=False)
    folder = tmp_path / "care"
    shutil.copytree(rules_root() / "care", folder)
    return folder


def _load(folder: Path, monkeypatch) -> tuple[ruleset.Ruleset, int]:
    """The rule set as ``load_guideline`` gives it (without its in-process memo), and how
    many times it was built from the YAML."""
    built = []
    real = ruleset._build
    monkeypatch.setattr(ruleset, "_build", lambda f: built.append(f) or real(f))
    return ruleset._load_cached.__wrapped__(str(folder)), len(built)


def test_the_cache_serves_the_same_rules_and_an_edit_invalidates_it(rules, monkeypatch):
    first, built = _load(rules, monkeypatch)
    assert built == 1 and len(list((rules.parent / "cache").glob("rules-*.pickle"))) == 1
    again, built = _load(rules, monkeypatch)
    assert built == 0 and again == first and again.rule("13").spec.title == first.rule("13").spec.title

    item = rules / "items" / "13-informed-consent.yaml"
    item.write_text(item.read_text(encoding="utf-8").replace("title:", "title: Edited —", 1), encoding="utf-8")
    edited, built = _load(rules, monkeypatch)
    assert built == 1 and edited.rule("13").spec.title.startswith("Edited —")

    (rules / "items" / "zz-new.yaml").write_text(
        "id: x-new\ntopic: Extra\ntitle: A new item\nasks: Whether it is there.\nsource: test\n"
        "sections: [discussion]\ncues: {w: {phrases: [new item]}}\nevidence: [{all: [w]}]\nfix: Add it.\n",
        encoding="utf-8")
    added, built = _load(rules, monkeypatch)
    assert built == 1 and added.rule("x-new").spec.title == "A new item"


@pytest.mark.parametrize("garbage", [b"", b"care-check cache 1\n", b"care-check cache 1\n\x80\x04junk",
                                     b"not a pickle at all", pickle.dumps(("wrong digest", 42))])
def test_a_corrupt_cache_file_is_ignored_and_rebuilt(rules, monkeypatch, garbage):
    first, _ = _load(rules, monkeypatch)
    (path,) = (rules.parent / "cache").glob("rules-*.pickle")
    path.write_bytes(garbage)
    again, built = _load(rules, monkeypatch)
    assert built == 1 and again == first
    _, built = _load(rules, monkeypatch)  # rewritten whole
    assert built == 0


def test_a_cache_of_the_right_digest_but_another_object_is_only_what_was_stored(rules, monkeypatch):
    """The stored digest must match the key: a file copied from another key is rebuilt."""
    _load(rules, monkeypatch)
    (path,) = (rules.parent / "cache").glob("rules-*.pickle")
    with open(path, "wb") as fh:
        fh.write(b"care-check cache 1\n")
        pickle.dump(("0" * 64, "not a rule set"), fh)
    again, built = _load(rules, monkeypatch)
    assert built == 1 and isinstance(again, ruleset.Ruleset)


def test_an_invalid_rule_file_is_never_cached(rules, monkeypatch):
    bad = rules / "items" / "zz-bad.yaml"
    bad.write_text("id: x-bad\ntopic: T\ntitle: T\nasks: A\nsource: S\nsections: [discussion]\n"
                   "cues: {w: {patterns: [[{TEXT: {REGEX: '(unclosed'}}]]}}\nevidence: [{all: [w]}]\nfix: F\n")
    for _ in range(2):
        with pytest.raises(RuleError, match="zz-bad.yaml"):
            _load(rules, monkeypatch)
    assert not list((rules.parent / "cache").glob("rules-*.pickle"))


def test_an_unwritable_cache_folder_only_costs_time(rules, monkeypatch, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be")
    monkeypatch.setenv("CARE_CHECK_CACHE_DIR", str(blocker))
    first, built = _load(rules, monkeypatch)
    assert built == 1 and first.rule("13")
    _, built = _load(rules, monkeypatch)
    assert built == 1


def test_no_cache_setting_writes_nothing(rules, monkeypatch):
    monkeypatch.setenv("CARE_CHECK_NO_CACHE", "1")
    _load(rules, monkeypatch)
    assert not (rules.parent / "cache").exists()


def test_old_versions_are_pruned(rules, monkeypatch):
    item = next((rules / "items").glob("*.yaml"))
    text = item.read_text(encoding="utf-8")
    for i in range(cache.KEEP + 3):
        item.write_text(text + f"\n# edit {i}\n", encoding="utf-8")
        _load(rules, monkeypatch)
    assert len(list((rules.parent / "cache").glob("rules-*.pickle"))) == cache.KEEP


def test_cue_phrase_tokens_come_from_the_cache_and_a_new_phrase_rebuilds_them(rules, monkeypatch):
    """The cue phrases' token ids are tokenized once, kept, and equal the tokenizer's own."""
    from spacy.attrs import LOWER, ORTH

    from care_check import phrases
    from care_check.nlp import get_nlp

    tok = get_nlp().tokenizer
    calls = []

    class Counting:
        def pipe(self, texts):
            calls.append(len(texts))
            return tok.pipe(texts)

    words = ["Informed consent", "e.g. written", "Dr. Smith's 3a.m. visit", "IV", ""]
    first = phrases.phrase_ids(Counting(), words)
    assert calls == [len(words)]
    for text in words:
        doc = tok(text)
        assert first[text] == (tuple(doc.to_array(LOWER).tolist()), tuple(doc.to_array(ORTH).tolist()))
    assert phrases.phrase_ids(Counting(), list(reversed(words))) == first and calls == [len(words)]
    more = phrases.phrase_ids(Counting(), words + ["a new cue"])
    assert calls == [len(words), len(words) + 1]
    assert more["a new cue"][0] == tuple(tok("a new cue").to_array(LOWER).tolist())
