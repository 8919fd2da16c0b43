"""Markdown manuscripts, parsed with markdown-it-py (CommonMark plus tables).

The first level-1 heading is the title unless it names a section. Emphasis and links are
reduced to their text; soft line breaks are kept so every sentence knows its line. HTML
comments are blanked before parsing (never manuscript text, wherever they stand). YAML
front matter (pandoc, Quarto, R Markdown) gives the title, abstract and keywords.
"""

from __future__ import annotations

import re

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from .. import safe_yaml
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


# YAML front matter (pandoc, Quarto, R Markdown): "---" on the first line, closed by "---"
# or "..." on a line of its own.
_FRONT = re.compile(r"\A---[ \t]*\n(.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)


def front_matter(text: str) -> tuple[dict, int]:
    """The YAML front matter as a mapping and the length of text it takes ({} and 0 when
    there is none, or when what stands between the rules is not a YAML mapping)."""
    m = _FRONT.match(text)
    if not m:
        return {}, 0
    try:
        data = safe_yaml.load(m.group(1))
    except yaml.YAMLError:
        return {}, 0
    return (data, m.end()) if isinstance(data, dict) else ({}, 0)


def _key_line(text: str, key: str) -> int:
    """The 1-based line of ``key:`` at the start of a line of the front matter."""
    m = re.search(rf"(?m)^{key}[ \t]*:", text)
    return text.count("\n", 0, m.start()) + 1 if m else 1


def _text_of(value: object) -> str:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value if isinstance(v, (str, int, float)))
    return value if isinstance(value, str) else ""


def read(path: str, text: str, lexicon: Lexicon | None = None) -> RawDocument:
    """Read Markdown into headings and blocks, each block with its source line.

    YAML front matter gives the title, the abstract (Markdown itself, its headings one
    level below the abstract's) and the keywords, as pandoc and Quarto use them.
    """
    lex = lexicon or load_lexicon()
    text = blank_comments(text)
    b = SectionBuilder(lex)
    meta, end = front_matter(text)
    if end:
        front = text[:end]
        text = re.sub(r"[^\n]", " ", front) + text[end:]  # same length: lines stay true
        title, abstract, keywords = (_text_of(meta.get(k)) for k in ("title", "abstract", "keywords"))
        if title.strip():
            b.set_title(title, _key_line(front, "title"))
        if abstract.strip():
            line = _key_line(front, "abstract")
            b.heading("Abstract", 1, line)
            # A block scalar's text starts on the line after the key.
            _feed(b, _MD.parse(abstract), lex, line_shift=line, level_shift=1)
        if keywords.strip():
            b.paragraph("Keywords: " + keywords, _key_line(front, "keywords"))
        if abstract.strip() or keywords.strip():
            b.untitled(1, _key_line(front, "keywords"))
    _feed(b, _MD.parse(text), lex)
    return b.build(path, "markdown", levels_are_meaningful=True)


def _feed(b: SectionBuilder, tokens: list[Token], lex: Lexicon, line_shift: int = 0, level_shift: int = 0) -> None:
    row: list[str] = []
    table_rows: list[str] = []
    table_line = 0
    for i, tok in enumerate(tokens):
        line = (tok.map[0] + 1 + line_shift) if tok.map else b.current.line
        if tok.type == "heading_open":
            heading = _inline_text(tokens[i + 1]).strip()
            level = int(tok.tag[1]) + level_shift
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
