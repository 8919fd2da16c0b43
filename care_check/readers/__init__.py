"""Readers: one module per input format, each producing a :class:`RawDocument`.

``read_path`` picks the reader from the file's content first and its extension second,
and turns every failure into an :class:`InputError` with one clear line. Text formats
(plain text, Markdown, LaTeX, HTML) get decoded text; binary or self-describing formats
(JATS XML, DOCX, ODT, RTF, PDF) get the raw bytes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..errors import InputError
from ..model import RawDocument
from . import docx, html, jats, latex, markdown, odt, pdf, rtf, text
from .source import MAX_BYTES, decode, read_bytes, sniff

TextReader = Callable[[str, str], RawDocument]
BytesReader = Callable[[str, bytes], RawDocument]

TEXT_READERS: dict[str, TextReader] = {
    "text": text.read,
    "markdown": markdown.read,
    "latex": latex.read,
    "html": html.read,
}
BYTES_READERS: dict[str, BytesReader] = {
    "jats": jats.read_bytes_,
    "docx": docx.read_bytes_,
    "odt": odt.read_bytes_,
    "rtf": rtf.read_bytes_,
    "pdf": pdf.read_bytes_,
}
# Every format by name (for --input-format choices).
READERS: dict[str, TextReader | BytesReader] = {**TEXT_READERS, **BYTES_READERS}

# File endings a folder is expanded to; other files in a folder are skipped.
EXTENSIONS: dict[str, str] = {
    ".txt": "text", ".text": "text",
    ".md": "markdown", ".markdown": "markdown", ".qmd": "markdown", ".rmd": "markdown", ".mkd": "markdown",
    ".mdown": "markdown",
    ".xml": "jats", ".nxml": "jats", ".jats": "jats",
    ".docx": "docx", ".doc": "docx",  # a legacy .doc gets one line saying how to convert it
    ".odt": "odt", ".rtf": "rtf",
    ".pdf": "pdf",
    ".tex": "latex", ".latex": "latex", ".ltx": "latex",
    ".html": "html", ".htm": "html", ".xhtml": "html",
}


def detect_format(path: str, data: bytes) -> str:
    """The format by content, then by extension; plain text when nothing else fits.

    A Markdown file name wins over markup found at its start, since Markdown allows raw
    HTML; only a binary container (DOCX, PDF) overrides it.
    """
    by_content = sniff(data)
    by_name = EXTENSIONS.get(Path(path).suffix.lower())
    if by_name == "markdown" and by_content in ("html", "jats", "latex"):
        return "markdown"  # Markdown may open with raw HTML (<center>, a comment): it is still Markdown
    if by_content == "docx" and by_name == "odt":
        return "odt"  # a zip named .odt whose mimetype member is not first: its reader checks it
    return by_content or by_name or "text"


def read_path(path: str, fmt: str | None = None) -> RawDocument:
    """Read one manuscript file into a RawDocument, or raise InputError."""
    return read_data(path, read_bytes(path), fmt)


def read_data(path: str, data: bytes, fmt: str | None = None) -> RawDocument:
    """Read a manuscript's bytes (from a file or standard input) named ``path``."""
    fmt = fmt or detect_format(path, data)
    if fmt in BYTES_READERS:
        return BYTES_READERS[fmt](path, data)
    reader = TEXT_READERS.get(fmt)
    if reader is None:
        raise InputError(path, f"unsupported format '{fmt}'")
    return reader(path, decode(path, data))


__all__ = ["read_path", "read_data", "detect_format", "EXTENSIONS", "READERS", "TEXT_READERS", "BYTES_READERS", "MAX_BYTES"]
