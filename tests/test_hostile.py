"""Issue 11's reproducers: hostile and pathological files, each made at test time.

Every file must end, within 10 s of processor time on this two-core machine, in a report
or in one error line naming it (exit 0, 1 or 2), never a traceback or "internal error", and a batch goes
on after it. Where the issue saw quadratic time, the stage that was quadratic is also run
alone on the full-size input.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from care_check import cli
from care_check.errors import InputError
from care_check.readers import read_path

from . import hostile as h
from .helpers import stall_on

LIMIT_S = 10


def run(capsys, *args: str) -> tuple[int, str, list[str], float]:
    """The command line in this process (the compiled checker is reused): exit code,
    stdout, stderr lines and the seconds of processor time it took, here and in the
    per-file children. Processor time, because this machine is shared: wall-clock time
    grows with other jobs' load, the work done for a file does not. Wall-clock time is
    still bounded, loosely, so a stall fails too."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start, cpu_start = time.monotonic(), time.process_time()
    code = cli.main(["check", *args])
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (time.process_time() - cpu_start + after.ru_utime + after.ru_stime
           - before.ru_utime - before.ru_stime)
    assert wall < 3 * LIMIT_S, f"{wall:.1f} s of wall-clock time"
    out, err = capsys.readouterr()
    return code, out, err.splitlines(), cpu


def one_error(lines: list[str], path: Path | str, *words: str) -> str:
    """The single stderr line, which must be an error naming ``path`` and ``words``."""
    assert len(lines) == 1, lines
    line = lines[0]
    assert line.startswith("care-check: error: ") and str(path) in line, line
    assert "internal error" not in line and line.isprintable(), line
    for w in words:
        assert w in line, line
    return line


@pytest.fixture(scope="module", autouse=True)
def _warm(checker):
    """Compile the checker once for the module, so each test's time is the file's own."""
    cli._checker(None, True)


def items(out: str) -> dict[str, dict]:
    return {i["id"]: i for i in json.loads(out)["items"]}


# -- linear time ----------------------------------------------------------------------

def test_hundred_thousand_short_lines(tmp_path, capsys):
    f = tmp_path / "lines.txt"
    f.write_text("x\n" * 100_000 + "\nA 58-year-old man presented with fever.\n")
    assert f.stat().st_size > 200_000
    code, out, err, took = run(capsys, str(f), "--format", "json")
    assert code == 1 and err == [] and took < LIMIT_S
    five_a = items(out)["5a"]["evidence"][0]
    assert five_a["line"] == 100_002  # line numbers still exact


def test_four_thousand_headings(tmp_path, capsys):
    f = tmp_path / "headings.md"
    f.write_text("".join(f"## Heading number {i}\n\nSome text here {i}.\n\n" for i in range(4000)))
    code, out, err, took = run(capsys, str(f), "--format", "json")
    assert code == 1 and err == [] and took < LIMIT_S
    searched = items(out)["13"]["searched"]
    assert len(searched) == len(set(searched))


@pytest.mark.parametrize("text", [
    "Case report\n\n" + " " * 40_000 + "The patient recovered.\n",                    # 40,000 spaces on a line
    "".join(" " * (i * 100) + "x\n" for i in range(201)),                             # indented 0..20,000
], ids=["40k-spaces", "indented-to-20k"])
def test_long_runs_of_spaces(tmp_path, capsys, text):
    from care_check.suppress import _scan

    start = time.monotonic()
    assert _scan(text + " " * 20_000 + "care-check: disable=12\n") != []  # the directive regex, alone
    assert time.monotonic() - start < 1
    f = tmp_path / "spaces.txt"
    f.write_text(text)
    code, _, err, took = run(capsys, str(f), "--fail-on", "never")
    assert code == 0 and err == [] and took < LIMIT_S


def test_fifty_thousand_disable_lines(tmp_path, capsys):
    from care_check.suppress import _scan

    text = "Case report\n\n" + "care-check: disable=12\n" * 50_000
    start = time.monotonic()
    hits = _scan(text)  # the stage that was quadratic, alone
    assert time.monotonic() - start < 2
    assert len(hits) == 50_000 and hits[-1] == ("12", 50_002)
    f = tmp_path / "disable.txt"
    f.write_text(text)
    # The whole check of 50,000 lines is linear but slower than 10 s here: the time budget
    # ends it with one line (or it finishes), and the batch would go on.
    code, _, err, took = run(capsys, str(f), "--time-limit", "3", "--fail-on", "never")
    assert took < LIMIT_S
    assert code == 0 and err == [] or one_error(err, f, "gave up after 3 s")


def test_hundred_thousand_unknown_ids_give_one_warning(tmp_path, capsys):
    f = tmp_path / "unknown.md"
    f.write_text("# Case\n\nA 58-year-old man.\n\n<!-- care-check: disable="
                 + ",".join(f"zz{i}" for i in range(100_000)) + " -->\n")
    code, _, err, took = run(capsys, str(f), "--fail-on", "never")
    assert code == 0 and took < LIMIT_S
    assert len(err) == 1 and "warning" in err[0] and "99,995 more" in err[0] and len(err[0]) < 600


def test_small_docx_expanding_to_a_one_megabyte_paragraph(tmp_path, capsys):
    f = tmp_path / "para.docx"
    f.write_bytes(h.docx(["The patient was well. " * 46_000]))
    assert f.stat().st_size < 20_000
    code, _, err, took = run(capsys, str(f), "--time-limit", "3")
    assert took < LIMIT_S
    assert code in (0, 1) and err == [] or one_error(err, f, "gave up after 3 s")


def test_one_line_pages_grow_linearly(tmp_path, checker):
    """Line and column of each sentence of a one-line page no longer cost the length of
    the line before it: four times the text takes about four times as long, not sixteen."""
    from care_check.pipeline import load_document

    def seconds(n: int) -> float:
        f = tmp_path / f"page{n}.txt"
        f.write_text("The patient was well. " * n)
        start = time.monotonic()
        checker.check(load_document(str(f)))
        return time.monotonic() - start

    seconds(500)
    small, large = seconds(3_000), seconds(12_000)
    assert large < 8 * small + 0.5, (small, large)


def test_two_megabyte_line(tmp_path, capsys):
    f = tmp_path / "page.txt"
    f.write_text("The patient was well. " * 95_000)
    code, out, err, took = run(capsys, str(f), str(h.COMPLETE_MD), "--time-limit", "3", "--format", "json",
                               "--fail-on", "never")
    assert took < LIMIT_S
    reports = json.loads(out)
    reports = reports if isinstance(reports, list) else [reports]
    assert reports[-1]["document"]["path"].endswith("complete-case-report.md")  # the batch went on
    assert code == 0 and err == [] and len(reports) == 2 or one_error(err, f, "gave up after 3 s")


def test_ten_megabyte_line_is_bounded_in_time_and_memory(tmp_path, capsys):
    f = tmp_path / "huge.txt"
    f.write_text("The patient was well. " * 477_000)
    code, _, err, took = run(capsys, str(f), "--time-limit", "4", "--memory-limit", "150")
    assert code == 2 and took < LIMIT_S
    line = one_error(err, f)
    assert "150 MB memory ceiling" in line or "gave up after 4 s" in line


# -- PDF ------------------------------------------------------------------------------

def test_pdf_page_inflating_to_fifty_megabytes(tmp_path, capsys):
    f = tmp_path / "bomb.pdf"
    f.write_bytes(h.pdf(b"BT /F1 12 Tf 72 700 Td (x) Tj ET\n" * 1_500_000))
    assert f.stat().st_size < 200_000
    code, _, err, took = run(capsys, str(f))
    assert code == 2 and took < LIMIT_S
    one_error(err, f, "over 10 MB", "decompression bomb")


def test_pdf_font_name_of_a_hundred_thousand_characters(tmp_path, capsys):
    f = tmp_path / "font.pdf"
    f.write_bytes(h.pdf(h.text_page(["A 45-year-old man presented with chest pain and fever."] * 45),
                        font_name="A" * 100_000))
    code, out, err, took = run(capsys, str(f), "--format", "json")
    assert code == 1 and err == [] and took < LIMIT_S
    assert items(out)["5a"]["status"] == "reported"


# -- what is not a regular file, links ---------------------------------------------------

def test_named_pipe_is_refused_at_once(tmp_path, capsys):
    fifo = tmp_path / "submission.md"
    os.mkfifo(fifo)
    code, _, err, took = run(capsys, str(fifo))
    assert code == 2 and took < 5
    one_error(err, fifo, "named pipe")


def test_folder_walk_does_not_follow_a_link_out(tmp_path, capsys):
    outside = tmp_path / "private" / "notes.txt"
    outside.parent.mkdir()
    outside.write_text("Case report\n\nThe secret sentence about a 58-year-old man lives here.\n")
    folder = tmp_path / "manuscripts"
    folder.mkdir()
    (folder / "paper.md").write_text(h.COMPLETE_MD.read_text())
    (folder / "notes.txt").symlink_to(outside)
    code, out, err, _ = run(capsys, str(folder), "--format", "json")
    assert code == 0 and "secret sentence" not in out
    assert len(err) == 1 and "symbolic link to a file outside" in err[0] and "notes.txt" in err[0]
    # Named explicitly, the link is followed, and a note says so.
    code, out, err, _ = run(capsys, str(folder / "notes.txt"), "--format", "json", "--fail-on", "never")
    assert code == 0 and "secret sentence" in out
    assert len(err) == 1 and "symbolic link; checking its target" in err[0]


# -- config and rule YAML ---------------------------------------------------------------

BOMB = ('a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
        + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8)))


@pytest.mark.parametrize("text,words", [
    (BOMB, ["expands to over"]),
    ("disable: " + "[" * 100_000 + "]" * 100_000 + "\n", ["nested over 64 levels"]),
    ("fail-on: never\nfail-on: missing\n", ["duplicate key 'fail-on'", "line 2"]),
], ids=["alias-bomb", "nested-brackets", "duplicate-key"])
def test_hostile_config_is_one_line_naming_the_file(tmp_path, capsys, text, words):
    assert len(BOMB) < 400
    cfg = tmp_path / ".care-check.yaml"
    cfg.write_text(text)
    code, _, err, took = run(capsys, str(h.COMPLETE_MD), "--config", str(cfg))
    assert code == 2 and took < LIMIT_S
    one_error(err, cfg, *words)


def test_rule_file_with_an_invalid_regex_names_file_rule_and_field(tmp_path, capsys):
    import shutil

    rules = tmp_path / "care"
    shutil.copytree(h.ROOT / "rules" / "care", rules)
    item = rules / "items" / "05a-demographics.yaml"
    item.write_text(item.read_text().replace('REGEX: "^\\\\d{1,3}', 'REGEX: "([^\\\\d{1,3}', 1))
    code, _, err, _ = run(capsys, str(h.COMPLETE_MD), "--rules", str(rules))
    assert code == 2
    one_error(err, item, "rule 5a", "field 'cues.", "bad regular expression")


# -- names, outputs, error lines --------------------------------------------------------

def test_non_utf8_file_name_gives_valid_utf8_everywhere(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    raw = os.path.join(os.fsencode(folder), b"case-\xff\x1b.md")
    with open(raw, "wb") as fh:
        fh.write(h.COMPLETE_MD.read_bytes())
    for fmt in ("sarif", "json", "junit", "checklist", "text", "html"):
        target = tmp_path / f"out.{fmt}"
        code, _, err, _ = run(capsys, str(folder), "--format", fmt, "-o", str(target), "--fail-on", "never")
        assert code == 0 and err == [], (fmt, err)
        written = target.read_bytes().decode("utf-8")  # strict UTF-8
        assert "\x1b" not in written
        shown = {"sarif": "case-%5Cxff%5Cx1b.md", "json": "case-\\\\xff\\\\x1b.md"}.get(fmt, "case-\\xff\\x1b.md")
        assert shown in written, fmt
    proc = subprocess.run([sys.executable, "-m", "care_check", "check", str(folder), "--format", "json",
                           "--fail-on", "never"], capture_output=True, env={**os.environ, "NO_COLOR": "1"})
    assert proc.returncode == 0
    assert json.loads(proc.stdout.decode("utf-8"))["document"]["path"].endswith("case-\\xff\\x1b.md")
    # An unreadable file with such a name: its error line is printable too.
    os.remove(raw)
    with open(raw, "wb") as fh:
        fh.write(b"")
    code, _, err, _ = run(capsys, str(folder))
    assert code == 2 and len(err) == 1 and err[0].isprintable() and "case-\\xff\\x1b.md: file is empty" in err[0]


@pytest.mark.parametrize("data", [
    b'<?xml version="1.0"?>\n<article><body><p>A\x00B\x00C</p>\n</body></article>',
    b'<?xml version="1.0"?>\n<article><body><p><![CDATA[never closed\n\nsecond line\n',
], ids=["nul-bytes", "unclosed-cdata"])
def test_parser_messages_become_one_printable_line(tmp_path, capsys, data):
    f = tmp_path / "bad.xml"
    f.write_bytes(data)
    code, _, err, _ = run(capsys, str(f))
    assert code == 2
    one_error(err, f, "malformed XML")


# -- entity declarations, found by parsing -----------------------------------------------

DTD = '<!DOCTYPE article [<!ENTITY x "expanded">]>\n'
JATS = '<article><body><sec><title>Case</title><p>A 58-year-old man &x;.</p></sec></body></article>'


@pytest.mark.parametrize("name,data", [
    ("comment.xml", ('<?xml version="1.0"?>\n<!--' + "c" * 200_000 + "-->\n" + DTD + JATS).encode()),
    ("utf16.xml", ('<?xml version="1.0" encoding="UTF-16"?>\n' + DTD + JATS).encode("utf-16")),
    ("utf16-part.docx", h.docx(["A 58-year-old man."], prolog=DTD.replace("article", "w:document"),
                                encoding="utf-16")),
    ("renamed-part.docx", h.docx(["A 58-year-old man."], main="word/body.bin",
                                  prolog=DTD.replace("article", "w:document"))),
], ids=["after-200kb-comment", "utf-16-xml", "utf-16-docx-part", "renamed-docx-main-part"])
def test_entity_declarations_are_refused(tmp_path, name, data):
    f = tmp_path / name
    f.write_bytes(data)
    with pytest.raises(InputError, match="entit"):
        read_path(str(f))


def test_renamed_docx_main_part_without_a_doctype_is_read(tmp_path):
    f = tmp_path / "renamed.docx"
    f.write_bytes(h.docx(["A 58-year-old man presented with fever."], main="word/body.bin"))
    doc = read_path(str(f))
    assert "58-year-old" in doc.sections[0].blocks[0].text


# -- detection and decoding -------------------------------------------------------------

def _same_as_markdown(checker, f: Path) -> None:
    from care_check.pipeline import load_document

    want = checker.check(load_document(str(h.COMPLETE_MD)))
    got = checker.check(load_document(str(f)))
    assert [v.status for v in got.verdicts] == [v.status for v in want.verdicts]


def test_utf32_with_bom_is_decoded(tmp_path, checker):
    f = tmp_path / "utf32.md"
    f.write_bytes(h.COMPLETE_MD.read_text().encode("utf-32"))
    _same_as_markdown(checker, f)


def test_utf16le_html_without_bom_is_html(tmp_path):
    f = tmp_path / "page.html"
    f.write_bytes((h.FIXTURES / "complete-case-report.html").read_text().encode("utf-16-le"))
    doc = read_path(str(f))
    assert doc.format == "html" and doc.title


@pytest.mark.parametrize("name,prefix,fmt", [
    ("comment.md", "<!-- draft 2 -->\n", "markdown"),
    ("comment.txt", "<!-- draft 2 -->\n", "text"),
    ("center.md", "<center>Case report</center>\n\n", "markdown"),
])
def test_leading_markup_does_not_change_the_format(tmp_path, name, prefix, fmt):
    text = h.COMPLETE_MD.read_text()
    f = tmp_path / name
    f.write_text(prefix + (text if fmt == "markdown" else text.replace("#", "")) + "\n<!-- end --> <b>x</b>\n")
    assert read_path(str(f)).format == fmt


def test_three_hundred_nested_html_levels_are_read(tmp_path, capsys):
    f = tmp_path / "deep.html"
    f.write_text("<html><body>" + "<div>" * 300 + "<p>A 58-year-old man presented with fever.</p>"
                 + "</div>" * 300 + "</body></html>")
    code, out, err, _ = run(capsys, str(f), "--format", "json")
    assert code == 1 and err == [] and items(out)["5a"]["status"] == "reported"


# -- a batch goes on -------------------------------------------------------------------

def test_an_internal_error_does_not_stop_the_batch(tmp_path, capsys, monkeypatch):
    import care_check.pipeline as pipeline

    real = pipeline.check_path

    def broken(path, checker, fmt=None):
        if path.endswith("first.md"):
            raise RuntimeError("a bug in a reader")
        return real(path, checker, fmt)

    monkeypatch.setattr(pipeline, "check_path", broken)
    (tmp_path / "first.md").write_text(h.COMPLETE_MD.read_text())
    (tmp_path / "second.md").write_text(h.COMPLETE_MD.read_text())
    code, out, err, _ = run(capsys, str(tmp_path / "first.md"), str(tmp_path / "second.md"), "--format", "json")
    assert code == 2
    assert len(err) == 1 and "first.md: internal error: RuntimeError: a bug in a reader" in err[0]
    assert json.loads(out)["document"]["path"].endswith("second.md")


def test_time_budget_ends_a_stalled_file_and_the_batch_goes_on(tmp_path, capsys, monkeypatch):
    stall_on(monkeypatch, "stalls.md")
    (tmp_path / "stalls.md").write_text(h.COMPLETE_MD.read_text())
    (tmp_path / "next.md").write_text(h.COMPLETE_MD.read_text())
    start = time.monotonic()
    code, out, err, _ = run(capsys, str(tmp_path / "stalls.md"), str(tmp_path / "next.md"),
                            "--format", "json", "--time-limit", "1.5")
    assert code == 2 and time.monotonic() - start < 6  # wall-clock: the stalled child is stopped
    one_error(err, "stalls.md", "gave up after 1.5 s")
    assert json.loads(out)["summary"]["completeness"] == 100.0


def test_memory_ceiling_refuses_a_file_that_needs_too_much(tmp_path, capsys, monkeypatch):
    import care_check.pipeline as pipeline

    real = pipeline.check_path

    def greedy(path, checker, fmt=None):
        if path.endswith("greedy.md"):
            hoard = [bytearray(50 * 1024 * 1024) for _ in range(40)]  # 2 GB
            assert hoard
        return real(path, checker, fmt)

    monkeypatch.setattr(pipeline, "check_path", greedy)
    (tmp_path / "greedy.md").write_text(h.COMPLETE_MD.read_text())
    code, _, err, took = run(capsys, str(tmp_path / "greedy.md"), "--memory-limit", "200")
    assert code == 2 and took < LIMIT_S
    one_error(err, "greedy.md", "200 MB memory ceiling")
