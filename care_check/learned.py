"""The learned sentence signal: a spaCy ``textcat_multilabel`` model trained on our own corpus.

The model reads one sentence at a time (with the kind of section it sits in) and gives
each checklist item a score: how much the sentence reads like the labelled sentences that
report that item. It never decides a verdict. A rule may use the score as one more kind of
signal (``model: 0.6`` in a signal), in the sections the rule reads and with the rule's
vetoes applied, so the verdict is still the YAML's and the evidence is still a sentence.

The model ships inside the package (``care_check/data/sentence_model``), trained by
``python tools/train_model.py`` from ``corpus/labels`` (train split only); nothing is ever
downloaded. It is a hashed bag of words and word pairs (spaCy's TextCatBOW): small, and fast
enough to score every sentence of a report in a few milliseconds.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Sequence

_DIGITS = re.compile(r"\d")
MODEL_DIR = Path(__file__).resolve().parent / "data" / "sentence_model"


def model_text(section_kind: str, sentence: str) -> str:
    """A sentence as the model reads it, as one text: the section kind as a first token, then
    the sentence. The model's words are this text's tokens (the checker's tokenizer), lower
    case with digits folded (see :func:`model_word`)."""
    return f"sec_{section_kind} {sentence}"


def model_word(token: str) -> str:
    """A token as the model reads it: lower case, digits as 0 (so "52" and "7" in
    "52-year-old" and "7-year-old" are one word to it)."""
    return _DIGITS.sub("0", token.lower())


def model_words(section_kind: str, tokens: Sequence[str]) -> list[str]:
    """What the model reads of a sentence: the section kind, then its tokens' model words.
    Training builds its examples with this; at run time the checker computes the same
    words' hashes from the document's own tokens (:func:`folded_keys`)."""
    return [f"sec_{section_kind}"] + [model_word(t) for t in tokens]


def folded_keys(lower, idx, length, text: str):
    """The hashes of the model words of a run of tokens of ``text`` (``lower``: their LOWER
    hashes; ``idx``, ``length``: where each starts in ``text`` and its length, in order).
    A token without a digit is its LOWER hash; the few with one are hashed anew."""
    import numpy
    from spacy.strings import get_string_id

    digits = [m.start() for m in _DIGITS.finditer(text)]
    if not digits or not len(lower):
        return lower
    pos = numpy.array(digits, dtype="int64")
    starts = idx.astype("int64")
    tok = numpy.searchsorted(starts, pos, side="right") - 1
    ok = tok >= 0
    tok, pos = tok[ok], pos[ok]
    inside = pos < starts[tok] + length[tok].astype("int64")
    out = lower.copy()
    for i in numpy.unique(tok[inside]).tolist():
        a = int(starts[i])
        out[i] = get_string_id(model_word(text[a: a + int(length[i])]))
    return out


class SentenceModel:
    """Scores sentences for every item the model was trained on.

    A bag-of-words model is rebuilt from its config and weights directly (0.05 s) rather
    than through ``spacy.load`` (about 0.6 s of registry and pipeline set-up), since a cold
    single-file check should not pay for machinery it does not use. Its words are the
    checker's own tokens, folded by :func:`model_word`, as they were for training.
    """

    def __init__(self, path: Path | str) -> None:
        from thinc.api import Config

        from .nlp import get_nlp

        self.path = Path(path)
        cfg = Config().from_disk(self.path / "config.cfg", interpolate=False)
        arch = cfg["components"]["textcat_multilabel"]["model"]
        pipe_cfg = json.loads((self.path / "textcat_multilabel" / "cfg").read_text(encoding="utf-8"))
        self.labels: tuple[str, ...] = tuple(pipe_cfg["labels"])
        self.index = {label: i for i, label in enumerate(self.labels)}
        if arch.get("@architectures") == "spacy.TextCatBOW.v3":
            from spacy.ml.models.textcat import build_bow_text_classifier_v3

            self.model = build_bow_text_classifier_v3(
                exclusive_classes=bool(arch["exclusive_classes"]), ngram_size=int(arch["ngram_size"]),
                no_output_layer=bool(arch["no_output_layer"]), length=int(arch["length"]), nO=len(self.labels))
            self.model.from_bytes((self.path / "textcat_multilabel" / "model").read_bytes())
        else:  # any other architecture: spaCy's own loader
            import spacy

            self.model = spacy.load(self.path).get_pipe("textcat_multilabel").model
        self.tokenizer = get_nlp().tokenizer
        self._fast = _bow_layers(self.model)
        if self._fast is not None:
            from .bowinput import BowInput

            self._input = BowInput(self.tokenizer, self.model.ops, int(arch["ngram_size"]))

    def scores(self, texts: Sequence[str], tokens=None):
        """A (sentences x labels) array of scores in [0, 1] for texts made by :func:`model_text`.
        ``tokens``: a :class:`care_check.chunktok.ChunkTokenizer` over the same tokenizer that
        reads LOWER and LENGTH (chunks it already knows need no tokenizing)."""
        if self._fast is None:
            return self.scores_of_words([model_words_of(t, self.tokenizer) for t in texts])
        keys, sizes = self._input.unigrams(texts, tokens)
        return self.scores_of_keys(keys, sizes)

    @property
    def reads_hashes(self) -> bool:
        """Whether :meth:`scores_of_keys` applies (a bag-of-words model); any other
        architecture is given words (:meth:`scores_of_words`)."""
        return self._fast is not None

    def scores_of_keys(self, keys, sizes):
        """Scores for sentences given as their model words' hashes, sentence after sentence
        (``sizes``: words per sentence), for a model that :attr:`reads_hashes`. The checker
        calls this with hashes read off the document's own tokens, so nothing is tokenized
        twice."""
        import numpy

        if not len(sizes):
            return numpy.zeros((0, len(self.labels)), dtype="float32")
        linear, output = self._fast
        return numpy.asarray(output.predict(linear.predict(self._input.ngrams(keys, sizes))), dtype="float32")

    def scores_of_words(self, words: Sequence[Sequence[str]]):
        """Scores for sentences given as their model words (:func:`model_words`), through the
        whole spaCy model: the reference the fast paths are tested against."""
        import numpy
        from spacy.tokens import Doc

        if not words:
            return numpy.zeros((0, len(self.labels)), dtype="float32")
        docs = [Doc(self.tokenizer.vocab, words=list(w)) for w in words]
        return numpy.asarray(self.model.predict(docs), dtype="float32")


def model_words_of(text: str, tokenizer) -> list[str]:
    """The model words of a text made by :func:`model_text` (its tokens, folded)."""
    return [model_word(t.text) for t in tokenizer(text)]


def _bow_layers(model):
    """(the sparse linear layer, the output layer) of a TextCatBOW model built as
    ``extract_ngrams >> linear`` then the output layer; None for any other shape (then
    texts go through the whole model)."""
    from spacy.attrs import ORTH

    try:
        inner, out = model.layers
        ngrams, linear = inner.layers[0].layers
        (output,) = out.layers
    except (ValueError, IndexError):
        return None
    if ngrams.name != "extract_ngrams" or ngrams.attrs.get("attr") != ORTH:
        return None
    return linear, output


@lru_cache(maxsize=4)
def load_model(path: str | None = None) -> SentenceModel | None:
    """The shipped model (or the one at ``path``); None when there is none."""
    p = Path(path) if path else MODEL_DIR
    if not (p / "config.cfg").is_file():
        return None
    return SentenceModel(p)
