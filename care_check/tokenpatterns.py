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
        self._plan: _MatchPlan | None = None  # the variants as arrays, built at the first match

    def add(self, key: str, variants: list[tuple[Test, ...]]) -> None:
        for variant in variants:
            for test in variant:
                for cond in test:
                    if cond[0] == "str":
                        self._strings.setdefault(cond[1], _StringTests()).add(cond)
            self._variants.append((key, variant))
            self._by_first.setdefault(variant[0], []).append((key, variant))
        self.n_patterns += 1
        self._plan = None

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
        plan = self._plan
        if plan is None:
            plan = self._plan = _MatchPlan.of(self)
        bits = numpy.ascontiguousarray(bits)
        found_s: list[numpy.ndarray] = []
        found_v: list[numpy.ndarray] = []
        # windows of tokens bound the memory a long document needs (a match starting in a
        # window may read up to the longest variant's length past it)
        for a in range(0, n, _WINDOW):
            b = min(n, a + _WINDOW + plan.longest - 1)
            s, v = plan.run(columns, block, bits, allowed, a, b, min(n, a + _WINDOW))
            found_s.append(s)
            found_v.append(v)
        s = numpy.concatenate(found_s)
        v = numpy.concatenate(found_v)
        order = numpy.lexsort((s, v))  # variant by variant (in the order of their first tests), then start
        s, v = s[order].tolist(), v[order].tolist()
        keys, sizes = plan.keys, plan.sizes
        return [((keys[j],), i, i + sizes[j]) for i, j in zip(s, v)]


_WINDOW = 20_000  # tokens whose test table is built at once


class _MatchPlan:
    """Every variant as rows of test numbers, grouped by their first test, and every test
    as the condition columns it needs: a document is then matched with a fixed number of
    array operations, whatever the number of patterns."""

    def __init__(self) -> None:
        self.keys: list[str] = []  # per variant (in the order of their first tests)
        self.sizes: list[int] = []
        self.longest = 1

    @classmethod
    def of(cls, patterns: "TokenPatterns") -> "_MatchPlan":
        plan = cls()
        first_col: dict[str, int] = {}
        at = 0
        for attr, tests in patterns._strings.items():
            first_col[attr] = at
            at += tests.n_chunks
        tests: dict[Test, int] = {}
        for first in patterns._by_first:
            tests.setdefault(first, len(tests))
        for _, variant in patterns._variants:
            for t in variant:
                tests.setdefault(t, len(tests))
        # each test: its string conditions (columns of the unpacked bits) and flag conditions
        plan.tests = list(tests)
        plan.str_cols = [[64 * (first_col[c[1]] + patterns._strings[c[1]].index[c] // 62)
                          + patterns._strings[c[1]].index[c] % 62 for c in t if c[0] == "str"] for t in plan.tests]
        plan.flags = [[(c[1], 1 if c[2] else 0) for c in t if c[0] == "flag"] for t in plan.tests]
        plan.single = [len(cols) == 1 and not fl for cols, fl in zip(plan.str_cols, plan.flags)]
        plan.n_firsts = len(patterns._by_first)
        rows: list[list[int]] = []
        group_start, group_size = [], []
        for first, group in patterns._by_first.items():
            group_start.append(len(rows))
            group_size.append(len(group))
            for key, variant in group:
                plan.keys.append(key)
                plan.sizes.append(len(variant))
                rows.append([tests[t] for t in variant])
        plan.longest = max(plan.sizes, default=1)
        # per test (and the padding "test" after them): where a single string condition
        # sits in the packed bits; whether it always holds; its column among the others
        n_tests = len(plan.tests)
        plan.word_of = numpy.zeros(n_tests + 1, dtype="int64")
        plan.bit_of = numpy.zeros(n_tests + 1, dtype="uint64")
        plan.always = numpy.zeros(n_tests + 1, dtype=bool)
        plan.always[n_tests] = True
        plan.multi = [j for j in range(n_tests) if not plan.single[j]]
        plan.multi_col = numpy.full(n_tests + 1, -1, dtype="int64")
        for i, j in enumerate(plan.multi):
            plan.multi_col[j] = i
        for j in range(n_tests):
            if plan.single[j]:
                plan.word_of[j], plan.bit_of[j] = plan.str_cols[j][0] // 64, plan.str_cols[j][0] % 64

        anything = len(plan.tests)  # a column that always holds: pads the shorter variants
        plan.table = numpy.full((len(rows), plan.longest), anything, dtype="int64")
        for i, r in enumerate(rows):
            plan.table[i, : len(r)] = r
        plan.size = numpy.array(plan.sizes, dtype="int64")
        plan.group_start = numpy.array(group_start, dtype="int64")
        plan.group_size = numpy.array(group_size, dtype="int64")
        return plan

    def truth(self, columns: dict[str, numpy.ndarray], bits: numpy.ndarray, a: int, b: int,
              which: list[int]) -> numpy.ndarray:
        """(tokens a..b) x ``which`` tests: where each holds."""
        m = b - a
        out = numpy.ones((m, len(which)), dtype=bool)
        if not m or not which:
            return out
        single = [i for i, j in enumerate(which) if self.single[j]]
        if single:
            cols = numpy.array([self.str_cols[which[i]][0] for i in single], dtype="int64")
            out[:, single] = (bits[a:b][:, cols // 64] >> (cols % 64).astype("uint64")) & numpy.uint64(1)
        for i, j in enumerate(which):
            if self.single[j]:
                continue
            for c in self.str_cols[j]:
                out[:, i] &= ((bits[a:b, c // 64] >> numpy.uint64(c % 64)) & numpy.uint64(1)).astype(bool)
            for attr, value in self.flags[j]:
                out[:, i] &= columns[attr][a:b] == value
        return out

    def run(self, columns: dict[str, numpy.ndarray], block: numpy.ndarray, bits: numpy.ndarray,
            allowed: numpy.ndarray | None, a: int, b: int, stop: int) -> tuple[numpy.ndarray, numpy.ndarray]:
        """(starts, variants) of the matches starting at tokens a..stop (reading up to b)."""
        firsts = self.truth(columns, bits, a, stop, list(range(self.n_firsts)))
        if allowed is not None:
            firsts &= allowed[a:stop, None]
        s, f = numpy.nonzero(firsts)  # (token, first test) pairs
        reps = self.group_size[f]  # each pair stands for every variant of its group
        total = int(reps.sum())
        ends = numpy.cumsum(reps)
        v = numpy.repeat(self.group_start[f] - (ends - reps), reps) + numpy.arange(total)
        s = numpy.repeat(s, reps)
        last = s + self.size[v] - 1  # the variant's last token, window-relative
        keep = last < b - a
        s, v, last = s[keep], v[keep], last[keep]
        keep = block[s + a] == block[last + a]
        s, v = s[keep], v[keep]
        # the later tests at the tokens they apply to: multi-condition ones as columns,
        # single string conditions read straight from the packed bits
        table = (self.truth(columns, bits, a, b, self.multi)
                 if self.multi and self.longest > 1 and len(s) else None)
        for k in range(1, self.longest):
            if not len(s):
                break
            t = self.table[v, k]
            at = numpy.minimum(s + k, b - a - 1) + a
            word, bit = self.word_of[t], self.bit_of[t]
            keep = self.always[t]  # a fresh array (indexed by an array)
            if bits.shape[1]:
                keep |= ((bits[at, word] >> bit) & numpy.uint64(1)).astype(bool)
            if table is not None:
                col = self.multi_col[t]
                has = col >= 0
                if has.any():
                    keep[has] = table[at[has] - a, col[has]]
            s, v = s[keep], v[keep]
        return s + a, v


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
