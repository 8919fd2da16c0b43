"""The learned model's input for a batch of sentences, built exactly as spaCy builds it, faster.

A bag-of-words text classifier (spaCy's TextCatBOW) reads, per text, the sorted distinct
hashes of its tokens and token pairs with their counts (``spacy.ml.extract_ngrams``). Built
that way, one tokenizer call and one ``numpy.unique`` per sentence cost more than the model
itself. Here the texts' tokens come from the chunk-remembering tokenizer front
(:mod:`care_check.chunktok`: the tokenizer's own tokens), and hashes, pairs, distinct
values and counts are computed for the whole batch at once.

The arrays are the ones ``extract_ngrams`` would give, value for value and in the same
order, so the model's scores are the same numbers (``tests/test_learned.py`` checks it).
"""

from __future__ import annotations

from typing import Sequence

import numpy
from spacy.attrs import IDX, LENGTH, LOWER
from spacy.tokenizer import Tokenizer

from .chunktok import ChunkTokenizer
from .learned import folded_keys


class BowInput:
    """Builds ``(keys, counts, lengths)`` for a TextCatBOW model from texts or word hashes."""

    def __init__(self, tokenizer: Tokenizer, ops, ngram_size: int) -> None:
        self.tokenizer = tokenizer
        self._own: ChunkTokenizer | None = None  # made when a caller brings none
        self.ops = ops
        self.ngram_size = ngram_size

    def unigrams(self, texts: Sequence[str], tokens: ChunkTokenizer | None = None
                 ) -> tuple[numpy.ndarray, numpy.ndarray]:
        """(the model words' hashes of all ``texts``, text after text; words per text), read
        with ``tokens`` (a chunk tokenizer over the same spaCy tokenizer that reads LOWER and
        LENGTH) or this object's own."""
        if tokens is None:
            if self._own is None:
                self._own = ChunkTokenizer(self.tokenizer, [LOWER, LENGTH])
            tokens = self._own
        table, sizes = tokens(texts)
        lower, length, idx = (table[:, tokens.attrs.index(a)] for a in (LOWER, LENGTH, IDX))
        ends = numpy.cumsum(sizes).tolist()
        parts = [folded_keys(lower[e - n: e], idx[e - n: e], length[e - n: e], text)
                 for text, e, n in zip(texts, ends, sizes)]
        keys = numpy.concatenate(parts) if parts else numpy.zeros(0, dtype="uint64")
        return numpy.ascontiguousarray(keys, dtype="uint64"), numpy.array(sizes, dtype="int64")

    def __call__(self, texts: Sequence[str], tokens: ChunkTokenizer | None = None
                 ) -> tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
        """The model's input for ``texts`` (see :meth:`unigrams`)."""
        return self.ngrams(*self.unigrams(texts, tokens))

    def ngrams(self, unigrams: numpy.ndarray, sizes: numpy.ndarray):
        """Per text, its distinct 1..n-gram hashes (sorted) and their counts, as
        ``extract_ngrams`` computes them one text at a time."""
        sizes = numpy.asarray(sizes, dtype="int64")
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
