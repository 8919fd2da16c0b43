"""Find a DOCTYPE and its entity declarations by parsing, in whatever encoding the XML is.

A byte search for ``<!ENTITY`` misses UTF-16 or UTF-32 text and anything past the part it
looks at (a 200 KB comment first). Here libxml2 itself parses the prolog, which holds any
DOCTYPE, in the document's own encoding, and stops at the root element's start tag: the
entity declarations are known before any content that could use them is read, and the
cost is the size of the prolog.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from .source import text_encoding

CHUNK = 1 << 16


@dataclass
class Prolog:
    """What the prolog declares: ``doctype`` ('' when none) and the entity names."""

    doctype: str = ""
    entities: list[str] = field(default_factory=list)
    error: str = ""  # a syntax error before the root element ('' when none)


class PrologProbe:
    """Feed an XML document in chunks until its root element starts (``done``)."""

    def __init__(self) -> None:
        self._parser = etree.XMLPullParser(events=("start",), resolve_entities=False, load_dtd=False,
                                           no_network=True, huge_tree=False, dtd_validation=False)
        self.done = False
        self.result = Prolog()

    def feed(self, chunk: bytes) -> bool:
        """Parse one more chunk; True once the prolog is known (or is broken)."""
        if self.done:
            return True
        try:
            self._parser.feed(chunk)
            for _, el in self._parser.read_events():
                info = el.getroottree().docinfo
                self.result.doctype = info.doctype or ""
                dtd = info.internalDTD
                if dtd is not None:
                    self.result.entities = [e.name for e in dtd.iterentities()]
                self.done = True
                break
        except etree.XMLSyntaxError as exc:
            self.result.error = (str(exc).strip().splitlines() or ["syntax error"])[0][:200]
            self.done = True
        return self.done


def prolog(data: bytes) -> Prolog:
    """The prolog of a whole document held in memory."""
    probe = PrologProbe()
    for i in range(0, len(data), CHUNK):
        if probe.feed(data[i:i + CHUNK]):
            break
    return probe.result


def looks_like_xml(head: bytes) -> bool:
    """Whether bytes start, after a byte-order mark and blanks, with '<' in any encoding."""
    wide = text_encoding(head)
    if wide:
        text = head[: len(head) - len(head) % 4].decode(wide, errors="ignore")
        return text.lstrip("\ufeff \t\r\n").startswith("<")
    return head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n").startswith(b"<")
