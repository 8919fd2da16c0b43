"""JATS XML articles (PMC style), with or without a namespace or an OAI-PMH envelope.

Parsed with lxml under a hardened parser: no DTD loading, no entity expansion, no
network. A document whose DOCTYPE declares entities is refused outright (the entity-bomb
family of attacks needs them, and JATS articles do not); the prolog is parsed for this, so
the encoding (UTF-16 too) or a long comment before it makes no difference. A DOCTYPE that
only names the JATS DTD is fine: the DTD is never loaded.
"""

from __future__ import annotations

import re

from lxml import etree

from ..errors import InputError
from ..model import Block, RawDocument, RawSection
from ..sections import Lexicon, load_lexicon
from .xmlsafe import prolog

_SKIP = {"xref-group", "graphic", "inline-graphic", "media", "alternatives", "object-id", "tex-math",
         "mml:math", "math", "ref-list", "fn-group", "glossary", "table-wrap-foot"}
_FN_KIND = {"conflict": "competing_interests", "coi-statement": "competing_interests",
            "financial-disclosure": "funding", "supported-by": "funding", "con": "author_contributions",
            "ethics-statement": "ethics", "consent-statement": "consent"}
_NOTES_KIND = {"funding-information": "funding", "coi-statement": "competing_interests",
               "author-contribution": "author_contributions", "data-availability": "data_availability",
               "ethics-statement": "ethics", "consent-statement": "consent"}


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, remove_comments=True, remove_pis=True, recover=False)


def _local(tag: object) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def _text(el: etree._Element) -> str:
    """All text under an element, with table cells and list items kept apart."""
    parts: list[str] = []
    for node in el.iter():
        name = _local(node.tag)
        if name in ("td", "th") and parts:
            parts.append("\t")
        elif name == "tr" and parts:
            parts.append("\n")
        if node is not el and name in ("fn", "table-wrap-foot"):
            continue
        if node.text and name not in ("label",) or (node.text and node is el):
            parts.append(node.text)
        if node is not el and node.tail:
            parts.append(node.tail)
    text = "".join(parts)
    return re.sub(r"[ \u00a0]+", " ", text).strip()


def read_bytes_(path: str, data: bytes, lexicon: Lexicon | None = None) -> RawDocument:
    """Parse JATS bytes into a RawDocument; malformed or hostile XML raises InputError."""
    lex = lexicon or load_lexicon()
    declared = prolog(data)  # parsed up to the root element, in the file's own encoding
    if declared.entities:
        raise InputError(path, "XML declares entities; refused (possible entity-expansion attack)")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise InputError(path, f"malformed XML: {exc.msg if hasattr(exc, 'msg') else exc}") from None
    except ValueError as exc:
        raise InputError(path, f"malformed XML: {exc}") from None
    article = root if _local(root.tag) == "article" else next(
        (e for e in root.iter() if _local(e.tag) == "article"), None)
    if article is None:
        raise InputError(path, "XML without a JATS <article> element")
    return _Builder(path, lex).build(article)


class _Builder:
    def __init__(self, path: str, lex: Lexicon) -> None:
        self.path = path
        self.lex = lex
        self.sections: list[RawSection] = []

    def build(self, article: etree._Element) -> RawDocument:
        title, title_line = None, 1
        meta = self._first(article, "article-meta")
        if meta is not None:
            t = self._first(meta, "article-title")
            if t is not None:
                title, title_line = _text(t), t.sourceline or 1
            self._abstract(meta)
            for kg in (e for e in meta.iter() if _local(e.tag) == "kwd-group"):
                kwds = [_text(k) for k in kg.iter() if _local(k.tag) == "kwd"]
                if kwds:
                    self.sections.append(RawSection("Keywords", 1, kg.sourceline or 1,
                                                    [Block("; ".join(kwds), kg.sourceline or 1)], hint="keywords"))
            for notes in (e for e in meta.iter() if _local(e.tag) in ("author-notes",)):
                for fn in (e for e in notes if _local(e.tag) == "fn"):
                    self._footnote(fn)
        for child in article:
            name = _local(child.tag)
            if name == "body":
                self._container(child, 1, "")
            elif name == "back":
                self._back(child)
        return RawDocument(path=self.path, format="jats", title=title, title_line=title_line, marked_front=True,
                           sections=[s for s in self.sections if s.heading or s.blocks])

    @staticmethod
    def _first(el: etree._Element, name: str) -> etree._Element | None:
        return next((e for e in el.iter() if _local(e.tag) == name), None)

    def _abstract(self, meta: etree._Element) -> None:
        abstracts = [e for e in meta.iter() if _local(e.tag) == "abstract"]
        main = [a for a in abstracts if a.get("abstract-type") in (None, "summary", "structured", "executive-summary")]
        for ab in main[:1] or abstracts[:1]:
            self.sections.append(RawSection("Abstract", 1, ab.sourceline or 1, hint="abstract"))
            for child in ab:
                name = _local(child.tag)
                if name == "sec":
                    t = self._first(child, "title")
                    heading = _text(t) if t is not None else ""
                    part = self.lex.abstract_part(heading) or "abstract"
                    rs = RawSection(heading, 2, child.sourceline or 1, hint=part)
                    for p in child.iter():
                        if _local(p.tag) == "p":
                            rs.blocks.append(Block(_text(p), p.sourceline or 1))
                    self.sections.append(rs)
                elif name == "p":
                    self._paragraph(child)

    def _current(self, line: int) -> RawSection:
        if not self.sections:
            self.sections.append(RawSection("", 1, line))
        return self.sections[-1]

    def _paragraph(self, p: etree._Element) -> None:
        text = _text(p)
        if not text:
            return
        line = p.sourceline or 1
        glued = self.lex.split_glued(text)
        if glued and self.lex.kind_of(glued[0]) is not None:
            self.sections.append(RawSection(glued[0], 3, line, [Block(glued[1], line)]))
            return
        self._current(line).blocks.append(Block(text, line))

    def _container(self, el: etree._Element, level: int, heading: str) -> None:
        for child in el:
            name = _local(child.tag)
            if name == "sec":
                t = next((c for c in child if _local(c.tag) == "title"), None)
                head = _text(t) if t is not None else ""
                self.sections.append(RawSection(head, level, child.sourceline or 1))
                self._container(child, level + 1, head)
                # Text after a sub-section returns to the parent's heading context.
                self.sections.append(RawSection("", level, child.sourceline or 1))
            elif name in ("p", "disp-quote", "list", "def-list", "statement", "speech", "verse-group"):
                if name == "p":
                    self._paragraph(child)
                else:
                    for p in (e for e in child.iter() if _local(e.tag) == "p") or [child]:
                        self._paragraph(p)
            elif name in ("fig", "table-wrap", "fig-group", "table-wrap-group", "boxed-text", "supplementary-material"):
                self._float(child, level)
            elif name in ("title", "label") or name in _SKIP:
                continue
            elif name == "notes":
                self._notes(child)

    def _float(self, el: etree._Element, level: int) -> None:
        label_el = next((c for c in el if _local(c.tag) == "label"), None)
        caption_el = next((c for c in el if _local(c.tag) == "caption"), None)
        label = _text(label_el) if label_el is not None else ""
        caption = _text(caption_el) if caption_el is not None else ""
        line = el.sourceline or 1
        rs = RawSection(label or _local(el.tag), level + 1, line, hint="caption")
        if caption or label:
            rs.blocks.append(Block(f"{label} {caption}".strip(), line, kind="caption"))
        for table in (e for e in el.iter() if _local(e.tag) == "table"):
            rows = ["\t".join(_text(c) for c in tr if _local(c.tag) in ("td", "th"))
                    for tr in table.iter() if _local(tr.tag) == "tr"]
            if rows:
                rs.blocks.append(Block("\n".join(rows), table.sourceline or line, kind="table"))
        if _local(el.tag) == "boxed-text":
            for p in (e for e in el.iter() if _local(e.tag) == "p"):
                rs.blocks.append(Block(_text(p), p.sourceline or line))
        self.sections.append(rs)
        self.sections.append(RawSection("", level, line))

    def _footnote(self, fn: etree._Element) -> None:
        kind = _FN_KIND.get((fn.get("fn-type") or "").lower())
        title = next((c for c in fn if _local(c.tag) in ("title", "label")), None)
        heading = _text(title) if title is not None else ""
        rs = RawSection(heading, 2, fn.sourceline or 1, hint=kind)
        self.sections.append(rs)
        for p in (e for e in fn.iter() if _local(e.tag) == "p"):
            self._paragraph(p)

    def _notes(self, notes: etree._Element) -> None:
        t = next((c for c in notes if _local(c.tag) == "title"), None)
        heading = _text(t) if t is not None else ""
        kind = _NOTES_KIND.get((notes.get("notes-type") or "").lower())
        self.sections.append(RawSection(heading, 1, notes.sourceline or 1, hint=kind))
        self._container(notes, 2, heading)

    def _back(self, back: etree._Element) -> None:
        for child in back:
            name = _local(child.tag)
            line = child.sourceline or 1
            if name == "ack":
                self.sections.append(RawSection("Acknowledgements", 1, line, hint="acknowledgements"))
                self._container(child, 2, "Acknowledgements")
            elif name == "sec":
                t = next((c for c in child if _local(c.tag) == "title"), None)
                self.sections.append(RawSection(_text(t) if t is not None else "", 1, line))
                self._container(child, 2, "")
            elif name == "notes":
                self._notes(child)
            elif name == "fn-group":
                for fn in (e for e in child if _local(e.tag) == "fn"):
                    self._footnote(fn)
            elif name == "ref-list":
                refs = [_text(r) for r in child.iter() if _local(r.tag) == "ref"]
                self.sections.append(RawSection("References", 1, line,
                                                [Block(r, line) for r in refs[:500]], hint="references"))
            elif name in ("app-group", "app"):
                self.sections.append(RawSection("Appendix", 1, line, hint="supplementary"))
                self._container(child, 2, "Appendix")
