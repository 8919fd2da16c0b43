"""Outputs for an editor's folder: the CSV summary, files listed as not checked, the
not-a-case-report warning, and the HTML report (pages, index, escaping of hostile text)."""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from care_check import cli
from care_check.genre import assess
from care_check.pipeline import load_document

from .editor_fixtures import (COMMENTARY, COVER_LETTER, GAPPY, LETTER_CASE_REPORT, REVIEWER_RESPONSE,
                              editor_folder)


def check(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    code = cli.main(["check", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return editor_folder(tmp_path_factory.mktemp("editor"))


@pytest.fixture(scope="module")
def summary(folder, tmp_path_factory) -> tuple[int, bytes]:
    out = tmp_path_factory.mktemp("csv") / "triage.csv"
    code = cli.main(["check", str(folder), "--summary", str(out), "--summary-only", "--fail-on", "never"])
    return code, out.read_bytes()


# -- not a case report ----------------------------------------------------------------

@pytest.mark.parametrize("name,text,expect", [
    ("cover-letter.txt", COVER_LETTER, "reads as a cover letter (“Dear Editor,” … “Please find enclosed”)"),
    ("response.txt", REVIEWER_RESPONSE, "reads as a response to reviewers (“Response to reviewers”"),
    ("commentary.txt", COMMENTARY, "no sentence describing a patient"),
    ("letter-case.txt", LETTER_CASE_REPORT, None),  # a case report written as a letter stays one
])
def test_documents_that_are_not_case_reports_are_told_apart(tmp_path, name, text, expect):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    reason = assess(load_document(str(path)))
    assert (reason is None) if expect is None else (expect in reason)


def test_case_reports_are_never_flagged(tmp_path):
    from .editor_fixtures import ABSTRACT_PAGE, COMPLETE, FORMATS
    (tmp_path / "abstract.md").write_text(ABSTRACT_PAGE, encoding="utf-8")
    for path in (GAPPY, COMPLETE, FORMATS / "gappy-case-report.pdf", FORMATS / "gappy-case-report.docx",
                 tmp_path / "abstract.md"):
        assert assess(load_document(str(path))) is None, path


def test_the_shared_case_reports_are_never_flagged():
    from .conftest import shared_corpus
    docs = sorted((shared_corpus() / "dev" / "docs").iterdir())
    flagged = [p.name for p in docs if p.is_file() and assess(load_document(str(p)))]
    assert flagged == []


def test_a_cover_letter_is_warned_about_not_scored(capsys, tmp_path):
    letter = tmp_path / "cover-letter.txt"
    letter.write_text(COVER_LETTER, encoding="utf-8")
    code, out, _ = check(capsys, str(letter), "--fail-on", "never")
    assert "warning: not scored: this does not read as a case report: it reads as a cover letter" in out
    assert "completeness" not in out and "not scored (not a case report?)" in out.strip().splitlines()[-1]
    data = json.loads(check(capsys, str(letter), "--format", "json")[1])
    assert "cover letter" in data["document"]["not_case_report"]


# -- files of a folder that are not checked ---------------------------------------------

def test_every_file_of_a_folder_is_checked_or_listed_with_its_reason(capsys, folder):
    code, out, err = check(capsys, str(folder), "--summary-only", "--fail-on", "never")
    assert code == 0 and "5 files not checked" in out
    for name, why in (("figure-1.png", "an image"), ("references.bib", "a reference library"),
                      ("lab-values.csv", "a data table"), ("old-draft.doc", "save it as .docx"),
                      ("README.md", "a project file")):
        row = next(ln for ln in out.splitlines() if name in ln)
        assert why in row
    # machine formats keep stdout clean and say it on stderr, one line per file
    code, out, err = check(capsys, str(folder), "--format", "json", "--fail-on", "never")
    notes = [ln for ln in err.splitlines() if ln.startswith("care-check: note: ")]
    assert len(notes) == 5 and any("figure-1.png: not checked: an image" in n for n in notes)
    assert len(json.loads(out)) == 5


# -- CSV summary ----------------------------------------------------------------------

def test_csv_summary_opens_as_a_spreadsheet_would_read_it(summary):
    code, data = summary
    assert code == 0 and data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads UTF-8
    assert b"\r\n" in data
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    checked = [r for r in rows if not r["error"]]
    assert len(checked) == 5 and len(rows) == 10
    gappy = next(r for r in checked if r["file"].endswith("gappy-case-report.md"))
    assert gappy["scope"] == "full" and float(gappy["completeness (%)"]) == 50.0
    assert gappy["missing items"].split(", ")[:3] == ["1", "2", "3b"]  # commas inside one quoted cell
    assert int(gappy["reported"]) + int(gappy["partial"]) + int(gappy["missing"]) \
        + int(gappy["not applicable"]) == 34
    letter = next(r for r in checked if r["file"].endswith("cover-letter.txt"))
    assert letter["completeness (%)"] == "" and "cover letter" in letter["warning"]
    skipped = {Path(r["file"]).name: r["error"] for r in rows if r["error"]}
    assert skipped["figure-1.png"] == "skipped: an image, not a manuscript"


def test_csv_is_sorted_by_scope_then_completeness(summary):
    rows = list(csv.DictReader(io.StringIO(summary[1].decode("utf-8-sig"), newline="")))
    checked = [r for r in rows if not r["error"]]
    order = [("full", "body", "abstract").index(r["scope"]) for r in checked]
    assert order == sorted(order)  # the abstract page (fewer items) is never ranked among full reports
    full = [float(r["completeness (%)"]) for r in checked if r["scope"] == "full"]
    assert full == sorted(full) and full[-1] == 100.0  # worst first within the scope
    assert checked[-1]["scope"] == "abstract"


def test_csv_cells_never_run_as_formulas(capsys, tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    hostile = '=HYPERLINK("x","y"),"quoted".md'
    (folder / hostile).write_text(GAPPY.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "+1 figure.png").write_bytes(b"\x89PNG")
    monkeypatch.chdir(folder)  # names as found from here start with = and +
    out = tmp_path / "s.csv"
    check(capsys, ".", "--summary", str(out), "--fail-on", "never", "-q")
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"), newline="")))
    assert [r[0] for r in rows[1:]] == [f"'{hostile}", "'+1 figure.png"]  # read back whole: quoting held
    assert all(len(r) == len(rows[0]) for r in rows)


def test_summary_never_overwrites_an_input(capsys, tmp_path):
    paper = tmp_path / "paper.md"
    paper.write_text(GAPPY.read_text(encoding="utf-8"), encoding="utf-8")
    before = paper.read_bytes()
    code, _, err = check(capsys, str(paper), "--summary", str(paper))
    assert code == 2 and "refusing to overwrite" in err and paper.read_bytes() == before


# -- HTML ------------------------------------------------------------------------------

class _Tags(HTMLParser):
    """Elements and text of a page, as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> _Tags:
    p = _Tags()
    p.feed(html)
    return p


HOSTILE_LINE = ('Exertional rhabdomyolysis <script>alert("x")</script> is common in military recruits '
                'and endurance athletes <img src=x onerror=alert(1)> and usually follows extreme effort [1].')


def hostile_manuscript(folder: Path) -> Path:
    """The gappy example as plain text with markup in a quoted sentence, a heading and the name."""
    text = re.sub(r"^#+ ", "", GAPPY.read_text(encoding="utf-8"), flags=re.M)
    line = next(ln for ln in text.splitlines() if ln.startswith("Exertional rhabdomyolysis is common"))
    text = text.replace(line, HOSTILE_LINE + line[line.index("[1].") + 4:])
    text = text.replace("Investigations", "Investigations <iframe src=//evil>")
    path = folder / 'case<b onmouseover="x">&.txt'
    path.write_text(text, encoding="utf-8")
    return path


def test_single_page_escapes_all_manuscript_text(capsys, tmp_path):
    paper = hostile_manuscript(tmp_path)
    code, html, _ = check(capsys, str(paper), "--format", "html")
    tags = parse(html)
    assert not [t for t, _ in tags.tags if t in ("script", "img", "iframe", "b")]
    text = "".join(tags.text)
    assert '<script>alert("x")</script>' in text and "<img src=x onerror=alert(1)>" in text
    assert 'case<b onmouseover="x">&.txt' in text
    csp = next(a["content"] for t, a in tags.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in csp and "script-src 'none'" in csp
    assert not re.search(r"(src|href)=\"(https?:)?//", html)  # nothing fetched from anywhere


def test_single_page_shows_mark_word_evidence_location_and_fix(capsys, tmp_path):
    code, html, _ = check(capsys, str(GAPPY), "--format", "html")
    items = re.findall(r'<article class="item (\w+)" id="item-([\w-]+)">(.*?)</article>', html, re.S)
    assert len(items) == 34
    words = {"reported": "✔", "partial": "◐", "missing": "✘", "not_applicable": "–"}
    for status, item_id, body in items:
        assert f">{words[status]}</span>" in body and f'class="status">{status.replace("_", " ")}<' in body
        if status == "missing":
            assert "<strong>Fix:</strong>" in body
        if status == "reported":
            assert re.search(r'<p class="where">[^<]+, line \d+(?: · [^<]+)?</p>', body)
    c3 = next(b for s, i, b in items if i == "3c")
    assert "outcome missing" in c3 and "found (diagnosis)" in c3
    assert "@media print" in html


def test_docx_pages_give_paragraphs(capsys):
    from .editor_fixtures import FORMATS
    html = check(capsys, str(FORMATS / "gappy-case-report.docx"), "--format", "html")[1]
    assert "Abstract, paragraph 3" in html and "Locations are counted the way the file counts them (paragraphs)" in html


def test_folder_gives_an_index_linking_to_a_page_per_manuscript(capsys, folder, tmp_path):
    out = tmp_path / "report"
    code, stdout, _ = check(capsys, str(folder), "--format", "html", "-o", f"{out}/", "--fail-on", "never")
    assert code == 0 and stdout == ""
    index = (out / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'<a href="([^"]+)">', index)
    assert len(links) == 5 and len(set(links)) == 5
    assert sorted(p.name for p in out.iterdir()) == sorted(links + ["index.html"])
    for link in links:
        page = (out / link).read_text(encoding="utf-8")
        assert '<a href="index.html">← All manuscripts</a>' in page
    assert "revised__gappy-case-report.docx.html" in links  # two gappy files, two pages
    assert "Not checked (5)" in index and "figure-1.png" in index
    rows = re.findall(r'<tr( class="notcase")? data-scope-rank="([\d.]+)">', index)
    ranks = [float(r) for _, r in rows]
    assert ranks == sorted(ranks) and ranks[-1] == 2.0  # by scope; the cover letter after the body texts
    script = re.search(r"<script>(.*?)</script>", index, re.S).group(1)
    import base64
    import hashlib
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src &#x27;sha256-{digest}&#x27;" in index  # only this script may run


def test_several_manuscripts_need_a_folder(capsys, tmp_path):
    code, out, err = check(capsys, str(GAPPY), str(GAPPY.with_name("complete-case-report.md")), "--format", "html")
    assert code == 2 and "-o DIR/" in err and out == ""
    code, out, err = check(capsys, str(GAPPY), str(GAPPY), "--format", "html", "-o", str(tmp_path / "r.html"))
    assert code == 2 and not (tmp_path / "r.html").exists()


def test_one_manuscript_to_a_file(capsys, tmp_path):
    target = tmp_path / "report.html"
    code, out, _ = check(capsys, str(GAPPY), "--format", "html", "-o", str(target))
    assert code == 1 and out == ""
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
