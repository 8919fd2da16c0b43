"""OpenDocument text (.odt, LibreOffice's own format), read from its content.xml.

An ODT is a zip like a DOCX, so it passes the same checks before anything is decompressed
for real (corrupt or encrypted archives, too many entries, too much data, members that
expand over 100:1, XML members with a DTD or entities); content.xml and styles.xml are
then parsed with the same hardened parser (no entities, no network, no DTD).

Paragraphs are described to the shared :class:`~care_check.readers.wordproc.Placer`, as
the DOCX reader does: headings from ``text:h`` outline levels and heading or Title styles,
short bold-only lines and numbered lines; captions from styles based on "Caption"; the
"Abstract" styles pandoc and Quarto write. Tables become tab-joined rows; lists, sections,
text boxes and footnotes are read; tracked deletions are not (they live apart, in
``text:tracked-changes``). Annotations (review comments) are never manuscript text: they
are kept only for care-check directives. ``Block.line`` is the paragraph number.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import partial

from lxml import etree

from ..errors import InputError
from ..model import Block, RawDocument
from ..sections import Lexicon, load_lexicon
from .docx import _first_line, _parser, check_zip
from .structure import clean_inline, table_block
from .wordproc import Para, Placer, RunText, abstract_style

_NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
}


def _q(prefix: str, name: str) -> str:
    return "{%s}%s" % (_NS[prefix], name)


T, S, TB, OFF, DRAW, FO = (partial(_q, p) for p in ("text", "style", "table", "office", "draw", "fo"))
# Not read as text: indexes repeat the headings, tracked deletions are deleted, and the rest
# are declarations or form controls.
_SKIP = {T("tracked-changes"), T("table-of-content"), T("illustration-index"), T("table-index"),
         T("object-index"), T("user-index"), T("alphabetical-index"), T("sequence-decls"),
         T("variable-decls"), T("user-field-decls"), T("dde-connection-decls"), OFF("forms"),
         T("soft-page-break"), TB("table-columns"), TB("table-column"), TB("covered-table-cell")}
_BOLD = {"bold", "600", "700", "800", "900"}


# -- styles ----------------------------------------------------------------------------

@dataclass
class _Style:
    name: str  # the display name when there is one ("Heading 1", "Abstract")
    parent: str | None
    bold: bool | None
    outline: int | None


class _Styles:
    """Named styles (styles.xml) and automatic ones (content.xml), resolved through parents."""

    def __init__(self, *roots: etree._Element | None) -> None:
        self.styles: dict[tuple[str, str], _Style] = {}
        for root in roots:
            if root is None:
                continue
            for st in root.iter(S("style")):
                family = st.get(S("family")) or ""
                key = st.get(S("name")) or ""
                props = st.find(S("text-properties"))
                weight = props.get(FO("font-weight")) if props is not None else None
                outline = st.get(S("default-outline-level"))
                self.styles[(family, key)] = _Style(
                    name=st.get(S("display-name")) or key.replace("_20_", " "),
                    parent=st.get(S("parent-style-name")),
                    bold=None if weight is None else weight in _BOLD,
                    outline=int(outline) if (outline or "").isdigit() else None)

    def chain(self, family: str, key: str | None) -> list[_Style]:
        out: list[_Style] = []
        while key and (family, key) in self.styles and len(out) < 12:
            st = self.styles[(family, key)]
            out.append(st)
            key = st.parent
        return out

    def bold(self, family: str, key: str | None) -> bool | None:
        return next((st.bold for st in self.chain(family, key) if st.bold is not None), None)

    def names(self, key: str | None) -> list[str]:
        return [st.name for st in self.chain("paragraph", key)]

    def heading_level(self, key: str | None) -> int | None:
        for st in self.chain("paragraph", key):
            low = st.name.lower()
            if low == "title":
                return 0
            if low.startswith("heading ") and low[8:].isdigit():
                return int(low[8:])
            if st.outline:
                return st.outline
        return None


# -- paragraph text --------------------------------------------------------------------

class _Inline(RunText):
    """Text of one paragraph: spaces, tabs and spans; notes, annotations and frames set aside."""

    def __init__(self, styles: _Styles, para_bold: bool) -> None:
        super().__init__()
        self.styles = styles
        self.notes: list[list[etree._Element]] = []
        self.comments: list[str] = []
        self.boxes: list[etree._Element] = []
        self.para_bold = para_bold

    def walk(self, el: etree._Element, bold: bool) -> None:
        self.add(el.text, bold)
        for child in el:
            tag = child.tag
            if tag == T("s"):
                c = child.get(T("c")) or "1"
                self.parts.append(" " * min(int(c) if c.isdigit() else 1, 100))
            elif tag == T("tab"):
                self.parts.append("\t")
            elif tag == T("line-break"):
                self.parts.append(" ")  # a soft line break inside a paragraph, as in DOCX
            elif tag == T("number"):  # a numbered heading's or list item's label: "2." then the text
                self.add("".join(child.itertext()).strip() + " ", bold)
            elif tag == T("note"):
                body = child.find(T("note-body"))
                if body is not None:
                    self.notes.append([p for p in body.iter(T("p"), T("h"))])
            elif tag == OFF("annotation"):
                self.comments.append("\n".join("".join(p.itertext()).strip() for p in child.iter(T("p"))))
            elif tag == DRAW("frame"):
                self.boxes.extend(child.iter(DRAW("text-box")))
            elif tag in _SKIP or not isinstance(tag, str) or tag == OFF("annotation-end"):
                pass
            elif tag == T("span"):
                b = self.styles.bold("text", child.get(T("style-name")))
                self.walk(child, bold if b is None else b)
            else:  # links, fields, bookmarks, ruby, meta: their text counts
                self.walk(child, bold)
            self.add(child.tail, bold)


# -- the reader ------------------------------------------------------------------------

def read_bytes_(path: str, data: bytes, lexicon: Lexicon | None = None) -> RawDocument:
    """Read ODT bytes into a RawDocument; hostile or broken files raise InputError."""
    lex = lexicon or load_lexicon()
    zf = check_zip(path, data, kind="ODT", required="content.xml")
    try:
        content = etree.parse(io.BytesIO(zf.read("content.xml")), _parser()).getroot()
        names = set(zf.namelist())
        styles = etree.parse(io.BytesIO(zf.read("styles.xml")), _parser()).getroot() if "styles.xml" in names else None
        meta = etree.parse(io.BytesIO(zf.read("meta.xml")), _parser()).getroot() if "meta.xml" in names else None
    except (etree.XMLSyntaxError, KeyError, OSError, ValueError) as exc:
        raise InputError(path, f"not a readable ODT: content.xml: {_first_line(exc)}") from None
    finally:
        zf.close()
    body = content.find(f"{OFF('body')}/{OFF('text')}")
    if body is None:
        raise InputError(path, "not an OpenDocument text (no office:text body)")
    try:
        keywords = "; ".join("".join(k.itertext()).strip() for k in meta.iter(_q("meta", "keyword"))) \
            if meta is not None else ""
        return _Reader(path, lex, _Styles(styles, content)).read(body, keywords)
    except RecursionError:
        raise InputError(path, "ODT nests too deeply to read") from None


class _Reader:
    def __init__(self, path: str, lex: Lexicon, styles: _Styles) -> None:
        self.path = path
        self.styles = styles
        self.placer = Placer(lex)
        self.b = self.placer.b
        self.n = 0  # paragraph number
        self.notes: list[tuple[int, list[etree._Element]]] = []
        self.comments: list[Block] = []

    def read(self, body: etree._Element, keywords: str = "") -> RawDocument:
        self._container(body, 0)
        if self.notes:
            self.b.heading("Footnotes", 1, self.notes[0][0])
            for line, paras in self.notes:
                for p in paras:
                    self.b.paragraph("".join(self._inline(p).parts), line)
        if not any(b.text.strip() for s in self.b.sections for b in s.blocks) and self.b.title is None:
            raise InputError(self.path, "ODT has no text")
        doc = self.placer.build(self.path, "odt", keywords)
        doc.comments = self.comments
        return doc

    def _container(self, el: etree._Element, depth: int) -> None:
        for child in el:
            tag = child.tag
            if tag in (T("p"), T("h")):
                self._paragraph(child, depth)
            elif tag == TB("table"):
                self._table(child, depth)
            elif tag in _SKIP or not isinstance(tag, str):
                continue
            elif tag == T("bibliography"):
                index = child.find(T("index-body"))
                if index is not None:
                    self._container(index, depth)
            elif depth < 16:  # lists, list items, sections, headers of lists, index bodies
                self._container(child, depth + 1)

    def _inline(self, p: etree._Element) -> _Inline:
        key = p.get(T("style-name"))
        inline = _Inline(self.styles, bool(self.styles.bold("paragraph", key)))
        inline.walk(p, inline.para_bold)
        return inline

    def _paragraph(self, p: etree._Element, depth: int) -> None:
        self.n += 1
        line = self.n
        key = p.get(T("style-name"))
        inline = self._inline(p)
        for note in inline.notes:
            self.notes.append((line, note))
        self.comments.extend(Block(c, line) for c in inline.comments if c)
        text = clean_inline("".join(inline.parts))
        if text:
            names = self.styles.names(key)
            level = self.styles.heading_level(key)
            if p.tag == T("h"):
                outline = p.get(T("outline-level")) or "1"
                level = 0 if level == 0 else int(outline) if outline.isdigit() else 1
            self.placer.place(Para(
                text, line, inline.all_bold, level,
                caption=any(n.lower() == "caption" for n in names),
                subtitle=any(n.lower() == "subtitle" for n in names),
                abstract=abstract_style(names), before_abstract=self._before_abstract(p)))
        for box in inline.boxes:
            if depth < 4:
                self._container(box, depth + 1)

    def _before_abstract(self, p: etree._Element) -> bool:
        nxt = p.getnext()
        for _ in range(20):
            if nxt is None or nxt.tag not in (T("p"), T("h")):
                return False
            if "".join(nxt.itertext()).strip():
                return abstract_style(self.styles.names(nxt.get(T("style-name")))) == "body"
            nxt = nxt.getnext()
        return False

    def _table(self, tbl: etree._Element, depth: int) -> None:
        rows: list[list[etree._Element]] = []
        for tr in tbl.iter(TB("table-row")):
            if next(tr.iterancestors(TB("table")), None) is not tbl:
                continue  # a row of a nested table
            rows.append([c for c in tr if c.tag == TB("table-cell")])
        texts = [[self._cell_text(c) for c in row] for row in rows]
        width = max((len(r) for r in rows), default=0)
        longest = max((len(t) for r in texts for t in r), default=0)
        if width <= 1 or longest > 600:
            for row in rows:  # a layout table: its content is text
                for cell in row:
                    if depth < 4:
                        self._container(cell, depth + 1)
            return
        first_line = self.n + 1
        self.n += sum(1 for _ in tbl.iter(T("p"), T("h")))
        block = table_block(["\t".join(r) for r in texts], first_line)
        if block is not None:
            self.b.block(block)

    def _cell_text(self, cell: etree._Element) -> str:
        parts = []
        for p in cell.iter(T("p"), T("h")):
            text = " ".join("".join(self._inline(p).parts).split())
            if text:
                parts.append(text)
        return " ".join(parts)


__all__ = ["read_bytes_"]
