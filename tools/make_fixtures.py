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
    office = _soffice()
    if not office:
        return False
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([office, "--headless", f"-env:UserInstallation=file://{tmp}/profile",
                        "--convert-to", "pdf", "--outdir", tmp, str(docx_path)],
                       check=True, capture_output=True, timeout=180)
        produced = Path(tmp) / (docx_path.stem + ".pdf")
        shutil.move(str(produced), dest)
    return True


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
