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
    """What the model reads: the section kind as a token, then the sentence, lower case with
    digits folded (so "52-year-old" and "7-year-old" are one word to it)."""
    return f"sec_{section_kind} " + _DIGITS.sub("0", sentence.lower())


class SentenceModel:
    """Scores sentences for every item the model was trained on.

    A bag-of-words model is rebuilt from its config and weights directly (0.05 s) rather
    than through ``spacy.load`` (about 0.6 s of registry and pipeline set-up), since a cold
    single-file check should not pay for machinery it does not use. Texts are tokenized by
    the checker's own tokenizer, as they were for training.
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
        ``tokens``: a :class:`care_check.chunktok.ChunkTokenizer` over the same tokenizer to
        read the texts' tokens with (the checker shares its own: chunks it already knows
        need no tokenizing)."""
        import numpy

        if not texts:
            return numpy.zeros((0, len(self.labels)), dtype="float32")
        if self._fast is not None:
            linear, output = self._fast
            return numpy.asarray(output.predict(linear.predict(self._input(texts, tokens))), dtype="float32")
        docs = list(self.tokenizer.pipe(texts, batch_size=1000))
        return numpy.asarray(self.model.predict(docs), dtype="float32")


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
