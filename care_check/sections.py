"""Map written headings to canonical CARE sections, using the YAML heading lexicon.

Readers find headings; this module decides what they mean. The lexicon
(``rules/sections.yaml``) is data: adding a synonym never needs code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import yaml

from . import safe_yaml
from .errors import RuleError
from .model import Block, Document, RawDocument, RawSection, Section
from .resources import rules_root
from .typography import normalise

_NUMBERING = re.compile(r"^\s*(?:(?:\d+(?:\.\d+)*\.?|[ivx]+[.)]|[a-h][.)])\s+)", re.I)
_PMC_PREFIX = re.compile(r"^pmc(?=[A-Z])")
FRONT_KINDS = frozenset({"title", "keywords", "abstract", "abstract_background", "abstract_case",
                         "abstract_conclusion"})
BODY_GROUPS = frozenset({"intro", "case", "discussion"})
_ABSTRACT_ORDER = {"abstract_background": 0, "abstract_case": 1, "abstract_conclusion": 2}


def normalise_heading(heading: str) -> str:
    """Lower-case, drop numbering, '&', trailing punctuation and extra spaces."""
    text = _PMC_PREFIX.sub("", heading.strip())
    text = text.replace("\u2019", "'").replace("&", "and")
    text = _NUMBERING.sub("", text)
    text = re.sub(r"\s+", " ", text).strip().lower()
    return text.strip(" .:;,-–—*_#")


@dataclass(frozen=True)
class KindSpec:
    name: str
    group: str
    headings: tuple[str, ...]
    patterns: tuple[re.Pattern[str], ...]
    inline: bool


class Lexicon:
    """The heading lexicon: exact headings and patterns per canonical kind."""

    def __init__(self, kinds: list[KindSpec], abstract_parts: dict[str, str], path: str,
                 web_single_words: frozenset[str] = frozenset()) -> None:
        self.kinds = {k.name: k for k in kinds}
        self.web_single_words = web_single_words
        self.path = path
        self._exact: dict[str, str] = {}
        for k in kinds:
            for h in k.headings:
                self._exact.setdefault(normalise_heading(h), k.name)
        self._abstract_parts = {normalise_heading(h): kind for h, kind in abstract_parts.items()}
        # One search tells whether any kind's pattern can match at all (most lines of a
        # text file match none); only then are the patterns tried in order.
        self._any_pattern: re.Pattern[str] | None = None
        pats = [p.pattern for k in kinds for p in k.patterns]
        if pats and not any(re.search(r"\\\d|\(\?P[<=]|\(\?[a-zA-Z]", p) for p in pats):
            try:
                self._any_pattern = re.compile("|".join(f"(?:{p})" for p in pats), re.I)
            except re.error:
                self._any_pattern = None
        # Headings that may be glued to their text or stand inline before a colon.
        names = sorted({h for h in self._exact}, key=len, reverse=True)
        alternatives = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in names)
        self._glued = re.compile(
            rf"^(?:pmc)?(?:\d+(?:\.\d+)*\.?\s+)?(?P<h>{alternatives})"
            rf"(?:(?P<colon>\s*[:.–—]\s*)(?=\S)|(?-i:(?=[A-Z][a-z])))", re.I)
        # (?=\w): every heading starts with a letter, so a run of white space is skipped
        # at once instead of trying every heading at every one of its characters.
        self._web = re.compile(
            rf"(?:(?<=\s)|^)(?=\w)(?P<h>{alternatives})(?P<colon>:?)(?=\s+[\"“A-Z0-9(\[]|:)", re.I)

    # -- lookups --------------------------------------------------------------------
    def kind_of(self, heading: str) -> str | None:
        """The canonical kind a heading names, or None when it names none."""
        norm = normalise_heading(heading)
        if not norm:
            return None
        if norm in self._exact:
            return self._exact[norm]
        if len(norm) > 90:
            return None
        if self._any_pattern is not None and not self._any_pattern.search(norm):
            return None
        for spec in self.kinds.values():
            for pat in spec.patterns:
                if pat.search(norm):
                    return spec.name
        return None

    def abstract_part(self, heading: str) -> str | None:
        return self._abstract_parts.get(normalise_heading(heading))

    def group_of(self, kind: str) -> str:
        spec = self.kinds.get(kind)
        return spec.group if spec else "body"

    def split_glued(self, line: str) -> tuple[str, str] | None:
        """Split 'Competing interestsThe authors…' or 'Funding: none.' into heading and text."""
        m = self._glued.match(line)
        if not m:
            return None
        written = m.group("h")
        if not m.group("colon") and not written[:1].isupper():
            return None
        rest = line[m.end():]
        if not rest.strip():
            return None
        return written, rest

    def web_headings(self, text: str) -> list[tuple[int, int, str]]:
        """Headings written inline in a one-line web page: (start, end, heading).

        Only capitalised forms count ("Discussion The …", "Keywords: …"), so words inside
        sentences are not taken for headings.
        """
        out: list[tuple[int, int, str]] = []
        for m in self._web.finditer(text):
            written = m.group("h")
            if not written[:1].isupper():
                continue
            words = written.split()
            norm = normalise_heading(written)
            if (len(words) == 1 and norm not in self.web_single_words) or norm.startswith("the "):
                continue
            # Every word of a multi-word heading is capitalised, or only the first is
            # ("Case presentation", "Case Presentation", "CASE PRESENTATION").
            if len(words) > 1 and not (written.isupper() or written.istitle()
                                       or all(w[:1].islower() for w in words[1:])):
                continue
            out.append((m.start("h"), m.end(), written))
        return out


def _compile_patterns(raw: object, path: str, kind: str) -> tuple[re.Pattern[str], ...]:
    pats = []
    for p in raw or []:
        try:
            pats.append(re.compile(str(p), re.I))
        except re.error as exc:
            raise RuleError(path, f"bad regular expression {p!r}: {exc}", kind, "patterns") from None
    return tuple(pats)


def load_lexicon(path: Path | None = None) -> Lexicon:
    """Load and check the heading lexicon; a bad file raises RuleError naming the field."""
    path = path or rules_root() / "sections.yaml"
    return _load_lexicon_cached(str(path))


@lru_cache(maxsize=8)
def _load_lexicon_cached(path: str) -> Lexicon:
    from .cache import cached  # validated once per version of the file (see care_check.cache)

    return cached("lexicon", [Path(path)], lambda: _build_lexicon(path))


def _build_lexicon(path: str) -> Lexicon:
    try:
        data = safe_yaml.load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RuleError(path, f"cannot read the heading lexicon: {exc}".splitlines()[0]) from None
    if not isinstance(data, dict) or not isinstance(data.get("kinds"), dict):
        raise RuleError(path, "expected a mapping with 'kinds'", field="kinds")
    kinds = []
    for name, spec in data["kinds"].items():
        spec = spec or {}
        if not isinstance(spec, dict) or "group" not in spec:
            raise RuleError(path, "each kind needs a 'group'", name, "group")
        kinds.append(KindSpec(
            name=str(name), group=str(spec["group"]),
            headings=tuple(str(h) for h in spec.get("headings") or []),
            patterns=_compile_patterns(spec.get("patterns"), path, str(name)),
            inline=bool(spec.get("inline", False)),
        ))
    parts: dict[str, str] = {}
    for kind, headings in (data.get("abstract_parts") or {}).items():
        for h in headings or []:
            parts[str(h)] = str(kind)
    single = frozenset(normalise_heading(str(w)) for w in data.get("web_single_words") or [])
    return Lexicon(kinds, parts, path, single)


# -- classification -------------------------------------------------------------------

def _typeset(raw: RawDocument) -> None:
    """Typographic hyphens read as '-' everywhere, once, before anything is matched
    (one character for one: offsets, lines and columns stay true)."""
    if raw.title:
        raw.title = normalise(raw.title)
    for rs in raw.sections:
        rs.heading = normalise(rs.heading)
        for k, b in enumerate(rs.blocks):
            text = normalise(b.text)
            if text != b.text:
                rs.blocks[k] = replace(b, text=text)


def classify(raw: RawDocument, lexicon: Lexicon | None = None) -> Document:
    """Give every raw section a canonical kind and group, and decide the document's scope."""
    lex = lexicon or load_lexicon()
    _typeset(raw)
    sections: list[Section] = []
    if raw.title:
        sections.append(Section("Title", "title", "front", 0, raw.title_line,
                                [Block(raw.title, raw.title_line, None)]))
    context_kind, context_group = "body", "body"
    in_abstract = False
    abstract_level = 0
    abstract_seen: set[str] = set()
    last_part = -1
    for rs in raw.sections:
        kind = _kind_for(rs, lex)
        if rs.hint in ("caption", "table"):
            sections.append(Section(rs.heading, rs.hint, context_group, rs.level, rs.line, rs.blocks))
            continue
        if in_abstract and rs.hint is None:
            part = _abstract_part(rs, lex, raw.levels_are_meaningful, abstract_level, abstract_seen, last_part,
                                  sections[-1])
            if part:
                abstract_seen.add(part)
                last_part = _ABSTRACT_ORDER[part]
                sections.append(Section(rs.heading, part, "front", rs.level, rs.line, rs.blocks))
                continue
            if kind is None and not rs.heading:
                kind = "abstract"
            in_abstract = False
        if rs.hint and rs.hint.startswith("abstract_"):
            sections.append(Section(rs.heading, rs.hint, "front", rs.level, rs.line, rs.blocks))
            continue
        if kind == "abstract" and not raw.marked_front:
            in_abstract, abstract_seen, last_part, abstract_level = True, set(), -1, rs.level
        if kind is None:
            kind, group = context_kind, context_group
        else:
            group = lex.group_of(kind)
        if context_group == "references" and group in ("front", "intro", "case", "discussion") \
                and sum(len(b.text) for b in sections[-1].blocks) >= 300:
            # Headings after a real reference list are cited titles or page chrome, not the body.
            kind, group = "references", "references"
        if kind not in ("abstract",) and group != "front":
            context_kind, context_group = kind, group
        elif kind in ("keywords", "highlights"):
            context_kind, context_group = "body", "body"
        sections.append(Section(rs.heading, kind, group, rs.level, rs.line, rs.blocks))
    _name_leading_introduction(sections)
    return Document(path=raw.path, format=raw.format, sections=sections,
                    scope=_scope(sections), lines_are_meaningful=raw.lines_are_meaningful,
                    comments=list(raw.comments))


def _abstract_part(rs: RawSection, lex: Lexicon, levelled: bool, abstract_level: int, seen: set[str],
                   last_part: int, previous: Section) -> str | None:
    """The abstract part a heading inside an abstract names, or None when it ends the abstract.

    A heading at the abstract's own level (in formats with real levels), a part already
    seen or out of order, or any heading after an abstract written as plain paragraphs
    ends the abstract.
    """
    if not rs.heading:
        return None
    if levelled and rs.level <= abstract_level:
        return None
    if previous.kind == "abstract" and previous.has_text:
        return None
    part = lex.abstract_part(rs.heading)
    if part is None or part in seen or _ABSTRACT_ORDER[part] < last_part:
        return None
    return part


def _kind_for(rs: RawSection, lex: Lexicon) -> str | None:
    if rs.hint and rs.hint in lex.kinds:
        return rs.hint
    return lex.kind_of(rs.heading) if rs.heading else None


def _name_leading_introduction(sections: list[Section]) -> None:
    """Untitled text before the case, in a paper with no introduction heading, is its introduction."""
    if any(s.kind == "introduction" for s in sections):
        return
    first_case = next((i for i, s in enumerate(sections) if s.group == "case"), None)
    if first_case is None:
        return
    after_front = max((i + 1 for i, s in enumerate(sections[:first_case]) if s.group == "front"), default=0)
    for s in sections[after_front:first_case]:
        if s.kind == "body" and s.has_text and sum(len(b.text) for b in s.blocks) >= 150:
            s.kind, s.group = "introduction", "intro"


def _scope(sections: list[Section]) -> str:
    """full: front matter and a body; abstract: front matter only (a pasted PubMed page);
    body: no front matter (a PMC body file). Untitled text before the front matter is page
    chrome, not body."""
    front_at = [i for i, s in enumerate(sections) if s.kind in FRONT_KINDS and s.has_text]
    if not front_at:
        return "body"
    anchor = next((i for i in front_at if sections[i].kind != "title"), front_at[0])
    body_chars = sum(len(b.text) for i, s in enumerate(sections)
                     if s.group in BODY_GROUPS or (s.kind == "body" and i > anchor)
                     for b in s.blocks)
    return "full" if body_chars >= 100 else "abstract"
