"""Plain text: manuscripts typed or exported as text, PMC bodies, and saved web pages.

Two shapes are handled. A multi-line manuscript has headings on their own lines
(numbered, ALL CAPS, glued to the text as in "Competing interestsThe authors…", or
with a stray "pmc" in front). A saved web page is one long line with site boilerplate,
where headings stand inline ("… modalities Introduction Synovitis …").
"""

from __future__ import annotations

import re

from ..model import Block, RawDocument, RawSection
from ..sections import Lexicon, load_lexicon
from .source import blank_comments

CAPTION = re.compile(
    r"^(?:Supplementary\s+|Suppl\.?\s+)?(?:Fig(?:ure)?s?\.?|Table|Tab\.|Chart|Box)\s*S?\d+[A-Za-z]?\b"
    r"|^(?:Supplementary\s+)?(?:Figure|Table)\s+S\d+", re.I)
_BARE_CAPTION = re.compile(r"^(?:Supplementary\s+)?(?:Fig(?:ure)?s?\.?|Table)\s*S?\d+[A-Za-z]?\.?$", re.I)
_WEB_TITLE_END = re.compile(r"\s(?:Warning:|\|)|\s{2,}|\s-\s|\sSkip to\b")


def is_web_page(text: str) -> bool:
    """One or a few very long lines: a page saved from a browser."""
    lines = [ln for ln in text.split("\n") if ln.strip()]
    return len(lines) <= 5 and max((len(ln) for ln in lines), default=0) > 2500


def read(path: str, text: str, lexicon: Lexicon | None = None) -> RawDocument:
    """Read decoded text into headings and blocks with line numbers and offsets."""
    lex = lexicon or load_lexicon()
    text = blank_comments(text)  # a Markdown-style comment is never manuscript text
    if is_web_page(text):
        return _read_web_page(path, text, lex)
    return _read_lines(path, text, lex)


# -- multi-line manuscripts ----------------------------------------------------------

def _line_starts(lines: list[str]) -> list[int]:
    starts, pos = [], 0
    for ln in lines:
        starts.append(pos)
        pos += len(ln) + 1
    return starts


def _looks_like_heading(line: str, prev_blank: bool, next_blank: bool, lex: Lexicon) -> bool:
    s = line.strip()
    if not s or "\t" in s or len(s) > 100 or CAPTION.match(s):
        return False
    glued = lex.split_glued(s)
    if glued and any(ch.isalnum() for ch in glued[1]):
        return False  # "Conflict of interest: none declared" is a heading with its text
    if lex.kind_of(s) is not None and not s.endswith((".", ",", ";")) and len(s.split()) <= 12:
        return True
    if not (prev_blank and next_blank):
        return False
    if len(s) > 70 or len(s.split()) > 10 or s.endswith((".", ",", ";", ":", "?", "!")):
        return False
    if not (s[0].isupper() or s[0].isdigit()):
        return False
    # A line of figures ("15 March", "0.5 mg") is text, not a heading.
    return sum(ch.isalpha() for ch in s) >= 3


def _answers_declaration(prev: RawSection, line: str, buf: list, lex: Lexicon) -> bool:
    """A short line right under a back-matter heading that has no text yet is its answer,
    not a heading of its own: "Conflict of interest" / "None", "Sources of funding" /
    "No Source of Funding", "Ethical approval" / "No study on patients"."""
    if buf or prev.blocks or not prev.heading or lex.kind_of(line) is not None:
        return False
    kind = lex.kind_of(prev.heading)
    return kind is not None and lex.group_of(kind) == "back" and kind not in ("abbreviations", "supplementary")


def _read_lines(path: str, text: str, lex: Lexicon) -> RawDocument:
    lines = text.split("\n")
    starts = _line_starts(lines)
    sections: list[RawSection] = [RawSection("", 0, 1)]
    buf: list[tuple[int, str, int]] = []  # (line index, text, offset)
    pending_caption: RawSection | None = None

    def flush() -> None:
        nonlocal pending_caption
        if not buf:
            return
        first_idx, _, first_off = buf[0]
        body = "\n".join(t for _, t, _ in buf)
        kind = "table" if all("\t" in t for _, t, _ in buf) and len(buf) > 1 else "paragraph"
        block = Block(body, first_idx + 1, first_off, kind=kind)
        buf.clear()
        if pending_caption is not None:
            pending_caption.blocks.append(block)
            pending_caption = None
            sections.append(RawSection("", sections[-2].level if len(sections) > 1 else 1, block.line))
            return
        if CAPTION.match(body):
            sections.append(RawSection(body.split("\n", 1)[0][:60], 2, block.line, [block], hint="caption"))
            sections.append(RawSection("", 1, block.line))
            return
        sections[-1].blocks.append(block)

    n = len(lines)
    for i, raw_line in enumerate(lines):
        s = raw_line.strip()
        if not s:
            flush()
            continue
        prev_blank = i == 0 or not lines[i - 1].strip()
        next_blank = i + 1 >= n or not lines[i + 1].strip()
        if prev_blank and _BARE_CAPTION.match(s):
            flush()
            pending_caption = RawSection(s, 2, i + 1, hint="caption")
            sections.append(pending_caption)
            continue
        if _looks_like_heading(s, prev_blank, next_blank, lex) and not _answers_declaration(sections[-1], s, buf, lex):
            flush()
            pending_caption = None
            sections.append(RawSection(s, 1 if lex.kind_of(s) else 2, i + 1))
            continue
        lead = len(raw_line) - len(raw_line.lstrip())
        glued = lex.split_glued(s) if prev_blank else None
        if glued:
            flush()
            heading, rest = glued
            rest_at = starts[i] + lead + len(s) - len(rest)
            sections.append(RawSection(heading, 1, i + 1))
            buf.append((i, rest, rest_at))
            continue
        buf.append((i, raw_line, starts[i]))
    flush()
    kept = [s for s in sections if s.heading or s.blocks]
    title, title_line = _find_title(lines, kept, lex)
    return RawDocument(path=path, format="text", sections=kept, title=title, title_line=title_line)


def _find_title(lines: list[str], sections: list[RawSection], lex: Lexicon) -> tuple[str | None, int]:
    """The title of a text manuscript with front matter: a line before the abstract.

    Only when an abstract heading exists (a PMC body has none). Among the lines before
    it, a line that is repeated (web pages show the title twice) or else the longest
    title-like line (4 to 40 words, no final full stop, no link) wins.
    """
    abstract = next((s for s in sections if s.heading and lex.kind_of(s.heading) == "abstract"), None)
    if abstract is None:
        return None, 1
    best: tuple[int, int, int] | None = None
    seen: dict[str, int] = {}
    for i in range(abstract.line - 1):
        ln = lines[i].strip()
        words = ln.split()
        if not 4 <= len(words) <= 40 or ln.endswith(".") or lex.kind_of(ln) is not None:
            continue
        if any(t in ln.lower() for t in ("http", "doi", "www.", "©", "copyright", "cookie")):
            continue
        seen[ln] = seen.get(ln, 0) + 1
        score = (seen[ln], len(ln), -i)
        if best is None or score > best:
            best = score
            title_at = i
    if best is None:
        return None, 1
    return lines[title_at].strip(), title_at + 1


# -- one-line web pages --------------------------------------------------------------

def _read_web_page(path: str, text: str, lex: Lexicon) -> RawDocument:
    starts = _line_starts(text.split("\n"))

    def line_of(offset: int) -> int:
        lo, hi = 0, len(starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1

    first = len(text) - len(text.lstrip())
    m = _WEB_TITLE_END.search(text, first, first + 400)
    title_end = m.start() if m else min(len(text), first + 200)
    title = text[first:title_end].strip() or None

    heads = lex.web_headings(text)
    sections: list[RawSection] = []
    cursor = title_end
    if heads:
        pre = text[cursor:heads[0][0]]
        if pre.strip():
            sections.append(RawSection("", 0, line_of(cursor), [Block(pre, line_of(cursor), cursor)],
                                       hint="boilerplate"))
    else:
        sections.append(RawSection("", 0, line_of(cursor), [Block(text[cursor:], line_of(cursor), cursor)]))
    for j, (start, end, heading) in enumerate(heads):
        stop = heads[j + 1][0] if j + 1 < len(heads) else len(text)
        body_start = end
        while body_start < stop and text[body_start] in " :\t\n":
            body_start += 1
        body = text[body_start:stop]
        rs = RawSection(heading, 1, line_of(start))
        if body.strip():
            rs.blocks.append(Block(body, line_of(body_start), body_start))
        sections.append(rs)
    return RawDocument(path=path, format="text", sections=sections, title=title,
                       title_line=line_of(first), lines_are_meaningful=False)
