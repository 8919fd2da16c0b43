"""Token patterns matched with array operations over a whole document.

spaCy's Matcher tries every pattern at every token and calls back into Python for every
set or regular-expression test; with the rules' 122 patterns that was most of the
checker's time. The patterns rules use are simple: a fixed sequence of token tests, some
optional (``"OP": "?"``) or repeated a bounded number of times (``"OP": "{0,6}"``), each
test an exact value, a set (``IN``, ``NOT_IN``) or a regular expression (``REGEX``) on
``ORTH``/``TEXT``, ``LOWER`` or ``NORM``, or a flag (``LIKE_NUM``, ``IS_DIGIT`` ...). Such
a pattern is compiled here into its fixed-length variants. For a document, every distinct
token test becomes one boolean array over its tokens (string tests are decided once per
distinct word and cached), and a variant matches where its first test holds and each next
test holds at the next token, inside one block.

The result is spaCy's: every ``(key, start, end)`` for which some choice of the optional
and repeated tokens matches (``tests/test_fast_paths.py`` compares the two). A pattern
outside this subset (``+``, ``*``, ``{n,}``, ``!``, other attributes or predicates) is left
to spaCy's Matcher by the caller: :func:`compile_pattern` returns None for it.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Any

import numpy
from spacy import attrs as spacy_attrs
from spacy.strings import get_string_id

# Attributes whose value is a string (matched by value, set or regular expression).
STRING_ATTRS = {"ORTH": "ORTH", "TEXT": "ORTH", "LOWER": "LOWER", "NORM": "NORM"}
# Boolean lexical flags a pattern may test.
FLAG_ATTRS = ("IS_ALPHA", "IS_ASCII", "IS_DIGIT", "IS_LOWER", "IS_UPPER", "IS_TITLE", "IS_PUNCT", "IS_SPACE",
              "IS_STOP", "IS_BRACKET", "IS_QUOTE", "IS_LEFT_PUNCT", "IS_RIGHT_PUNCT", "IS_CURRENCY",
              "LIKE_NUM", "LIKE_URL", "LIKE_EMAIL")
MAX_VARIANTS = 64  # a pattern with more optional tokens than this expands to is left to spaCy
_CACHE_LIMIT = 50_000  # distinct words whose string tests are remembered (per attribute)

# A condition on one token: ("flag", attr, value) or ("str", attr, op, payload) with op one
# of "in" (payload: frozenset of strings), "not_in" (same) or "regex" (payload: the pattern).
Condition = tuple
Test = frozenset  # of conditions, all of which must hold


def compile_pattern(pattern: list[dict[str, Any]]) -> list[tuple[Test, ...]] | None:
    """The fixed-length variants of a token pattern (one tuple of tests each), or None
    when the pattern uses anything outside the subset described in the module docstring."""
    tokens: list[tuple[Test, int, int]] = []  # (test, fewest, most repeats)
    for spec in pattern:
        if not isinstance(spec, dict):
            return None
        repeats: tuple[int, int] | None = (1, 1)
        conds: list[Condition] = []
        for raw_key, value in spec.items():
            key = str(raw_key).upper()
            if key == "OP":
                repeats = _repeats(value)
                if repeats is None:
                    return None
            elif key in STRING_ATTRS:
                cond = _string_condition(STRING_ATTRS[key], value)
                if cond is None:
                    return None
                conds.append(cond)
            elif key in FLAG_ATTRS:
                if not isinstance(value, bool):
                    return None
                conds.append(("flag", key, value))
            else:
                return None
        tokens.append((frozenset(conds), *repeats))
    n_variants = 1
    for _, lo, hi in tokens:
        n_variants *= hi - lo + 1
    if not tokens or n_variants > MAX_VARIANTS:
        return None
    variants: dict[tuple[Test, ...], None] = {}
    for counts in itertools.product(*(range(lo, hi + 1) for _, lo, hi in tokens)):
        variant = tuple(test for (test, _, _), n in zip(tokens, counts) for _ in range(n))
        if variant:  # spaCy never returns an empty match
            variants[variant] = None
    return list(variants)


_RANGE = re.compile(r"\{(\d*)(,?)(\d*)\}")


def _repeats(op: Any) -> tuple[int, int] | None:
    """How many times a token with this ``OP`` may occur, as spaCy reads it (``?``, ``1``,
    ``{n}``, ``{n,m}``, ``{,m}``); None for an unbounded one (``*``, ``+``, ``{n,}``) or ``!``."""
    if op == "?":
        return (0, 1)
    if op == "1":
        return (1, 1)
    m = _RANGE.fullmatch(op) if isinstance(op, str) else None
    if m is None:
        return None
    lo, comma, hi = m.groups()
    if not comma:  # {n}
        return (int(lo), int(lo)) if lo else None
    if not hi:  # {n,} or {,}: no upper bound
        return None
    lo_n, hi_n = int(lo or 0), int(hi)
    return (lo_n, hi_n) if lo_n <= hi_n else None


def _string_condition(attr: str, value: Any) -> Condition | None:
    if isinstance(value, str):
        return ("str", attr, "in", frozenset([value]))
    if not isinstance(value, dict) or len(value) != 1:
        return None
    (op, arg), = value.items()
    op = str(op).upper()
    if op in ("IN", "NOT_IN") and isinstance(arg, (list, tuple)) and all(isinstance(v, str) for v in arg):
        return ("str", attr, op.lower(), frozenset(arg))
    if op == "REGEX" and isinstance(arg, str):
        return ("str", attr, "regex", arg)
    return None


@dataclass
class _StringTests:
    """The string conditions on one attribute, decided per distinct word and cached."""

    conditions: list[Condition] = field(default_factory=list)
    index: dict[Condition, int] = field(default_factory=dict)
    members: dict[int, int] = field(default_factory=dict)  # word id -> conditions whose set holds it
    not_in: int = 0  # the NOT_IN conditions, as a bit mask
    regexes: list[tuple[int, re.Pattern[str]]] = field(default_factory=list)
    any_regex: re.Pattern[str] | None = None  # matches where one of the regexes does (a quick test)
    cache: dict[int, int] = field(default_factory=dict)  # word id -> its bits

    def add(self, cond: Condition) -> int:
        if cond in self.index:
            return self.index[cond]
        self.cache.clear()
        k = self.index[cond] = len(self.conditions)
        self.conditions.append(cond)
        _, _, op, payload = cond
        if op == "regex":
            self.regexes.append((k, re.compile(payload)))
            self.any_regex = None  # built when first needed
        else:
            for word in payload:
                wid = get_string_id(word)
                self.members[wid] = self.members.get(wid, 0) | 1 << k
            if op == "not_in":
                self.not_in |= 1 << k
        return k

    @property
    def n_chunks(self) -> int:
        return (len(self.conditions) + 61) // 62

    def columns(self, ids: numpy.ndarray, strings) -> numpy.ndarray:
        """Each token's bits from its word id: one column per chunk of 62 conditions.
        Decided once per distinct word (and remembered, up to a bound)."""
        cache = self.cache
        if len(cache) > _CACHE_LIMIT:
            cache.clear()
        uniq, inverse = numpy.unique(ids, return_inverse=True)
        words = []
        for w in uniq.tolist():
            b = cache.get(w)
            if b is None:
                b = cache[w] = self.bits(w, strings)
            words.append(b)
        out = numpy.zeros((len(words), self.n_chunks), dtype="uint64")
        for c in range(self.n_chunks):
            out[:, c] = [(b >> (62 * c)) & _CHUNK for b in words]
        return out[inverse.reshape(-1)]

    def bits(self, word_id: int, strings) -> int:
        """Which conditions a word meets, as spaCy decides them: sets compare string ids,
        a regular expression searches the attribute's string."""
        out = self.members.get(word_id, 0) ^ self.not_in  # in a set: IN holds, NOT_IN fails
        if self.regexes:
            text = strings[word_id]
            if self.any_regex is None:
                self.any_regex = _any_of([rx.pattern for _, rx in self.regexes])
            if self.any_regex is not _NEVER and self.any_regex.search(text) is None:
                return out
            for k, rx in self.regexes:
                if rx.search(text) is not None:
                    out |= 1 << k
        return out


class TokenPatterns:
    """Compiled token patterns under cue keys, matched over a whole document at once."""

    def __init__(self) -> None:
        self._strings: dict[str, _StringTests] = {}
        self._variants: list[tuple[str, tuple[Test, ...]]] = []
        self._by_first: dict[Test, list[tuple[str, tuple[Test, ...]]]] = {}  # variants by their first test
        self.n_patterns = 0

    def add(self, key: str, variants: list[tuple[Test, ...]]) -> None:
        for variant in variants:
            for test in variant:
                for cond in test:
                    if cond[0] == "str":
                        self._strings.setdefault(cond[1], _StringTests()).add(cond)
            self._variants.append((key, variant))
            self._by_first.setdefault(variant[0], []).append((key, variant))
        self.n_patterns += 1

    @property
    def attrs(self) -> list[str]:
        """The token attributes the patterns read (columns :meth:`match` expects)."""
        flags = sorted({c[1] for _, v in self._variants for t in v for c in t if c[0] == "flag"})
        return sorted(self._strings) + flags

    @property
    def attr_ids(self) -> list[int]:
        return [getattr(spacy_attrs, a) for a in self.attrs]

    @property
    def n_bits(self) -> int:
        """How many bit columns :meth:`bits` gives."""
        return sum(t.n_chunks for t in self._strings.values())

    def bits(self, columns: dict[str, numpy.ndarray], strings) -> numpy.ndarray:
        """Which string conditions each token meets, as bit columns (n tokens x
        :attr:`n_bits`). They depend on the token alone, so a caller may compute them once
        per distinct token and keep them (the chunk tokenizer does)."""
        parts = [tests.columns(columns[attr], strings) for attr, tests in self._strings.items()]
        n = len(next(iter(columns.values()))) if columns else 0
        return numpy.concatenate(parts, axis=1) if parts else numpy.zeros((n, 0), dtype="uint64")


    def match(self, columns: dict[str, numpy.ndarray], block: numpy.ndarray, strings,
              allowed: numpy.ndarray | None = None,
              bits: numpy.ndarray | None = None) -> list[tuple[tuple[str, ...], int, int]]:
        """Every ((key,), start, end) match over the document's tokens.

        ``columns``: one array per attribute in :attr:`attrs` (string ids or flag values);
        ``block``: the block number of each token (a match never crosses blocks);
        ``allowed``: where a match may start (None: anywhere);
        ``bits``: the tokens' :meth:`bits`, when the caller has them.
        """
        n = len(block)
        if not n or not self._variants:
            return []
        if bits is None:
            bits = self.bits(columns, strings)
        first_col: dict[str, int] = {}
        at = 0
        for attr, tests in self._strings.items():
            first_col[attr] = at
            at += tests.n_chunks
        # every condition's truth per token: the bit columns unpacked at once (little-endian
        # bytes, so bit k of column c is row k of its unpacked block)
        unpacked = numpy.unpackbits(numpy.ascontiguousarray(bits).view("uint8").reshape(n, -1), axis=1,
                                   bitorder="little").view(bool) if bits.shape[1] else None
        masks: dict[Test, numpy.ndarray] = {}

        def mask(test: Test) -> numpy.ndarray:
            m = masks.get(test)
            if m is None:
                for cond in test:
                    if cond[0] == "flag":
                        c = columns[cond[1]] == (1 if cond[2] else 0)
                    else:
                        k = self._strings[cond[1]].index[cond]
                        c = unpacked[:, 64 * (first_col[cond[1]] + k // 62) + k % 62]
                    m = c if m is None else m & c
                if m is None:  # an empty token spec: any token
                    m = numpy.ones(n, dtype=bool)
                masks[test] = m
            return m

        out: list[tuple[tuple[str, ...], int, int]] = []
        for first, group in self._by_first.items():
            m = mask(first)
            if allowed is not None:
                m = m & allowed
            starts0 = numpy.flatnonzero(m)
            if not len(starts0):
                continue
            for key, variant in group:
                size = len(variant)
                starts = starts0
                if size > 1:
                    starts = starts[starts <= n - size]
                    starts = starts[block[starts] == block[starts + size - 1]]
                    for k in range(1, size):
                        if not len(starts):
                            break
                        starts = starts[mask(variant[k])[starts + k]]
                out.extend(((key,), s, s + size) for s in starts.tolist())
        return out


def _any_of(patterns: list[str]) -> re.Pattern[str]:
    """One regular expression matching where any of ``patterns`` does: most words match
    none, and one search tells (not when a back reference would point elsewhere once
    they are joined, or flags or group names clash: then _NEVER, no quick test)."""
    if any(_BACKREF.search(p) for p in patterns):
        return _NEVER
    try:
        return re.compile("|".join(f"(?:{p})" for p in patterns))
    except re.error:
        return _NEVER


_NEVER = re.compile("(?!)")
_CHUNK = (1 << 62) - 1
_BACKREF = re.compile(r"\\[1-9]|\(\?P=|\(\?\(")
