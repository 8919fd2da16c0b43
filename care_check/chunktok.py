"""spaCy's tokenizer, remembered chunk by chunk: the same tokens, as arrays, without a Doc.

spaCy's tokenizer cuts a text at white space into chunks (runs of non-space characters;
a run of white space after its first space) and tokenizes each chunk on its own; then a
last pass may merge tokens into a special case across chunks. Its own cache forgets most
chunks of a long text (it stops caching after the first special case of a text), and every
call builds a Doc. Here each distinct chunk is tokenized once, alone, by the same
tokenizer, and its tokens' attributes are kept; a text is then cut into chunks and its
tokens are read from what is kept.

The tokens are exactly the tokenizer's. The one place a chunk's tokens could depend on its
neighbours is the last pass: a special case whose plain tokenization has several tokens
(":)", "a.m.") could match across two chunks. A text where two adjacent chunks could be
the two sides of such a boundary (the first ends with the special case's text before the
boundary, the second starts with the character after it) is tokenized whole by the
tokenizer itself. ``tests/test_fast_paths.py`` compares the two on the repository's corpus.
"""

from __future__ import annotations

import re
from typing import Callable, Sequence

import numpy
from spacy.attrs import IDX, ORTH
from spacy.strings import get_string_id
from spacy.tokenizer import Tokenizer

_CHUNKS = re.compile(r"\S+|\s+")
_OTHER_SPACE = re.compile(r"[^\S ]")  # white space other than a plain space
_SPACE = re.compile(r"\s")
CACHE_LIMIT = 100_000  # distinct chunks remembered (memory stays bounded); past it, only the recent ones


class ChunkTokenizer:
    """Tokens of texts as rows: the attributes ``attrs``, then the ``derive`` columns (any
    values that depend on the token alone, computed once per distinct chunk), then IDX
    (from the text's start)."""

    def __init__(self, tokenizer: Tokenizer, attrs: list[int],
                 derive: Callable[[numpy.ndarray], numpy.ndarray] | None = None, n_derived: int = 0) -> None:
        self.tokenizer = tokenizer
        self.attrs = [a for a in attrs if a != IDX] + [IDX]  # what is read from spaCy
        self.derive = derive
        self.width = len(self.attrs) + (n_derived if derive else 0)
        self.follows = cross_chunk_specials(tokenizer)
        # A chunk boundary is a single space (or white space, which no pair holds: checked).
        if any(ch.isspace() for pair in self.follows for ch in pair):
            raise ValueError("a special case holds white space next to other text")
        self._quick = _pairs_regex(self.follows)
        # New chunks are learned in one call, one per line: a line break is a token no
        # special case spans, unless a special case holds one next to something else.
        self.joinable = not any("\n" in rule and len(rule) > 1 for rule in tokenizer.rules or {})
        self._orth = self.attrs.index(ORTH) if ORTH in self.attrs else None
        self._newline = numpy.uint64(get_string_id("\n"))
        self._reset()

    def _reset(self) -> None:
        self.known: dict[str, int] = {}  # chunk -> first row in the store << 32 | its tokens
        self._store = numpy.zeros((4096, self.width), dtype="uint64")  # grows by doubling
        self._used = 0
        self._recent: set[str] = set()  # chunks met lately (a window of the last documents)

    def _trim(self) -> None:
        """Forget the chunks not met lately (the store is full): frequent chunks stay, rare
        ones go."""
        keep = [c for c in self._recent if c in self.known]
        old, known = self._store, self.known
        self._reset()
        where = numpy.array([known[c] for c in keep], dtype="int64")
        if len(where):
            rows, lens = _rows_of(where)
            self._keep(keep, old[rows], lens.tolist())

    def __call__(self, texts: Sequence[str], column: int | None = None) -> tuple[numpy.ndarray, list[int]]:
        """(rows, tokens per text): every text's tokens, text after text (``column``: only
        that column of each row, for a caller that reads no other: less to copy)."""
        known = self.known
        plans: list[tuple[list[str], list[int] | None] | None] = []  # (chunks, offsets); None: whole
        missing: set[str] = set()
        for text in texts:
            if self._risky(text):
                plans.append(None)  # a special case could match across two chunks
                continue
            plan = split(text)
            plans.append(plan)
            missing.update(plan[0])
        if len(self._recent) > CACHE_LIMIT // 4:  # a new window: what was met before it is not recent
            self._recent = set()
        self._recent |= missing
        new = missing.difference(known)  # a set less a dict's keys, tested in C
        if len(known) + len(new) > CACHE_LIMIT:
            self._trim()
            known = self.known
            self._recent |= missing
            new = missing.difference(known)
        missing = new
        self._learn(sorted(missing))
        segments: list[numpy.ndarray] = []
        sizes: list[int] = []
        run: list[tuple[list[str], list[int] | None]] = []
        for text, plan in zip(texts, plans):
            if plan is not None:
                run.append(plan)
                continue
            if run:
                segments.append(self._assemble(run, sizes, column))
                run = []
            whole = self._rows(self.tokenizer(text).to_array(self.attrs))
            segments.append(whole if column is None else whole[:, column: column + 1])
            sizes.append(len(whole))
        if run or not segments:
            segments.append(self._assemble(run, sizes, column))
        return (segments[0] if len(segments) == 1 else numpy.concatenate(segments)), sizes

    def _risky(self, text: str) -> bool:
        """Whether two chunks of ``text`` could be the two sides of a special case: a quick
        scan for candidate boundaries (a space between two characters of a known pair),
        then the exact test on each."""
        if self._quick is None:
            return False
        for m in self._quick.finditer(text):
            at = m.start()  # the space
            befores = self.follows.get(text[at - 1] + text[at + 1])
            if befores is not None and text.endswith(befores, 0, at):
                return True
        return False

    def _assemble(self, plans: list[tuple[list[str], list[int] | None]], sizes: list[int],
                  column: int | None = None) -> numpy.ndarray:
        """The rows of texts cut into known chunks (appends each text's token count to ``sizes``)."""
        known = self.known
        chunks = [c for plan in plans for c in plan[0]]
        counts = [len(plan[0]) for plan in plans]
        if not chunks:
            sizes.extend(0 for _ in plans)
            return numpy.zeros((0, self.width if column is None else 1), dtype="uint64")
        where = numpy.fromiter(map(known.__getitem__, chunks), dtype="int64", count=len(chunks))
        rows, lens = _rows_of(where)
        starts_of_text = numpy.cumsum([0] + counts[:-1])
        sizes.extend(numpy.add.reduceat(lens, starts_of_text).tolist())
        if column is not None:  # that column alone: no offsets to compute
            return self._store[rows, column][:, None]
        # each chunk's offset in its text: given, or (single spaces) the lengths before it + 1 each
        clen = numpy.fromiter(map(len, chunks), dtype="int64", count=len(chunks)) + 1
        ends = numpy.cumsum(clen)
        offsets = ends - clen - numpy.repeat(ends[starts_of_text] - clen[starts_of_text], counts)
        for plan, at in zip(plans, starts_of_text.tolist()):
            if plan[1] is not None:
                offsets[at: at + len(plan[1])] = plan[1]
        table = self._store[rows]
        table[:, -1] += numpy.repeat(offsets, lens).astype("uint64")
        return table

    def _keep(self, chunks: list[str], table: numpy.ndarray, lens: list[int]) -> None:
        """Remember chunks whose rows are ``table``, ``lens`` rows each, in order."""
        m = len(table)
        while self._used + m > len(self._store):
            self._store = numpy.concatenate([self._store, numpy.zeros_like(self._store)])
        self._store[self._used: self._used + m] = table
        row = self._used
        known = self.known
        for chunk, n in zip(chunks, lens):
            known[chunk] = row << 32 | n
            row += n
        self._used += m

    def _learn(self, chunks: list[str]) -> None:
        """Tokenize chunks not seen before, and remember them."""
        if not chunks:
            return
        plain = [c for c in chunks if not _SPACE.search(c)] if self.joinable and self._orth is not None else []
        if len(plain) > 1:
            table = self.tokenizer("\n".join(plain)).to_array(self.attrs)
            cut = _separators(table, plain, self._orth, self._newline)
            if cut is None:
                plain = []  # not one line per chunk after all: one by one
            else:
                keep, starts, lens = cut
                table = self._rows(table[keep])
                table[:, -1] -= numpy.repeat(starts, lens)
                self._keep(plain, table, lens.tolist())
        else:
            plain = []
        done = set(plain)
        for chunk in chunks:
            if chunk not in done:
                table = self._rows(self.tokenizer(chunk).to_array(self.attrs))
                self._keep([chunk], table, [len(table)])

    def _rows(self, table: numpy.ndarray) -> numpy.ndarray:
        """Rows as kept: spaCy's attributes, the derived columns, IDX."""
        if self.derive is None:
            return table
        return numpy.concatenate([table[:, :-1], self.derive(table[:, :-1]), table[:, -1:]], axis=1)


def _separators(table: numpy.ndarray, chunks: list[str], orth: int, newline: numpy.uint64):
    """For ``chunks`` joined by line breaks and tokenized: (rows to keep, each chunk's
    start, tokens per chunk), or None if a line break is not exactly one token."""
    at = numpy.cumsum([len(c) + 1 for c in chunks[:-1]], dtype="int64") - 1  # line break offsets
    is_sep = numpy.isin(table[:, -1], at.astype("uint64"))
    seps = numpy.flatnonzero(is_sep)
    if len(seps) != len(at) or not (table[seps, orth] == newline).all():
        return None
    lens = numpy.diff(numpy.concatenate([[-1], seps, [len(table)]])) - 1
    starts = numpy.concatenate([[0], at + 1]).astype("uint64")
    return ~is_sep, starts, lens


def split(text: str) -> tuple[list[str], list[int] | None]:
    """The chunks spaCy's tokenizer tokenizes separately, and their offsets (None: one space
    between chunks): runs of non-space characters, and runs of white space (a run opening
    with a space gives that space to the token before it, and is a chunk only if more
    follows)."""
    if text and not _OTHER_SPACE.search(text) and "  " not in text and text[0] != " " and text[-1] != " ":
        return text.split(" "), None  # single spaces only: the common case
    chunks, offsets = [], []
    for m in _CHUNKS.finditer(text):
        piece, at = m.group(), m.start()
        if piece[0] == " " and at > 0:
            piece, at = piece[1:], at + 1
            if not piece:
                continue
        chunks.append(piece)
        offsets.append(at)
    return chunks, offsets


def _pairs_regex(follows: dict[str, tuple[str, ...]]) -> re.Pattern[str] | None:
    """Spaces between a first and a second character of some pair (a loose test, so it
    stays two character classes: letters never sit on both sides of a pair)."""
    if not follows:
        return None
    groups: dict[bool, tuple[set[str], set[str]]] = {True: (set(), set()), False: (set(), set())}
    for pair in follows:
        firsts, seconds = groups[pair[0].isalnum()]
        firsts.add(pair[0])
        seconds.add(pair[1])
    # the space first: the search then skips from space to space
    parts = ["(?<=[" + "".join(map(re.escape, sorted(f))) + "] )(?=[" + "".join(map(re.escape, sorted(s))) + "])"
             for f, s in groups.values() if f]
    return re.compile(" (?:" + "|".join(parts) + ")")


_SPECIALS: dict[int, tuple[Tokenizer, dict[str, tuple[str, ...]]]] = {}


def cross_chunk_specials(tokenizer: Tokenizer) -> dict[str, tuple[str, ...]]:
    """:func:`_cross_chunk_specials`, once per tokenizer."""
    got = _SPECIALS.get(id(tokenizer))
    if got is None or got[0] is not tokenizer:
        got = _SPECIALS[id(tokenizer)] = (tokenizer, _cross_chunk_specials(tokenizer))
    return got[1]


def _cross_chunk_specials(tokenizer: Tokenizer) -> dict[str, tuple[str, ...]]:
    """Where the tokenizer's special-case pass could match across two chunks: for every
    special case it is given whose plain (affix) tokenization has several tokens, and every
    boundary between those tokens, (the character before it + the character after it) ->
    the texts before it (the first chunk must end with one of them)."""
    plain = Tokenizer(tokenizer.vocab, rules={}, prefix_search=tokenizer.prefix_search,
                      suffix_search=tokenizer.suffix_search, infix_finditer=tokenizer.infix_finditer,
                      token_match=tokenizer.token_match, url_match=tokenizer.url_match)
    out: dict[str, set[str]] = {}
    for special in tokenizer.rules or {}:
        if tokenizer.faster_heuristics and not (tokenizer.find_prefix(special) or tokenizer.find_infix(special)
                                                or tokenizer.find_suffix(special) or " " in special):
            continue  # never given to the special-case pass
        doc = plain(special)
        for a, b in zip(doc[:-1], doc[1:]):
            before = special[: a.idx + len(a.text)]
            out.setdefault(before[-1] + special[b.idx], set()).add(before)
    return {pair: tuple(sorted(befores)) for pair, befores in out.items()}


def _rows_of(where: numpy.ndarray) -> tuple[numpy.ndarray, numpy.ndarray]:
    """(store rows, tokens per chunk) of chunks given as ``first row << 32 | tokens``, in order."""
    first, lens = where >> 32, where & 0xFFFFFFFF
    ends = numpy.cumsum(lens)
    return numpy.arange(int(ends[-1])) + numpy.repeat(first - (ends - lens), lens), lens
