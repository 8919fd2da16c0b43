"""Markdown manuscripts, parsed with markdown-it-py (CommonMark plus tables).

The first level-1 heading is the title unless it names a section. Emphasis and links are
reduced to their text; soft line breaks are kept so every sentence knows its line. HTML
comments are blanked before parsing (never manuscript text, wherever they stand).
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.token import Token

from ..model import RawDocument
from ..sections import Lexicon, load_lexicon
from .source import blank_comments
from .structure import SectionBuilder

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
    tokens = _MD.parse(blank_comments(text))
    b = SectionBuilder(lex)
    row: list[str] = []
    table_rows: list[str] = []
    table_line = 0
    for i, tok in enumerate(tokens):
        line = (tok.map[0] + 1) if tok.map else b.current.line
        if tok.type == "heading_open":
            heading = _inline_text(tokens[i + 1]).strip()
            level = int(tok.tag[1])
            if level == 1 and b.title is None and not b.started and lex.kind_of(heading) is None:
                b.set_title(heading, line)
            else:
                b.heading(heading, level, line)
        elif tok.type == "inline" and tokens[i - 1].type == "paragraph_open":
            b.paragraph(_inline_text(tok), line)
        elif tok.type == "tr_open":
            row = []
            table_line = table_line or line
        elif tok.type == "inline" and tokens[i - 1].type in ("th_open", "td_open"):
            row.append(_inline_text(tok).strip())
        elif tok.type == "tr_close":
            table_rows.append("\t".join(row))
        elif tok.type == "table_close":
            b.table(table_rows, table_line)
            table_rows, table_line = [], 0
    return b.build(path, "markdown", levels_are_meaningful=True)
