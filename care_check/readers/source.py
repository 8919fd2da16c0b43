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


def blank_comments(text: str) -> str:
    """HTML comments (``<!-- … -->``) replaced by spaces, line breaks kept.

    A comment is never manuscript text (a TODO, a reviewer's note, a care-check directive,
    which suppress.py reads from the file itself). Blanking rather than cutting keeps every
    offset and line number of the rest true. One pass: an opener with no closer after it
    ends the search (so does every later one).
    """
    if "<!--" not in text:
        return text
    parts: list[str] = []
    pos = 0
    while True:
        start = text.find("<!--", pos)
        if start == -1:
            break
        end = text.find("-->", start + 4)
        if end == -1:
            break
        end += 3
        parts.append(text[pos:start])
        parts.append(re.sub(r"[^\n]", " ", text[start:end]))
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


_HTML_FIRST_TAG = re.compile(rb"<(?:html|head|body|meta|title|div|p|section|main|h[1-6]|span|table|header|nav|"
                             rb"style|script|link|ul|ol|br|a|img|form|center|font|b|i)[\s>/]", re.I)
_FIRST_TAG = re.compile(rb"<([A-Za-z][\w:.-]*)")
_LATEX = re.compile(rb"^[ \t]*\\(?:documentclass|documentstyle|begin\s*\{document\})", re.M)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# An OpenDocument package stores its type uncompressed as the first member, "mimetype".
_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
# Roots of the XML a manuscript comes in (JATS, PMC sets, OAI-PMH) when nothing else
# (an XML declaration, a DOCTYPE, a namespace) says the file is XML.
_XML_ROOTS = frozenset({b"article", b"pmc-articleset", b"oai-pmh", b"record", b"records", b"sub-article",
                        b"book", b"book-part", b"collection", b"getrecord", b"response"})
_ROOT_TAG = re.compile(rb"<([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)(?=[\s/>])([^<>]*)>?")


def _declared_xml(prolog: bytes) -> bool:
    return b"<?xml" in prolog or b"<!DOCTYPE" in prolog.upper()


def _xml_root(head: bytes, at: int) -> bool:
    """Whether the tag at ``at`` is an XML root: a known manuscript root or one declaring a namespace."""
    m = _ROOT_TAG.match(head, at)
    if not m:
        return False
    name = m.group(1).lower()
    return name.rsplit(b":", 1)[-1] in _XML_ROOTS or b"xmlns" in m.group(2)


def sniff(data: bytes) -> str | None:
    """A format named by the content itself, or None when the content says nothing.

    XML is JATS unless it is (X)HTML, and only when it says it is XML (a declaration, a
    DOCTYPE, a namespace or a manuscript root such as ``<article>``): Markdown that opens
    with a comment and then ``<sup>`` is not XML. ``{\\rtf`` is RTF; a zip is an ODT when
    its mimetype says so, else taken for a DOCX (its reader says when it is not one), as
    is an OLE container (an encrypted DOCX or an old .doc, which the DOCX reader names);
    %PDF in the first kilobyte is a PDF; \\documentclass or \\begin{document} at the
    start of a line is LaTeX.
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
        first = _FIRST_TAG.match(head, xml.end() - 1)  # the root element's name
        if first and _HTML_FIRST_TAG.match(b"<" + first.group(1) + b" "):
            return "html"
        if _declared_xml(head[: xml.end()]) or _xml_root(head, xml.end() - 1):
            return "jats"
        # Comments then <sup>, <br> or an autolink <https://…>: Markdown or text, not XML.
        return None
    if head.lstrip().startswith(b"{\\rtf"):
        return "rtf"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "odt" if head[30:38] == b"mimetype" and _ODT_MIMETYPE in head[38:300] else "docx"
    if head.startswith(_OLE_MAGIC):
        return "docx"  # an old .doc or an encrypted DOCX: the DOCX reader names which
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if _LATEX.search(head):
        return "latex"
    return None
