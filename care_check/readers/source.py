"""Safe access to a file's bytes: size cap, binary detection, decoding, format sniffing."""

from __future__ import annotations

import os
import re
from typing import BinaryIO

from ..errors import InputError

MAX_BYTES = 20 * 1024 * 1024  # a case report is rarely over 1 MB; 20 MB leaves room for XML
# A prolog, comments (each ending at its own "-->") and a doctype, then a start tag: a
# Markdown file whose first line is an HTML comment (a care-check directive) is not XML.
_XML_START = re.compile(rb"^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--(?:(?!-->).)*-->\s*)*(?:<!DOCTYPE[^>]*>\s*)?<[A-Za-z_]",
                        re.S)


def read_bytes(path: str) -> bytes:
    """The file's bytes, refusing what is not a regular readable file of sane size."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from None
    if os.path.isdir(path):
        raise InputError(path, "is a directory")
    if st.st_size > MAX_BYTES:
        raise InputError(path, f"file is {st.st_size / 1e6:.0f} MB, over the {MAX_BYTES // (1024 * 1024)} MB limit")
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise InputError(path, f"file is over the {MAX_BYTES // (1024 * 1024)} MB limit")
    if not data.strip():
        raise InputError(path, "file is empty")
    return data


def read_stream(name: str, stream: BinaryIO) -> bytes:
    """A manuscript piped on standard input, under the same limits as a file."""
    try:
        data = stream.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InputError(name, f"cannot read standard input: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise InputError(name, f"input is over the {MAX_BYTES // (1024 * 1024)} MB limit")
    if not data.strip():
        raise InputError(name, "standard input is empty")
    return data


def decode(path: str, data: bytes) -> str:
    """Text from bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError(path, "not valid UTF-16 text") from None
    if b"\x00" in data[:65536]:
        raise InputError(path, "binary file, not a text manuscript")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    sample = text[:65536]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
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
    head = data[:4096].lstrip(b"\xef\xbb\xbf")
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
