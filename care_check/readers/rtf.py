"""Rich Text Format (.rtf), as Word, LibreOffice, WordPad and pandoc save it.

The control words are removed by striprtf (a small, well-used pure-Python RTF-to-text
converter; hidden destinations such as annotations, fonts, colours and pictures are
skipped), in the code page the file declares (``\\ansicpgN``). What is left is one line
per paragraph, with table cells separated by "|": cells are joined by tabs (the plain-text
reader's table form) and paragraphs are separated by blank lines, then read by the
plain-text reader, which finds headings on lines of their own. ``Block.line`` is the
paragraph number, as for DOCX.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import replace

from ..errors import InputError
from ..model import RawDocument
from ..sections import Lexicon, load_lexicon
from . import text as plain

_CODEPAGE = re.compile(rb"\\ansicpg(\d{3,5})")
# \binN is followed by N raw bytes that are not text (an embedded picture or object).
_BIN = re.compile(rb"\\bin(\d{1,9}) ?")


def _encoding(head: bytes) -> str:
    m = _CODEPAGE.search(head)
    if m:
        name = f"cp{int(m.group(1))}"
        try:
            codecs.lookup(name)
            return name
        except LookupError:
            pass
    return "cp1252"


def _drop_binary(data: bytes) -> bytes:
    """Remove \\binN runs: their N raw bytes would otherwise be read as text."""
    if b"\\bin" not in data:
        return data
    out, pos = [], 0
    for m in _BIN.finditer(data):
        if m.start() < pos:
            continue
        out.append(data[pos:m.start()])
        pos = m.end() + int(m.group(1))
    out.append(data[pos:])
    return b"".join(out)


def to_text(path: str, data: bytes) -> str:
    """The paragraphs of an RTF file, one per line, table cells joined by tabs."""
    from striprtf.striprtf import rtf_to_text

    encoding = _encoding(data[:4096])
    try:
        source = _drop_binary(data).decode("latin-1")  # RTF is 7-bit; stray 8-bit bytes kept one for one
        text = rtf_to_text(source, encoding=encoding, errors="replace")
    except (ValueError, IndexError, RecursionError) as exc:
        raise InputError(path, f"not a readable RTF: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
                         ) from None
    lines = []
    for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if ln.endswith("|") and ln.count("|") >= 2:
            ln = "\t".join(c.strip() for c in ln[:-1].split("|"))
        lines.append(ln.rstrip())
    return "\n".join(lines)


def read_bytes_(path: str, data: bytes, lexicon: Lexicon | None = None) -> RawDocument:
    """Read RTF bytes into a RawDocument: headings and paragraphs by paragraph number."""
    lex = lexicon or load_lexicon()
    if not data.lstrip().startswith(b"{\\rtf"):
        raise InputError(path, "not an RTF file (it does not start with {\\rtf)")
    paragraphs = to_text(path, data).split("\n")
    if not any(p.strip() for p in paragraphs):
        raise InputError(path, "RTF has no text")
    # A blank line between paragraphs, so the plain-text reader sees each as a block of its
    # own (a heading line, a "Keywords:" line); the rows of a table stay together.
    lines: list[str] = []
    number: list[int] = []  # the paragraph number of each line of that text
    for k, para in enumerate(paragraphs, 1):
        if lines and not ("\t" in para and "\t" in lines[-1]):
            lines.append("")
            number.append(k)
        lines.append(para)
        number.append(k)
    raw = plain.read(path, "\n".join(lines), lex)
    at = lambda line: number[min(max(line, 1), len(number)) - 1]  # noqa: E731
    for s in raw.sections:
        s.line = at(s.line)
        s.blocks = [replace(b, line=at(b.line), offset=None) for b in s.blocks]
    raw.title_line = at(raw.title_line)
    raw.format = "rtf"
    return raw


__all__ = ["read_bytes_", "to_text"]
