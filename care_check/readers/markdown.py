"""Markdown manuscripts, parsed with markdown-it-py (CommonMark plus tables).

The first level-1 heading is the title unless it names a section. Emphasis and links are
reduced to their text; soft line breaks are kept so every sentence knows its line.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.token import Token

from ..model import Block, RawDocument, RawSection
from ..sections import Lexicon, load_lexicon
from .text import CAPTION

_MD = MarkdownIt("commonmark", {"html": False}).enable("table")


def _inline_text(tok: Token) -> str:
    parts: list[str] = []
    for child in tok.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
    return "".join(parts)


def read(path: str, text: str, lexicon: Lexicon | None = None) -> RawDocument:
    """Read Markdown into headings and blocks, each block with its source line."""
    lex = lexicon or load_lexicon()
    tokens = _MD.parse(text)
    sections: list[RawSection] = [RawSection("", 0, 1)]
    title: str | None = None
    title_line = 1
    row: list[str] = []
    table_rows: list[str] = []
    table_line = 0
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        line = (tok.map[0] + 1) if tok.map else sections[-1].line
        if tok.type == "heading_open":
            heading = _inline_text(tokens[i + 1]).strip()
            level = int(tok.tag[1])
            if level == 1 and title is None and lex.kind_of(heading) is None and not any(
                    s.blocks or s.heading for s in sections):
                title, title_line = heading, line
            else:
                sections.append(RawSection(heading, level, line))
            i += 3
            continue
        if tok.type == "inline" and tokens[i - 1].type == "paragraph_open":
            body = _inline_text(tok)
            glued = lex.split_glued(body.strip())
            if glued:
                sections.append(RawSection(glued[0], sections[-1].level + 1 if sections[-1].heading else 1, line))
                sections[-1].blocks.append(Block(glued[1], line))
            elif CAPTION.match(body.strip()):
                sections.append(RawSection(body.strip()[:60], 3, line, [Block(body, line, kind="caption")],
                                           hint="caption"))
                sections.append(RawSection("", sections[-2].level, line))
            else:
                sections[-1].blocks.append(Block(body, line))
        elif tok.type == "tr_open":
            row = []
            table_line = table_line or line
        elif tok.type == "inline" and tokens[i - 1].type in ("th_open", "td_open"):
            row.append(_inline_text(tok).strip())
        elif tok.type == "tr_close":
            table_rows.append("\t".join(row))
        elif tok.type == "table_close":
            sections[-1].blocks.append(Block("\n".join(table_rows), table_line, kind="table"))
            table_rows, table_line = [], 0
        i += 1
    return RawDocument(path=path, format="markdown", title=title, title_line=title_line, levels_are_meaningful=True,
                       sections=[s for s in sections if s.heading or s.blocks])
