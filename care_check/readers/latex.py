"""LaTeX manuscripts: the source of a paper, not its typeset PDF.

Read are ``\\title``, the abstract (environment or ``\\abstract{…}``), keywords
(``\\keywords{…}``, a ``keyword(s)`` environment or a "Keywords:" line), sectioning
commands (starred too), floats with ``\\caption`` and ``tabular`` rows (``&`` becomes a
tab, ``\\\\`` a new row), lists, footnotes and ``\\thanks`` (read at the end, as notes),
and ``thebibliography``. Comments are dropped and common macros reduced to their text:
``\\textbf{x}`` → x, ``\\cite{a,b}`` → "[1,2]" (numbered as the bibliography lists them),
``\\ref`` → "1", ``\\url{x}`` → x, accents and dashes to Unicode.

``\\input`` and ``\\include`` are followed relative to the main file, at most 5 deep and
50 files, never outside the main file's folder; a file that is missing or outside is
skipped. ``Block.line`` is the line in the main file (for text from an included file,
the line of its ``\\input``).
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field

from ..errors import InputError
from ..model import Block, RawDocument
from ..sections import Lexicon, load_lexicon
from .source import MAX_BYTES, decode
from .structure import SectionBuilder, table_block

MAX_DEPTH = 5
MAX_FILES = 50

_INPUT = re.compile(r"\\(?:input|include|subfile)\s*\{([^{}]+)\}|\\input\s+([^\s{}\\]+)")
_LEVELS = {"part": 1, "chapter": 1, "section": 1, "subsection": 2, "subsubsection": 3, "paragraph": 4,
           "subparagraph": 5}
_TOKEN = re.compile(
    r"\\(?P<sec>part|chapter|section|subsection|subsubsection|paragraph|subparagraph)\b\s*\*?\s*(?=[\[{])"
    r"|\\begin\s*\{(?P<begin>[^{}]+)\}"
    r"|\\end\s*\{(?P<end>[^{}]+)\}"
    r"|\\(?P<cmd>title|keywords?|kwd|abstract|caption|item|bibitem|thanks|footnote|maketitle|appendix|par|"
    r"bibliography|tableofcontents|printbibliography|newpage|clearpage)(?![A-Za-z])\*?"
    r"|(?P<blank>\n[ \t]*\n)")
_SKIP_ENVS = {"equation", "equation*", "align", "align*", "gather", "gather*", "multline", "multline*",
              "eqnarray", "eqnarray*", "displaymath", "math", "verbatim", "verbatim*", "lstlisting", "minted",
              "tikzpicture", "comment", "filecontents", "filecontents*", "picture", "pspicture"}
_TABULAR = {"tabular", "tabular*", "tabularx", "tabulary", "longtable", "longtable*", "supertabular", "xtabular",
            "tblr", "longtblr"}
_FLOATS = {"table": "Table", "table*": "Table", "sidewaystable": "Table", "figure": "Figure",
           "figure*": "Figure", "sidewaysfigure": "Figure", "wrapfigure": "Figure", "wraptable": "Table"}
_LISTS = {"itemize", "enumerate", "description", "compactitem", "compactenum", "inparaenum"}
_ARG_ENVS = {"minipage": 1, "multicols": 1, "wrapfigure": 2, "wraptable": 2, "tabular*": 1, "tabularx": 1,
             "tabulary": 1, "adjustbox": 1, "resizebox": 2, "thebibliography": 1}
# Macros dropped together with their arguments.
_DROP_ARGS = {
    "label", "includegraphics", "vspace", "hspace", "usepackage", "documentclass", "newcommand",
    "renewcommand", "providecommand", "DeclareMathOperator", "setlength", "addtolength", "setcounter",
    "addtocounter", "bibliographystyle", "bibliography", "pagestyle", "thispagestyle", "pagenumbering",
    "author", "affil", "affiliation", "address", "email", "date", "orcid", "institute", "markboth",
    "markright", "geometry", "hypersetup", "definecolor", "color", "pagecolor", "newenvironment",
    "renewenvironment", "newtheorem", "graphicspath", "input", "include", "linespread", "fontsize",
    "titleformat", "titlespacing", "captionsetup", "newlength", "AtBeginDocument", "raggedbottom",
    "phantom", "hphantom", "vphantom", "rule", "setstretch", "nocite", "corref", "cortext", "fnref",
    "ead", "journal", "received", "accepted", "doi", "runningheads", "titlerunning", "authorrunning",
    "shorttitle", "shortauthors", "keywordsname", "hyphenation", "cline", "specialrule", "cmidrule",
    "arrayrulecolor", "rowcolor", "cellcolor", "columncolor",
    "index", "glossary", "pdfbookmark", "phantomsection", "addcontentsline", "newcolumntype", "counterwithin",
}
# Of those, the ones with several {…} arguments.
_MULTI_ARG = {"newcommand", "renewcommand", "providecommand", "newenvironment", "renewenvironment", "setlength",
              "addtolength", "setcounter", "addtocounter", "definecolor", "titleformat", "titlespacing",
              "newtheorem", "cmidrule", "specialrule", "markboth"}
_REF = {"ref", "eqref", "autoref", "cref", "Cref", "pageref", "vref", "nameref", "Autoref"}
_CITE = re.compile(r"\\(?:[a-zA-Z]*cite[a-zA-Z]*|citep|citet|citealp)\*?\s*(?:\[[^\]]*\]\s*){0,2}\{([^{}]*)\}")
_ACCENTS = {"'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304",
            ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328",
            "r": "\u030a", "d": "\u0323", "b": "\u0331"}
# Macros whose last argument is the text: the arguments skipped before it ("a" {arg}, "o" [opt]).
_KEEP_LAST = {"href": "a", "textcolor": "a", "colorbox": "a", "multirow": "aoa", "multicolumn": "aa"}
_SYMBOLS = {
    "ldots": "…", "dots": "…", "textellipsis": "…", "textdegree": "°", "degree": "°", "circ": "°", "pm": "±",
    "textpm": "±", "times": "×", "texttimes": "×", "mu": "µ", "textmu": "µ", "micro": "µ", "alpha": "α",
    "beta": "β", "gamma": "γ", "delta": "δ", "Delta": "Δ", "kappa": "κ", "lambda": "λ", "sigma": "σ",
    "geq": "≥", "ge": "≥", "leq": "≤", "le": "≤", "textgreater": ">", "textless": "<", "approx": "≈",
    "sim": "~", "neq": "≠", "rightarrow": "→", "to": "→", "leftarrow": "←", "uparrow": "↑", "downarrow": "↓",
    "textregistered": "®", "texttrademark": "™", "copyright": "©", "textcopyright": "©", "S": "§",
    "P": "¶", "dag": "†", "ddag": "‡", "textbullet": "•", "textendash": "–", "textemdash": "—",
    "textquoteright": "\u2019", "textquoteleft": "\u2018", "textquotedblleft": "“", "textquotedblright": "”",
    "ss": "ß", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "o": "ø", "O": "Ø", "aa": "å", "AA": "Å",
    "l": "ł", "L": "Ł", "i": "ı", "textasciitilde": "~", "textasciicircum": "^", "textbackslash": "\\",
    "textunderscore": "_", "textbar": "|", "percent": "%", "euro": "€", "EUR": "€", "pounds": "£",
    "textsterling": "£", "infty": "∞", "cdot": "·", "textperiodcentered": "·", "LaTeX": "LaTeX", "TeX": "TeX",
    "textsuperscript": "", "textsubscript": "", "%": "%", "&": "&", "#": "#", "_": "_", "$": "$", "{": "{",
    "}": "}", ",": " ", ";": " ", ":": " ", "!": "", " ": " ", "quad": " ", "qquad": " ", "enspace": " ",
    "thinspace": " ", "nobreakspace": " ", "newline": "\n", "linebreak": "\n", "\\": "\n", "/": "",
    "-": "", "@": "", "slash": "/",
}


@dataclass
class _Source:
    text: str
    lines: list[int]  # main-file line of each line of ``text``
    starts: list[int] = field(default_factory=list)

    def line_at(self, offset: int) -> int:
        if not self.starts:
            pos = 0
            for ln in self.text.split("\n"):
                self.starts.append(pos)
                pos += len(ln) + 1
        lo, hi = 0, len(self.starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return self.lines[lo] if lo < len(self.lines) else (self.lines[-1] if self.lines else 1)


def strip_comment(line: str) -> str:
    """The line without its comment: an unescaped % and what follows."""
    i = line.find("%")
    while i != -1:
        backslashes = 0
        j = i - 1
        while j >= 0 and line[j] == "\\":
            backslashes += 1
            j -= 1
        if backslashes % 2 == 0:
            return line[:i]
        i = line.find("%", i + 1)
    return line


def _expand(path: str, text: str, root: str | None) -> _Source:
    """The main file with its inputs spliced in; every line knows its main-file line."""
    out_text: list[str] = []
    out_lines: list[int] = []
    budget = {"files": 0, "bytes": len(text)}

    def add(body: str, depth: int, here: str, main_line: int | None) -> None:
        in_comment_env = False
        for k, raw in enumerate(body.split("\n"), 1):
            line_no = main_line if main_line is not None else k
            line = strip_comment(raw)
            if re.search(r"\\begin\s*\{comment\}", line):
                in_comment_env = True
            if in_comment_env:
                if re.search(r"\\end\s*\{comment\}", line):
                    in_comment_env = False
                out_text.append("")
                out_lines.append(line_no)
                continue
            if r"\endinput" in line:
                break
            pos = 0
            for m in _INPUT.finditer(line):
                out_text.append(line[pos:m.start()])
                out_lines.append(line_no)
                pos = m.end()
                target = _resolve(m.group(1) or m.group(2), here, root) if root else None
                if target is None or depth >= MAX_DEPTH or budget["files"] >= MAX_FILES:
                    continue
                try:
                    size = os.path.getsize(target)
                    if budget["bytes"] + size > MAX_BYTES:
                        continue
                    with open(target, "rb") as fh:
                        data = fh.read(MAX_BYTES + 1)
                    sub = decode(target, data)
                except (OSError, InputError):
                    continue
                budget["files"] += 1
                budget["bytes"] += size
                add(sub, depth + 1, os.path.dirname(target), line_no)
            out_text.append(line[pos:])
            out_lines.append(line_no)

    add(text, 0, root or "", None)
    return _Source("\n".join(out_text), out_lines)


def _resolve(name: str, here: str, root: str) -> str | None:
    """An included file inside the main file's folder, or None."""
    name = name.strip().strip('"')
    if not name or "\x00" in name:
        return None
    candidates = [name] if name.endswith((".tex", ".ltx", ".latex")) else [name + ".tex", name]
    root_real = os.path.realpath(root)
    for cand in candidates:
        full = os.path.realpath(os.path.join(here, cand))
        if os.path.commonpath([full, root_real]) != root_real:
            return None  # escapes the main file's folder
        if os.path.isfile(full):
            return full
    return None


def _brace(text: str, i: int) -> int:
    """Index after the group that opens at ``text[i] == '{'`` (or len(text) when unclosed)."""
    depth = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return n


def _skip_ws(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\n":
        i += 1
    return i


def _arg(text: str, i: int) -> tuple[str | None, int]:
    """A {…} argument starting at or after ``i`` (after spaces); (None, i) when there is none."""
    j = _skip_ws(text, i)
    if j < len(text) and text[j] == "{":
        end = _brace(text, j)
        return text[j + 1:end - 1], end
    return None, i


def _opt(text: str, i: int) -> tuple[str | None, int]:
    """An optional [...] argument."""
    j = _skip_ws(text, i)
    if j < len(text) and text[j] == "[":
        depth = 0
        k = j
        while k < len(text):
            if text[k] == "[":
                depth += 1
            elif text[k] == "]":
                depth -= 1
                if depth == 0:
                    return text[j + 1:k], k + 1
            elif text[k] == "{":
                k = _brace(text, k) - 1
            k += 1
        return text[j + 1:], len(text)
    return None, i


def _env_end(text: str, name: str, i: int) -> tuple[int, int]:
    """(start of the matching \\end{name}, index after it), counting nested environments."""
    pat = re.compile(r"\\(begin|end)\s*\{" + re.escape(name) + r"\}")
    depth = 1
    for m in pat.finditer(text, i):
        depth += 1 if m.group(1) == "begin" else -1
        if depth == 0:
            return m.start(), m.end()
    return len(text), len(text)


class _Cleaner:
    """LaTeX markup to plain text."""

    def __init__(self, bib_keys: list[str]) -> None:
        self.numbers = {k: n for n, k in enumerate(bib_keys, 1)}
        self.notes: list[str] = []

    def cite(self, keys: str) -> str:
        nums = []
        for key in (k.strip() for k in keys.split(",")):
            if not key:
                continue
            if key not in self.numbers:
                self.numbers[key] = len(self.numbers) + 1
            nums.append(str(self.numbers[key]))
        return f"[{','.join(nums)}]" if nums else ""

    def clean(self, text: str, keep_notes: bool = True) -> str:
        text = _CITE.sub(lambda m: self.cite(m.group(1)), text)
        text = self._macros(text, keep_notes)
        text = text.replace("---", "—").replace("--", "–").replace("``", "“").replace("''", "”")
        text = text.replace("~", " ").replace("{", "").replace("}", "")
        text = re.sub(r"(?<!\\)\$", "", text)
        text = unicodedata.normalize("NFC", text)
        return text

    def _macros(self, text: str, keep_notes: bool) -> str:
        out: list[str] = []
        i, n = 0, len(text)
        while i < n:
            ch = text[i]
            if ch != "\\" and ch not in "^_":
                j = i
                while j < n and text[j] not in "\\^_":
                    j += 1
                out.append(text[i:j])
                i = j
                continue
            if ch in "^_":  # math super/subscripts: keep their content
                arg, j = _arg(text, i + 1)
                if arg is not None:
                    out.append(self._macros(arg, keep_notes))
                    i = j
                else:
                    i += 1
                continue
            # a control sequence
            m = re.match(r"\\([A-Za-z@]+)\*?|\\(.)", text[i:])
            if not m:
                i += 1
                continue
            name = m.group(1) or m.group(2)
            j = i + m.end()
            if m.group(2) is not None and name in _ACCENTS:
                arg, k = _arg(text, j)
                if arg is None:
                    arg, k = (text[j], j + 1) if j < n else ("", j)
                out.append(arg.replace("\\i", "i") + _ACCENTS[name])
                i = k
                continue
            if m.group(1) is not None and name in _ACCENTS and len(name) == 1:
                arg, k = _arg(text, j)
                if arg is not None:
                    out.append(arg + _ACCENTS[name])
                    i = k
                    continue
            if name in ("footnote", "thanks", "footnotetext", "tnoteref"):
                _, j = _opt(text, j)
                arg, k = _arg(text, j)
                if arg is not None and keep_notes and name != "tnoteref":
                    note = self.clean(arg, keep_notes=False).strip()
                    if note:
                        self.notes.append(note)
                i = k
                continue
            if name in _REF:
                arg, k = _arg(text, j)
                out.append("1")
                i = k
                continue
            if name in ("url", "nolinkurl"):
                arg, k = _arg(text, j)
                out.append(arg or "")
                i = k
                continue
            if name in _KEEP_LAST:  # \href{url}{text}, \multirow{2}[x]{*}{text}: only the text is read
                k = j
                for kind in _KEEP_LAST[name]:
                    _, k = _opt(text, k) if kind == "o" else _arg(text, k)
                arg, k = _arg(text, k)
                out.append(self._macros(arg or "", keep_notes))
                i = k
                continue
            if name == "frac":
                num, k = _arg(text, j)
                den, k = _arg(text, k)
                out.append(f"{self._macros(num or '', keep_notes)}/{self._macros(den or '', keep_notes)}")
                i = k
                continue
            if name in _DROP_ARGS:
                k = j
                for _ in range(3):
                    _, k = _opt(text, k)
                    arg, k2 = _arg(text, k)
                    if arg is None:
                        break
                    k = k2
                    if name not in _MULTI_ARG:
                        break
                i = k
                continue
            if name in _SYMBOLS:
                out.append(_SYMBOLS[name])
                i = j
                if m.group(1) and text[i:i + 2] == "{}":
                    i += 2
                continue
            # Any other macro: keep the text of its arguments (\textbf{x} -> x, \emph{x} -> x).
            _, k = _opt(text, j)
            arg, k2 = _arg(text, k)
            if arg is not None:
                out.append(self._macros(arg, keep_notes))
                i = k2
            else:
                i = j
                if i < n and text[i] == " " and m.group(1):
                    i += 1  # the space that ends a control word
        return "".join(out)


def _table_rows(body: str, cleaner: _Cleaner) -> list[str]:
    body = re.sub(r"\\(?:hline|toprule|midrule|bottomrule|endhead|endfirsthead|endfoot|endlastfoot|"
                  r"hdashline|tabularnewline)\b", lambda m: "\\\\" if m.group(0) == "\\tabularnewline" else "",
                  body)
    body = re.sub(r"\\(?:cline|cmidrule)\s*(?:\([^)]*\))?\s*\{[^{}]*\}", "", body)
    rows: list[str] = []
    for raw in re.split(r"(?<!\\)\\\\(?:\s*\[[^\]]*\])?", body):
        cells = [c for c in re.split(r"(?<!\\)&", raw)]
        cleaned = [" ".join(cleaner.clean(c, keep_notes=False).split()) for c in cells]
        if any(cleaned):
            rows.append("\t".join(cleaned))
    return rows


def read(path: str, text: str, lexicon: Lexicon | None = None) -> RawDocument:
    """Read LaTeX source (decoded) into headings and blocks with main-file lines."""
    lex = lexicon or load_lexicon()
    # Inputs are followed only for a real file, relative to its folder.
    root = os.path.dirname(os.path.abspath(path)) if os.path.isfile(path) else None
    src = _expand(path, text, root)
    try:
        return _Reader(path, lex, src).read()
    except RecursionError:
        raise InputError(path, "LaTeX nests too deeply to read") from None


@dataclass
class _Float:
    label: str
    line: int
    caption: str | None = None
    tables: list[Block] = field(default_factory=list)


class _Reader:
    def __init__(self, path: str, lex: Lexicon, src: _Source) -> None:
        self.path = path
        self.lex = lex
        self.src = src
        text = src.text
        bib = re.findall(r"\\bibitem\s*(?:\[[^\]]*\])?\s*\{([^{}]+)\}", text)
        self.cleaner = _Cleaner(bib)
        self.b = SectionBuilder(lex)
        self.buf: list[str] = []
        self.buf_start: int | None = None
        self.float: _Float | None = None
        self.counters = {"Table": 0, "Figure": 0}
        self.keywords: tuple[str, int] | None = None
        self.abstract_done = False
        self.item_label: str | None = None

    # -- paragraphs ---------------------------------------------------------------------
    def _add_text(self, chunk: str, start: int) -> None:
        if not chunk.strip():
            if self.buf:
                self.buf.append(chunk)
            return
        if self.buf_start is None:
            self.buf_start = start + (len(chunk) - len(chunk.lstrip()))
        self.buf.append(chunk)

    def _flush(self) -> None:
        if not self.buf:
            return
        # Source line breaks inside a paragraph are spaces (a newline would start a new
        # sentence); only \\ breaks a line.
        raw = "".join(self.buf).replace("\n", " ")
        start = self.buf_start or 0
        self.buf, self.buf_start = [], None
        text = self.cleaner.clean(raw)
        text = "\n".join(" ".join(ln.split()) for ln in text.split("\n"))
        text = text.strip()
        if self.item_label:
            text = f"{self.item_label}: {text}" if text else ""
            self.item_label = None
        if not text:
            return
        line = self.src.line_at(start)
        if self.float is not None:
            return  # stray text in a float (\centering leftovers): not part of the paper's text
        m = re.match(r"^(key\s*words?|index terms)\s*[:.—–-]\s*(.+)$", text, re.I | re.S)
        if m:
            self._keywords(m.group(2), line)
            return
        self.b.paragraph(text, line)

    def _keywords(self, raw: str, line: int, clean: bool = False) -> None:
        text = self.cleaner.clean(raw, keep_notes=False) if clean else raw
        text = re.sub(r"\s*\\sep\s*|\s*\bsep\b\s*", "; ", text)
        text = " ".join(text.split()).strip(" ;,")
        if not text:
            return
        self._end_abstract(line)
        self.b.heading("Keywords", 1, line, hint="keywords")
        self.b.block(Block(text, line))
        self.b.untitled(1, line)

    def _end_abstract(self, line: int) -> None:
        if self.b.in_abstract:
            self.b.in_abstract = False
            self.abstract_done = True
            self.b.untitled(1, line)

    # -- the walk -----------------------------------------------------------------------
    def read(self) -> RawDocument:
        text = self.src.text
        m = re.search(r"\\begin\s*\{document\}", text)
        if m:
            self._walk(text, 0, m.start(), preamble=True)
            end = re.search(r"\\end\s*\{document\}", text[m.end():])
            stop = m.end() + end.start() if end else len(text)
            self._walk(text, m.end(), stop, preamble=False)
        else:
            self._walk(text, 0, len(text), preamble=False)
        self._flush()
        self._end_abstract(self.src.line_at(len(text)))
        if self.cleaner.notes:
            last = self.src.line_at(len(text))
            self.b.heading("Notes", 1, last)
            for note in self.cleaner.notes:
                self.b.paragraph(note, last)
        doc = self.b.build(self.path, "latex", marked_front=True, levels_are_meaningful=True)
        if not doc.sections and not doc.title:
            raise InputError(self.path, "LaTeX file has no text")
        return doc

    def _walk(self, text: str, i: int, stop: int, preamble: bool) -> None:
        while i < stop:
            m = _TOKEN.search(text, i, stop)
            if not m:
                if not preamble:
                    self._add_text(text[i:stop], i)
                return
            if not preamble and m.start() > i:
                self._add_text(text[i:m.start()], i)
            i = self._token(text, m, stop, preamble)

    def _token(self, text: str, m: re.Match[str], stop: int, preamble: bool) -> int:
        line = self.src.line_at(m.start())
        j = m.end()
        if m.group("blank"):
            self._flush()
            return j
        if m.group("sec"):
            _, j = _opt(text, j)
            arg, j = _arg(text, j)
            if preamble:
                return j
            self._flush()
            heading = " ".join(self.cleaner.clean(arg or "", keep_notes=False).split())
            if self.b.in_abstract and self.lex.abstract_part(heading) is None:
                self._end_abstract(line)
            if self.lex.kind_of(heading) == "abstract" and not self.abstract_done:
                self.b.heading(heading, _LEVELS[m.group("sec")], line, hint="abstract")
                self.b.in_abstract = True
                return j
            self.b.heading(heading, _LEVELS[m.group("sec")], line)
            return j
        if m.group("cmd"):
            return self._command(text, m.group("cmd"), j, line, stop, preamble)
        if m.group("begin"):
            return self._begin(text, m.group("begin").strip(), j, line, stop, preamble)
        if m.group("end"):
            return self._end(m.group("end").strip(), j, line, preamble)
        return j

    def _command(self, text: str, cmd: str, j: int, line: int, stop: int, preamble: bool) -> int:
        if cmd == "title":
            _, j = _opt(text, j)
            arg, j = _arg(text, j)
            if arg is not None:
                self._flush()
                title = " ".join(self.cleaner.clean(arg).split())
                if title:
                    self.b.set_title(title, line)
            return j
        if cmd in ("keywords", "keyword", "kwd"):
            arg, j = _arg(text, j)
            if arg is not None:
                self._flush()
                self._keywords(arg, line, clean=True)
            return j
        if cmd == "abstract":
            arg, j2 = _arg(text, j)
            if arg is not None:  # \abstract{...} (MDPI and friends)
                self._flush()
                self.b.heading("Abstract", 1, line, hint="abstract")
                self.b.in_abstract = True
                for para in re.split(r"\n[ \t]*\n", arg):
                    self.b.paragraph(self.cleaner.clean(para), line)
                self._end_abstract(line)
                return j2
            return j
        if cmd in ("thanks", "footnote"):
            _, k = _opt(text, j)
            arg, k = _arg(text, k)
            if arg is not None:
                note = " ".join(self.cleaner.clean(arg, keep_notes=False).split())
                if note:
                    self.cleaner.notes.append(note)
            return k
        if preamble:
            return j
        if cmd == "caption":
            _, j = _opt(text, j)
            arg, j = _arg(text, j)
            caption = " ".join(self.cleaner.clean(arg or "").split())
            if self.float is not None:
                self.float.caption = caption
                self.float.line = line
            else:
                self._flush()
                self.b.caption(caption, line)
            return j
        if cmd in ("item", "bibitem"):
            self._flush()
            label, j = _opt(text, j)
            if cmd == "bibitem":
                _, j = _arg(text, j)
            elif label:
                self.item_label = " ".join(self.cleaner.clean(label, keep_notes=False).split())
            return j
        if cmd in ("par", "newpage", "clearpage", "maketitle", "tableofcontents", "printbibliography"):
            self._flush()
            return j
        if cmd == "bibliography":
            _, j = _arg(text, j)
            return j
        if cmd == "appendix":
            self._flush()
            return j
        return j

    def _begin(self, text: str, env: str, j: int, line: int, stop: int, preamble: bool) -> int:
        if env == "document":
            return j
        if env in _SKIP_ENVS:
            _, after = _env_end(text, env, j)
            return min(after, stop) if after <= stop else stop
        if env in ("abstract",):
            self._flush()
            self.b.heading("Abstract", 1, line, hint="abstract")
            self.b.in_abstract = True
            return j
        if env in ("keyword", "keywords"):
            start, after = _env_end(text, env, j)
            self._flush()
            self._keywords(text[j:start], line, clean=True)
            return after
        if preamble:
            return j
        for _ in range(_ARG_ENVS.get(env, 0)):
            _, j = _opt(text, j)
            _, j = _arg(text, j)
        if env in _TABULAR:
            _, j = _opt(text, j)
            _, j = _arg(text, j)  # column spec
            start, after = _env_end(text, env, j)
            self._flush()
            rows = _table_rows(text[j:start], self.cleaner)
            block = table_block(rows, line)
            if block is not None:
                if self.float is not None:
                    self.float.tables.append(block)
                else:
                    self.b.block(block)
            return after
        if env in _FLOATS:
            self._flush()
            _, j = _opt(text, j)
            self.float = _Float(_FLOATS[env], line)
            return j
        if env == "thebibliography":
            self._flush()
            self._end_abstract(line)
            start, after = _env_end(text, env, j)
            items = re.split(r"\\bibitem\s*(?:\[[^\]]*\])?\s*\{[^{}]*\}", text[j:start])
            refs = [" ".join(self.cleaner.clean(it, keep_notes=False).split()) for it in items[1:]]
            self.b.heading("References", 1, line, hint="references")
            for ref in refs[:500]:
                if ref:
                    self.b.block(Block(ref, line))
            return after
        # itemize, center, quote, minipage, frontmatter and the like: their text is read.
        self._flush()
        return j

    def _end(self, env: str, j: int, line: int, preamble: bool) -> int:
        if env == "abstract":
            self._flush()
            self._end_abstract(line)
            return j
        if preamble:
            return j
        self._flush()
        if env in _FLOATS and self.float is not None:
            fl = self.float
            self.float = None
            self.counters[fl.label] += 1
            if fl.caption is not None:
                caption = fl.caption
                if not re.match(rf"^{fl.label}\s*\d", caption, re.I):
                    caption = f"{fl.label} {self.counters[fl.label]}. {caption}"
                self.b.caption(caption, fl.line, tables=fl.tables)
            else:
                for block in fl.tables:
                    self.b.block(block)
        return j


__all__ = ["read", "strip_comment"]
