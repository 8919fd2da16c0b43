"""What a word processor's paragraph is: title, heading, caption, abstract or text.

DOCX and OpenDocument text differ in markup but not in how authors use them: headings come
from paragraph styles (Title, Heading 1-6, an outline level), from short bold-only lines or
from numbered lines ("2. Case presentation"); an abstract written with pandoc or Quarto
carries the paragraph style "Abstract" (and, from pandoc 3, an "Abstract Title"
paragraph). Both readers describe each paragraph as a :class:`Para` and hand it to one
:class:`Placer`, so the same manuscript gets the same structure from either file.

Levels of guessed headings mean nothing (a bold "Background" inside the abstract and a bold
"Introduction" after it look alike), so a document with any unnumbered guessed heading is
built with ``levels_are_meaningful=False``: the section classifier then ends a structured
abstract by the order of its parts, as it does for plain text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import Block, RawDocument, RawSection
from ..sections import Lexicon
from .structure import SectionBuilder
from .text import CAPTION

_NUMBERED = re.compile(r"^\s*(\d+(?:\.\d+)*)\.?\s+\S")


class RunText:
    """A paragraph's text as its runs add up, and how much of it is bold: a paragraph all
    in bold (and short) may be a heading written without a heading style."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.bold_chars = 0
        self.plain_chars = 0

    def add(self, text: str | None, bold: bool) -> None:
        if not text:
            return
        self.parts.append(text)
        n = len(text.strip())
        if bold:
            self.bold_chars += n
        else:
            self.plain_chars += n

    @property
    def all_bold(self) -> bool:
        return self.bold_chars > 0 and self.plain_chars == 0


@dataclass
class Para:
    """One paragraph of a word-processor file, as its reader understood the markup."""

    text: str
    line: int  # paragraph number, 1-based, in reading order
    bold_only: bool = False
    level: int | None = None  # 0 for the Title style, 1-9 for a heading style or outline level
    caption: bool = False
    subtitle: bool = False
    abstract: str | None = None  # "body" (style Abstract) or "title" (style Abstract Title)
    before_abstract: bool = False  # the next paragraph has the Abstract style


def abstract_style(names: list[str]) -> str | None:
    """'body' or 'title' when a paragraph style (or one it is based on) is an abstract style."""
    for name in names:
        key = re.sub(r"[\s_-]+", "", name.lower())
        if key == "abstract":
            return "body"
        if key in ("abstracttitle", "abstractheading"):
            return "title"
    return None


class Placer:
    """Places paragraphs into a :class:`SectionBuilder`; ``build`` returns the RawDocument."""

    def __init__(self, lex: Lexicon) -> None:
        self.lex = lex
        self.b = SectionBuilder(lex)
        self.guessed = False  # an unnumbered heading was guessed from bold or wording
        self.marked = False  # an Abstract style marked the abstract
        self.in_abstract = False

    # -- the abstract a style marks -----------------------------------------------------
    def _open_abstract(self, heading: str, line: int) -> None:
        self.b.heading(heading, 1, line, hint="abstract")
        self.b.in_abstract = self.in_abstract = self.marked = True

    def _close_abstract(self, line: int) -> None:
        self.b.in_abstract = self.in_abstract = False
        self.b.untitled(1, line)

    def _abstract_part(self, text: str, level: int, line: int) -> None:
        if not self.in_abstract:
            self._open_abstract("Abstract", line)
        self.b.heading(text, max(level, 2), line, hint=self.lex.abstract_part(text) or "abstract")

    # -- placing ------------------------------------------------------------------------
    def place(self, p: Para) -> None:
        text = p.text
        if not text:
            return
        one_line = text.replace("\n", " ")
        b = self.b
        if p.abstract == "title":
            if not self.in_abstract:
                self._open_abstract(one_line, p.line)
            return
        if p.abstract == "body":
            if not self.in_abstract:
                self._open_abstract("Abstract", p.line)
            b.paragraph(text, p.line)
            return
        what, level = self._what(p, one_line)
        if p.before_abstract and what == "heading":
            # pandoc writes the abstract's own headings (Background, Case presentation) in
            # heading styles, each followed by Abstract-styled paragraphs.
            self._abstract_part(one_line.rstrip(":").strip(), level, p.line)
            return
        if self.in_abstract:
            self._close_abstract(p.line)
        if what == "title":
            b.set_title(one_line, p.line)
        elif what == "heading":
            b.heading(one_line.rstrip(":").strip() if p.level is None else one_line, level, p.line)
        elif what == "caption":
            b.caption(text, p.line)
        else:
            b.paragraph(text, p.line)

    def _what(self, p: Para, one_line: str) -> tuple[str, int]:
        """('title' | 'heading' | 'caption' | 'paragraph', heading level)."""
        b, lex = self.b, self.lex
        if p.level == 0:  # Title style
            return ("title", 0) if b.title is None else ("heading", 1)
        if p.subtitle and b.title is not None and not b.started:
            return "paragraph", 0
        if p.caption:
            return "caption", 0
        if p.level is not None and len(one_line) <= 300:
            if p.level == 1 and b.title is None and not b.started and lex.kind_of(one_line) is None:
                return "title", 0
            return "heading", p.level
        if CAPTION.match(one_line):
            return "caption", 0
        level = self._looks_like_heading(one_line, p.bold_only)
        if level is None:
            return "paragraph", 0
        if b.title is None and not b.started and lex.kind_of(one_line) is None and p.bold_only:
            return "title", 0
        if not _NUMBERED.match(one_line):
            self.guessed = True
        return "heading", level

    def _looks_like_heading(self, s: str, bold_only: bool) -> int | None:
        if "\t" in s or len(s) > 150 or sum(ch.isalpha() for ch in s) < 3:
            return None
        words = len(s.split())
        numbered = _NUMBERED.match(s)
        depth = numbered.group(1).count(".") + 1 if numbered else None
        known = self.lex.kind_of(s) is not None
        if known and words <= 12 and not s.endswith((".", ",", ";")):
            return depth or 1
        if self.b.title is None and not self.b.started and bold_only and words <= 40:
            return 1  # the title, written in bold
        if bold_only and words <= 15 and not s.endswith((".", ",", ";", "?", "!")):
            return depth or 2
        if numbered and words <= 10 and s[numbered.end() - 1].isupper() and not s.endswith((".", ",", ";")):
            return depth
        return None

    # -- result -------------------------------------------------------------------------
    def build(self, path: str, fmt: str, keywords: str = "") -> RawDocument:
        """The document; ``keywords`` from the file's properties (pandoc and Quarto put the
        metadata's keywords only there) stand after the abstract when the text has none."""
        if self.in_abstract:
            self.b.in_abstract = False
        doc = self.b.build(path, fmt, levels_are_meaningful=not self.guessed, marked_front=self.marked)
        words = " ".join(keywords.split())
        if words and not any(s.hint == "keywords" or self.lex.kind_of(s.heading) == "keywords"
                             for s in doc.sections if s.heading):
            after = max((k + 1 for k, s in enumerate(doc.sections) if (s.hint or "").startswith("abstract")),
                        default=0)
            line = doc.sections[after - 1].line if after else doc.title_line
            doc.sections[after:after] = [RawSection("Keywords", 1, line, [Block(words, line)], hint="keywords"),
                                         RawSection("", 1, line)]
        return doc


__all__ = ["Para", "Placer", "abstract_style"]
