"""Word documents (.docx), opened with python-docx after the zip has been checked.

A DOCX is a zip of XML parts, so it is checked before anything is decompressed for
real: corrupt, truncated or encrypted archives, too many entries, too much uncompressed
data, a member that expands more than 100:1, and XML parts that declare a DTD or
entities (entity-expansion attacks) are all refused with one line. A password-protected
Word file is not a zip at all but an OLE container, and is named as such.

Headings come from paragraph styles (Title, Heading 1-6, or an outline level), from
short bold-only lines, and from short lines that name a section ("2. Case presentation").
Tables become tab-joined rows (a timeline is often a table), text boxes and footnotes are
read, inserted tracked changes count and deleted ones do not. ``Block.line`` is the
paragraph number (1-based, counting every paragraph in reading order); pages are unknown.
"""

from __future__ import annotations

import io
import os
import re
import shlex
import zipfile
from dataclasses import dataclass

from lxml import etree

from ..errors import InputError
from ..model import Block, RawDocument
from ..sections import Lexicon, load_lexicon
from .structure import clean_inline, table_block
from .wordproc import Para, Placer, RunText, abstract_style
from .xmlsafe import CHUNK, PrologProbe, looks_like_xml

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = "{%s}" % W_NS
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"

MAX_ENTRIES = 5000
MAX_TOTAL = 200 * 1024 * 1024  # uncompressed bytes of all members
MAX_RATIO = 100  # uncompressed : compressed, for members over BIG_MEMBER
BIG_MEMBER = 10 * 1024 * 1024
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HEADING_STYLE = re.compile(r"^heading\s*([1-9])$", re.I)
_FALSE = {"0", "false", "off", "none"}


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                           remove_comments=True, remove_pis=True)


# -- the zip container -----------------------------------------------------------------

def check_zip(path: str, data: bytes, kind: str = "DOCX", required: str = "[Content_Types].xml") -> zipfile.ZipFile:
    """Open the archive after checking it cannot exhaust memory or hide entities.

    ``kind`` names the package in messages (DOCX, ODT); ``required`` is the member
    without which it is not one.
    """
    if data.startswith(_OLE_MAGIC):
        raise InputError(path, _ole_problem(path, data))
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise InputError(path, f"not a readable {kind}: corrupt or truncated zip ({_first_line(exc)})") from None
    if len(infos) > MAX_ENTRIES:
        raise InputError(path, f"{kind} has {len(infos)} zip entries, over the {MAX_ENTRIES} limit")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise InputError(path, "encrypted zip; save the document without a password")
        total += info.file_size
        if total > MAX_TOTAL:
            raise InputError(path, f"{kind} expands to over {MAX_TOTAL // (1024 * 1024)} MB; refused "
                                   "(possible zip bomb)")
        if info.file_size > BIG_MEMBER and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise InputError(path, f"{kind} member {info.filename} compresses over {MAX_RATIO}:1; refused "
                                   "(possible zip bomb)")
    for info in infos:
        if not info.is_dir():
            _check_member(path, zf, info, kind)
    # The main part may have any name (the package relationships point to it).
    if required not in {i.filename for i in infos}:
        raise InputError(path, f"zip file without {required}: not a {kind}")
    return zf


# An old Word file is an OLE container holding a "WordDocument" stream; an encrypted
# DOCX is one holding "EncryptedPackage" (stream names are UTF-16 in the directory).
_WORD_STREAM = "WordDocument".encode("utf-16-le")
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
def legacy_doc(path: str) -> str:
    """The one line for an old binary Word file: how to convert it."""
    name = shlex.quote(os.path.basename(path) or "FILE.doc")
    return (f"legacy Word .doc format is not read; convert it first: soffice --headless --convert-to docx {name} "
            "(or save it as .docx in Word)")


def _ole_problem(path: str, data: bytes) -> str:
    if _ENCRYPTED_STREAM in data and _WORD_STREAM not in data:
        return "password-protected (encrypted) Word file; save it without a password as .docx"
    if _WORD_STREAM in data:
        return legacy_doc(path)
    return "password-protected (encrypted) Word file or old Office format; save it as an unprotected .docx"


def _check_member(path: str, zf: zipfile.ZipFile, info: zipfile.ZipInfo, kind: str = "DOCX") -> None:
    """Refuse an XML member with a DTD or entities, found by parsing its prolog in its own
    encoding (whatever its name: a relationship can point anywhere); also proves every
    member decompresses cleanly."""
    try:
        with zf.open(info) as fh:
            head = fh.read(CHUNK)
            if looks_like_xml(head):
                probe = PrologProbe()
                chunk = head
                while chunk and not probe.feed(chunk):
                    chunk = fh.read(CHUNK)
                if probe.result.doctype or probe.result.entities:
                    raise InputError(path, f"{info.filename} declares a DTD or entities; refused "
                                           "(possible entity-expansion attack)")
            while fh.read(1 << 20):
                pass
    except InputError:
        raise
    except Exception as exc:  # zipfile, zlib and I/O errors alike
        raise InputError(path, f"not a readable {kind}: {info.filename}: {_first_line(exc)}") from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]


# -- styles ----------------------------------------------------------------------------

@dataclass
class _Style:
    name: str
    based_on: str | None
    bold: bool | None
    outline: int | None


def _on(el: etree._Element | None) -> bool | None:
    if el is None:
        return None
    return (el.get(_W + "val") or "true").lower() not in _FALSE


class _Styles:
    def __init__(self, root: etree._Element | None) -> None:
        self.styles: dict[str, _Style] = {}
        self.default_para: str | None = None
        if root is None:
            return
        for st in root.iter(_W + "style"):
            sid = st.get(_W + "styleId") or ""
            name_el = st.find(_W + "name")
            based = st.find(_W + "basedOn")
            rpr = st.find(_W + "rPr")
            ppr = st.find(_W + "pPr")
            outline = ppr.find(_W + "outlineLvl") if ppr is not None else None
            self.styles[sid] = _Style(
                name=(name_el.get(_W + "val") if name_el is not None else sid) or sid,
                based_on=based.get(_W + "val") if based is not None else None,
                bold=_on(rpr.find(_W + "b")) if rpr is not None else None,
                outline=_int(outline.get(_W + "val")) if outline is not None else None)
            if st.get(_W + "type") == "paragraph" and (st.get(_W + "default") or "").lower() in ("1", "true"):
                self.default_para = sid

    def _chain(self, sid: str | None):
        seen = 0
        while sid and sid in self.styles and seen < 12:
            yield self.styles[sid]
            sid = self.styles[sid].based_on
            seen += 1

    def name(self, sid: str | None) -> str:
        st = self.styles.get(sid or "")
        return (st.name if st else sid or "").strip()

    def bold(self, sid: str | None) -> bool:
        for st in self._chain(sid):
            if st.bold is not None:
                return st.bold
        return False

    def heading_level(self, sid: str | None) -> int | None:
        """1-6 for a heading style, 0 for the Title style, None otherwise."""
        for st in self._chain(sid):
            low = st.name.lower()
            if low in ("title",):
                return 0
            m = _HEADING_STYLE.match(low)
            if m:
                return int(m.group(1))
            if st.outline is not None and 0 <= st.outline <= 8:
                return st.outline + 1
        return None

    def is_caption(self, sid: str | None) -> bool:
        return any(st.name.lower() in ("caption", "table caption", "figure caption") for st in self._chain(sid))

    def is_subtitle(self, sid: str | None) -> bool:
        return any(st.name.lower() == "subtitle" for st in self._chain(sid))

    def abstract(self, sid: str | None) -> str | None:
        """'body' or 'title' for pandoc's and Quarto's Abstract / Abstract Title styles."""
        return abstract_style([st.name for st in self._chain(sid)])


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


# -- paragraph text --------------------------------------------------------------------

_SKIP_TAGS = {"pPr", "rPr", "instrText", "delText", "del", "moveFrom", "fldSimple_instr", "sdtPr",
              "annotationRef", "footnoteRef", "endnoteRef", "separator",
              "continuationSeparator", "lastRenderedPageBreak", "proofErr", "bookmarkStart", "bookmarkEnd"}


@dataclass
class _Para:
    text: str
    bold_only: bool
    boxes: list[etree._Element]
    notes: list[tuple[str, str]]  # (footnote|endnote, id)
    comments: list[str]  # ids of the review comments anchored here


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


class _ParaText(RunText):
    """Text of one w:p: inserted text counts, deleted text does not; text boxes set aside."""

    def __init__(self, styles: _Styles, para_style: str | None) -> None:
        super().__init__()
        self.styles = styles
        self.para_bold = styles.bold(para_style)
        self.boxes: list[etree._Element] = []
        self.notes: list[tuple[str, str]] = []
        self.comments: list[str] = []

    def run_bold(self, run: etree._Element) -> bool:
        rpr = run.find(_W + "rPr")
        if rpr is not None:
            b = _on(rpr.find(_W + "b"))
            if b is not None:
                return b
            rstyle = rpr.find(_W + "rStyle")
            if rstyle is not None and self.styles.bold(rstyle.get(_W + "val")):
                return True
        return self.para_bold

    def walk(self, el: etree._Element, bold: bool = False) -> None:
        for child in el:
            name = _local(child.tag)
            if name in _SKIP_TAGS:
                continue
            if child.tag == "{%s}Fallback" % MC_NS:
                continue  # the VML copy of a text box already read from mc:Choice
            if name == "txbxContent":
                self.boxes.append(child)
                continue
            if name == "r":
                self.walk(child, self.run_bold(child))
            elif name == "t":
                self.add(child.text or "", bold)
            elif name == "tab" and _local(el.tag) == "r":
                self.parts.append("\t")
            elif name in ("br", "cr"):
                self.parts.append(" ")  # a soft line break inside a paragraph, not a new sentence
            elif name == "noBreakHyphen":
                self.parts.append("-")
            elif name in ("footnoteReference", "endnoteReference"):
                self.notes.append((name[:-9], child.get(_W + "id") or ""))
            elif name in ("commentRangeStart", "commentReference"):
                self.comments.append(child.get(_W + "id") or "")
            else:
                self.walk(child, bold)


def _para(p: etree._Element, styles: _Styles) -> tuple[_Para, str | None]:
    sid = _style_id(p) or styles.default_para
    pt = _ParaText(styles, sid)
    pt.walk(p)
    text = "".join(pt.parts)
    return _Para(text, pt.all_bold, pt.boxes, pt.notes, pt.comments), sid


def _style_id(p: etree._Element) -> str | None:
    ppr = p.find(_W + "pPr")
    ps = ppr.find(_W + "pStyle") if ppr is not None else None
    return ps.get(_W + "val") if ps is not None else None


def _outline(p: etree._Element) -> int | None:
    ppr = p.find(_W + "pPr")
    if ppr is None:
        return None
    ol = ppr.find(_W + "outlineLvl")
    return _int(ol.get(_W + "val")) if ol is not None else None


# -- the reader ------------------------------------------------------------------------

def read_bytes_(path: str, data: bytes, lexicon: Lexicon | None = None) -> RawDocument:
    """Read DOCX bytes into a RawDocument; hostile or broken files raise InputError."""
    lex = lexicon or load_lexicon()
    zf = check_zip(path, data)
    try:
        import docx  # python-docx

        document = docx.Document(io.BytesIO(data))
        body = document.element.body
        styles_root = None
        try:
            styles_root = document.styles.element
        except Exception:  # no styles part: plain defaults
            styles_root = None
        notes = _notes(document)
        comments = _comments(document)
        keywords = document.core_properties.keywords or ""
    except InputError:
        raise
    except Exception as exc:
        raise InputError(path, f"not a readable DOCX ({_first_line(exc)})") from None
    finally:
        zf.close()
    try:
        return _Reader(path, lex, _Styles(styles_root), notes, comments).read(body, keywords)
    except RecursionError:
        raise InputError(path, "DOCX nests too deeply to read") from None


def _notes(document) -> dict[tuple[str, str], list[etree._Element]]:
    """Footnote and endnote paragraphs by (kind, id), parsed with the hardened parser."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    out: dict[tuple[str, str], list[etree._Element]] = {}
    for rel in document.part.rels.values():
        if rel.is_external or rel.reltype not in (RT.FOOTNOTES, RT.ENDNOTES):
            continue
        kind = "footnote" if rel.reltype == RT.FOOTNOTES else "endnote"
        root = etree.fromstring(rel.target_part.blob, _parser())
        for note in root:
            if _local(note.tag) not in ("footnote", "endnote"):
                continue
            if (note.get(_W + "type") or "normal") != "normal":
                continue  # separators
            out[(kind, note.get(_W + "id") or "")] = [p for p in note.iter(_W + "p")]
    return out


def _comments(document) -> dict[str, str]:
    """Review comments (word/comments.xml) by id: their text, never read as manuscript text."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    out: dict[str, str] = {}
    for rel in document.part.rels.values():
        if rel.is_external or rel.reltype != RT.COMMENTS:
            continue
        root = etree.fromstring(rel.target_part.blob, _parser())
        for c in root:
            if _local(c.tag) == "comment":
                out[c.get(_W + "id") or ""] = "\n".join("".join(p.itertext()).strip()
                                                        for p in c.iter(_W + "p"))
    return out


class _Reader:
    def __init__(self, path: str, lex: Lexicon, styles: _Styles,
                 notes: dict[tuple[str, str], list[etree._Element]], comments: dict[str, str] | None = None) -> None:
        self.path = path
        self.comments = comments or {}
        self.comment_lines: dict[str, int] = {}
        self.lex = lex
        self.styles = styles
        self.notes = notes
        self.placer = Placer(lex)
        self.b = self.placer.b
        self.n = 0  # paragraph number
        self.note_refs: list[tuple[tuple[str, str], int]] = []

    def read(self, body: etree._Element, keywords: str = "") -> RawDocument:
        self._container(body, depth=0)
        seen: set[tuple[str, str]] = set()
        opened = False
        for key, line in self.note_refs:
            if key in seen or key not in self.notes:
                continue
            seen.add(key)
            if not opened:
                self.b.heading("Footnotes", 1, line)
                opened = True
            for p in self.notes[key]:
                para, _ = _para(p, self.styles)
                self.b.paragraph(para.text, line)
        if not any(b.text.strip() for s in self.b.sections for b in s.blocks) and self.b.title is None:
            raise InputError(self.path, "DOCX has no text")
        doc = self.placer.build(self.path, "docx", keywords)
        doc.comments = [Block(text, self.comment_lines.get(cid, 1)) for cid, text in self.comments.items() if text]
        return doc

    def _container(self, el: etree._Element, depth: int) -> None:
        for child in el:
            name = _local(child.tag)
            if name == "p":
                self._paragraph(child, depth)
            elif name == "tbl":
                self._table(child, depth)
            elif name in ("sdt", "customXml", "ins", "moveTo", "smartTag"):
                content = child.find(_W + "sdtContent") if name == "sdt" else child
                if content is not None:
                    self._container(content, depth)
            elif name in ("sdtContent",):
                self._container(child, depth)
            # w:sectPr, w:del, w:moveFrom, w:altChunk, bookmarks: nothing to read

    def _paragraph(self, p: etree._Element, depth: int) -> None:
        self.n += 1
        line = self.n
        para, sid = _para(p, self.styles)
        for kind_id in para.notes:
            self.note_refs.append((kind_id, line))
        for cid in para.comments:
            self.comment_lines.setdefault(cid, line)
        text = clean_inline(para.text)
        if text:
            self._place(text, line, para.bold_only, sid, p)
        for box in para.boxes:
            if depth < 4:
                self._container(box, depth + 1)

    def _place(self, text: str, line: int, bold_only: bool, sid: str | None, p: etree._Element) -> None:
        level = self.styles.heading_level(sid)
        outline = _outline(p)
        if outline is not None and 0 <= outline <= 8:
            level = outline + 1
        self.placer.place(Para(text, line, bold_only, level, self.styles.is_caption(sid), self.styles.is_subtitle(sid),
                               self.styles.abstract(sid), self._before_abstract(p)))

    def _before_abstract(self, p: etree._Element) -> bool:
        """Whether the next paragraph with text has the Abstract style (pandoc's abstract headings)."""
        nxt = p.getnext()
        for _ in range(20):  # past bookmarks and empty paragraphs, not further
            if nxt is None:
                return False
            name = _local(nxt.tag)
            if name == "p" and "".join(nxt.itertext()).strip():
                return self.styles.abstract(_style_id(nxt) or self.styles.default_para) == "body"
            if name not in ("p", "bookmarkStart", "bookmarkEnd"):
                return False
            nxt = nxt.getnext()
        return False

    def _table(self, tbl: etree._Element, depth: int) -> None:
        rows: list[list[etree._Element]] = []
        for tr in tbl.iter(_W + "tr"):
            if _nearest_table(tr) is not tbl:
                continue
            trpr = tr.find(_W + "trPr")
            if trpr is not None and trpr.find(_W + "del") is not None:
                continue  # a deleted row (tracked change)
            rows.append([tc for tc in tr.iter(_W + "tc") if _nearest_row(tc) is tr])
        texts = [[self._cell_text(tc) for tc in row] for row in rows]
        width = max((len(r) for r in rows), default=0)
        longest = max((len(t) for r in texts for t in r), default=0)
        if width <= 1 or longest > 600:
            # A layout table (one column, or whole paragraphs in cells): read its content as text.
            for row in rows:
                for tc in row:
                    if depth < 4:
                        self._container(tc, depth + 1)
            return
        first_line = self.n + 1
        self.n += sum(1 for _ in tbl.iter(_W + "p"))
        block = table_block(["\t".join(r) for r in texts], first_line)
        if block is not None:
            self.b.block(block)

    def _cell_text(self, tc: etree._Element) -> str:
        parts = []
        for p in tc.iter(_W + "p"):
            para, _ = _para(p, self.styles)
            if para.text.strip():
                parts.append(" ".join(para.text.split()))
        return " ".join(parts)


def _nearest_table(el: etree._Element) -> etree._Element | None:
    parent = el.getparent()
    while parent is not None and parent.tag != _W + "tbl":
        parent = parent.getparent()
    return parent


def _nearest_row(el: etree._Element) -> etree._Element | None:
    parent = el.getparent()
    while parent is not None and parent.tag != _W + "tr":
        parent = parent.getparent()
    return parent


__all__ = ["read_bytes_", "check_zip"]
