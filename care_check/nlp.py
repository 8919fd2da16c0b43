"""The spaCy pipeline: a blank English tokenizer taught clinical abbreviations, and a
rule-based sentence splitter that does not break "Fig. 2", "et al.", "i.v." or "p < 0.05".

No trained model is loaded: everything here is rules, so nothing is ever downloaded.
"""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.symbols import ORTH
from spacy.tokens import Doc

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


@Language.component("care_sentences")
def care_sentences(doc: Doc) -> Doc:
    """Mark sentence starts: after . ! ? or a line break, unless the next word is lower case."""
    n = len(doc)
    if n == 0:
        return doc
    doc[0].is_sent_start = True
    since = 0
    for i in range(1, n):
        tok = doc[i]
        prev = doc[i - 1]
        start = False
        if "\n" in prev.text or "\n" in prev.whitespace_:
            start = True
        elif prev.text in _ENDERS:
            nxt = tok.text
            # "p < 0.05." then "The": break; ". and" / ". 5 mg": no break; '." The': break.
            if nxt[:1].isupper() or nxt[:1] in _OPENERS or nxt in ("•", "-", "–"):
                start = True
            elif nxt[:1].isdigit() and i + 1 < n and doc[i + 1].text[:1].isupper():
                start = True
        elif prev.text in ("\"", "”", ")") and i >= 2 and doc[i - 2].text in _ENDERS and tok.text[:1].isupper():
            start = True
        elif prev.text == ";" and since > MAX_SENT_TOKENS // 2:
            start = True
        if not start and since >= MAX_SENT_TOKENS:
            start = True
        tok.is_sent_start = start
        since = 0 if start else since + 1
    return doc


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    """The shared blank-English pipeline (built once per process)."""
    nlp = spacy.blank("en")
    for abbr in ABBREVIATIONS:
        if " " not in abbr:
            nlp.tokenizer.add_special_case(abbr, [{ORTH: abbr}])
    nlp.tokenizer.add_special_case("al.", [{ORTH: "al."}])
    nlp.add_pipe("care_sentences")
    nlp.max_length = 30_000_000
    return nlp
