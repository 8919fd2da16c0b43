#!/usr/bin/env python3
"""Render Markdown manuscripts as DOCX, HTML, LaTeX and PDF test fixtures.

How the fixtures in tests/fixtures/formats/ are produced
---------------------------------------------------------
    .venv/bin/pip install -e '.[fixtures]'        # reportlab and pypdf (python-docx is a dependency)
    apt-get install -y libreoffice-writer-nogui   # for PDFs as Word users make them
    .venv/bin/python tools/make_fixtures.py corpus/complete-case-report.md corpus/gappy-case-report.md \
        --two-column --hostile

For each SOURCE.md (default: every corpus/*.md) this writes to --out (default
tests/fixtures/formats/), NAME being the source's stem:
  NAME.docx       python-docx: Title style, Heading 2/3 sections, bold runs, a Word table
                  (a Caption-style paragraph when the Markdown has "Table N." before it),
                  numbered lists, a running header and a PAGE field in the footer
  NAME.html       markdown-it-py HTML inside a full publisher-like page: citation_* meta
                  tags, a site header with nav, a cookie banner, scripts, an aside, a
                  footer with a form; the abstract in <section class="abstract">, the
                  references in <section class="ref-list">
  NAME.tex        a small LaTeX converter: \\title with \\thanks, the abstract
                  environment with bold run-in part labels, \\keywords, \\section*, tables
                  (a float with \\caption when captioned), \\cite and thebibliography, a
                  comment; from "Informed consent" on, the text is in NAME-parts/back.tex,
                  read through \\input
  NAME.pdf        LibreOffice (soffice --headless --convert-to pdf) from NAME.docx, with
                  its running header and page numbers; without LibreOffice, reportlab
                  draws a plainer PDF from the same content
  NAME-2col.pdf   (--two-column) the same DOCX laid out in two columns, for reading order
With --hostile it also writes the two small hostile PDFs the tests use (reportlab, pypdf):
  encrypted.pdf   a one-page PDF with a user password
  image-only.pdf  a one-page PDF with only a drawn image, no text
The tests also call this module at test time, into temporary folders, for the other ways a
manuscript is made (tests/test_same_text_any_file.py): to_docx(headings="bold" |
"abstract-style" | "abstract-title", comment=...), to_odt, to_rtf, to_title_block_html
(pandoc's and Quarto's title block), to_flat_html (LibreOffice's shape),
pandoc_with_metadata and office_convert_all (LibreOffice, one run for many files).
Only our own fictional manuscripts go here; never commit a rendering of a publisher's
article. DOCX and PDF outputs are not byte-reproducible (timestamps): the tests compare
what the checker reads from them, not their bytes.
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "tests" / "fixtures" / "formats"

# -- a small intermediate form of the manuscript ---------------------------------------


@dataclass
class Run:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass
class Item:
    kind: str  # title | heading | para | table | list
    level: int = 0
    runs: list[Run] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    items: list[list[Run]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


def parse_markdown(text: str) -> list[Item]:
    md = MarkdownIt("commonmark").enable("table")
    tokens = md.parse(text)
    out: list[Item] = []
    i = 0
    title_done = False
    list_item: Item | None = None
    row: list[str] = []
    table: Item | None = None
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "heading_open":
            level = int(tok.tag[1])
            runs = _runs(tokens[i + 1])
            if level == 1 and not title_done:
                out.append(Item("title", 0, runs))
                title_done = True
            else:
                out.append(Item("heading", level, runs))
            i += 3
            continue
        if tok.type in ("bullet_list_open", "ordered_list_open"):
            list_item = Item("list", 1 if tok.type == "ordered_list_open" else 0)
        elif tok.type in ("bullet_list_close", "ordered_list_close") and list_item is not None:
            out.append(list_item)
            list_item = None
        elif tok.type == "inline" and tokens[i - 1].type == "paragraph_open":
            if list_item is not None:
                list_item.items.append(_runs(tok))
            else:
                out.append(Item("para", 0, _runs(tok)))
        elif tok.type == "table_open":
            table = Item("table")
        elif tok.type == "tr_open":
            row = []
        elif tok.type == "inline" and tokens[i - 1].type in ("th_open", "td_open"):
            row.append("".join(r.text for r in _runs(tok)))
        elif tok.type == "tr_close" and table is not None:
            table.rows.append(row)
        elif tok.type == "table_close" and table is not None:
            out.append(table)
            table = None
        i += 1
    return out


def _runs(tok) -> list[Run]:
    runs: list[Run] = []
    bold = italic = False
    for child in tok.children or []:
        if child.type == "strong_open":
            bold = True
        elif child.type == "strong_close":
            bold = False
        elif child.type == "em_open":
            italic = True
        elif child.type == "em_close":
            italic = False
        elif child.type in ("text", "code_inline"):
            runs.append(Run(child.content, bold, italic))
        elif child.type in ("softbreak", "hardbreak"):
            runs.append(Run(" ", bold, italic))
    return runs


_CAPTION = re.compile(r"^(Table|Figure)\s+(\d+)[.:]?\s+(.*)$", re.S)


def _table_captions(items: list[Item]) -> dict[int, tuple[int, str]]:
    """Index of each table -> (index of its caption paragraph, caption text without the label)."""
    out = {}
    for k, it in enumerate(items):
        if it.kind == "table" and k > 0 and items[k - 1].kind == "para":
            m = _CAPTION.match(items[k - 1].text.strip())
            if m and m.group(1) == "Table":
                out[k] = (k - 1, m.group(3).strip())
    return out


# -- DOCX ------------------------------------------------------------------------------

def _abstract_span(items: list[Item]) -> tuple[int, int]:
    """[start, end) of the abstract: its "Abstract" heading up to the next heading at its
    level or above (end == start when there is no abstract)."""
    for k, it in enumerate(items):
        if it.kind == "heading" and it.text.strip().lower() == "abstract":
            end = next((j for j in range(k + 1, len(items))
                        if items[j].kind == "heading" and items[j].level <= it.level), len(items))
            return k, end
    return 0, 0


def to_docx(items: list[Item], dest: Path, columns: int = 1, headings: str = "styles",
            comment: tuple[str, str] | None = None) -> None:
    """headings: "styles" (Heading 2/3); "bold" (bold paragraphs, as many authors write
    them; the abstract's parts too); "abstract-style" (pandoc 2 with an abstract in the
    metadata: no abstract heading, its parts as Heading 1, its paragraphs in the "Abstract"
    style); "abstract-title" (pandoc 3 and Quarto: an "Abstract Title" paragraph, then
    every abstract paragraph in the "Abstract" style, its part as a bold run-in label).
    comment: (anchor text, comment text): a Word review comment on the first paragraph
    holding the anchor."""
    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    abstract = range(*_abstract_span(items)) if headings.startswith("abstract-") else range(0)
    if abstract:
        for name in ("Abstract Title", "Abstract"):
            document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH).base_style = document.styles["Normal"]
    label = ""
    # Running header and a page-number footer: the PDF reader must drop them.
    section = document.sections[0]
    section.header.paragraphs[0].text = "Journal of Fictional Case Reports 2024; 3: 101-108"
    footer = section.footer.paragraphs[0]
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = "1"
    run.append(t)
    fld.append(run)
    footer._p.append(fld)
    if columns > 1:
        cols = document.sections[0]._sectPr.find(qn("w:cols"))
        if cols is None:
            cols = OxmlElement("w:cols")
            document.sections[0]._sectPr.append(cols)
        cols.set(qn("w:num"), str(columns))
        cols.set(qn("w:space"), "425")
    captions = _table_captions(items)
    caption_paras = {c for c, _ in captions.values()}
    for k, it in enumerate(items):
        if k in abstract:
            if it.kind == "heading" and k == abstract.start:
                if headings == "abstract-title":
                    document.add_paragraph(it.text, style="Abstract Title")
            elif it.kind == "heading" and headings == "abstract-title":
                label = it.text.strip()
            elif it.kind == "heading":
                document.add_heading(it.text, 1)
            elif it.kind == "para":
                p = document.add_paragraph(style="Abstract")
                if label:
                    p.add_run(label + ": ").bold = True
                    label = ""
                for r in it.runs:
                    p.add_run(r.text).italic = r.italic or None
            continue
        if it.kind == "title" and headings == "bold":
            p = document.add_paragraph()
            p.add_run(it.text).bold = True
        elif it.kind == "title":
            document.add_heading(it.text, 0)
        elif it.kind == "heading" and headings == "bold":
            p = document.add_paragraph()
            p.add_run(it.text).bold = True
        elif it.kind == "heading":
            document.add_heading(it.text, min(it.level, 6))
        elif it.kind == "para":
            style = "Caption" if k in caption_paras else None
            p = document.add_paragraph(style=style)
            for r in it.runs:
                run = p.add_run(r.text)
                run.bold = r.bold or None
                run.italic = r.italic or None
            if comment and comment[0] in it.text:
                document.add_comment(p.runs, text=comment[1], author="Reviewer", initials="R")
                comment = None
        elif it.kind == "list":
            style = "List Number" if it.level else "List Bullet"
            for entry in it.items:
                p = document.add_paragraph(style=style)
                for r in entry:
                    p.add_run(r.text).bold = r.bold or None
        elif it.kind == "table":
            ncols = max(len(r) for r in it.rows)
            table = document.add_table(rows=len(it.rows), cols=ncols)
            table.style = "Table Grid"
            if columns > 1:  # fit the table to its text column
                from docx.shared import Inches

                table.autofit = False
                for col in table.columns:
                    for cell in col.cells:
                        cell.width = Inches(2.8 / ncols)
            for ri, row in enumerate(it.rows):
                for ci, cell in enumerate(row):
                    table.cell(ri, ci).text = cell
                    if ri == 0:
                        for run in table.cell(ri, ci).paragraphs[0].runs:
                            run.bold = True
    document.core_properties.title = next((it.text for it in items if it.kind == "title"), "")
    document.save(str(dest))


# -- ODT -------------------------------------------------------------------------------

_ODT_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
           'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
           'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
           'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
           'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
           'xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.3"')


def to_odt(items: list[Item], dest: Path, headings: str = "styles",
           comment: tuple[str, str] | None = None) -> None:
    """An OpenDocument text written directly (no office suite needed): Title and Heading
    styles on text:h (or, with headings="bold", bold paragraphs through an automatic
    style), bold and italic spans, tables, lists, a Caption-based style for table captions,
    a footnote on the first citation and, with comment, an office:annotation."""
    import zipfile
    from xml.sax.saxutils import escape

    def runs(rs: list[Run]) -> str:
        out = []
        for r in rs:
            t = escape(r.text)
            style = "Tb" if r.bold else "Ti" if r.italic else ""
            out.append(f'<text:span text:style-name="{style}">{t}</text:span>' if style else t)
        return "".join(out)

    captions = _table_captions(items)
    caption_paras = {c for c, _ in captions.values()}
    body: list[str] = []
    note_done = False
    for k, it in enumerate(items):
        if it.kind in ("title", "heading") and headings == "bold":
            body.append(f'<text:p text:style-name="Pb">{escape(it.text)}</text:p>')
        elif it.kind == "title":
            body.append(f'<text:h text:style-name="Title" text:outline-level="1">{escape(it.text)}</text:h>')
        elif it.kind == "heading":
            body.append(f'<text:h text:style-name="Heading_20_{it.level}" text:outline-level="{it.level}">'
                        f"{escape(it.text)}</text:h>")
        elif it.kind == "para":
            inner = runs(it.runs)
            if not note_done and "[1]" in it.text:
                inner = inner.replace("[1]", '<text:note text:note-class="footnote"><text:note-citation>1'
                                      '</text:note-citation><text:note-body><text:p>See the reference list.'
                                      "</text:p></text:note-body></text:note>", 1)
                note_done = True
            if comment and comment[0] in it.text:
                inner = (f'<office:annotation><dc:creator>Reviewer</dc:creator><text:p>{escape(comment[1])}'
                         f"</text:p></office:annotation>") + inner
                comment = None
            style = "Table_20_caption" if k in caption_paras else "Text_20_body"
            body.append(f'<text:p text:style-name="{style}">{inner}</text:p>')
        elif it.kind == "list":
            body.append("<text:list>" + "".join(f"<text:list-item><text:p>{runs(e)}</text:p></text:list-item>"
                                                for e in it.items) + "</text:list>")
        elif it.kind == "table":
            ncols = max(len(r) for r in it.rows)
            rows = "".join("<table:table-row>" + "".join(
                f'<table:table-cell office:value-type="string"><text:p>{escape(c)}</text:p></table:table-cell>'
                for c in r) + "</table:table-row>" for r in it.rows)
            body.append(f'<table:table table:name="T{k}"><table:table-column table:number-columns-repeated="{ncols}"/>'
                        f"{rows}</table:table>")
    content = (f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {_ODT_NS}>'
               '<office:automatic-styles>'
               '<style:style style:name="Tb" style:family="text"><style:text-properties fo:font-weight="bold"/></style:style>'
               '<style:style style:name="Ti" style:family="text"><style:text-properties fo:font-style="italic"/></style:style>'
               '<style:style style:name="Pb" style:family="paragraph" style:parent-style-name="Text_20_body">'
               '<style:text-properties fo:font-weight="bold"/></style:style>'
               '</office:automatic-styles><office:body><office:text>'
               '<text:tracked-changes><text:changed-region text:id="c1"><text:deletion><text:p>Funding: a deleted '
               'grant sentence.</text:p></text:deletion></text:changed-region></text:tracked-changes>'
               + "".join(body) + "</office:text></office:body></office:document-content>")
    heading_styles = "".join(
        f'<style:style style:name="Heading_20_{n}" style:display-name="Heading {n}" style:family="paragraph" '
        f'style:parent-style-name="Heading" style:default-outline-level="{n}"/>' for n in range(1, 7))
    styles = (f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-styles {_ODT_NS}><office:styles>'
              '<style:style style:name="Standard" style:family="paragraph"/>'
              '<style:style style:name="Text_20_body" style:display-name="Text body" style:family="paragraph" '
              'style:parent-style-name="Standard"/>'
              '<style:style style:name="Heading" style:family="paragraph" style:parent-style-name="Standard">'
              '<style:text-properties fo:font-weight="bold"/></style:style>'
              '<style:style style:name="Title" style:family="paragraph" style:parent-style-name="Heading"/>'
              '<style:style style:name="Caption" style:family="paragraph" style:parent-style-name="Standard"/>'
              '<style:style style:name="Table_20_caption" style:display-name="Table caption" style:family="paragraph" '
              'style:parent-style-name="Caption"/>'
              + heading_styles + "</office:styles></office:document-styles>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
                '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    with zipfile.ZipFile(dest, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")  # first, stored
        zf.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("styles.xml", styles, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)


# -- HTML ------------------------------------------------------------------------------

def to_html(md_text: str, items: list[Item], dest: Path) -> None:
    from lxml import etree
    from lxml import html as lhtml

    md = MarkdownIt("commonmark").enable("table")
    body_html = md.render(md_text)
    frag = lhtml.fragment_fromstring(body_html, create_parent="div")
    # Group each h2 and what follows into a <section>; the abstract gets class="abstract".
    article = etree.Element("article", {"class": "article-body"})
    current = article
    for el in list(frag):
        if el.tag == "h2":
            name = (el.text_content() or "").strip().lower()
            cls = {"abstract": "abstract", "references": "ref-list"}.get(name, "sec")
            current = etree.SubElement(article, "section",
                                       {"class": cls, "id": re.sub(r"\W+", "-", name).strip("-")})
        if el.tag == "h1":
            article.append(el)
            continue
        current.append(el)
    title = next((it.text for it in items if it.kind == "title"), "Case report")
    keywords = ""
    for it in items:
        m = re.match(r"^Keywords?:\s*(.+)$", it.text.strip(), re.I)
        if it.kind == "para" and m:
            keywords = m.group(1)
    article_html = etree.tostring(article, encoding="unicode", method="html")
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{html.escape(title)} | Journal of Fictional Case Reports</title>
<meta name="citation_title" content="{html.escape(title, quote=True)}">
<meta name="citation_journal_title" content="Journal of Fictional Case Reports">
<meta name="citation_keywords" content="{html.escape(keywords, quote=True)}">
<style>body {{ font-family: serif; }} .cookie-banner {{ position: fixed; }}</style>
<script>window.dataLayer = []; function track() {{ return "Introduction Discussion"; }}</script>
</head>
<body>
<div class="cookie-banner" id="cookie-consent">We use cookies to improve your experience. <button>Accept all cookies</button></div>
<header class="site-header"><a href="/">Journal of Fictional Case Reports</a>
<nav><ul><li><a href="/about">About</a></li><li><a href="/discussion">Discussion forum</a></li><li><a href="/submit">Submit</a></li></ul></nav>
</header>
<main id="main-content">
<div class="breadcrumbs"><a href="/">Home</a> / <a href="/case-reports">Case reports</a></div>
{article_html}
<aside class="related"><h2>Related articles</h2><ul><li><a href="/a1">Another case of scurvy</a></li></ul></aside>
</main>
<footer><p>Copyright 2024 Fictional Publisher. All rights reserved.</p><form><input name="q"><button>Search</button></form></footer>
<script src="/static/app.js"></script>
</body>
</html>
"""
    dest.write_text(page, encoding="utf-8")


def to_title_block_html(md_text: str, items: list[Item], dest: Path, quarto: bool = False) -> None:
    """The page pandoc (``-s`` with title, abstract and keywords in the metadata) or Quarto
    writes: the title and a ``div.abstract`` inside ``header#title-block-header`` (outside
    any <main> for pandoc, inside <main> for Quarto), the abstract's parts as bold run-in
    labels, the body as plain HTML with flat headings. Emulated here so the tests need
    neither tool; the tests also run real pandoc when it is installed."""
    md = MarkdownIt("commonmark").enable("table")
    start, end = _abstract_span(items)
    title = next((it.text for it in items if it.kind == "title"), "Case report")
    abstract, label = [], ""
    for it in items[start + 1:end]:
        if it.kind == "heading":
            label = it.text.strip()
        elif it.kind == "para":
            lead = f"<strong>{html.escape(label)}:</strong> " if label else ""
            abstract.append(f"<p>{lead}{html.escape(it.text)}</p>")
            label = ""
    keywords = ""
    lines = md_text.split("\n")
    body_lines = []
    skipping = False
    for ln in lines:
        if re.match(r"^#\s", ln):
            continue
        if re.match(r"^##\s+Abstract\s*$", ln, re.I):
            skipping = True
            continue
        if skipping and re.match(r"^##\s", ln):
            skipping = False
        m = re.match(r"^Keywords?:\s*(.+)$", ln, re.I)
        if m:
            keywords = m.group(1)
            continue
        if not skipping:
            body_lines.append(ln)
    block = "abstract-title" if not quarto else "block-title"
    kw = (f'<div><div class="keywords"><div class="{block}">Keywords</div><p>{html.escape(keywords)}</p></div></div>'
          if keywords else "")
    cls = ' class="quarto-title-block default"' if quarto else ""
    parts = "\n".join(abstract)
    header = (f'<header id="title-block-header"{cls}>\n'
              f'<h1 class="title">{html.escape(title)}</h1>\n<p class="author">A. Author</p>\n'
              f'<div class="abstract">\n<div class="{block}">Abstract</div>\n{parts}'
              f"\n</div>\n{kw}\n</header>\n")
    body = md.render("\n".join(body_lines))
    if quarto:
        page_body = f'<main class="content" id="quarto-document-content">\n{header}{body}</main>'
    else:
        page_body = header + body
    dest.write_text(f"""<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" lang="" xml:lang="">
<head>
<meta charset="utf-8" />
<meta name="generator" content="{'quarto-1.4.550' if quarto else 'pandoc'}" />
<title>{html.escape(title)}</title>
</head>
<body>
{page_body}
</body>
</html>
""", encoding="utf-8")


def to_flat_html(md_text: str, items: list[Item], dest: Path) -> None:
    """The shape LibreOffice writes (``soffice --convert-to html``): one flat run of <h1>-<h3>
    and <p> in <body>, no sections and no abstract markup."""
    md = MarkdownIt("commonmark").enable("table")
    title = next((it.text for it in items if it.kind == "title"), "")
    dest.write_text(f"""<!DOCTYPE html>
<html>
<head>
\t<meta http-equiv="content-type" content="text/html; charset=utf-8"/>
\t<title></title>
\t<meta name="generator" content="LibreOffice 7.4.7.2 (Linux)"/>
</head>
<body lang="en-US" dir="ltr">
{md.render(md_text).replace('<h1>', '<h1 class="western">').replace('<h2>', '<h2 class="western">')}
</body>
</html>
""", encoding="utf-8")
    assert title


def to_rtf(items: list[Item], dest: Path) -> None:
    """An RTF file as word processors write it: bold headings with outline levels, \\uN
    escapes for non-ASCII characters, tables as \\cell/\\row."""
    def esc(text: str) -> str:
        out = []
        for ch in text:
            if ch in "\\{}":
                out.append("\\" + ch)
            elif ord(ch) > 127:
                code = ord(ch)
                out.append(f"\\u{code if code < 32768 else code - 65536}?")
            else:
                out.append(ch)
        return "".join(out)

    def runs(rs: list[Run]) -> str:
        return "".join("{\\b " + esc(r.text) + "}" if r.bold else "{\\i " + esc(r.text) + "}" if r.italic
                       else esc(r.text) for r in rs)

    out = ["{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0 Times New Roman;}}",
           "{\\info{\\title Fictional}{\\author A. Author}}",
           "{\\*\\annotation care-check reviewers' note: Funding: none}"]
    for it in items:
        if it.kind in ("title", "heading"):
            out.append(f"{{\\pard\\outlinelevel{it.level}\\b\\fs28 {esc(it.text)}\\par}}")
        elif it.kind == "para":
            out.append(f"{{\\pard {runs(it.runs)}\\par}}")
        elif it.kind == "list":
            out += [f"{{\\pard \\bullet  {runs(e)}\\par}}" for e in it.items]
        elif it.kind == "table":
            for row in it.rows:
                cells = "".join(f"\\pard\\intbl {esc(c)}\\cell" for c in row)
                out.append("{\\trowd" + "".join(f"\\cellx{1500 * (i + 1)}" for i in range(len(row)))
                           + cells + "\\row}")
    out.append("}")
    dest.write_text("\n".join(out), encoding="ascii")


def office_convert(src: Path, fmt: str, dest: Path) -> bool:
    """LibreOffice's conversion of ``src`` to ``fmt`` (html, odt, rtf, doc, pdf, docx) at
    ``dest``; False when LibreOffice is not installed."""
    with tempfile.TemporaryDirectory() as tmp:
        if not office_convert_all([src], fmt, Path(tmp)):
            return False
        shutil.move(str(Path(tmp) / (src.stem + "." + fmt.split(":")[0])), dest)
    return True


def office_convert_all(sources: list[Path], fmt: str, outdir: Path) -> bool:
    """Convert several files in one LibreOffice run (it starts once): STEM.FMT in outdir."""
    office = _soffice()
    if not office:
        return False
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([office, "--headless", f"-env:UserInstallation=file://{tmp}/profile",
                        "--convert-to", fmt, "--outdir", str(outdir), *map(str, sources)],
                       check=True, capture_output=True, timeout=300)
    return True


def pandoc_with_metadata(md_text: str, items: list[Item], dest_md: Path) -> None:
    """The manuscript as a pandoc or Quarto author writes it: title, abstract (its parts as
    headings) and keywords in the YAML metadata, the body below."""
    import json

    start, end = _abstract_span(items)
    lines = md_text.split("\n")
    title, abstract, body, keywords = "", [], [], []
    in_abstract = False
    for ln in lines:
        if not title and re.match(r"^#\s", ln):
            title = ln[2:].strip()
            continue
        if re.match(r"^##\s+Abstract\s*$", ln, re.I):
            in_abstract = True
            continue
        m = re.match(r"^Keywords?:\s*(.+)$", ln, re.I)
        if m:
            keywords = [k.strip() for k in m.group(1).split(";")]
            in_abstract = False
            continue
        if in_abstract and re.match(r"^##\s", ln):
            in_abstract = False
        if in_abstract:
            abstract.append(re.sub(r"^###\s", "# ", ln))
        else:
            body.append(ln)
    meta = ["---", f"title: {json.dumps(title)}", "abstract: |"] + ["  " + a for a in abstract]
    if keywords:
        meta.append("keywords: " + json.dumps(keywords))
    dest_md.write_text("\n".join(meta + ["---", ""] + body), encoding="utf-8")
    assert end >= start


# -- LaTeX -----------------------------------------------------------------------------

_TEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def _tex_escape(text: str) -> str:
    return "".join(_TEX_SPECIAL.get(ch, ch) for ch in text)


def _tex_runs(runs: list[Run]) -> str:
    out = []
    for r in runs:
        t = _tex_escape(r.text)
        if r.bold:
            t = r"\textbf{" + t + "}"
        if r.italic:
            t = r"\emph{" + t + "}"
        out.append(t)
    return "".join(out)


_CITES = re.compile(r"\[(\d+(?:\s*[,–-]\s*\d+)*)\]")


def _cite_keys(nums: str) -> str:
    keys = []
    for part in re.split(r"\s*,\s*", nums):
        if re.search(r"[–-]", part):
            a, b = (int(x) for x in re.split(r"\s*[–-]\s*", part))
            keys += [f"ref{k}" for k in range(a, b + 1)]
        else:
            keys.append(f"ref{int(part)}")
    return ",".join(keys)


def to_latex(items: list[Item], dest: Path) -> None:
    """A LaTeX version; the back matter goes to NAME-parts/back.tex, read with \\input."""
    captions = _table_captions(items)
    caption_paras = {c for c, _ in captions.values()}
    has_refs = any(it.kind == "heading" and it.text.strip().lower() == "references" for it in items)

    def body(runs: list[Run]) -> str:
        text = _tex_runs(runs)
        if has_refs:
            text = _CITES.sub(lambda m: r"~\cite{" + _cite_keys(m.group(1)) + "}", text)
        return text

    title = next((it for it in items if it.kind == "title"), None)
    main = [r"% Generated by tools/make_fixtures.py from a fictional Markdown manuscript.",
            r"\documentclass[11pt]{article}",
            r"\usepackage[utf8]{inputenc}",
            r"\usepackage{hyperref}",
            r"\newcommand{\keywords}[1]{\par\noindent\textbf{Keywords:} #1}",
            r"\title{" + (_tex_runs(title.runs) if title else "") + "}",
            r"\author{A. Author\thanks{Department of Medicine, Westbridge University Hospital.}}",
            r"\date{}", "", r"\begin{document}", r"\maketitle", ""]
    back: list[str] = []
    out = main
    in_abstract = False
    pending_label: str | None = None
    section = ""
    k = 0
    while k < len(items):
        it = items[k]
        if it.kind == "heading":
            name = it.text.strip().lower()
            if in_abstract and it.level <= 2:
                out += [r"\end{abstract}", ""]
                in_abstract = False
            if in_abstract:
                pending_label = it.text.strip()
            elif name == "abstract":
                out.append(r"\begin{abstract}")
                in_abstract = True
            elif name == "references":
                section = "references"
            else:
                if name in ("informed consent", "consent") and out is main:
                    main += [r"% The declarations live in their own file.", r"\input{" + dest.stem + "-parts/back}", ""]
                    out = back
                cmd = {2: "section", 3: "subsection"}.get(it.level, "subsubsection")
                out += [f"\\{cmd}*{{{_tex_escape(it.text)}}}", ""]
                section = name
        elif it.kind == "para":
            if k in caption_paras:
                k += 1
                continue
            m = re.match(r"^Keywords?:\s*(.+)$", it.text.strip(), re.I)
            if m:
                if in_abstract:
                    out += [r"\end{abstract}", ""]
                    in_abstract = False
                out += [r"\keywords{" + _tex_escape(m.group(1)) + "}", ""]
            else:
                text = body(it.runs)
                if pending_label:
                    text = r"\textbf{" + _tex_escape(pending_label) + ":} " + text
                    pending_label = None
                if section == "introduction" and not any("% a comment" in ln for ln in out):
                    out.append("% a comment the reader must drop: Discussion Conclusion")
                out += [text, ""]
        elif it.kind == "list":
            if section == "references":
                out += [r"\begin{thebibliography}{99}"]
                out += [f"\\bibitem{{ref{n}}} " + _tex_runs(e) for n, e in enumerate(it.items, 1)]
                out += [r"\end{thebibliography}", ""]
            else:
                env = "enumerate" if it.level else "itemize"
                out += [f"\\begin{{{env}}}"] + [r"  \item " + body(e) for e in it.items] + [f"\\end{{{env}}}", ""]
        elif it.kind == "table":
            ncol = max(len(r) for r in it.rows)
            rows = []
            for ri, row in enumerate(it.rows):
                cells = [_tex_escape(c) for c in row]
                if ri == 0:
                    cells = [r"\textbf{" + c + "}" for c in cells]
                rows.append(" & ".join(cells) + r" \\")
                if ri == 0:
                    rows.append(r"\hline")
            tabular = [r"\begin{tabular}{" + "l" * ncol + "}", r"\hline"] + rows + [r"\hline", r"\end{tabular}"]
            if k in captions:
                out += [r"\begin{table}[ht]", r"\centering", r"\caption{" + _tex_escape(captions[k][1]) + "}",
                        r"\label{tab:" + str(k) + "}"] + tabular + [r"\end{table}", ""]
            else:
                out += [r"\begin{center}"] + tabular + [r"\end{center}", ""]
        k += 1
    if in_abstract:
        out.append(r"\end{abstract}")
    main += ["", r"\end{document}", ""]
    dest.write_text("\n".join(main), encoding="utf-8")
    if back:
        parts = dest.parent / f"{dest.stem}-parts"
        parts.mkdir(exist_ok=True)
        (parts / "back.tex").write_text("\n".join(back), encoding="utf-8")


# -- PDF -------------------------------------------------------------------------------

def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(docx_path: Path, dest: Path) -> bool:
    return office_convert(docx_path, "pdf", dest)


def reportlab_pdf(items: list[Item], dest: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

    styles = getSampleStyleSheet()
    story = []
    for it in items:
        if it.kind == "title":
            story.append(Paragraph(html.escape(it.text), styles["Title"]))
        elif it.kind == "heading":
            story.append(Paragraph(html.escape(it.text), styles["Heading2"]))
        elif it.kind == "para":
            text = "".join(f"<b>{html.escape(r.text)}</b>" if r.bold else html.escape(r.text) for r in it.runs)
            story.append(Paragraph(text, styles["BodyText"]))
        elif it.kind == "list":
            for e in it.items:
                story.append(Paragraph("• " + html.escape("".join(r.text for r in e)), styles["BodyText"]))
        elif it.kind == "table":
            story.append(Table(it.rows))
        story.append(Spacer(1, 4))
    SimpleDocTemplate(str(dest), pagesize=A4).build(story)


def hostile_pdfs(out: Path) -> None:
    import io

    from pypdf import PdfReader, PdfWriter
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.drawString(72, 760, "Case report. A 40-year-old woman presented with fever.")
    c.save()
    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(buf.getvalue())).pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner-secret", algorithm="RC4-128")
    with open(out / "encrypted.pdf", "wb") as fh:
        writer.write(fh)

    c = canvas.Canvas(str(out / "image-only.pdf"), pagesize=A4)
    from reportlab.lib.utils import ImageReader
    from PIL import Image, ImageDraw

    img = Image.new("L", (400, 120), 255)
    ImageDraw.Draw(img).rectangle((10, 10, 390, 110), outline=0, width=3)
    c.drawImage(ImageReader(img), 72, 600, width=400, height=120)
    c.save()


# -- main ------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("sources", type=Path, nargs="*", help="Markdown manuscripts (default: corpus/*.md)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--formats", default="docx,html,tex,pdf")
    ap.add_argument("--two-column", action="store_true", help="also write NAME-2col.pdf (LibreOffice)")
    ap.add_argument("--hostile", action="store_true", help="also write encrypted.pdf and image-only.pdf")
    args = ap.parse_args(argv)
    sources = args.sources or sorted(p for p in (ROOT / "corpus").glob("*.md") if p.name != "README.md")
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    formats = set(args.formats.split(","))
    for source in sources:
        render(source, out, formats, args.two_column)
    if args.hostile:
        hostile_pdfs(out)
    for f in sorted(out.rglob("*")):
        if f.is_file():
            print(f"{f.relative_to(ROOT) if f.is_relative_to(ROOT) else f}  {f.stat().st_size} bytes")
    return 0


def render(source: Path, out: Path, formats: set[str], two_column: bool = False) -> None:
    md_text = source.read_text(encoding="utf-8")
    items = parse_markdown(md_text)
    name = source.stem
    with tempfile.TemporaryDirectory() as tmp:
        docx_path = out / f"{name}.docx" if "docx" in formats else Path(tmp) / f"{name}.docx"
        to_docx(items, docx_path)
        if "html" in formats:
            to_html(md_text, items, out / f"{name}.html")
        if "tex" in formats:
            to_latex(items, out / f"{name}.tex")
        if "pdf" in formats:
            if not docx_to_pdf(docx_path, out / f"{name}.pdf"):
                print("LibreOffice not found: drawing the PDF with reportlab", file=sys.stderr)
                reportlab_pdf(items, out / f"{name}.pdf")
        if two_column:
            two = Path(tmp) / f"{name}-2col.docx"
            to_docx(items, two, columns=2)
            if not docx_to_pdf(two, out / f"{name}-2col.pdf"):
                print("LibreOffice not found: no two-column PDF", file=sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
