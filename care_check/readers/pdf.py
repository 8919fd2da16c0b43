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

``Block.page`` is the page and ``Block.line`` the line on that page where the paragraph
starts (1-based, counted in reading order over the lines kept). Encrypted PDFs and PDFs with no extractable text
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
MAX_PAGE_CONTENT = 10 * 1024 * 1024  # decompressed drawing instructions of one page; a text page has ~100 KB
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
    sys.stdout.write(json.dumps(_read(sys.stdin.buffer.read())))


def _read(data: bytes) -> dict:
    """{"pages": [...]} or {"error": kind, "detail": text}: never raises."""
    import io
    import logging

    logging.disable(logging.CRITICAL)
    try:
        return {"pages": _extract(io.BytesIO(data))}
    except MemoryError:
        return {"error": "memory", "detail": "needs too much memory to read (possible decompression bomb)"}
    except RecursionError:
        return {"error": "malformed", "detail": "nests objects too deeply"}
    except Exception as exc:  # classified below; never a traceback
        return {"error": _classify(exc), "detail": (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]}


def _classify(exc: Exception) -> str:
    name = type(exc).__name__
    if name in ("PDFPasswordIncorrect", "PDFEncryptionError", "PDFEncryptionWarning") or "encrypt" in name.lower():
        return "encrypted"
    if name == "PDFTooManyPages":
        return "pages"
    if name == "PDFContentTooLarge":
        return "content"
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
    bold_fonts: dict[str, bool] = {}  # per font name, not per character (a name can be 100,000 long)

    def is_bold(fontname: str) -> bool:
        found = bold_fonts.get(fontname)
        if found is None:
            found = bold_fonts[fontname] = bool(_BOLD_FONT.search(fontname.split("+")[-1][-200:]))
        return found

    for n, page in enumerate(PDFPage.create_pages(document)):
        if n >= MAX_PAGES:
            raise PDFTooManyPages(f"over {MAX_PAGES} pages")
        _check_content_size(page, n + 1)
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
                bold = sum(1 for c in chars if is_bold(c.fontname)) / n_chars
                lines.append([text, round(line.x0, 1), round(line.y0, 1), round(line.x1, 1), round(line.y1, 1),
                              round(size, 1), round(bold, 2)])
            if lines:
                boxes.append(lines)
        pages.append({"w": round(layout.width, 1), "h": round(layout.height, 1), "boxes": boxes})
    return pages


class PDFContentTooLarge(Exception):
    pass


def _check_content_size(page, number: int) -> None:  # pragma: no cover - runs in the child process
    """Refuse a page whose content streams (its own and its form XObjects') decompress to
    more than MAX_PAGE_CONTENT: pdfminer interprets content in Python, so a small file
    whose page inflates to 50 MB would otherwise take minutes."""
    from pdfminer.pdftypes import PDFStream, resolve1

    streams = list(page.contents or [])
    xobjects = resolve1((page.resources or {}).get("XObject")) or {}
    if isinstance(xobjects, dict):
        streams.extend(x for x in xobjects.values()
                       if isinstance(resolve1(x), PDFStream)
                       and getattr(resolve1(x).get("Subtype"), "name", None) == "Form")
    total = 0
    for st in streams:
        st = resolve1(st)
        if isinstance(st, PDFStream):
            total += len(st.get_data() or b"")
            if total > MAX_PAGE_CONTENT:
                raise PDFContentTooLarge(f"page {number} expands to over {MAX_PAGE_CONTENT // (1024 * 1024)} MB "
                                         "of drawing instructions")


def _run_worker(path: str, data: bytes) -> list[dict]:
    from ..guard import isolated, remaining

    if isolated():
        # Already in a child process with the file's time budget and memory ceiling: no
        # second process (and its start-up second) is needed.
        out = _read(data)
    else:
        code = "from care_check.readers.pdf import _worker_main; _worker_main()"
        timeout = remaining(TIMEOUT_S)
        try:
            proc = subprocess.run([sys.executable, "-c", code], input=data, capture_output=True, timeout=timeout,
                                  env={**os.environ, "PYTHONWARNINGS": "ignore"})
        except subprocess.TimeoutExpired:
            raise InputError(path, f"PDF took over {timeout:.0f} s to read; gave up") from None
        except OSError as exc:
            raise InputError(path, f"cannot start the PDF reader: {exc}") from None
        try:
            out = json.loads(proc.stdout.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            if proc.returncode and proc.returncode < 0:
                raise InputError(path, "PDF reader stopped (out of memory or time; possible decompression bomb)") \
                    from None
            raise InputError(path, "PDF reader failed on this file (malformed PDF?)") from None
    error = out.get("error")
    if error == "encrypted":
        raise InputError(path, "encrypted (password-protected) PDF; save an unprotected copy")
    if error == "pages":
        raise InputError(path, f"PDF has over {MAX_PAGES} pages; not a case report?")
    if error == "content":
        raise InputError(path, f"PDF {out.get('detail')}; refused (possible decompression bomb)")
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


# -- tables ----------------------------------------------------------------------------

def _baseline_rows(lines: list[_Line]) -> list[list[_Line]]:
    """Lines grouped by baseline (top to bottom), each row left to right."""
    rows: list[list[_Line]] = []
    for ln in sorted(lines, key=lambda x: (-x.y0, x.x0)):
        if rows and abs(rows[-1][0].y0 - ln.y0) <= 2.0:
            rows[-1].append(ln)
        else:
            rows.append([ln])
    for row in rows:
        row.sort(key=lambda x: x.x0)
    return rows


def _column_starts(lines: list[_Line], width: float) -> list[float]:
    """Left edges of the page's text columns.

    A text column is a left edge shared by five or more lines, of 26 characters or more
    at the median, that run down at least 45% of the page's text. Of two such edges
    closer than 30% of the page width, the one with more text wins (so a table's columns
    or indented first lines are not taken for text columns).
    """
    if not lines:
        return []
    span = max(ln.y1 for ln in lines) - min(ln.y0 for ln in lines) or 1.0
    clusters: list[list[_Line]] = []
    for ln in sorted(lines, key=lambda x: x.x0):
        if clusters and ln.x0 - clusters[-1][-1].x0 <= 3:
            clusters[-1].append(ln)
        else:
            clusters.append([ln])
    cands = [c for c in clusters
             if len(c) >= 5 and max(x.y1 for x in c) - min(x.y0 for x in c) >= 0.45 * span
             and sorted(len(x.text) for x in c)[len(c) // 2] >= 26]  # table cells are shorter
    kept: list[float] = []
    for c in sorted(cands, key=lambda c: sum(len(ln.text) for ln in c), reverse=True):
        x = sorted(ln.x0 for ln in c)[len(c) // 2]
        if all(abs(x - k) >= 0.3 * width for k in kept):
            kept.append(x)
    # An indent (first-line or hanging) is right of its column's edge: snap to the edge.
    xs = [sorted(ln.x0 for ln in c)[len(c) // 2] for c in cands]
    return sorted(min([x for x in xs if k - 0.1 * width <= x <= k] or [k]) for k in kept)


def _column_order(lines: list[_Line], columns: list[float]) -> list[_Line]:
    """Reading order for a page of two or more text columns.

    Boxes that span more than one column (title, abstract, wide tables) cut the page into
    bands; within a band, each column is read top to bottom, left column first. With one
    column, pdfminer's own order is kept.
    """
    if len(columns) < 2:
        return lines
    boxes: dict[int, list[_Line]] = {}
    for ln in lines:
        boxes.setdefault(ln.box, []).append(ln)

    def column_of(box: list[_Line]) -> int:
        x0 = min(ln.x0 for ln in box)
        return max((i for i, c in enumerate(columns) if c <= x0 + 5), default=0)

    def is_wide(box: list[_Line]) -> bool:
        col = column_of(box)
        return col + 1 < len(columns) and max(ln.x1 for ln in box) > columns[col + 1] + 10

    def top(box: list[_Line]) -> float:
        return max(ln.y1 for ln in box)

    wide = sorted((b for b in boxes.values() if is_wide(b)), key=top, reverse=True)
    narrow = [b for b in boxes.values() if not is_wide(b)]
    ordered: list[list[_Line]] = []
    upper = float("inf")
    for cut in wide + [None]:
        lower = top(cut) if cut is not None else float("-inf")
        band = [b for b in narrow if lower < top(b) <= upper]
        band.sort(key=lambda b: (column_of(b), -top(b), min(ln.x0 for ln in b)))
        ordered.extend(band)
        if cut is not None:
            ordered.append(cut)
            upper = min(ln.y0 for ln in cut)
    seen = {id(ln) for b in ordered for ln in b}
    rest = [ln for ln in lines if id(ln) not in seen]
    return [ln for b in ordered for ln in b] + rest


def _is_grid_row(row: list[_Line], columns: list[float]) -> bool:
    """Two or more side-by-side cells, not all at the starts of text columns."""
    if len(row) < 2:
        return False
    if any(b.x0 < a.x1 - 1 for a, b in zip(row, row[1:])):
        return False
    return any(all(abs(ln.x0 - c) > 6 for c in columns) for ln in row[1:])


def _grid(lines: list[_Line], top: float, x_min: float, x_max: float, body: float,
          columns: list[float]) -> tuple[list[str], set[int]]:
    """Rows of a table whose first row lies just below ``top`` between x_min and x_max."""
    cand = [ln for ln in lines if ln.y1 <= top + 1 and ln.x0 >= x_min - 5 and ln.x0 < x_max]
    rows = _baseline_rows(cand)
    if not rows or len(rows[0]) < 2:
        return [], set()
    gaps: list[float] = []
    taken: list[list[_Line]] = []
    prev_y = top
    for row in rows:
        gap = prev_y - row[0].y0
        typical = sorted(gaps)[len(gaps) // 2] if gaps else max(row[0].y1 - row[0].y0, body) * 1.3
        if taken and gap > 2.2 * typical:
            break
        if any(ln.size > body * 1.12 for ln in row):
            break  # a heading after the table
        if len(row) == 1 and row[0].x0 <= x_min + 3 and (len(row[0].text) > 20 or row[0].bold >= 0.9):
            break  # a heading or body text after the table (a wrapped first cell is short)
        if len(row) >= 2 and not _is_grid_row(row, columns):
            break  # side-by-side text columns, not table cells
        if taken:
            gaps.append(gap)
        taken.append(row)
        prev_y = row[0].y0
    if sum(1 for r in taken if len(r) >= 2) < 2:
        return [], set()
    columns = sorted({round(ln.x0) for r in taken if len(r) >= 2 for ln in r})
    merged: list[float] = []
    for c in columns:
        if not merged or c - merged[-1] > 8:
            merged.append(c)
    out_rows: list[list[str]] = []
    for row in taken:
        cells = [""] * len(merged)
        for ln in row:
            col = min(range(len(merged)), key=lambda c: abs(merged[c] - ln.x0))
            cells[col] = f"{cells[col]} {ln.text}".strip()
        if out_rows and not cells[0] and len(merged) > 1:  # the wrapped rest of a row
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
    def _heading_level(self, ln: _Line, prev: _Line | None = None, alone: bool = False) -> int | None:
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
        if (alone and self.lex.kind_of(s) is not None and ln.words <= 6 and not s.endswith(".")
                and not re.search(r"[:.]\s+\S", s)):
            return len(self.level_of) + 1  # a heading in the body font, alone in its box
        return None

    def _prev_in_box(self, lines: list[_Line], i: int) -> _Line | None:
        return lines[i - 1] if i > 0 and lines[i - 1].box == lines[i].box else None

    def build(self) -> RawDocument:
        for pno, lines in enumerate(self.pages, 1):
            width = self.widths[pno - 1] if pno - 1 < len(self.widths) else 1e9
            lines = _column_order(lines, _column_starts(lines, width))
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
        """Tables on a page, found before the page is read out.

        Returns the table blocks keyed by the line they are read at (the caption's first
        line when a "Table N" caption stands above, else the table's first line) and the
        lines they used.
        """
        found: dict[int, Block] = {}
        used: set[int] = set()
        width = self.widths[pno - 1] if pno - 1 < len(self.widths) else 1e9
        columns = _column_starts(lines, width)

        def right_edge(x0: float) -> float:
            later = [c for c in columns if c > x0 + 50]
            return later[0] - 5 if later else width

        def add(key: int, rows: list[str], taken: set[int]) -> None:
            block = table_block(rows, min(x.num for x in lines if id(x) in taken), pno)
            if block is not None:
                found[key] = block
                used.update(taken)

        for i, ln in enumerate(lines):
            if not _TABLE_CAPTION.match(ln.text) or id(ln) in used:
                continue
            if i > 0 and lines[i - 1].box == ln.box and not lines[i - 1].text.rstrip().endswith(_SENTENCE_END):
                continue  # "Table 1" inside a sentence that wrapped
            j = self._paragraph_end(lines, i, used)
            caption = lines[i:j]
            rest = [x for x in lines if id(x) not in used and x not in caption]
            rows, taken = _grid(rest, caption[-1].y0, caption[0].x0, right_edge(caption[0].x0), self.body, columns)
            if rows:
                add(id(ln), rows, taken)
        # Tables without a caption: two or more rows of side-by-side cells.
        for row in _baseline_rows([x for x in lines if id(x) not in used]):
            if any(id(x) in used for x in row) or not _is_grid_row(row, columns):
                continue
            x0 = row[0].x0
            rest = [x for x in lines if id(x) not in used]
            rows, taken = _grid(rest, row[0].y1 + 0.5, x0, right_edge(x0), self.body, columns)
            if rows:
                first = min((x for x in lines if id(x) in taken), key=lambda x: x.num)
                add(id(first), rows, taken)
        return found, used

    def _page(self, pno: int, lines: list[_Line]) -> None:
        tables, used = self._tables(pno, lines)
        i = 0
        while i < len(lines):
            ln = lines[i]
            if id(ln) in tables and id(ln) in used:
                self.b.block(tables[id(ln)])  # a table without a caption, where it starts
                i += 1
                continue
            if id(ln) in used:
                i += 1
                continue
            # The title: the largest text on page 1, possibly over several lines.
            if (pno == 1 and self.b.title is None and self.title_size is not None
                    and abs(ln.size - self.title_size) < 0.6):
                j = i
                while j < len(lines) and lines[j].box == ln.box and abs(lines[j].size - ln.size) < 0.6:
                    j += 1
                text = self._join([x.text for x in lines[i:j]])
                if self.lex.kind_of(text) is None and len(text.split()) >= 3:
                    self.b.set_title(text, ln.num)
                    i = j
                    continue
            alone = self._prev_in_box(lines, i) is None and (i + 1 >= len(lines) or lines[i + 1].box != ln.box)
            level = self._heading_level(ln, self._prev_in_box(lines, i), alone)
            if level is not None:
                j = i + 1
                # A heading wrapped over two or three lines: same box, same font.
                while (j < len(lines) and j - i < 3 and lines[j].box == ln.box and id(lines[j]) not in used
                       and abs(lines[j].size - ln.size) < 0.3 and abs(lines[j].bold - ln.bold) < 0.2
                       and self._heading_level(lines[j], lines[j - 1]) is not None):
                    j += 1
                text = self._join([x.text for x in lines[i:j]])
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
        blocks[-1] = Block(self._join([last.text, text]), last.line, last.offset, last.page, last.kind)
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
        """Lines joined into one paragraph; a word split by a line-end hyphen is joined up.

        Lines are joined with spaces, not newlines: a newline starts a new sentence for
        the engine, and a PDF line break is only where the typesetter ran out of room.
        """
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
            if out and re.search(r"[a-z]$", out[-1]) and re.match(r"[a-z]", part):
                # A long word broken without a hyphen ("rhabdomyolysi" / "s in a …").
                before = re.search(r"([A-Za-z]+)$", out[-1]).group(1).lower()
                word = re.match(r"[A-Za-z]+", part).group(0).lower()
                if self.vocab.get(before + word) and self.vocab.get(before, 0) <= 1:
                    head, _, tail = part.partition(" ")
                    out[-1] += head
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
        return " ".join(out)


__all__ = ["read_bytes_"]
