"""The learned model's input for a batch of sentences, built exactly as spaCy builds it, faster.

A bag-of-words text classifier (spaCy's TextCatBOW) reads, per text, the sorted distinct
hashes of its tokens and token pairs with their counts (``spacy.ml.extract_ngrams``). Built
that way, one tokenizer call and one ``numpy.unique`` per sentence cost more than the model
itself. Here:

- each text is cut into the chunks spaCy's tokenizer cuts it into (runs of non-space
  characters; a run of white space after its first space), and each distinct chunk is
  tokenized once, alone, by the same tokenizer, and remembered. A chunk's tokens do not
  depend on its neighbours, with one exception: the tokenizer's last pass may match a
  special case (":)", "a.m.") across a single space. A text holding such a boundary (two
  characters that are adjacent inside a split special case, with a space between them) is
  tokenized whole, by the tokenizer itself, as before;
- hashes, pairs, distinct values and counts are computed for the whole batch at once.

The arrays are the ones ``extract_ngrams`` would give, value for value and in the same
order, so the model's scores are the same numbers (``tests/test_learned.py`` checks it).
"""

from __future__ import annotations

import re
from typing import Sequence

import numpy
from spacy.attrs import ORTH
from spacy.tokenizer import Tokenizer

_CHUNKS = re.compile(r"\S+|\s+")
_OTHER_SPACE = re.compile(r"[^\S ]")  # white space other than a plain space
_SPACE = re.compile(r"\s")
_CACHE_LIMIT = 300_000  # distinct chunks remembered


class BowInput:
    """Builds ``(keys, counts, lengths)`` for a TextCatBOW model from texts."""

    def __init__(self, tokenizer: Tokenizer, ops, ngram_size: int) -> None:
        self.tokenizer = tokenizer
        self.ops = ops
        self.ngram_size = ngram_size
        self.cache: dict[str, list[int]] = {}
        # (last character of a chunk, first of the next) -> the endings the first chunk must
        # have for a special case to match across the two
        self.follows = _cross_chunk_specials(tokenizer)
        self.joinable = not any(ch.isspace() for pair in self.follows for ch in pair)
        self._newline = numpy.uint64(tokenizer.vocab.strings.add("\n"))

    def __call__(self, texts: Sequence[str]) -> tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
        cache = self.cache
        follows = self.follows
        pieces: list[list[str] | None] = []  # each text's chunks; None: tokenize it whole
        missing: dict[str, None] = {}
        for text in texts:
            chunks = _chunks(text)
            last = ""
            for chunk in chunks:
                befores = follows.get(last[-1:] + chunk[0])
                if befores is not None and last.endswith(befores):
                    chunks = None  # a special case could match across this boundary
                    break
                if chunk not in cache:
                    missing[chunk] = None
                last = chunk
            pieces.append(chunks)
        if len(cache) + len(missing) > _CACHE_LIMIT:
            cache.clear()
        self._learn(list(missing))
        ids: list[int] = []
        sizes: list[int] = []
        for text, chunks in zip(texts, pieces):
            n = len(ids)
            if chunks is None:
                ids.extend(self.tokenizer(text).to_array(ORTH).tolist())
            else:
                for chunk in chunks:
                    ids += cache[chunk]
            sizes.append(len(ids) - n)
        return self._ngrams(numpy.array(ids, dtype="uint64"), numpy.array(sizes, dtype="int64"))

    def _learn(self, chunks: list[str]) -> None:
        """Tokenize chunks not seen before: the ones without white space in one call, one
        per line (a line break is a token of its own, which no special case spans), the
        others one by one."""
        tokenizer = self.tokenizer
        plain = [c for c in chunks if not _SPACE.search(c)] if self.joinable else []
        if plain:
            doc = tokenizer("\n".join(plain))
            orth = doc.to_array(ORTH)
            cuts = numpy.flatnonzero(orth == self._newline)
            if len(cuts) == len(plain) - 1:
                for chunk, part in zip(plain, numpy.split(orth, cuts + 1)):
                    self.cache[chunk] = part[:-1].tolist() if len(part) and part[-1] == self._newline else part.tolist()
            else:  # not one line per chunk after all: one by one
                plain = []
        done = set(plain)
        for chunk in chunks:
            if chunk not in done:
                self.cache[chunk] = tokenizer(chunk).to_array(ORTH).tolist()

    def _ngrams(self, unigrams: numpy.ndarray, sizes: numpy.ndarray):
        """Per text, its distinct 1..n-gram hashes (sorted) and their counts, as
        ``extract_ngrams`` computes them one text at a time."""
        n_texts = len(sizes)
        doc_of = numpy.repeat(numpy.arange(n_texts), sizes)
        ends = numpy.cumsum(sizes)
        keys = [unigrams]
        docs = [doc_of]
        for n in range(2, self.ngram_size + 1):
            if len(unigrams) < n:
                break
            grams = numpy.asarray(self.ops.ngrams(n, unigrams))
            start = numpy.arange(len(grams))
            inside = start + n <= ends[doc_of[: len(grams)]]  # windows that stay in one text
            keys.append(grams[inside])
            docs.append(doc_of[: len(grams)][inside])
        key = numpy.concatenate(keys)
        doc = numpy.concatenate(docs)
        order = numpy.lexsort((key, doc))
        key, doc = key[order], doc[order]
        new = numpy.ones(len(key), dtype=bool)
        new[1:] = (key[1:] != key[:-1]) | (doc[1:] != doc[:-1])
        first = numpy.flatnonzero(new)
        counts = numpy.diff(numpy.append(first, len(key)))
        lengths = numpy.bincount(doc[first], minlength=n_texts).astype("int32")
        return key[first], counts.astype("float32"), lengths


def _chunks(text: str) -> list[str]:
    """The pieces spaCy's tokenizer tokenizes separately: runs of non-space characters,
    and runs of white space (a run opening with a space gives that space to the token
    before it; it is a piece only if more follows)."""
    if not _OTHER_SPACE.search(text) and "  " not in text and text[:1] != " ":
        return text.split(" ")  # single spaces only: the common case
    out = []
    for m in _CHUNKS.finditer(text):
        piece = m.group()
        if piece[0] == " " and m.start() > 0:
            piece = piece[1:]
            if not piece:
                continue
        out.append(piece)
    return out


def _cross_chunk_specials(tokenizer: Tokenizer) -> dict[str, tuple[str, ...]]:
    """Where the tokenizer's special-case pass could match across two chunks: for every
    special case it is given whose plain (affix) tokenization has several tokens, and every
    boundary between those tokens, the text before the boundary (a chunk must end with it)
    and the character after it (the next chunk must start with it)."""
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
