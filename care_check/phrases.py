"""Literal phrases found in a document's token arrays: spaCy's PhraseMatcher, without Docs.

A phrase is a sequence of token values (LOWER for case-insensitive cues and context
triggers, ORTH for case-sensitive ones), tokenized by the checker's tokenizer. Every
window of the document's tokens of each phrase length gets a rolling 64-bit hash; a window
whose hash falls in a bucket holding some phrase (an array lookup) is confirmed token by
token, so a collision can never make a match. As with
spaCy's PhraseMatcher, every occurrence is returned, overlapping ones included; a match
never crosses two blocks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import numpy

_MULT = numpy.uint64(0x9E3779B97F4A7C15)
_BUCKETS = 1 << 18  # a hash's bucket: a quick, loose test before the exact one
_BUCKET_MASK = numpy.uint64(_BUCKETS - 1)
_MASK = (1 << 64) - 1


def phrase_ids(tokenizer, phrases: Iterable[str]) -> dict[str, tuple[tuple[int, ...], tuple[int, ...]]]:
    """Each phrase's token ids as the checker's tokenizer gives them: (LOWER, ORTH).

    Tokenizing the rules' 6,000 cue phrases is about a fifth of a cold one-file check, so
    the result is kept in the rule cache (:mod:`care_check.cache`), keyed by the phrases,
    spaCy's version and the tokenizer's definition (``care_check/nlp.py``)."""
    import spacy
    from spacy.attrs import LOWER, ORTH

    from . import nlp
    from .cache import cached

    uniq = sorted(set(phrases))

    def build() -> dict[str, tuple[tuple[int, ...], tuple[int, ...]]]:
        out = {}
        for text, doc in zip(uniq, tokenizer.pipe(uniq)):
            arr = doc.to_array([LOWER, ORTH]).reshape(-1, 2)
            out[text] = (tuple(arr[:, 0].tolist()), tuple(arr[:, 1].tolist()))
        return out

    extra = "\0".join([spacy.__version__, *uniq]).encode("utf-8", "surrogatepass")
    return cached("phrases", [Path(nlp.__file__)], build, extra)


def _hash(ids: tuple[int, ...]) -> int:
    h = 0
    for i in ids:
        h = (h * 0x9E3779B97F4A7C15 + i) & _MASK
    return h


class PhraseTable:
    """Phrases under keys, on one token attribute column."""

    def __init__(self) -> None:
        self._phrases: dict[int, dict[tuple[int, ...], tuple[str, ...]]] = {}  # length -> ids -> keys
        self._seen: dict[int, numpy.ndarray] = {}  # length -> which hash buckets hold a phrase

    def add(self, key: str, ids: tuple[int, ...]) -> None:
        if ids:
            table = self._phrases.setdefault(len(ids), {})
            keys = table.get(tuple(ids), ())
            if key not in keys:
                table[tuple(ids)] = keys + (key,)
            self._seen.clear()

    def __len__(self) -> int:
        return sum(len(p) for p in self._phrases.values())

    def match(self, column: numpy.ndarray, block: numpy.ndarray,
              allowed: numpy.ndarray | None = None) -> list[tuple[tuple[str, ...], int, int]]:
        """Every (keys, start, end) where a phrase occurs in ``column`` within one block
        (``keys``: the keys the phrase was added under)."""
        n = len(column)
        if not n or not self._phrases:
            return []
        if not self._seen:
            for size, table in self._phrases.items():
                seen = self._seen[size] = numpy.zeros(_BUCKETS, dtype=bool)
                seen[[_hash(ids) & (_BUCKETS - 1) for ids in table]] = True
        col = column.astype("uint64", copy=False)
        words = None
        out: list[tuple[tuple[str, ...], int, int]] = []
        h = numpy.zeros(n, dtype="uint64")
        for size in range(1, max(self._phrases) + 1):
            if size > n:
                break
            # rolling hash of the `size` tokens starting at each position
            h = h[: n - size + 1] * _MULT + col[size - 1:]
            table = self._phrases.get(size)
            if table is None:
                continue
            hit = self._seen[size][(h & _BUCKET_MASK).astype("intp")]  # a phrase may start here
            if size > 1:
                hit &= block[: n - size + 1] == block[size - 1:]
            if allowed is not None:
                hit &= allowed[: n - size + 1]
            starts = numpy.flatnonzero(hit).tolist()
            if not starts:
                continue
            if words is None:
                words = col.tolist()
            for s in starts:
                keys = table.get(tuple(words[s: s + size]))
                if keys:
                    out.append((keys, s, s + size))
        return out
