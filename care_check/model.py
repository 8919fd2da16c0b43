"""The document model every reader produces and every later stage reads.

Data flows one way: a reader turns a file into a :class:`RawDocument` (headings and
blocks of text with their source positions), the section classifier turns that into a
:class:`Document` whose sections carry canonical CARE kinds, and the engine turns a
Document into a :class:`Report` of verdicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


@dataclass(frozen=True)
class Block:
    """A paragraph-like run of text and where it starts in the source file.

    ``line`` is 1-based. ``offset`` is the character offset of the block in the decoded
    source text when the block is a verbatim slice of it (plain text, Markdown), so a
    sentence inside can be located exactly; readers that rebuild text from markup (XML,
    DOCX, PDF) leave it ``None`` and give the line of the element instead.
    """

    text: str
    line: int
    offset: int | None = None
    page: int | None = None
    kind: str = "paragraph"  # paragraph | caption | table | list


@dataclass
class RawSection:
    """A heading as written (empty for untitled text) and the blocks under it.

    ``hint`` is a canonical kind when the format itself says what the section is
    (JATS ``<abstract>``, ``<kwd-group>``, ``<ref-list>``); the classifier trusts it.
    """

    heading: str
    level: int
    line: int
    blocks: list[Block] = field(default_factory=list)
    hint: str | None = None


@dataclass
class RawDocument:
    """What a reader found in a file, before headings are interpreted."""

    path: str
    format: str
    sections: list[RawSection]
    title: str | None = None
    title_line: int = 1
    lines_are_meaningful: bool = True  # False for one-line web pages (column matters)
    marked_front: bool = False  # the format marks abstract parts itself (JATS): no guessing
    levels_are_meaningful: bool = False  # heading levels are real (Markdown, DOCX styles, HTML h1-h6)
    # Reviewers' comments (DOCX word/comments.xml, ODT annotations): never manuscript text,
    # kept only so a care-check directive written in one is honoured.
    comments: list[Block] = field(default_factory=list)


@dataclass
class Section:
    """A section with its canonical CARE kind and the part of the paper it belongs to."""

    heading: str
    kind: str
    group: str
    level: int
    line: int
    blocks: list[Block]

    @property
    def labels(self) -> frozenset[str]:
        """The names a rule may use to select this section: its kind and its group."""
        return frozenset((self.kind, self.group))

    @property
    def has_text(self) -> bool:
        return any(b.text.strip() for b in self.blocks)


@dataclass
class Document:
    """A manuscript as sections with canonical kinds; input to the engine."""

    path: str
    format: str
    sections: list[Section]
    scope: str  # full | body | abstract
    lines_are_meaningful: bool = True
    comments: list[Block] = field(default_factory=list)  # see RawDocument.comments

    def sections_of(self, names: frozenset[str] | set[str]) -> list[Section]:
        return [s for s in self.sections if s.labels & names]

    def has(self, kind: str) -> bool:
        return any(s.kind == kind for s in self.sections)


class Status(str, Enum):
    REPORTED = "reported"
    PARTIAL = "partial"
    MISSING = "missing"
    NOT_APPLICABLE = "not_applicable"

    @property
    def present(self) -> bool:
        return self in (Status.REPORTED, Status.PARTIAL)


@dataclass(frozen=True)
class Evidence:
    """A sentence that supports a verdict, with where a person can find it."""

    quote: str
    section: str
    line: int
    column: int | None = None
    component: str | None = None
    page: int | None = None
    via: str | None = None  # "learned score 0.71": found by the learned signal, not by cues


@dataclass
class Verdict:
    """The checker's finding for one checklist item."""

    id: str
    topic: str
    title: str
    status: Status
    severity: str
    evidence: list[Evidence]
    message: str
    fix: str
    searched: list[str] = field(default_factory=list)


@dataclass
class Report:
    """All verdicts for one document against one guideline."""

    document: Document
    guideline_id: str
    guideline_version: str
    guideline_title: str
    verdicts: list[Verdict]
    # Why the document does not read as a case report (a cover letter, a response to
    # reviewers; see care_check.genre), or None. Reporters warn instead of scoring it.
    not_case_report: str | None = None

    def count(self, status: Status) -> int:
        return sum(1 for v in self.verdicts if v.status == status)

    @property
    def completeness(self) -> float:
        """Share of applicable items that are reported (partial counts half)."""
        applicable = [v for v in self.verdicts if v.status != Status.NOT_APPLICABLE]
        if not applicable:
            return 0.0
        score = sum(1.0 if v.status == Status.REPORTED else 0.5 if v.status == Status.PARTIAL else 0.0
                    for v in applicable)
        return round(100.0 * score / len(applicable), 1)
