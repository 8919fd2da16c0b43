"""HTML pages saved from a browser: PubMed, PMC and publisher article pages.

Parsed with lxml.html (no network, no entity expansion; a page that declares entities is
refused). Site chrome is dropped before reading: scripts, styles, navigation, site
headers and footers (those outside the article), asides, forms, dialogs, cookie banners
and hidden elements. The article is the largest ``<article>`` or ``<main>`` when it holds
most of the text, else the body.

The title comes from ``citation_title`` (or ``dc.title``/``og:title``), else the first
``<h1>``, else ``<title>``; keywords from a "Keywords" block in the page or the
``citation_keywords`` meta tags; the abstract from an element whose class or id names
it (or a heading "Abstract"); sections from ``<h1>``–``<h6>``. Reference lists are kept
as ``references`` sections. ``Block.line`` is the source line of the element.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml import html as lhtml

from ..errors import InputError
from ..model import Block, RawDocument, RawSection
from ..sections import Lexicon, load_lexicon
from .structure import SectionBuilder, table_block

_ENTITY_DECL = re.compile(r"<!ENTITY", re.I)
_DROP_TAGS = {"script", "style", "noscript", "template", "nav", "aside", "form", "button", "select", "input",
              "textarea", "iframe", "object", "embed", "svg", "math", "canvas", "video", "audio", "dialog",
              "menu", "link", "meta", "img", "picture", "source", "map"}
_DROP_ROLES = {"navigation", "banner", "contentinfo", "dialog", "alertdialog", "search", "menu", "menubar",
               "toolbar", "complementary", "tablist"}
_CHROME = re.compile(
    r"(?:^|[\s_-])(?:cookie|cookies|gdpr|consent-banner|cc-banner|onetrust|truste|osano|"
    r"breadcrumbs?|skip-?link|share|social|sharing|advert|advertisement|ads|sidebar|"
    r"related|recommended|similar-articles|newsletter|signup|login|paywall|modal|popup|toast|"
    r"site-header|site-footer|page-header|page-footer|masthead|toc|table-of-contents|"
    r"article-tools|metrics|altmetric|citation-tools|download|print-only|sr-only|visually-hidden)"
    r"(?:$|[\s_-])", re.I)
_ABSTRACT = re.compile(r"(?:^|[\s_-])(?:abstract|abstracts|summary|article-summary)(?:$|[\s_-])", re.I)
_NOT_ABSTRACT = re.compile(r"graphical|link|toggle|button|nav|title|heading|teaser", re.I)
_REFS = re.compile(r"(?:^|[\s_-])(?:ref-list|references?|reference-list|bibliography|citation-list|"
                   r"backmatter-references|refs)(?:$|[\s_-])", re.I)
_KEYWORDS_CLASS = re.compile(r"(?:^|[\s_-])(?:keywords?|kwd-group|kwd)(?:$|[\s_-])", re.I)
_HEADING = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BLOCK_TAGS = {"p", "div", "section", "article", "main", "body", "ul", "ol", "li", "dl", "dt", "dd", "table",
               "thead", "tbody", "tfoot", "tr", "td", "th", "blockquote", "pre", "figure", "figcaption", "h1",
               "h2", "h3", "h4", "h5", "h6", "header", "footer", "address", "caption", "details", "summary",
               "fieldset", "hr", "center", "hgroup"}
_TITLE_SUFFIX = re.compile(r"\s*(?:[|\-–—:]\s*(?:PMC|PubMed|NCBI|Europe PMC|ScienceDirect|Wiley|Springer|"
                           r"[A-Z][^|\-–—]{0,60})\s*)+$")


def _classes(el: etree._Element) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}".strip()


def _hidden(el: etree._Element) -> bool:
    if el.get("hidden") is not None or (el.get("aria-hidden") or "").lower() == "true":
        return True
    style = (el.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


def read(path: str, text: str, lexicon: Lexicon | None = None) -> RawDocument:
    """Read an HTML page (decoded text) into headings and blocks with source lines."""
    lex = lexicon or load_lexicon()
    if _ENTITY_DECL.search(text):  # the whole decoded page, in whatever encoding it came
        raise InputError(path, "HTML declares entities; refused (possible entity-expansion attack)")
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)  # lxml refuses a str with an encoding declaration
    # huge_tree lifts libxml2's nesting cap from 256 to 2,048 levels (beyond it libxml2 drops
    # the rest of the page, which is refused below); HTML has no entity declarations to expand.
    parser = lhtml.HTMLParser(no_network=True, remove_comments=True, remove_pis=True, huge_tree=True,
                              recover=True, default_doctype=False)
    try:
        root = lhtml.document_fromstring(text, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise InputError(path, f"cannot parse HTML: {str(exc).splitlines()[0] if str(exc) else 'empty'}") from None
    if root is None:
        raise InputError(path, "cannot parse HTML: no document")
    if any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log):
        raise InputError(path, "HTML nests too deeply to read (over 2,048 levels)")
    try:
        return _Reader(path, lex, root).read()
    except RecursionError:
        raise InputError(path, "HTML nests too deeply to read") from None


class _Reader:
    def __init__(self, path: str, lex: Lexicon, root: etree._Element) -> None:
        self.path = path
        self.lex = lex
        self.root = root
        self.b = SectionBuilder(lex)
        self.keywords_seen = False
        self.title_el: etree._Element | None = None
        self.depth = 0
        self.abstract_head: RawSection | None = None  # the heading that opened the abstract, if one did

    # -- setup ----------------------------------------------------------------------
    def _meta(self, *names: str) -> list[tuple[str, int]]:
        out = []
        for m in self.root.iter("meta"):
            name = (m.get("name") or m.get("property") or "").strip().lower()
            if name in names and (m.get("content") or "").strip():
                out.append((" ".join(m.get("content").split()), m.sourceline or 1))
        return out

    def _clean(self) -> None:
        """Drop site chrome in place."""
        doomed = []
        for el in self.root.iter():
            if not isinstance(el.tag, str):
                doomed.append(el)
                continue
            tag = el.tag.lower()
            if tag in _DROP_TAGS or tag == "head":
                doomed.append(el)
                continue
            role = (el.get("role") or "").lower()
            if role in _DROP_ROLES or _hidden(el):
                doomed.append(el)
                continue
            if tag in ("header", "footer") and not any(a.tag in ("article", "main") for a in el.iterancestors()) \
                    and not (tag == "header" and _holds_abstract(el)):
                doomed.append(el)  # a site header; pandoc's title block, holding the abstract, is kept
                continue
            cls = _classes(el)
            if cls and _CHROME.search(cls) and not _ABSTRACT.search(cls) and not _REFS.search(cls):
                doomed.append(el)
        for el in doomed:
            parent = el.getparent()
            if parent is None:
                continue
            if el.tail and el.tail.strip():
                prev = el.getprevious()
                if prev is not None:
                    prev.tail = (prev.tail or "") + el.tail
                else:
                    parent.text = (parent.text or "") + el.tail
            parent.remove(el)

    def _content_root(self) -> etree._Element:
        body = self.root.find("body")
        if body is None:
            body = self.root
        total = len(" ".join(body.text_content().split())) or 1
        best = None
        for tag in ("article", "main"):
            cands = [e for e in body.iter(tag)]
            if cands:
                el = max(cands, key=lambda e: len(" ".join(e.text_content().split())))
                if len(" ".join(el.text_content().split())) >= 0.5 * total:
                    best = el
                    break
        for el in body.iter():
            if el.get("role") == "main" and best is None:
                best = el
        return best if best is not None else body

    def _title(self) -> None:
        metas = self._meta("citation_title", "dc.title", "og:title", "twitter:title")
        h1 = next((h for h in self.root.iter("h1") if " ".join(h.text_content().split())), None)
        if metas:
            title, line = metas[0]
            # The page's own h1 usually repeats the title; read it there, not twice.
            if h1 is not None and _norm(h1.text_content()) == _norm(title):
                self.title_el, line = h1, h1.sourceline or line
            self.b.set_title(title, line)
            return
        if h1 is not None and self.lex.kind_of(h1.text_content()) is None:
            self.title_el = h1
            self.b.set_title(h1.text_content(), h1.sourceline or 1)
            return
        t = self.root.find(".//title")
        if t is not None and (t.text or "").strip():
            self.b.set_title(_TITLE_SUFFIX.sub("", " ".join(t.text.split())), t.sourceline or 1)

    # -- read -------------------------------------------------------------------------
    def read(self) -> RawDocument:
        self._title()
        meta_kwds = self._meta("citation_keywords", "keywords", "dc.subject")
        self._clean()
        content = self._content_root()
        self._walk(content, 1)
        self._flush_abstract()
        if not self.keywords_seen and meta_kwds:
            words = "; ".join(k for k, _ in meta_kwds)
            line = meta_kwds[0][1]
            self._insert_keywords(words, line)
        doc = self.b.build(self.path, "html", marked_front=True, levels_are_meaningful=True)
        if not any(b.text.strip() for s in doc.sections for b in s.blocks) and not doc.title:
            raise InputError(self.path, "HTML page has no text")
        return doc

    def _insert_keywords(self, words: str, line: int) -> None:
        """Keywords from the meta tags, placed after the abstract (or first)."""
        from ..model import RawSection

        rs = RawSection("Keywords", 1, line, [Block(words, line)], hint="keywords")
        sections = self.b.sections
        idx = 0
        for k, s in enumerate(sections):
            if s.hint and s.hint.startswith("abstract"):
                idx = k + 1
        sections.insert(idx, rs)
        if idx < len(sections) - 1:
            sections.insert(idx + 1, RawSection("", 1, line))

    def _ends_abstract(self, heading: str, level: int) -> bool:
        """Whether a heading met inside an abstract ends it.

        A heading that names no abstract part ends it; so, in an abstract opened by a
        heading (not bounded by its own element), does one at the abstract heading's level
        or above (LibreOffice's <h2>Abstract</h2> … <h2>Introduction</h2>), and any heading
        after an abstract written as plain paragraphs.
        """
        if self.lex.abstract_part(heading) is None:
            return True
        head = self.abstract_head
        if head is None:
            return False
        return level <= head.level or (self.b.current is head and bool(head.blocks))

    def _flush_abstract(self) -> None:
        if self.b.in_abstract:
            self.b.in_abstract = False
            self.b.untitled(1, self.b.current.line)

    def _walk(self, el: etree._Element, level: int) -> None:
        self.depth += 1
        try:
            if self.depth > 200:
                # Deeper than any real page: its text is read flat, as one paragraph.
                flat = " ".join(" ".join(el.itertext()).split())
                if flat:
                    self._paragraph_text(flat, el.sourceline or 1)
                return
            self._walk_children(el, level)
        finally:
            self.depth -= 1

    def _walk_children(self, el: etree._Element, level: int) -> None:
        if el.text and el.text.strip() and _has_block_child(el):
            self._paragraph_text(el.text.replace("\n", " "), el.sourceline or 1)
        for child in el:
            if not isinstance(child.tag, str):
                continue
            self._element(child, level)
            if child.tail and child.tail.strip() and _has_block_child(el):
                self._paragraph_text(child.tail.replace("\n", " "), child.sourceline or 1)

    def _element(self, el: etree._Element, level: int) -> None:
        tag = el.tag.lower()
        line = el.sourceline or 1
        cls = _classes(el)
        if el is self.title_el:
            return
        if tag in _HEADING:
            text = _text(el)
            if not text:
                return
            if self.b.in_abstract and not _ABSTRACT_HEAD.match(text) and self._ends_abstract(text, _HEADING[tag]):
                self._flush_abstract()
            if _ABSTRACT_HEAD.match(text) and not self.b.in_abstract:
                self.abstract_head = self.b.heading(text, _HEADING[tag], line, hint="abstract")
                self.b.in_abstract = True
                return
            if self.b.in_abstract and _ABSTRACT_HEAD.match(text):
                return  # the abstract container's own heading, already opened
            self.b.heading(text, _HEADING[tag], line)
            if self.lex.kind_of(text) == "keywords":
                self.keywords_seen = True
            return
        if _is_abstract(el) and not self.b.in_abstract and _text(el):
            self.abstract_head = None  # the container, not a heading, bounds this abstract
            self.b.heading("Abstract", 1, line, hint="abstract")
            self.b.in_abstract = True
            self._walk(el, level + 1)
            self._flush_abstract()
            return
        if tag in ("section", "div", "ol", "ul") and cls and _REFS.search(cls) and len(_text(el)) > 40:
            self._flush_abstract()
            self._references(el, line)
            return
        if tag in ("section", "div", "p", "ul") and cls and _KEYWORDS_CLASS.search(cls) and len(_text(el)) < 1500:
            self._keywords_block(el, line)
            return
        if tag == "table":
            self._table(el, line)
            return
        if tag == "figure":
            cap = el.find(".//figcaption")
            tables = []
            for t in el.iter("table"):
                block = table_block(_rows(t), t.sourceline or line)
                if block is not None:
                    tables.append(block)
            if cap is not None and _text(cap):
                self.b.caption(_text(cap), cap.sourceline or line, tables=tables)
            else:
                for blk in tables:
                    self.b.block(blk)
            return
        if tag in ("ul", "ol", "dl"):
            for item in el:
                if isinstance(item.tag, str) and item.tag.lower() in ("li", "dt", "dd"):
                    if _has_block_child(item):
                        self._walk(item, level)
                    else:
                        self._paragraph_text(_inline(item), item.sourceline or line)
            return
        if tag in ("br", "hr"):
            return
        if tag in _BLOCK_TAGS and _has_block_child(el):
            self._walk(el, level + 1 if tag in ("section", "article") else level)
            return
        # A leaf block (p, li, td…) or an inline element standing between blocks.
        self._paragraph_text(_inline(el), line)

    def _paragraph_text(self, text: str, line: int) -> None:
        text = "\n".join(" ".join(ln.split()) for ln in text.split("\n"))
        text = text.strip()
        if not text:
            return
        m = re.match(r"^(key\s*words?|index terms)\s*[:.—–-]\s*(.+)$", text, re.I | re.S)
        if m:
            self._keywords_text(m.group(2), line)
            return
        if self.b.in_abstract and _ABSTRACT_HEAD.match(text):
            return  # the abstract's own title as a <div> (pandoc's abstract-title, Quarto's block-title)
        self.b.paragraph(text, line)

    def _keywords_text(self, words: str, line: int) -> None:
        self.keywords_seen = True
        was_abstract = self.b.in_abstract
        self.b.in_abstract = False
        self.b.heading("Keywords", 1, line, hint="keywords")
        self.b.block(Block(" ".join(words.split()), line))
        self.b.untitled(1, line)
        if was_abstract:
            self.b.in_abstract = False

    def _keywords_block(self, el: etree._Element, line: int) -> None:
        items = [_text(k) for k in el.iter() if isinstance(k.tag, str) and k.tag.lower() in ("li", "a", "span", "kwd")
                 and _text(k) and not _has_block_child(k)]
        text = _text(el)
        m = re.match(r"^(?:key\s*words?|index terms)\s*[:.—–-]?\s*(.*)$", text, re.I | re.S)
        words = "; ".join(i for i in items if not re.match(r"^key\s*words?\s*:?$", i, re.I)) if items else (
            m.group(1) if m else text)
        if words.strip():
            self._keywords_text(words, line)

    def _references(self, el: etree._Element, line: int) -> None:
        items = [li for li in el.iter("li")] or [p for p in el.iter("p")]
        refs = [_text(li) for li in items if _text(li)]
        heading = next((_text(h) for h in el.iter(*_HEADING) if _text(h)), "References")
        self.b.heading(heading, 1, line, hint="references")
        for li, ref in zip(items, refs[:500]):
            self.b.block(Block(ref, li.sourceline or line))

    def _table(self, el: etree._Element, line: int) -> None:
        cap = el.find("caption")
        rows = _rows(el)
        block = table_block(rows, line)
        if cap is not None and _text(cap):
            self.b.caption(_text(cap), cap.sourceline or line, tables=[block] if block else [])
        elif block is not None:
            if len(rows) <= 1 or max(len(r.split("\t")) for r in rows) <= 1:
                # A layout table: read its cells as text.
                for cell in el.iter("td", "th"):
                    self._walk(cell, 1) if _has_block_child(cell) else self._paragraph_text(_inline(cell),
                                                                                        cell.sourceline or line)
                return
            self.b.block(block)


_ABSTRACT_HEAD = re.compile(r"^\s*(?:abstract|summary|structured abstract)\s*:?\s*$", re.I)


def _is_abstract(el: etree._Element) -> bool:
    """An element whose class or id says it holds the abstract."""
    cls = _classes(el)
    return (el.tag in ("section", "div", "article") and bool(cls) and bool(_ABSTRACT.search(cls))
            and not _NOT_ABSTRACT.search(cls))


def _holds_abstract(el: etree._Element) -> bool:
    return any(_is_abstract(d) for d in el.iter("section", "div", "article"))


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().lower()


def _has_block_child(el: etree._Element) -> bool:
    """Whether a block element (p, div, table…) lies anywhere below ``el``."""
    for c in el.iter():
        if c is not el and isinstance(c.tag, str) and c.tag.lower() in _BLOCK_TAGS:
            return True
    return False


def _inline(el: etree._Element) -> str:
    """Text of an element with <br> as a line break and citation marks like [1] kept short."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        if node.text:
            parts.append(node.text.replace("\n", " "))
        for child in node:
            if isinstance(child.tag, str):
                tag = child.tag.lower()
                if tag == "br":
                    parts.append("\n")
                elif tag not in _DROP_TAGS:
                    walk(child)
            if child.tail:
                parts.append(child.tail.replace("\n", " "))

    walk(el)
    return "".join(parts)


def _text(el: etree._Element) -> str:
    return " ".join(_inline(el).split())


def _rows(table: etree._Element) -> list[str]:
    rows = []
    for tr in table.iter("tr"):
        if next((a for a in tr.iterancestors("table")), None) is not table:
            continue
        cells = [_text(c) for c in tr if isinstance(c.tag, str) and c.tag.lower() in ("td", "th")]
        rows.append("\t".join(cells))
    return rows


__all__ = ["read"]
