"""Shared assembly of headings, paragraphs, captions and tables into RawSections.

The readers of rebuilt formats (DOCX, PDF, LaTeX, HTML) find headings and paragraphs
their own way, then hand them to a :class:`SectionBuilder`, which treats them the way the
Markdown reader does: an inline heading glued to its text ("Funding: none") opens a
section, a caption ("Table 1. …") becomes a ``caption`` section followed by an untitled
section that returns to the surrounding text, and a table is one block of tab-joined rows.
Keeping this in one place keeps the same manuscript's structure the same in every format.
"""

from __future__ import annotations

import re

from ..model import Block, RawDocument, RawSection
from ..sections import Lexicon
from .text import CAPTION

_SPACES = re.compile(r"[ \u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")


def clean_inline(text: str) -> str:
    """Collapse runs of spaces (keeping line breaks and tabs) and drop zero-width characters."""
    text = _ZERO_WIDTH.sub("", text)
    lines = [_SPACES.sub(" ", ln).strip() for ln in text.split("\n")]
    return "\n".join(ln for ln in lines if ln)


class SectionBuilder:
    """Collects sections in reading order; ``build`` returns the RawDocument."""

    def __init__(self, lex: Lexicon) -> None:
        self.lex = lex
        self.sections: list[RawSection] = [RawSection("", 0, 1)]
        self.title: str | None = None
        self.title_line = 1
        # Inside an abstract the format marks itself (HTML, LaTeX): headings that name an
        # abstract part ("Background", "Case presentation") are hinted as such.
        self.in_abstract = False

    # -- state ----------------------------------------------------------------------
    @property
    def started(self) -> bool:
        """Whether any heading or text has been seen (the title comes before both)."""
        return any(s.heading or s.blocks for s in self.sections)

    @property
    def current(self) -> RawSection:
        return self.sections[-1]

    def set_title(self, text: str, line: int) -> None:
        text = " ".join(text.split())
        if text and self.title is None:
            self.title, self.title_line = text, line

    # -- content --------------------------------------------------------------------
    def heading(self, text: str, level: int, line: int, hint: str | None = None) -> RawSection | None:
        text = " ".join(text.split()).strip()
        if not text and hint is None:
            return None
        if hint is None and self.in_abstract:
            hint = self.lex.abstract_part(text)
        rs = RawSection(text, max(level, 1), line, hint=hint)
        self.sections.append(rs)
        return rs

    def untitled(self, level: int, line: int) -> None:
        """Return to the surrounding section after a float or a boxed part."""
        self.sections.append(RawSection("", max(level, 1), line))

    def paragraph(self, text: str, line: int, page: int | None = None, glued: bool = True) -> None:
        """A paragraph: may open an inline section or be a caption."""
        text = clean_inline(text)
        if not text:
            return
        first = text.split("\n", 1)[0]
        if glued:
            split = self.lex.split_glued(text)
            if split:
                level = self.current.level + 1 if self.current.heading else 1
                heading = split[0].strip()
                hint = self.lex.abstract_part(heading) if self.in_abstract else None
                rs = RawSection(heading, level, line, hint=hint)
                rs.blocks.append(Block(split[1].lstrip(), line, page=page))
                self.sections.append(rs)
                return
        if CAPTION.match(first):
            self.caption(text, line, page)
            return
        self.current.blocks.append(Block(text, line, page=page))

    def caption(self, text: str, line: int, page: int | None = None, tables: list[Block] | None = None) -> None:
        text = clean_inline(text)
        if not text and not tables:
            return
        back = self.current.level or 1
        rs = RawSection(" ".join(text.split())[:60] or "Table", 3, line, hint="caption")
        if text:
            rs.blocks.append(Block(text, line, page=page, kind="caption"))
        rs.blocks.extend(tables or [])
        self.sections.append(rs)
        self.untitled(back, line)

    def table(self, rows: list[str], line: int, page: int | None = None) -> Block | None:
        """Rows as tab-joined lines, appended to the current section."""
        block = table_block(rows, line, page)
        if block is not None:
            self.current.blocks.append(block)
        return block

    def block(self, block: Block) -> None:
        self.current.blocks.append(block)

    # -- result ---------------------------------------------------------------------
    def build(self, path: str, fmt: str, **extra: object) -> RawDocument:
        sections = [s for s in self.sections if s.heading or s.blocks or s.hint]
        return RawDocument(path=path, format=fmt, sections=sections, title=self.title,
                           title_line=self.title_line, **extra)  # type: ignore[arg-type]


def table_block(rows: list[str], line: int, page: int | None = None) -> Block | None:
    rows = [r for r in (clean_row(r) for r in rows) if r.strip("\t ")]
    if not rows:
        return None
    return Block("\n".join(rows), line, page=page, kind="table")


def clean_row(row: str) -> str:
    cells = [" ".join(c.split()) for c in row.split("\t")]
    return "\t".join(cells)
