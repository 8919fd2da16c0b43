"""The spaCy pipeline: a blank English tokenizer taught clinical abbreviations, and a
rule-based sentence splitter that does not break "Fig. 2", "et al.", "i.v." or "p < 0.05".

No trained model is loaded: everything here is rules, so nothing is ever downloaded.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Sequence

import numpy
import spacy
from spacy.attrs import IDX, IS_SPACE, ORTH, SENT_START
from spacy.language import Language
from spacy.symbols import ORTH
from spacy.strings import get_string_id
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex, registry

# Abbreviations that end in a full stop but rarely end a sentence.
ABBREVIATIONS = (
    "Fig.", "Figs.", "fig.", "figs.", "Tab.", "Eq.", "Ref.", "Refs.", "No.", "no.", "Nos.", "Vol.", "vol.", "pp.",
    "et al.", "al.", "e.g.", "i.e.", "cf.", "vs.", "vs", "approx.", "ca.", "resp.", "viz.", "etc.",
    "Dr.", "Drs.", "Mr.", "Mrs.", "Ms.", "Prof.", "St.", "Jr.", "Sr.",
    "i.v.", "I.V.", "i.m.", "s.c.", "p.o.", "b.i.d.", "t.i.d.", "q.i.d.", "q.d.", "o.d.", "p.r.n.", "q.h.s.",
    "b.d.", "t.d.s.", "q.o.d.", "a.m.", "p.m.", "h.s.", "q.", "mo.", "yr.", "yrs.", "wk.", "wks.", "min.", "max.",
    "hr.", "hrs.", "sec.", "Sec.", "Jan.", "Feb.", "Mar.", "Apr.", "Jun.", "Jul.", "Aug.", "Sep.", "Sept.", "Oct.",
    "Nov.", "Dec.", "Inc.", "Ltd.", "Co.", "Corp.", "Univ.", "Dept.", "spp.", "sp.", "var.", "subsp.",
)
_ENDERS = {".", "!", "?"}
_OPENERS = {"(", "[", "\"", "“", "‘", "'"}
MAX_SENT_TOKENS = 120


def _hard_break(text: str, at: int) -> bool:
    """Whether the line break at ``at`` ends a sentence rather than wrapping one.

    Table rows, list items, short label lines and lines ending in punctuation end there;
    a long line of prose that stops mid-sentence (hard-wrapped Markdown) continues.
    """
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at + 1)
    before = text[start:at]
    after = text[at + 1: end if end != -1 else len(text)]
    b, a = before.strip(), after.strip()
    if not b or not a or "\t" in before or "\t" in after:
        return True
    if b[-1] in ".!?:;" or len(b) < 50:
        return True
    return a[:1] in "•-–*" or (a[:1].isdigit() and a[1:3].lstrip("0123456789")[:1] in ".)")


def sentence_starts(words: list[str], spaces: list[str], idx: list[int] | None = None,
                    text: str = "") -> list[bool]:
    """Sentence starts for a token sequence: after . ! ? or a line break that ends a line
    of its own, unless the next word is lower case or a number that continues the sentence
    ("p < 0.05", ". 5 mg")."""
    n = len(words)
    after = [i for i in range(1, n) if words[i - 1] in _BREAKERS or "\n" in words[i - 1] or "\n" in spaces[i - 1]]
    return walk_starts(n, after, words.__getitem__, lambda i: "\n" in words[i - 1] or "\n" in spaces[i - 1],
                 idx, text).tolist()


def start_flags(doc: Doc, text: str | None = None) -> numpy.ndarray:
    """Sentence starts of a tokenized block as a boolean array, exactly as
    :func:`sentence_starts` decides them (``text``: the block's text, when the caller has
    it; ``doc.text`` rebuilds it token by token). Only a token after a full stop, a quote,
    a bracket, a semicolon or white space can start a sentence (besides the cut of a
    run-on sentence), so only those are looked at in Python; finding them is array work."""
    n = len(doc)
    if not n:
        return numpy.zeros(0, dtype=bool)
    strings = doc.vocab.strings
    arr = doc.to_array([ORTH, IDX, IS_SPACE])
    orth = arr[:-1, 0]
    can = arr[:-1, 2] == 1
    for w in BREAKER_IDS:
        can |= orth == w
    after = (numpy.flatnonzero(can) + 1).tolist()
    words = arr[:, 0].tolist()

    def word(i: int) -> str:
        return strings[words[i]]

    return walk_starts(n, after, word, lambda i: "\n" in word(i - 1), arr[:, 1], doc.text if text is None else text)


# A sentence can only start after one of these tokens or after white space.
_BREAKERS = frozenset(_ENDERS | {"\"", "\u201d", ")", ";"})
BREAKER_IDS = tuple(numpy.uint64(get_string_id(w)) for w in sorted(_BREAKERS))


def walk_starts(n: int, after: list[int], word: Callable[[int], str], newline: Callable[[int], bool],
                idx: Sequence[int] | None, text: str) -> numpy.ndarray:
    """Decide the candidate positions ``after`` in order (``word(i)``: the i-th token's
    text; ``newline(i)``: a line break just before it); between two of them, a run-on
    sentence is cut every MAX_SENT_TOKENS tokens."""
    starts = numpy.zeros(n, dtype=bool)
    if not n:
        return starts
    starts[0] = True
    last = 0  # the latest start
    for i in after + [n]:
        while last + MAX_SENT_TOKENS + 1 < i:  # a whole sentence's length without a candidate
            last += MAX_SENT_TOKENS + 1
            starts[last] = True
        if i >= n:
            break
        since = i - 1 - last  # tokens since the latest start
        if _starts_at(i, n, since, word, newline(i), idx, text) or since >= MAX_SENT_TOKENS:
            starts[i] = True
            last = i
    return starts


def _starts_at(i: int, n: int, since: int, word, newline: bool, idx, text: str) -> bool:
    """Whether token ``i`` starts a sentence, by what precedes and follows it."""
    if newline:
        if idx is None or not len(text):
            return True
        at = text.find("\n", int(idx[i - 1]))
        return at == -1 or _hard_break(text, at)
    prev, nxt = word(i - 1), word(i)
    if prev in _ENDERS:
        first = nxt[:1]
        if first.isupper() or first in _OPENERS or nxt in ("\u2022", "-", "\u2013"):
            return True
        return first.isdigit() and i + 1 < n and word(i + 1)[:1].isupper()
    if prev in ("\"", "\u201d", ")"):
        return i >= 2 and word(i - 2) in _ENDERS and nxt[:1].isupper()
    if prev == ";":
        return since > MAX_SENT_TOKENS // 2
    return False


@Language.component("care_sentences")
def care_sentences(doc: Doc) -> Doc:
    """Set sentence boundaries in one array write (setting them token by token is slow)."""
    if len(doc):
        values = numpy.where(start_flags(doc), 1, -1).astype("int64")
        doc.from_array(SENT_START, values.astype("uint64"))
    return doc


def _tokenizer(nlp: Language) -> Tokenizer:
    """English tokenizer rules plus the abbreviations and the glued-citation infix, built
    in one go: added one by one after ``spacy.blank``, each change re-validates all 1,400
    English special cases (a quarter of a second on every cold start)."""
    d = nlp.Defaults
    rules = dict(d.tokenizer_exceptions)
    for abbr in ABBREVIATIONS:
        if " " not in abbr:
            rules[abbr] = [{ORTH: abbr}]
    rules["al."] = [{ORTH: "al."}]
    # "therapy.11 This …": a citation number glued to the full stop is its own token, so
    # the sentence can end there (decimals such as 0.05 are untouched: a digit precedes).
    infixes = list(d.infixes) + [r"(?<=[a-z\)\]%])\.(?=\d)"]
    return Tokenizer(nlp.vocab, rules=rules,
                     prefix_search=compile_prefix_regex(d.prefixes).search,
                     suffix_search=compile_suffix_regex(d.suffixes).search,
                     infix_finditer=compile_infix_regex(infixes).finditer,
                     token_match=d.token_match, url_match=d.url_match)


@registry.tokenizers("care_check.tokenizer.v1")
def _tokenizer_factory() -> Callable[[Language], Tokenizer]:
    return _tokenizer


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    """The shared blank-English pipeline (built once per process)."""
    nlp = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "care_check.tokenizer.v1"}}})
    nlp.add_pipe("care_sentences")
    nlp.max_length = 30_000_000
    return nlp
