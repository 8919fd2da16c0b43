"""The terminal report at a given width: nothing past the edge, status words never alone on a
line, hanging indents, short "not found in" lists, marks that agree with their messages."""

from __future__ import annotations

import io
import re

import pytest
from rich.cells import cell_len

from care_check.pipeline import check_path
from care_check.reporters import terminal

from .editor_fixtures import FORMATS, GAPPY

STATUS_WORDS = {"reported", "partial", "missing", "not applicable"}
ITEM_LINE = re.compile(r"^ (\S) (\S+)\s+(.*?)\s{2,}(reported|partial|missing|not applicable)$")


@pytest.fixture(scope="module")
def gappy(checker):
    return check_path(str(GAPPY), checker)


def rendered(report, monkeypatch: pytest.MonkeyPatch, columns: int | None, verbose: bool = False) -> str:
    """The report as printed into a pipe, with COLUMNS set (or not)."""
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", str(columns))
    buf = io.StringIO()
    terminal.render(report, terminal.make_console(buf, "never"), verbose=verbose)
    return buf.getvalue()


@pytest.mark.parametrize("columns", [80, 60])
def test_lines_fit_and_status_words_stay_on_their_item_line(gappy, monkeypatch, columns):
    text = rendered(gappy, monkeypatch, columns, verbose=True)
    lines = text.splitlines()
    assert max(cell_len(ln) for ln in lines) <= columns
    assert not [ln for ln in lines if ln.strip() in STATUS_WORDS]  # never a status word alone
    assert not [ln for ln in lines if ln != ln.rstrip()]  # no padding at line ends
    item_lines = [ln for ln in lines if ITEM_LINE.match(ln)]
    assert len(item_lines) == len(gappy.verdicts)  # every item: mark, id, title and status on one line
    assert len({cell_len(ln) - len(ITEM_LINE.match(ln).group(4)) for ln in item_lines}) == 1  # one status column


@pytest.mark.parametrize("columns", [80, 60])
def test_wrapped_details_hang_under_their_first_line(gappy, monkeypatch, columns):
    lines = rendered(gappy, monkeypatch, columns).splitlines()
    fix = next(i for i, ln in enumerate(lines) if ln.startswith("     fix: Give the abstract all three"))
    assert lines[fix + 1].startswith(" " * 10) and lines[fix + 1][10] != " "  # under the text after "fix: "
    quote = next(i for i, ln in enumerate(lines) if ln.startswith("     “We describe a 19-year-old"))
    assert lines[quote + 1].startswith(" " * 6) and lines[quote + 1][6] != " "  # under the text after “
    title = next(i for i, ln in enumerate(lines) if " 9b " in ln)
    if columns == 60:  # the long 9b title wraps inside its column
        assert lines[title + 1].startswith(" " * 13) and "technique" in lines[title + 1] + lines[title]


def test_a_file_or_pipe_without_columns_is_not_wrapped(gappy, monkeypatch):
    lines = rendered(gappy, monkeypatch, None).splitlines()
    fix = next(ln for ln in lines if "fix: Give the abstract all three" in ln)
    assert "symptom-free at 6 months" in fix  # the whole fix on one line
    assert max(cell_len(ln) for ln in lines) > 100


def test_not_found_in_names_a_few_sections_once(gappy, monkeypatch):
    text = rendered(gappy, monkeypatch, None)
    lists = re.findall(r"not found in: (.*)", text)
    assert lists
    for found in lists:
        names = re.sub(r" and \d+ more sections$", "", found).split(", ")
        assert len(names) <= 4 and len({n.casefold() for n in names}) == len(names)
    assert any(re.search(r" and \d+ more sections$", f) for f in lists)


def test_marks_agree_with_their_messages(gappy, monkeypatch):
    """3c finds a diagnosis and an intervention but no outcome: it is missing (all three are
    needed), and its message says so first instead of "diagnosis and intervention given"."""
    lines = rendered(gappy, monkeypatch, None).splitlines()
    i = next(i for i, ln in enumerate(lines) if ITEM_LINE.match(ln) and ITEM_LINE.match(ln).group(2) == "3c")
    assert lines[i].startswith(" ✘") and lines[i].endswith("missing")
    assert lines[i + 1].strip().startswith("outcome missing (diagnosis and intervention given, but all three")
    assert lines[i + 2].strip().startswith("found (diagnosis): “")
    for v in gappy.verdicts:  # every partial or missing message names what is missing
        if v.status.value == "missing":
            assert v.message.startswith("not found in: ") or " missing (" in v.message.split(";")[0]
        if v.status.value == "partial":
            assert "missing" in v.message


def test_docx_evidence_is_located_by_paragraph_and_pdf_by_page(checker, monkeypatch):
    docx = rendered(check_path(str(FORMATS / "gappy-case-report.docx"), checker), monkeypatch, None)
    assert "(Abstract, paragraph 3)" in docx and ", line " not in docx
    pdf = rendered(check_path(str(FORMATS / "gappy-case-report.pdf"), checker), monkeypatch, None)
    assert re.search(r"\(Abstract, p\. 1, line \d+\)", pdf)
