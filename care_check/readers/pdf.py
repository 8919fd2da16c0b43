"""PDF manuscripts, read with pdfminer.six's layout analysis.

pdfminer runs in a child process with a memory cap and a time limit, because a hostile
PDF can hide a decompression bomb in any stream (Flate, LZW, RunLength) or send the
parser into a very long loop; the child sends back only the text lines it found, with
their positions and fonts. The parent then

* drops running headers and footers (lines repeated in the page margins on most pages)
  and bare page numbers,
* keeps pdfminer's reading order (which follows the columns of a two-column layout),
  rebuilds a table that follows a "Table N" caption as tab-joined rows,
* finds headings by font (larger than the body text, or bold, and short) and the title
  as the largest text on the first page,
* splits text boxes into paragraphs (indented first lines, short last lines) and joins a
  word hyphenated across a line end.

``Block.page`` is the page and ``Block.line`` the line on that page (1-based, counted
in reading order over the lines kept). Encrypted PDFs and PDFs with no extractable text
(scans) raise InputError with a one-line reason.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass

from ..errors import InputError
from ..model import Block, RawDocument
from ..sections import Lexicon, load_lexicon
from .structure import SectionBuilder, table_block
from .text import CAPTION

MAX_PAGES = 200
TIMEOUT_S = 90
MEMORY_BYTES = 2 * 1024 * 1024 * 1024
_LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
                            "\ufb05": "st", "\ufb06": "st"})
_CID = re.compile(r"\(cid:\d+\)")
_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi|,b$|-b$|\.b$", re.I)
_PAGE_NUMBER = re.compile(r"^(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$|^[ivxlc]{1,6}$", re.I)
_TABLE_CAPTION = re.compile(r"^(?:Supplementary\s+)?(?:Table|Tab\.)\s*S?\d+", re.I)
_NUMBERED = re.compile(r"^\s*(\d+(?:\.\d+)*)\.?\s+\S")
_SENTENCE_END = ('.', '?', '!', ':', '"', '\u201d', ')', ']')


# -- the child process -----------------------------------------------------------------

def _worker_main() -> None:  # pragma: no cover - runs in the child process
    """Read PDF bytes on stdin, write {"pages": [...]} or {"error": ...} as JSON on stdout."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
        resource.setrlimit(resource.RLIMIT_CPU, (TIMEOUT_S + 5, TIMEOUT_S + 10))
    except (ImportError, ValueError, OSError):
        pass
    import io
    import logging

    logging.disable(logging.CRITICAL)
    data = sys.stdin.buffer.read()
    try:
        out = {"pages": _extract(io.BytesIO(data))}
    except MemoryError:
        out = {"error": "memory", "detail": "needs too much memory to read (possible decompression bomb)"}
    except RecursionError:
        out = {"error": "malformed", "detail": "nests objects too deeply"}
    except Exception as exc:  # classified below; never a traceback
        out = {"error": _classify(exc), "detail": (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]}
    sys.stdout.write(json.dumps(out))


def _classify(exc: Exception) -> str:
    name = type(exc).__name__
    if name in ("PDFPasswordIncorrect", "PDFEncryptionError", "PDFEncryptionWarning") or "encrypt" in name.lower():
        return "encrypted"
    if name == "PDFTooManyPages":
        return "pages"
    return "malformed"


def _extract(fh) -> list[dict]:  # pragma: no cover - runs in the child process
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LAParams, LTChar, LTTextBox, LTTextLine
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    class PDFTooManyPages(Exception):
        pass

    parser = PDFParser(fh)
    document = PDFDocument(parser, password="")
    rsrc = PDFResourceManager(caching=True)
    device = PDFPageAggregator(rsrc, laparams=LAParams())
    interpreter = PDFPageInterpreter(rsrc, device)
    pages = []
    for n, page in enumerate(PDFPage.create_pages(document)):
        if n >= MAX_PAGES:
            raise PDFTooManyPages(f"over {MAX_PAGES} pages")
        interpreter.process_page(page)
        layout = device.get_result()
        boxes = []
        for obj in layout:
            if not isinstance(obj, LTTextBox):
                continue
            lines = []
            for line in obj:
                if not isinstance(line, LTTextLine):
                    continue
                text = line.get_text().rstrip("\n")
                if not text.strip():
                    continue
                chars = [c for c in line if isinstance(c, LTChar)]
                n_chars = max(1, len(chars))
                size = sum(c.size for c in chars) / n_chars
                bold = sum(1 for c in chars if _BOLD_FONT.search(c.fontname.split("+")[-1])) / n_chars
                lines.append([text, round(line.x0, 1), round(line.y0, 1), round(line.x1, 1), round(line.y1, 1),
                              round(size, 1), round(bold, 2)])
            if lines:
                boxes.append(lines)
        pages.append({"w": round(layout.width, 1), "h": round(layout.height, 1), "boxes": boxes})
    return pages


def _run_worker(path: str, data: bytes) -> list[dict]:
    code = "from care_check.readers.pdf import _worker_main; _worker_main()"
    try:
        proc = subprocess.run([sys.executable, "-c", code], input=data, capture_output=True, timeout=TIMEOUT_S,
                              env={**os.environ, "PYTHONWARNINGS": "ignore"})
    except subprocess.TimeoutExpired:
        raise InputError(path, f"PDF took over {TIMEOUT_S} s to read; gave up") from None
    except OSError as exc:
        raise InputError(path, f"cannot start the PDF reader: {exc}") from None
    try:
        out = json.loads(proc.stdout.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        if proc.returncode and proc.returncode < 0:
            raise InputError(path, "PDF reader stopped (out of memory or time; possible decompression bomb)") from None
        raise InputError(path, "PDF reader failed on this file (malformed PDF?)") from None
    error = out.get("error")
    if error == "encrypted":
        raise InputError(path, "encrypted (password-protected) PDF; save an unprotected copy")
    if error == "pages":
        raise InputError(path, f"PDF has over {MAX_PAGES} pages; not a case report?")
    if error == "memory":
        raise InputError(path, f"PDF {out.get('detail')}")
    if error:
        raise InputError(path, f"malformed PDF ({out.get('detail')})")
    return out["pages"]


# -- lines, pages, layout --------------------------------------------------------------

@dataclass
class _Line:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float
    bold: float
    page: int
    box: int
    num: int = 0  # line on the page, in reading order, after dropping margins

    @property
    def words(self) -> int:
        return len(self.text.split())


def _lines(pages: list[dict]) -> list[list[_Line]]:
    out = []
    for pno, page in enumerate(pages, 1):
        lines = []
        for bno, box in enumerate(page["boxes"]):
            for text, x0, y0, x1, y1, size, bold in box:
                text = _CID.sub("", text.translate(_LIGATURES)).replace("\u00a0", " ").strip()
                if text:
                    lines.append(_Line(text, x0, y0, x1, y1, size, bold, pno, bno))
        out.append(lines)
    return out


def _drop_margins(pages: list[list[_Line]], heights: list[float]) -> None:
    """Remove running headers/footers and page numbers in place."""
    def in_margin(ln: _Line, h: float) -> bool:
        return ln.y0 > 0.90 * h or ln.y1 < 0.10 * h

    def key(ln: _Line) -> str:
        return re.sub(r"\d+", "#", " ".join(ln.text.lower().split()))

    counts: Counter[str] = Counter()
    for lines, h in zip(pages, heights):
        counts.update({key(ln) for ln in lines if in_margin(ln, h)})
    n = len(pages)
    repeated = {k for k, c in counts.items() if n >= 2 and c >= max(2, (n + 1) // 2)}
    for i, (lines, h) in enumerate(zip(pages, heights)):
        pages[i] = [ln for ln in lines if not (in_margin(ln, h) and (
            key(ln) in repeated or _PAGE_NUMBER.match(ln.text.strip())))]


def _body_size(pages: list[list[_Line]]) -> float:
    sizes: Counter[float] = Counter()
    for lines in pages:
        for ln in lines:
            sizes[round(ln.size * 2) / 2] += len(ln.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


# -- tables after a "Table N" caption --------------------------------------------------

def _take_table(lines: list[_Line], cap_last: _Line, caption_x: float, body: float) -> tuple[list[str], set[int]]:
    """Rows of the table below a caption, and the ids of the lines used."""
    cand = sorted((ln for ln in lines if ln.y1 <= cap_last.y0 + 1 and ln.x0 >= caption_x - 5),
                  key=lambda ln: (-ln.y1, ln.x0))
    rows: list[list[_Line]] = []
    for ln in cand:
        if rows and abs(rows[-1][0].y0 - ln.y0) <= 2.0:
            rows[-1].append(ln)
        else:
            rows.append([ln])
    if not rows or len(rows[0]) < 2:
        return [], set()
    gaps: list[float] = []
    taken: list[list[_Line]] = []
    prev_y = cap_last.y0
    for row in rows:
        gap = prev_y - row[0].y0
        typical = sorted(gaps)[len(gaps) // 2] if gaps else max(row[0].y1 - row[0].y0, body) * 1.2
        if taken and gap > 2.2 * typical:
            break
        if any(ln.size > body * 1.12 for ln in row):
            break  # a heading after the table
        if len(row) == 1 and row[0].x0 <= caption_x + 3 and len(row[0].text) > 60:
            break  # a body paragraph after the table
        if taken:
            gaps.append(gap)
        taken.append(row)
        prev_y = row[0].y0
    if len(taken) < 2:
        return [], set()
    columns = sorted({round(ln.x0) for ln in taken[0]})
    out_rows: list[list[str]] = []
    for row in taken:
        cells = [""] * len(columns)
        for ln in sorted(row, key=lambda ln: ln.x0):
            col = min(range(len(columns)), key=lambda c: abs(columns[c] - ln.x0))
            cells[col] = f"{cells[col]} {ln.text}".strip()
        continuation = out_rows and not cells[0] and len(columns) > 1
        if continuation:
            for c, text in enumerate(cells):
                if text:
                    out_rows[-1][c] = f"{out_rows[-1][c]} {text}".strip()
        else:
            out_rows.append(cells)
    used = {id(ln) for row in taken for ln in row}
    return ["\t".join(r) for r in out_rows], used


# -- assembling the document -----------------------------------------------------------

def read_bytes_(path: str, data: bytes, lexicon: Lexicon | None = None) -> RawDocument:
    """Read PDF bytes into a RawDocument, or raise InputError."""
    lex = lexicon or load_lexicon()
    if not data.lstrip()[:1024].count(b"%PDF"):
        raise InputError(path, "not a PDF file (no %PDF header)")
    raw_pages = _run_worker(path, data)
    pages = _lines(raw_pages)
    letters = sum(ch.isalpha() for lines in pages for ln in lines for ch in ln.text)
    if letters < 40:
        raise InputError(path, "PDF has no extractable text (a scan or image-only PDF?); "
                               "run OCR or check the DOCX or text version instead")
    _drop_margins(pages, [p["h"] for p in raw_pages])
    return _Assembler(path, lex, pages, [p["w"] for p in raw_pages]).build()


class _Assembler:
    def __init__(self, path: str, lex: Lexicon, pages: list[list[_Line]], widths: list[float]) -> None:
        self.path = path
        self.lex = lex
        self.pages = pages
        self.widths = widths
        self.body = _body_size(pages)
        self.b = SectionBuilder(lex)
        sizes = sorted({round(ln.size) for lines in pages for ln in lines
                        if ln.size > self.body * 1.12 and ln.words <= 20}, reverse=True)
        self.level_of = {s: i + 1 for i, s in enumerate(sizes)}
        first = pages[0] if pages else []
        big = [ln for ln in first if ln.size > self.body * 1.15 and ln.words <= 30]
        self.title_size = max((ln.size for ln in big), default=None)
        self.vocab = Counter(w.lower() for lines in pages for ln in lines for w in re.findall(r"[A-Za-z]+", ln.text))

    # -- classification of one line ------------------------------------------------------
    def _heading_level(self, ln: _Line, prev: _Line | None = None) -> int | None:
        """The level of a heading line, or None; ``prev`` is the line before it in its box."""
        s = ln.text.strip()
        if len(s) > 150 or ln.words > 16 or sum(ch.isalpha() for ch in s) < 3 or CAPTION.match(s):
            return None
        if s.endswith((",", ";")) or (s.endswith(".") and not _NUMBERED.match(s)):
            return None
        if prev is not None and not prev.text.rstrip().endswith(_SENTENCE_END) and not (
                abs(prev.size - ln.size) > 0.3 or abs(prev.bold - ln.bold) > 0.5):
            return None  # the rest of a wrapped sentence in the same font
        numbered = _NUMBERED.match(s)
        if ln.size > self.body * 1.12:
            return self.level_of.get(round(ln.size), 1)
        if ln.bold >= 0.9:
            return (numbered.group(1).count(".") + 1) if numbered else len(self.level_of) + 1
        if (self.lex.kind_of(s) is not None and ln.words <= 6 and not s.endswith(".")
                and not re.search(r"[:.]\s+\S", s)):
            return len(self.level_of) + 1
        return None

    def _prev_in_box(self, lines: list[_Line], i: int) -> _Line | None:
        return lines[i - 1] if i > 0 and lines[i - 1].box == lines[i].box else None

    def build(self) -> RawDocument:
        for pno, lines in enumerate(self.pages, 1):
            for k, ln in enumerate(lines, 1):
                ln.num = k
            self._page(pno, lines)
        return self.b.build(self.path, "pdf")

    def _paragraph_end(self, lines: list[_Line], i: int, used: set[int]) -> int:
        """Index after the last line of the paragraph that starts at ``lines[i]``."""
        para = [lines[i]]
        j = i + 1
        while j < len(lines) and lines[j].box == lines[i].box and id(lines[j]) not in used:
            nxt = lines[j]
            if self._heading_level(nxt, para[-1]) is not None or self._breaks(para, nxt, lines):
                break
            para.append(nxt)
            j += 1
        return j

    def _tables(self, pno: int, lines: list[_Line]) -> tuple[dict[int, Block], set[int]]:
        """Tables below "Table N" captions on a page, found before the page is read out."""
        found: dict[int, Block] = {}
        used: set[int] = set()
        for i, ln in enumerate(lines):
            if not _TABLE_CAPTION.match(ln.text) or id(ln) in used:
                continue
            if i > 0 and lines[i - 1].box == ln.box and not lines[i - 1].text.rstrip().endswith(_SENTENCE_END):
                continue  # "Table 1" inside a sentence that wrapped
            j = self._paragraph_end(lines, i, used)
            caption = lines[i:j]
            rest = [x for x in lines if id(x) not in used and x not in caption]
            rows, taken = _take_table(rest, caption[-1], caption[0].x0, self.body)
            if rows:
                block = table_block(rows, min(x.num for x in lines if id(x) in taken), pno)
                if block is not None:
                    found[id(ln)] = block
                    used |= taken
        return found, used

    def _page(self, pno: int, lines: list[_Line]) -> None:
        tables, used = self._tables(pno, lines)
        i = 0
        while i < len(lines):
            ln = lines[i]
            if id(ln) in used:
                i += 1
                continue
            # The title: the largest text on page 1, possibly over several lines.
            if (pno == 1 and self.b.title is None and self.title_size is not None
                    and abs(ln.size - self.title_size) < 0.6):
                j = i
                while j < len(lines) and lines[j].box == ln.box and abs(lines[j].size - ln.size) < 0.6:
                    j += 1
                text = self._join([x.text for x in lines[i:j]]).replace("\n", " ")
                if self.lex.kind_of(text) is None and len(text.split()) >= 3:
                    self.b.set_title(text, ln.num)
                    i = j
                    continue
            level = self._heading_level(ln, self._prev_in_box(lines, i))
            if level is not None:
                j = i + 1
                # A heading wrapped over two or three lines: same box, same font.
                while (j < len(lines) and j - i < 3 and lines[j].box == ln.box and id(lines[j]) not in used
                       and abs(lines[j].size - ln.size) < 0.3 and abs(lines[j].bold - ln.bold) < 0.2
                       and self._heading_level(lines[j], lines[j - 1]) is not None):
                    j += 1
                text = self._join([x.text for x in lines[i:j]]).replace("\n", " ")
                self.b.heading(text.rstrip(":").strip(), level, ln.num)
                i = j
                continue
            j = self._paragraph_end(lines, i, used)
            text = self._join([x.text for x in lines[i:j]])
            if id(ln) in tables:
                self.b.caption(text, ln.num, pno, [tables[id(ln)]])
            elif not self._continues(text):
                self.b.paragraph(text, ln.num, pno)
            i = j

    def _continues(self, text: str) -> bool:
        """Join a paragraph broken by a page or column end to its first part."""
        blocks = self.b.current.blocks
        if not blocks or blocks[-1].kind != "paragraph":
            return False
        last = blocks[-1]
        tail = last.text.rstrip()
        if tail.endswith(_SENTENCE_END) or not (text[:1].islower() or tail.endswith("-")):
            return False
        blocks[-1] = Block(self._join(last.text.split("\n") + text.split("\n")), last.line, last.offset,
                           last.page, last.kind)
        return True

    def _breaks(self, para: list[_Line], nxt: _Line, lines: list[_Line]) -> bool:
        """Whether ``nxt`` starts a new paragraph inside the same text box."""
        prev = para[-1]
        prev_text = prev.text.rstrip()
        if CAPTION.match(nxt.text) and prev_text.endswith(_SENTENCE_END):
            return True
        if not prev_text.endswith(_SENTENCE_END):
            return False
        box_lines = [x for x in lines if x.box == prev.box]
        left = min(x.x0 for x in box_lines)
        right = max(x.x1 for x in box_lines)
        indent = nxt.x0 - left
        if indent > 0.8 * self.body and indent < 6 * self.body and prev.x0 - left < 0.5 * self.body:
            return True  # first-line indent
        if (right - prev.x1) > 0.25 * (right - left) and len(para) >= 1 and len(box_lines) > 2:
            return True  # the previous line was a short last line
        gap = prev.y0 - nxt.y1
        return gap > 0.9 * self.body

    def _join(self, parts: list[str]) -> str:
        """Lines joined with newlines; a word split by a line-end hyphen is joined up."""
        out: list[str] = []
        for part in parts:
            part = part.strip()
            if out and re.search(r"[A-Za-z]-$", out[-1]) and re.match(r"[a-z]", part):
                head, _, tail = part.partition(" ")
                before = re.search(r"([A-Za-z]+)-$", out[-1]).group(1).lower()
                word = re.match(r"[A-Za-z]+", head).group(0).lower()
                # Keep the hyphen of a compound ("follow-up") whose parts are words of this
                # text, unless the joined word occurs too; else it is a typesetting break.
                keep = (not self.vocab.get(before + word)
                        and self.vocab.get(before, 0) > 1 and self.vocab.get(word, 0) > 1)
                out[-1] = (out[-1] if keep else out[-1][:-1]) + head
                if tail:
                    out.append(tail)
                continue
            if out and re.search(r"\d-$", out[-1]):
                head, _, tail = part.partition(" ")
                out[-1] += head
                if tail:
                    out.append(tail)
                continue
            out.append(part)
        return "\n".join(out)


__all__ = ["read_bytes_"]
