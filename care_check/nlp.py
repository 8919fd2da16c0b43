"""The spaCy pipeline: a blank English tokenizer taught clinical abbreviations, and a
rule-based sentence splitter that does not break "Fig. 2", "et al.", "i.v." or "p < 0.05".

No trained model is loaded: everything here is rules, so nothing is ever downloaded.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy
import spacy
from spacy.attrs import IDX, ORTH, SENT_START, SPACY
from spacy.language import Language
from spacy.symbols import ORTH
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
    starts = [False] * n
    if not n:
        return starts
    starts[0] = True
    since = 0
    for i in range(1, n):
        prev = words[i - 1]
        nxt = words[i]
        start = False
        if "\n" in prev or "\n" in spaces[i - 1]:
            if idx is None or not text:
                start = True
            else:
                at = text.find("\n", idx[i - 1])
                start = at == -1 or _hard_break(text, at)
        elif prev in _ENDERS:
            first = nxt[:1]
            if first.isupper() or first in _OPENERS or nxt in ("•", "-", "–"):
                start = True
            elif first.isdigit() and i + 1 < n and words[i + 1][:1].isupper():
                start = True
        elif prev in ("\"", "”", ")") and i >= 2 and words[i - 2] in _ENDERS and nxt[:1].isupper():
            start = True
        elif prev == ";" and since > MAX_SENT_TOKENS // 2:
            start = True
        if not start and since >= MAX_SENT_TOKENS:
            start = True
        starts[i] = start
        since = 0 if start else since + 1
    return starts


@Language.component("care_sentences")
def care_sentences(doc: Doc) -> Doc:
    """Set sentence boundaries in one array write (setting them token by token is slow)."""
    if len(doc):
        # Read token texts through arrays: creating a Token object per word is the slow part.
        strings = doc.vocab.strings
        orth, idx, space = doc.to_array([ORTH, IDX, SPACY]).T.tolist()
        flags = sentence_starts([strings[o] for o in orth], [" " if sp else "" for sp in space], idx, doc.text)
        values = numpy.fromiter((1 if f else -1 for f in flags), dtype="int64", count=len(flags))
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
