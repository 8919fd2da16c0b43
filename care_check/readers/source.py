"""Safe access to a file's bytes: size cap, binary detection, decoding, format sniffing."""

from __future__ import annotations

import os
import re
from typing import BinaryIO
import stat

from ..errors import InputError

MAX_BYTES = 20 * 1024 * 1024  # a case report is rarely over 1 MB; 20 MB leaves room for XML
# A comment ends at its first "-->" (a lazy ".*?" could run on through Markdown text to
# a later comment and take a Markdown file for XML).
_XML_START = re.compile(rb"^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--(?:[^-]|-(?!->))*-->\s*)*(?:<!DOCTYPE[^>]*>\s*)?<(?=[A-Za-z_:])")


_NOT_REGULAR = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
                (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def _refuse_special(path: str, mode: int) -> None:
    if stat.S_ISDIR(mode):
        raise InputError(path, "is a directory")
    if not stat.S_ISREG(mode):
        what = next((name for test, name in _NOT_REGULAR if test(mode)), "not a regular file")
        raise InputError(path, f"is {what}, not a regular file; refused")


def read_bytes(path: str) -> bytes:
    """The file's bytes, refusing what is not a regular readable file of sane size.

    A named pipe or a device would block or never end: they are refused from their
    status, before opening, and again on the opened descriptor (opened without blocking),
    so a file swapped in between cannot stall the reader either.
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from None
    _refuse_special(path, st.st_mode)
    if st.st_size > MAX_BYTES:
        raise InputError(path, f"file is {st.st_size / 1e6:.0f} MB, over the {MAX_BYTES // (1024 * 1024)} MB limit")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
        with os.fdopen(fd, "rb") as fh:
            _refuse_special(path, os.fstat(fh.fileno()).st_mode)
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from None
    return _within_limits(path, data, "file", "file")


def read_stream(name: str, stream: BinaryIO) -> bytes:
    """A manuscript piped on standard input, under the same limits as a file."""
    try:
        data = stream.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InputError(name, f"cannot read standard input: {exc.strerror or exc}") from None
    return _within_limits(name, data, "input", "standard input")


def _within_limits(name: str, data: bytes, big: str, empty: str) -> bytes:
    """The size cap and the empty check every manuscript passes, whatever it was read from."""
    if len(data) > MAX_BYTES:
        raise InputError(name, f"{big} is over the {MAX_BYTES // (1024 * 1024)} MB limit")
    if not data.strip():
        raise InputError(name, f"{empty} is empty")
    return data


_BOMS = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),  # before UTF-16: same start
         (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def text_encoding(data: bytes) -> str | None:
    """UTF-32 or UTF-16 named by a byte-order mark, or UTF-16 without one (every other byte
    NUL, as Windows tools write it); None for byte-oriented text (UTF-8, Windows-1252)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    sample = data[:4096]
    if len(sample) >= 8:
        even, odd = sample[0::2], sample[1::2]
        if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
            return "utf-16-le"
        if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
            return "utf-16-be"
    return None


def decode(path: str, data: bytes) -> str:
    """Text from bytes: UTF-8 (with or without BOM), UTF-32 or UTF-16 (with a BOM, or
    UTF-16 without one), else Windows-1252."""
    wide = text_encoding(data)
    if wide:
        try:
            text = data.decode(wide).lstrip("\ufeff")
        except UnicodeDecodeError:
            raise InputError(path, f"not valid {wide.upper()} text") from None
        if "\x00" in text[:65536]:
            raise InputError(path, "binary file, not a text manuscript")
        return _check_text(path, text)
    if b"\x00" in data[:65536]:
        raise InputError(path, "binary file, not a text manuscript")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return _check_text(path, text)


_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f]")  # control characters but \t \n \f \r


def _check_text(path: str, text: str) -> str:
    sample = text[:65536]
    controls = len(_CONTROLS.findall(sample))
    if sample and controls / len(sample) > 0.01:
        raise InputError(path, "binary file, not a text manuscript")
    if "\ufffd" in sample and sample.count("\ufffd") / len(sample) > 0.05:
        raise InputError(path, "binary file, not a text manuscript")
    return text.replace("\r\n", "\n").replace("\r", "\n")


_HTML_FIRST_TAG = re.compile(rb"<(?:html|head|body|meta|title|div|p|section|main|h[1-6]|span|table|header|nav|"
                             rb"style|script|link|ul|ol|br|a|img|form|center|font|b|i)[\s>/]", re.I)
_FIRST_TAG = re.compile(rb"<([A-Za-z][\w:.-]*)")
_LATEX = re.compile(rb"^[ \t]*\\(?:documentclass|documentstyle|begin\s*\{document\})", re.M)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff(data: bytes) -> str | None:
    """A format named by the content itself, or None when the content says nothing.

    XML is JATS unless it is (X)HTML; a zip is taken for a DOCX (its reader says when it
    is not one), as is an OLE container (an encrypted DOCX or an old .doc, which the DOCX
    reader names); %PDF in the first kilobyte is a PDF; \\documentclass or
    \\begin{document} at the start of a line is LaTeX.
    """
    head = data[:4096]
    wide = text_encoding(head)
    if wide:  # UTF-16/32 markup: look at it as UTF-8
        head = head[: len(head) - len(head) % 4].decode(wide, errors="ignore").encode("utf-8")
    head = head.lstrip(b"\xef\xbb\xbf").lstrip("\ufeff".encode())
    xml = _XML_START.match(head)
    if xml:
        low = head.lower()
        if b"<html" in low or b"<!doctype html" in low:
            return "html"
        first = _FIRST_TAG.match(head, xml.end() - 2)  # the root element's name
        if first and _HTML_FIRST_TAG.match(b"<" + first.group(1) + b" "):
            return "html"
        return "jats"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")) or head.startswith(_OLE_MAGIC):
        return "docx"
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if _LATEX.search(head):
        return "latex"
    return None
