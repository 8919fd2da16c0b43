"""DOCX, PDF, LaTeX and HTML readers: structure, same verdicts as Markdown, hostile input.

The fixtures in tests/fixtures/formats/ are renderings of the corpus manuscripts made by
tools/make_fixtures.py (see its docstring for how to regenerate them).
"""

from __future__ import annotations

import io
import subprocess
import sys
import time
import zipfile
from functools import cache
from pathlib import Path

import pytest

from care_check.errors import InputError
from care_check.pipeline import check_path, load_document
from care_check.readers import detect_format, read_path
from care_check.readers.source import sniff

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "formats"
CORPUS = ROOT / "corpus"
MANUSCRIPTS = ["complete-case-report", "gappy-case-report"]
FORMATS = ["docx", "html", "tex", "pdf", "2col.pdf"]
CASES = [(m, f) for m in MANUSCRIPTS for f in FORMATS]


def fixture(name: str, fmt: str) -> Path:
    return FIXTURES / (f"{name}-{fmt}" if fmt == "2col.pdf" else f"{name}.{fmt}")


@cache
def document(path: str):
    return load_document(path)


@cache
def verdicts(path: str, checker) -> dict[str, str]:
    return {v.id: v.status.value for v in check_path(path, checker).verdicts}


# -- structure and verdicts -------------------------------------------------------------

EXPECTED = {
    "complete-case-report": {"title", "abstract", "abstract_background", "abstract_case", "abstract_conclusion",
                             "keywords", "introduction", "case", "patient_information", "clinical_findings",
                             "timeline", "diagnostic_assessment", "therapeutic_intervention", "follow_up",
                             "discussion", "conclusion", "patient_perspective", "consent", "ethics",
                             "competing_interests", "funding", "acknowledgements", "references"},
    "gappy-case-report": {"title", "abstract", "introduction", "case", "discussion", "competing_interests",
                          "references"},
}


@pytest.mark.parametrize("name,fmt", CASES)
def test_each_format_reads_the_manuscript_structure(name, fmt):
    doc = document(str(fixture(name, fmt)))
    kinds = {s.kind for s in doc.sections}
    assert EXPECTED[name] <= kinds, EXPECTED[name] - kinds
    assert doc.scope == "full"
    md = document(str(CORPUS / f"{name}.md"))
    assert doc.sections[0].kind == "title"
    assert doc.sections[0].blocks[0].text == md.sections[0].blocks[0].text
    # Same order of the CARE sections as the Markdown source.
    order = [s.kind for s in md.sections if s.kind in EXPECTED[name] and s.has_text]
    got = [s.kind for s in doc.sections if s.kind in EXPECTED[name] and s.has_text]
    assert [k for k in got if k in order] == order


@pytest.mark.parametrize("name,fmt", CASES)
def test_same_item_verdicts_as_the_markdown_source(name, fmt, checker):
    want = verdicts(str(CORPUS / f"{name}.md"), checker)
    got = verdicts(str(fixture(name, fmt)), checker)
    assert len(want) == 34
    assert {k: got.get(k) for k in want if got.get(k) != want[k]} == {}


def test_formats_are_detected_by_content_and_extension(tmp_path):
    for name, fmt in [("complete-case-report", "docx"), ("complete-case-report", "pdf"),
                      ("complete-case-report", "tex"), ("complete-case-report", "html")]:
        p = fixture(name, fmt)
        # Renamed to .txt, the content still names the format.
        q = tmp_path / f"renamed-{fmt}.txt"
        q.write_bytes(p.read_bytes())
        assert detect_format(str(q), q.read_bytes()) == {"tex": "latex"}.get(fmt, fmt)
    assert sniff(b"<div><p>Case</p></div>") == "html"
    assert sniff(b'<?xml version="1.0"?>\n<article article-type="case-report">') == "jats"
    assert sniff(b"# Title\n\nSome \\documentclass in text") is None


# -- reader details ----------------------------------------------------------------------

def test_pdf_drops_running_headers_and_page_numbers_and_keeps_pages():
    doc = document(str(fixture("complete-case-report", "pdf")))
    texts = [b.text for s in doc.sections for b in s.blocks]
    assert not any("Journal of Fictional Case Reports" in t for t in texts)
    assert not any(t.strip().isdigit() for t in texts)
    pages = {b.page for s in doc.sections[1:] for b in s.blocks}
    assert min(pages) == 1 and max(pages) >= 3
    timeline = next(s for s in doc.sections if s.kind == "timeline")
    table = next(b for b in timeline.blocks if b.kind == "table")
    assert table.text.split("\n")[0].split("\t") == ["Date / day", "Events", "Interventions"]


def test_pdf_two_columns_keep_reading_order():
    doc = document(str(fixture("complete-case-report", "2col.pdf")))
    consent = next(s for s in doc.sections if s.kind == "consent")
    assert consent.blocks[0].text.startswith("Written informed consent was obtained from the patient")
    da = next(s for s in doc.sections if s.kind == "diagnostic_assessment")
    assert da.blocks[0].text.startswith("Stool cultures")


def test_pdf_joins_words_hyphenated_at_line_ends():
    from care_check.readers.pdf import _Assembler
    from care_check.sections import load_lexicon

    a = _Assembler("x.pdf", load_lexicon(), [[]], [612.0])
    a.vocab.update({"follow": 3, "up": 3})
    assert a._join(["was first investi-", "gated as a haemato-", "logical disease"]) == \
        "was first investigated as a haematological disease"
    assert a._join(["at the follow-", "up visit"]) == "at the follow-up visit"
    assert a._join(["a 58-", "year-old man"]) == "a 58-year-old man"


def test_latex_comments_macros_inputs_and_tables():
    path = fixture("complete-case-report", "tex")
    doc = document(str(path))
    texts = [b.text for s in doc.sections for b in s.blocks]
    assert not any("a comment the reader must drop" in t for t in texts)
    assert not any("\\" in t or "{" in t for t in texts)
    intro = next(s for s in doc.sections if s.kind == "introduction")
    assert "per million people a year [1]." in intro.blocks[0].text
    # The declarations come from complete-case-report-parts/back.tex, read through \input,
    # located at the \input line of the main file.
    main_lines = path.read_text(encoding="utf-8").split("\n")
    input_line = next(i for i, ln in enumerate(main_lines, 1) if ln.startswith("\\input{"))
    consent = next(s for s in doc.sections if s.kind == "consent")
    assert consent.line == input_line
    timeline = next(s for s in doc.sections if s.kind == "timeline")
    assert timeline.blocks[0].kind == "table"
    assert timeline.blocks[0].text.split("\n")[1].startswith("2017\tMigratory arthritis")


def test_latex_input_never_leaves_the_main_folder(tmp_path):
    (tmp_path / "secret.tex").write_text("Secret text outside the manuscript folder.\n", encoding="utf-8")
    sub = tmp_path / "paper"
    sub.mkdir()
    (sub / "loop.tex").write_text("Looping text.\n\\input{loop}\n", encoding="utf-8")
    main = sub / "main.tex"
    main.write_text("\\documentclass{article}\n\\title{A case of fever}\n\\begin{document}\n"
                    "\\section*{Introduction}\nFever is common.\n\\input{../secret}\n\\input{/etc/passwd}\n"
                    "\\input{loop}\n\\section{Discussion}\n\\subsection*{Limits} We discuss \\textbf{it}"
                    "~\\cite{a,b}. % hidden\n\\end{document}\n", encoding="utf-8")
    doc = document(str(main))
    texts = " ".join(b.text for s in doc.sections for b in s.blocks)
    assert "Secret" not in texts and "root:" not in texts
    assert texts.count("Looping text.") == 5  # followed, then stopped at the depth cap
    assert "We discuss it [1,2]." in texts and "hidden" not in texts
    assert [s.kind for s in doc.sections][:2] == ["title", "introduction"]


def test_html_drops_site_chrome_and_reads_meta():
    doc = document(str(fixture("complete-case-report", "html")))
    texts = " ".join(b.text for s in doc.sections for b in s.blocks)
    for chrome in ("cookies", "Discussion forum", "Related articles", "All rights reserved", "Search",
                   "window.dataLayer", "Home"):
        assert chrome not in texts
    refs = next(s for s in doc.sections if s.kind == "references")
    assert len(refs.blocks) == 8


def test_html_meta_keywords_when_the_page_has_none(tmp_path):
    p = tmp_path / "page.html"
    p.write_text("""<!DOCTYPE html><html><head><title>A case | Journal</title>
<meta name="citation_keywords" content="fever"><meta name="citation_keywords" content="listeria">
</head><body><h1>Listeria meningitis in a farmer: a case report</h1>
<div class="abstract"><h2>Abstract</h2><p>A farmer had fever.</p></div>
<h2>Introduction</h2><p>Listeria is rare.
It affects farmers.</p><h2>Discussion</h2><p>We discuss it.</p></body></html>""", encoding="utf-8")
    doc = document(str(p))
    kinds = [s.kind for s in doc.sections]
    assert kinds[:4] == ["title", "abstract", "keywords", "introduction"]
    kw = next(s for s in doc.sections if s.kind == "keywords")
    assert kw.blocks[0].text == "fever; listeria"
    intro = next(s for s in doc.sections if s.kind == "introduction")
    assert intro.blocks[0].text == "Listeria is rare. It affects farmers."  # source newlines are spaces


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def make_docx(body: str, footnotes: str | None = None, extra: dict[str, bytes] | None = None,
              document_xml: str | None = None) -> bytes:
    """A minimal DOCX package written by hand."""
    ct = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
          'wordprocessingml.document.main+xml"/>'
          + ('<Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-'
             'officedocument.wordprocessingml.footnotes+xml"/>' if footnotes else "") + '</Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="word/document.xml"/></Relationships>')
    doc_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                + ('<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                   'relationships/footnotes" Target="footnotes.xml"/>' if footnotes else "") + '</Relationships>')
    xml = document_xml or (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W}" '
                           'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
                           'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
                           f'xmlns:v="urn:schemas-microsoft-com:vml"><w:body>{body}</w:body></w:document>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", ct)
        zf.writestr("_rels/.rels", rels)
        zf.writestr("word/_rels/document.xml.rels", doc_rels)
        zf.writestr("word/document.xml", xml)
        if footnotes:
            zf.writestr("word/footnotes.xml", f'<?xml version="1.0" encoding="UTF-8"?><w:footnotes xmlns:w="{W}">'
                        f'{footnotes}</w:footnotes>')
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buf.getvalue()


def p(text: str, bold: bool = False) -> str:
    rpr = "<w:rPr><w:b/></w:rPr>" if bold else ""
    return f'<w:p><w:r>{rpr}<w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def test_docx_tracked_changes_text_boxes_footnotes_and_headings(tmp_path):
    body = (
        p("Fever after a tick bite: a case report", bold=True)
        + p("1. Introduction")
        + '<w:p><w:r><w:t xml:space="preserve">Lyme disease is </w:t></w:r>'
          '<w:ins w:id="1" w:author="A"><w:r><w:t>common</w:t></w:r></w:ins>'
          '<w:del w:id="2" w:author="A"><w:r><w:delText>rare</w:delText></w:r></w:del>'
          '<w:r><w:t xml:space="preserve"> in Europe.</w:t></w:r>'
          '<w:r><w:footnoteReference w:id="2"/></w:r></w:p>'
        + p("Case presentation", bold=True)
        + '<w:p><w:r><w:t>A 40-year-old woman had fever.</w:t></w:r>'
          '<w:r><mc:AlternateContent><mc:Choice Requires="wps">'
          '<w:drawing><wps:txbx><w:txbxContent><w:p><w:r><w:t>Key point: ticks matter.</w:t></w:r></w:p>'
          '</w:txbxContent></wps:txbx></w:drawing></mc:Choice><mc:Fallback><w:pict><v:textbox><w:txbxContent>'
          '<w:p><w:r><w:t>Key point: ticks matter.</w:t></w:r></w:p></w:txbxContent></v:textbox></w:pict>'
          '</mc:Fallback></mc:AlternateContent></w:r></w:p>'
        + '<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Day</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Event</w:t></w:r></w:p>'
          '</w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t>0</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Bite</w:t></w:r>'
          '</w:p></w:tc></w:tr><w:tr><w:trPr><w:del w:id="3" w:author="A"/></w:trPr><w:tc><w:p><w:r><w:t>9</w:t>'
          '</w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Deleted row</w:t></w:r></w:p></w:tc></w:tr></w:tbl>'
    )
    notes = ('<w:footnote w:type="separator" w:id="0"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
             '<w:footnote w:id="2"><w:p><w:r><w:t>Funding: none.</w:t></w:r></w:p></w:footnote>')
    f = tmp_path / "x.docx"
    f.write_bytes(make_docx(body, notes))
    raw = read_path(str(f))
    assert raw.title == "Fever after a tick bite: a case report"
    heads = [s.heading for s in raw.sections]
    assert "1. Introduction" in heads and "Case presentation" in heads
    texts = [b.text for s in raw.sections for b in s.blocks]
    assert "Lyme disease is common in Europe." in texts
    assert not any("rare" in t or "Deleted row" in t for t in texts)
    assert sum("Key point: ticks matter." in t for t in texts) == 1  # read once, not twice
    assert "Day\tEvent\n0\tBite" in texts
    funding = next(s for s in raw.sections if s.heading == "Funding")
    assert funding.blocks[0].text == "none." and funding.blocks[0].line == 3  # the paragraph citing it
    doc = load_document(str(f))
    assert {"introduction", "case", "funding"} <= {s.kind for s in doc.sections}


# -- hostile input -----------------------------------------------------------------------

def bomb_docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", f'<w:document xmlns:w="{W}"><w:body/></w:document>')
        zf.writestr("word/media/image1.png", b"\0" * (24 * 1024 * 1024))  # 24 MB of zeros, ~24 KB packed
    return buf.getvalue()


ENTITY_BOMB = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
               + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'
                         for i in range(1, 10))
               + ']>\n<article><body><p>&lol9;</p></body></article>')


def encrypted_zip() -> bytes:
    data = bytearray(make_docx(p("Text")))
    # Set the "encrypted" flag in every central-directory entry.
    i = data.find(b"PK\x01\x02")
    while i != -1:
        data[i + 8] |= 0x1
        i = data.find(b"PK\x01\x02", i + 4)
    return bytes(data)


HOSTILE = {
    "truncated.docx": lambda: fixture("complete-case-report", "docx").read_bytes()[:20000],
    "bomb.docx": bomb_docx,
    "entities.xml": lambda: ENTITY_BOMB.encode(),
    "entities.docx": lambda: make_docx("", document_xml=ENTITY_BOMB.replace("article", "w:document")),
    "encrypted-zip.docx": encrypted_zip,
    "not-a-docx.docx": lambda: (lambda b: (zipfile.ZipFile(b, "w").writestr("a.txt", "hello"), b)[1].getvalue())(
        io.BytesIO()),
    "protected.docx": lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 40,
    "empty.md": lambda: b"",
    "garbage.txt": lambda: bytes((i * 7919 + 13) % 256 for i in range(20000)),
    "garbage.pdf": lambda: bytes((i * 104729 + 7) % 256 for i in range(20000)),
    "broken.pdf": lambda: b"%PDF-1.7\n" + bytes((i * 31 + 5) % 256 for i in range(5000)),
    "encrypted.pdf": lambda: (FIXTURES / "encrypted.pdf").read_bytes(),
    "image-only.pdf": lambda: (FIXTURES / "image-only.pdf").read_bytes(),
    "entities.html": lambda: b'<!DOCTYPE html [<!ENTITY a "aaaa">]><html><body><p>&a;</p></body></html>',
}
EXPECT_WORDS = {
    "truncated.docx": "corrupt or truncated", "bomb.docx": "zip bomb", "entities.xml": "entit",
    "entities.docx": "entit", "encrypted-zip.docx": "encrypted", "not-a-docx.docx": "not a DOCX",
    "protected.docx": "password-protected", "empty.md": "empty", "garbage.txt": "binary",
    "garbage.pdf": "not a PDF", "broken.pdf": "PDF", "encrypted.pdf": "encrypted",
    "image-only.pdf": "no extractable text", "entities.html": "entit",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_input_is_one_clear_input_error(name, tmp_path):
    f = tmp_path / name
    f.write_bytes(HOSTILE[name]())
    before = f.read_bytes()
    start = time.monotonic()
    with pytest.raises(InputError) as err:
        read_path(str(f))
    assert time.monotonic() - start < 5
    message = str(err.value)
    assert "\n" not in message and message.startswith(str(f))
    assert EXPECT_WORDS[name].lower() in message.lower(), message
    assert f.read_bytes() == before  # the input is never modified


def test_fifty_megabyte_text_file_fails_fast(tmp_path):
    f = tmp_path / "huge.txt"
    with open(f, "wb") as fh:
        fh.write((b"A line of a very long manuscript.\n") * (50 * 1024 * 1024 // 34))
    start = time.monotonic()
    with pytest.raises(InputError, match="limit"):
        read_path(str(f))
    assert time.monotonic() - start < 3


def test_cli_reports_hostile_input_in_one_line_with_exit_2(tmp_path):
    names = ["bomb.docx", "entities.xml", "image-only.pdf", "truncated.docx"]
    files = []
    for name in names:
        f = tmp_path / name
        f.write_bytes(HOSTILE[name]())
        files.append(str(f))
    # One file: exactly one line on stderr. Several: one line each, in order.
    for args in (files[:1], files):
        proc = subprocess.run([sys.executable, "-m", "care_check", "check", *args], capture_output=True,
                              text=True, timeout=60, cwd=ROOT)
        assert proc.returncode == 2
        assert "Traceback" not in proc.stderr, proc.stderr
        lines = proc.stderr.strip().split("\n")
        assert len(lines) == len(args), proc.stderr
        for f, line in zip(args, lines):
            assert f in line
