"""``care-check checklist FILE``: the filled CARE checklist as Markdown, CSV or Word, located
the way each file counts (paragraph for DOCX, page and line for PDF, line for text)."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess

import pytest

from care_check import cli

from .editor_fixtures import FORMATS, GAPPY

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def checklist(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    code = cli.main(["checklist", *args])
    out, err = capsys.readouterr()
    return code, out, err


def table_rows(markdown: str) -> list[list[str]]:
    lines = [ln for ln in markdown.splitlines() if ln.startswith("| ")][1:]  # after the header
    return [[c.strip() for c in ln.strip("|").split(" | ")] for ln in lines]


@pytest.mark.parametrize("path,location", [
    (GAPPY, "Abstract, line 5"),
    (FORMATS / "gappy-case-report.docx", "Abstract, paragraph 3"),
    (FORMATS / "gappy-case-report.pdf", "Abstract, p. 1, line 5"),
])
def test_markdown_checklist_locates_items_as_the_file_counts(capsys, path, location):
    code, out, _ = checklist(capsys, str(path))
    assert code == 0
    rows = table_rows(out)
    assert len(rows) == 34 and [r[1] for r in rows][:3] == ["1", "2", "3a"]
    by_item = {r[1]: r for r in rows}
    assert by_item["3a"][3] == location and by_item["3a"][4] == "reported"
    assert by_item["13"][3] == "not reported" and by_item["13"][4] == "missing"
    assert by_item["3b"][0] == "" and by_item["3a"][0] == "Abstract"  # topic once, as on the form


def test_csv_checklist_repeats_the_topic_and_reads_back(capsys, tmp_path):
    out = tmp_path / "checklist.csv"
    code, stdout, _ = checklist(capsys, str(FORMATS / "gappy-case-report.docx"), "-o", str(out))
    assert code == 0 and stdout == ""
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert len(rows) == 34 and all(r["Topic"] for r in rows)
    assert rows[0]["Checklist item description"].startswith('The words "case report"')
    assert next(r for r in rows if r["Item"] == "5a")["Where reported"].startswith("Case presentation, paragraph")


def test_docx_checklist_has_the_official_layout_and_reads_back(capsys, tmp_path):
    import docx

    out = tmp_path / "checklist.docx"
    code, _, _ = checklist(capsys, str(FORMATS / "gappy-case-report.pdf"), "-o", str(out))
    assert code == 0
    doc = docx.Document(str(out))
    assert doc.paragraphs[0].text == "CARE checklist"
    table = doc.tables[0]
    header = [c.text for c in table.rows[0].cells]
    assert header[:4] == ["Topic", "Item", "Checklist item description", "Where reported"]
    rows = [[c.text for c in r.cells] for r in table.rows[1:]]
    assert len(rows) == 34
    assert next(r for r in rows if r[1] == "3a")[3] == "Abstract, p. 1, line 5"
    assert next(r for r in rows if r[1] == "13")[3] == "not reported"
    assert table.rows[0]._tr.trPr is not None  # header row repeats on each page
    assert "page and line" in "\n".join(p.text for p in doc.paragraphs)


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed")
def test_docx_checklist_opens_in_libreoffice(capsys, tmp_path):
    out = tmp_path / "checklist.docx"
    assert checklist(capsys, str(GAPPY), "-o", str(out))[0] == 0
    profile = tmp_path / "lo-profile"
    proc = subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation={profile.as_uri()}", "--convert-to", "pdf",
                           "--outdir", str(tmp_path), str(out)], capture_output=True, text=True, timeout=180)
    pdf = tmp_path / "checklist.pdf"
    assert proc.returncode == 0 and pdf.is_file(), proc.stderr
    from pdfminer.high_level import extract_text
    text = extract_text(str(pdf))
    assert "CARE checklist" in text and "Where reported" in text and "not reported" in text


@pytest.mark.parametrize("args,message", [
    (["-o", "x.docx", "--format", "md"], "a .docx file cannot hold --format md"),
    (["-o", "x.md", "--format", "docx"], "a .md file cannot hold --format docx"),
    (["--format", "docx"], "--format docx writes a Word file: give -o NAME.docx"),
    (["-o", "x.txt", "--format", "docx"], "--format docx writes a Word file"),
])
def test_format_and_extension_never_disagree(capsys, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    code, out, err = checklist(capsys, str(GAPPY), *args)
    assert code == 2 and message in err and err.count("\n") == 1 and out == ""
    assert list(tmp_path.iterdir()) == []


def test_extension_chooses_the_format_and_the_manuscript_is_never_overwritten(capsys, tmp_path):
    out = tmp_path / "x.md"
    assert checklist(capsys, str(GAPPY), "-o", str(out))[0] == 0
    assert out.read_text(encoding="utf-8").startswith("## Checklist: ")
    paper = tmp_path / "paper.md"
    paper.write_text(GAPPY.read_text(encoding="utf-8"), encoding="utf-8")
    code, _, err = checklist(capsys, str(paper), "-o", str(paper))
    assert code == 2 and "refusing to overwrite" in err and paper.read_text(encoding="utf-8") == GAPPY.read_text(
        encoding="utf-8")


def test_unreadable_manuscript_is_one_line(capsys, tmp_path):
    empty = tmp_path / "empty.md"
    empty.write_text("")
    code, out, err = checklist(capsys, str(empty))
    assert code == 2 and err.strip() == f"care-check: error: {empty}: file is empty" and out == ""
