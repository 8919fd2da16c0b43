"""Builders of hostile and pathological inputs, made at test time (never committed)."""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMPLETE_MD = ROOT / "corpus" / "complete-case-report.md"
FIXTURES = ROOT / "tests" / "fixtures" / "formats"


def pdf(content: bytes, font_name: str = "Helvetica", compress: bool = True) -> bytes:
    """A one-page PDF whose page draws ``content`` with one font (written by hand, so a
    test can make a stream or a name as large as an attack needs)."""
    stream = zlib.compress(content, 9) if compress else content
    filt = b"/Filter /FlateDecode " if compress else b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< " + filt + b"/Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /" + font_name.encode() + b" /Encoding /WinAnsiEncoding"
        b" /FirstChar 32 /LastChar 126 /Widths [" + b" 500" * 95 + b"] /FontDescriptor 6 0 R >>",
        b"<< /Type /FontDescriptor /FontName /" + font_name.encode() + b" /Flags 32 /FontBBox [0 -200 1000 900]"
        b" /ItalicAngle 0 /Ascent 900 /Descent -200 /CapHeight 700 /StemV 80 >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def text_page(lines: list[str]) -> bytes:
    """PDF drawing instructions for lines of text, top to bottom."""
    ops = [b"BT /F1 11 Tf 14 TL 72 740 Td"]
    for ln in lines:
        safe = ln.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(b"(" + safe.encode("latin-1", "replace") + b") Tj T*")
    ops.append(b"ET")
    return b"\n".join(ops)


DOCX_CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
           '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
           '<Default Extension="xml" ContentType="application/xml"/>'
           '<Override PartName="/{main}" ContentType="application/vnd.openxmlformats-officedocument.'
           'wordprocessingml.document.main+xml"/></Types>')
DOCX_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
             '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
             'relationships/officeDocument" Target="{main}"/></Relationships>')
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx(paragraphs: list[str], main: str = "word/document.xml", prolog: str = "",
         encoding: str = "utf-8", extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal DOCX written by hand: its main part may be renamed, carry a prolog (a
    DOCTYPE) and be encoded in UTF-16; ``extra`` adds members."""
    body = "".join(f"<w:p><w:r><w:t xml:space=\"preserve\">{p}</w:t></w:r></w:p>" for p in paragraphs)
    decl = f'<?xml version="1.0" encoding="{encoding.upper()}" standalone="yes"?>\n'
    doc = f'{decl}{prolog}<w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>'
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", DOCX_CT.format(main=main))
        zf.writestr("_rels/.rels", DOCX_RELS.format(main=main))
        zf.writestr(main, doc.encode(encoding))
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buf.getvalue()
