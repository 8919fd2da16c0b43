"""Same manuscript, same verdicts, however the file was made (issue 9).

Each case was seen on real reports. The files are made at test time, in a temporary
folder, from the example manuscripts in corpus/ (ours): with python-docx or by hand
(tools/make_fixtures.py) so they always run, and with pandoc and LibreOffice when they are
installed (skipped otherwise). Quarto is not installed here: its output is emulated
(``div.abstract`` inside <main>; Abstract-styled DOCX paragraphs) from what Quarto writes.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from care_check import cli, suppress
from care_check.errors import InputError
from care_check.pipeline import check_path, load_document
from care_check.readers import detect_format
from care_check.readers.source import sniff

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import make_fixtures as mf  # noqa: E402

CORPUS = ROOT / "corpus"
NAMES = ["complete-case-report", "gappy-case-report"]
HYPHENS = {"\u2010": "U+2010", "\u2011": "U+2011", "\u2013": "U+2013"}

# variant -> what it stands for; the file is NAME.VARIANT (its suffix gives the format)
BUILT = {
    "bold.docx": "DOCX whose headings are bold paragraphs (abstract parts too)",
    "pandoc2.docx": "pandoc 2 DOCX: abstract parts in Heading 1, paragraphs in the Abstract style",
    "abstract-title.docx": "pandoc 3 / Quarto DOCX: Abstract Title paragraph, Abstract-styled parts",
    "title-block.html": "pandoc -s HTML: div.abstract in header#title-block-header, outside <main>",
    "quarto.html": "Quarto HTML: the title block inside <main>",
    "flat.html": "LibreOffice-shaped HTML: <h2>Abstract</h2> then <h2>Introduction</h2>, no sections",
    "odt": "OpenDocument text with Heading styles, a footnote and a tracked deletion",
    "bold.odt": "OpenDocument text with bold-paragraph headings",
    "rtf": "RTF with bold headings, \\uN escapes and a \\*\\annotation",
    "hyphens.md": "Markdown with ages written 58\u2010year\u2011old, 19\u2013year\u2013old",
    "comments.md": "Markdown with a comment on the first line and a TODO comment after the title",
    "meta.qmd": "Quarto/pandoc source: title, abstract (parts as headings) and keywords in YAML front matter",
}
TOOLS = {
    "lo.html": "LibreOffice HTML (soffice --convert-to html) of the python-docx DOCX",
    "lo.odt": "LibreOffice ODT of the same DOCX",
    "lo.rtf": "LibreOffice RTF of the same DOCX",
    "pandoc.docx": "pandoc -s DOCX, title/abstract/keywords in the YAML metadata",
    "pandoc.html": "pandoc -s HTML, same metadata",
    "pandoc.rtf": "pandoc -s RTF of the Markdown",
}
TODO = "<!-- TODO before submission:\n\nFunding: none\n\nconfirm with the grants office -->\n"


def _hyphenate(md: str) -> str:
    """Every "N-year-old" with typographic hyphens, a different one per occurrence."""
    import re

    marks = list(HYPHENS)
    count = iter(range(10_000))
    return re.sub(r"(\d+)-year-old", lambda m: (lambda h: f"{m.group(1)}{h}year{h}old")(marks[next(count) % 3]), md)


def _with_comments(md: str) -> str:
    title, rest = md.split("\n", 1)
    return "<!-- care-check: disable=12 -->\n" + title + "\n" + TODO + rest


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("made")
    files: dict[str, Path] = {}
    docx_for_office = []
    for name in NAMES:
        md = (CORPUS / f"{name}.md").read_text(encoding="utf-8")
        items = mf.parse_markdown(md)

        def at(variant: str, name: str = name) -> Path:
            files[f"{name}.{variant}"] = out / f"{name}.{variant}"
            return files[f"{name}.{variant}"]

        mf.to_docx(items, at("bold.docx"), headings="bold")
        mf.to_docx(items, at("pandoc2.docx"), headings="abstract-style")
        mf.to_docx(items, at("abstract-title.docx"), headings="abstract-title")
        mf.to_title_block_html(md, items, at("title-block.html"))
        mf.to_title_block_html(md, items, at("quarto.html"), quarto=True)
        mf.to_flat_html(md, items, at("flat.html"))
        mf.to_odt(items, at("odt"))
        mf.to_odt(items, at("bold.odt"), headings="bold")
        mf.to_rtf(items, at("rtf"))
        at("hyphens.md").write_text(_hyphenate(md), encoding="utf-8")
        at("comments.md").write_text(_with_comments(md), encoding="utf-8")
        mf.pandoc_with_metadata(md, items, at("meta.qmd"))
        plain = out / f"{name}.docx"
        mf.to_docx(items, plain)
        docx_for_office.append(plain)
        if shutil.which("pandoc"):
            meta = files[f"{name}.meta.qmd"].with_suffix(".md")
            shutil.copy(files[f"{name}.meta.qmd"], meta)
            for variant, src in (("pandoc.docx", meta), ("pandoc.html", meta), ("pandoc.rtf", CORPUS / f"{name}.md")):
                subprocess.run(["pandoc", "-s", str(src), "-o", str(at(variant))], check=True,
                               capture_output=True, timeout=120)
    office = out / "office"
    office.mkdir()
    for fmt in ("html", "odt", "rtf", "doc"):
        if not mf.office_convert_all(docx_for_office, fmt, office):
            break
        for name in NAMES:
            files[f"{name}.lo.{fmt}"] = (office / f"{name}.{fmt}").rename(out / f"{name}.lo.{fmt}")
    return files


def statuses(path: Path, checker) -> dict[str, str]:
    return {v.id: v.status.value for v in check_path(str(path), checker).verdicts}


@pytest.mark.parametrize("variant", list(BUILT) + list(TOOLS))
@pytest.mark.parametrize("name", NAMES)
def test_same_verdicts_as_the_markdown(made, checker, name, variant):
    key = f"{name}.{variant}"
    if key not in made:
        pytest.skip(f"{'LibreOffice' if variant.startswith('lo.') else 'pandoc'} is not installed")
    want = statuses(CORPUS / f"{name}.md", checker)
    got = statuses(made[key], checker)
    if variant == "comments.md":
        want["12"] = got["12"]  # the directive suppresses 12; its verdict is checked below
    assert {k: (want[k], got[k]) for k in want if got[k] != want[k]} == {}, (BUILT | TOOLS)[variant]


# -- the structure behind those verdicts -------------------------------------------------

PARTS = ["abstract_background", "abstract_case", "abstract_conclusion"]


@pytest.mark.parametrize("variant", ["bold.docx", "pandoc2.docx", "abstract-title.docx", "title-block.html",
                                     "quarto.html", "flat.html", "odt", "bold.odt", "rtf", "meta.qmd"])
def test_the_structured_abstract_is_found_and_ends_before_the_body(made, variant):
    doc = load_document(str(made[f"complete-case-report.{variant}"]))
    kinds = [s.kind for s in doc.sections if s.has_text]
    assert [k for k in kinds if k in PARTS] == PARTS
    assert doc.scope == "full"
    intro = kinds.index("introduction")
    assert all(k not in PARTS for k in kinds[intro:])  # Introduction, Case presentation… are the body
    assert "keywords" in kinds


@pytest.mark.parametrize("variant", ["flat.html", "lo.html"])
def test_an_unstructured_abstract_ends_at_the_next_heading_of_its_level(made, variant):
    key = f"gappy-case-report.{variant}"
    if key not in made:
        pytest.skip("LibreOffice is not installed")
    doc = load_document(str(made[key]))
    by_heading = {s.heading: s.kind for s in doc.sections}
    assert by_heading["Introduction"] == "introduction"
    assert by_heading["Case presentation"] == "case"
    assert by_heading["Discussion"] == "discussion"
    assert doc.scope == "full"


def test_typographic_hyphens_keep_the_age_and_its_line(made, checker):
    ascii_report = check_path(str(CORPUS / "gappy-case-report.md"), checker)
    hyphen_report = check_path(str(made["gappy-case-report.hyphens.md"]), checker)
    text = made["gappy-case-report.hyphens.md"].read_text(encoding="utf-8")
    assert sum(h in text for h in HYPHENS) >= 2 and "19-year-old" not in text
    a = next(v for v in ascii_report.verdicts if v.id == "5a")
    b = next(v for v in hyphen_report.verdicts if v.id == "5a")
    assert b.status.value == "reported" and "age" in b.message
    # Same-length normalisation: the evidence is on the same line, with the same words.
    assert [(e.line, e.quote) for e in b.evidence] == [(e.line, e.quote) for e in a.evidence]


def test_hyphen_normalisation_keeps_columns_of_a_one_line_page(checker, tmp_path):
    md = (CORPUS / "complete-case-report.md").read_text(encoding="utf-8")
    flat = " ".join(md.replace("#", "").split())
    plain, typo = tmp_path / "plain.txt", tmp_path / "typo.txt"
    plain.write_text(flat, encoding="utf-8")
    typo.write_text(flat.replace("58-year-old", "58\u2011year\u2011old"), encoding="utf-8")
    ev = [next(v for v in check_path(str(p), checker).verdicts if v.id == "5a").evidence[0] for p in (plain, typo)]
    assert ev[0].column is not None and ev[0].column == ev[1].column
    assert flat[ev[1].column - 1:].startswith(ev[1].quote[:30])


# -- comments are never manuscript text -------------------------------------------------

@pytest.mark.parametrize("suffix,fmt", [(".md", "markdown"), (".qmd", "markdown"), (".Rmd", "markdown"),
                                        (".txt", "text"), ("", "text")])
def test_a_comment_on_the_first_line_is_not_xml(tmp_path, checker, suffix, fmt):
    data = b"<!-- care-check: disable=12 -->\n<sup>1</sup> Department of Medicine\n\n" + \
        (CORPUS / "gappy-case-report.md").read_bytes()
    assert sniff(data) is None
    f = tmp_path / f"paper{suffix}"
    f.write_bytes(data)
    assert detect_format(str(f), data) == fmt
    report = check_path(str(f), checker)
    assert report.document.scope == "full"


def test_a_todo_comment_is_not_read_but_the_directive_still_works(made, checker):
    f = made["gappy-case-report.comments.md"]
    report = check_path(str(f), checker)
    texts = [b.text for s in report.document.sections for b in s.blocks]
    assert not any("TODO" in t or "grants office" in t or "care-check" in t for t in texts)
    assert next(v for v in report.verdicts if v.id == "x-funding").status.value == "missing"
    assert report.document.sections[0].kind == "title"  # the comment above it hides nothing
    suppressed, warnings = suppress.for_report(report, [v.id for v in report.verdicts])
    assert suppressed == {"12": "line 1"} and warnings == []


def test_front_matter_lines_are_the_files_own(made):
    f = made["complete-case-report.meta.qmd"]
    lines = f.read_text(encoding="utf-8").split("\n")
    doc = load_document(str(f))
    for s in doc.sections:
        for b in s.blocks:
            if s.kind != "title" and b.kind == "paragraph":
                assert b.text.split()[0] in lines[b.line - 1], (s.heading, b.line)
    assert lines[doc.sections[0].line - 1].startswith("title:")


def test_an_unclosed_comment_hides_nothing(checker, tmp_path):
    f = tmp_path / "paper.md"
    md = (CORPUS / "gappy-case-report.md").read_text(encoding="utf-8")
    f.write_text(md.replace("## Introduction", "<!-- an opener never closed\n\n## Introduction"), encoding="utf-8")
    assert statuses(f, checker) == statuses(CORPUS / "gappy-case-report.md", checker)


@pytest.mark.parametrize("fmt", ["docx", "odt"])
def test_a_review_comment_carries_a_directive_but_no_text(tmp_path, checker, capsys, fmt):
    items = mf.parse_markdown((CORPUS / "gappy-case-report.md").read_text(encoding="utf-8"))
    f = tmp_path / f"reviewed.{fmt}"
    note = ("Exertional rhabdomyolysis", "care-check: disable=12\nFunding: none, says the author")
    (mf.to_docx if fmt == "docx" else mf.to_odt)(items, f, comment=note)
    report = check_path(str(f), checker)
    texts = [b.text for s in report.document.sections for b in s.blocks]
    assert not any("care-check" in t or "says the author" in t for t in texts)
    assert next(v for v in report.verdicts if v.id == "x-funding").status.value == "missing"
    assert [c.line for c in report.document.comments] == [next(
        b.line for s in report.document.sections for b in s.blocks if b.text.startswith(note[0]))]
    suppressed, _ = suppress.for_report(report, [v.id for v in report.verdicts])
    assert set(suppressed) == {"12"}
    cli.main(["check", str(f), "--format", "json"])
    items = {i["id"]: i for i in json.loads(capsys.readouterr().out)["items"]}
    assert items["12"].get("suppressed") is True and not items["13"].get("suppressed")


# -- ODT, RTF and legacy .doc -----------------------------------------------------------

def test_odt_reads_footnotes_and_tables_but_not_tracked_deletions(made):
    doc = load_document(str(made["complete-case-report.odt"]))
    texts = [b.text for s in doc.sections for b in s.blocks]
    assert any(t.startswith("See the reference list") for t in texts)  # the footnote
    assert any(b.kind == "table" and "Tofacitinib stopped" in b.text for s in doc.sections for b in s.blocks)
    assert not any("deleted grant" in t for t in texts)
    assert detect_format("renamed.bin", made["complete-case-report.odt"].read_bytes()) == "odt"


def test_odt_packages_get_the_docx_guards(tmp_path):
    from care_check.readers import read_path

    bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><office:document-content/>'
    for name, members, words in [
        ("entities.odt", {"content.xml": bomb}, "entit"),
        ("no-content.odt", {"styles.xml": "<x/>"}, "without content.xml"),
        ("big.odt", {"content.xml": "<x>" + " " * (11 * 1024 * 1024) + "</x>"}, "zip bomb"),
    ]:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
            for member, text in members.items():
                zf.writestr(member, text)
        f = tmp_path / name
        f.write_bytes(buf.getvalue())
        with pytest.raises(InputError, match=words):
            read_path(str(f))


def test_rtf_skips_binary_runs_and_hidden_destinations(tmp_path, checker):
    from care_check.readers import read_path

    f = tmp_path / "paper.rtf"
    f.write_bytes(b"{\\rtf1\\ansi\\ansicpg1252{\\fonttbl{\\f0 Arial;}}{\\*\\annotation Funding: none}"
                  b"{\\pard\\b Case presentation\\par}{\\pard A 7\\u8208?year\\u8208?old girl \\'e9"
                  b"{\\pict\\bin6 \x00\x01\x02{}\\} presented with fever.\\par}}")
    doc = read_path(str(f))
    texts = [b.text for s in doc.sections for b in s.blocks]
    assert texts == ["A 7\u2010year\u2010old girl \u00e9 presented with fever."]
    assert doc.sections[-1].heading == "Case presentation" and doc.sections[-1].blocks[0].line == 2


def _ole(stream: str) -> bytes:
    """The start of an OLE compound file whose directory names ``stream`` (UTF-16 names)."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + stream.encode("utf-16-le") + bytes(4000)


@pytest.mark.parametrize("source", ["synthetic", "libreoffice"])
def test_a_legacy_doc_gets_one_line_saying_how_to_convert_it(made, tmp_path, capsys, source):
    if source == "libreoffice":
        if "gappy-case-report.lo.doc" not in made:
            pytest.skip("LibreOffice is not installed")
        f = made["gappy-case-report.lo.doc"]
    else:
        f = tmp_path / "old paper.doc"
        f.write_bytes(_ole("WordDocument"))
    before = f.read_bytes()
    code = cli.main(["check", str(f)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1, err
    assert str(f) in err[0] and "legacy Word .doc" in err[0]
    assert "soffice --headless --convert-to docx" in err[0]
    assert f.read_bytes() == before


def test_an_encrypted_docx_is_named_as_such(tmp_path):
    from care_check.readers import read_path

    f = tmp_path / "locked.docx"
    f.write_bytes(_ole("EncryptedPackage"))
    with pytest.raises(InputError, match="password-protected"):
        read_path(str(f))
