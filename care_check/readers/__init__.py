"""Readers: one module per input format, each producing a :class:`RawDocument`.

``read_path`` picks the reader from the file's content first and its extension second,
and turns every failure into an :class:`InputError` with one clear line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..errors import InputError
from ..model import RawDocument
from . import jats, markdown, text
from .source import MAX_BYTES, decode, read_bytes, sniff

Reader = Callable[[str, str], RawDocument]

READERS: dict[str, Reader] = {
    "text": text.read,
    "markdown": markdown.read,
    "jats": jats.read,
}

# File endings a folder is expanded to; other files in a folder are skipped.
EXTENSIONS: dict[str, str] = {
    ".txt": "text", ".text": "text",
    ".md": "markdown", ".markdown": "markdown",
    ".xml": "jats", ".nxml": "jats", ".jats": "jats",
}


def detect_format(path: str, data: bytes) -> str:
    """The format by content, then by extension; plain text when nothing else fits."""
    by_content = sniff(data)
    if by_content:
        return by_content
    return EXTENSIONS.get(Path(path).suffix.lower(), "text")


def read_path(path: str, fmt: str | None = None) -> RawDocument:
    """Read one manuscript file into a RawDocument, or raise InputError."""
    data = read_bytes(path)
    fmt = fmt or detect_format(path, data)
    reader = READERS.get(fmt)
    if reader is None:
        raise InputError(path, f"unsupported format '{fmt}'")
    if fmt == "jats":
        return jats.read_bytes_(path, data)
    return reader(path, decode(path, data))


__all__ = ["read_path", "detect_format", "EXTENSIONS", "READERS", "MAX_BYTES"]
