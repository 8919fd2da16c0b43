"""The learned sentence signal: the shipped model, the `model` signal and the learned veto.

The mechanism tests set a rule's threshold just below and just above the score the shipped
model gives a sentence, so they test the engine, not the model's mood; one test checks
that the model learned something real (a diagnostic-challenge sentence outranks a routine
one for 8b).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from care_check.engine import Checker
from care_check.learned import MODEL_DIR, load_model, model_text, model_words_of
from care_check.model import Status
from care_check.ruleset import load_guideline

from .helpers import check_markdown, verdict

ROOT = Path(__file__).resolve().parent.parent
CHALLENGE = "The first biopsy was non-diagnostic, and she was initially treated for tuberculosis."
ROUTINE = "She was discharged home on the fifth day."


@pytest.fixture(scope="module")
def model():
    m = load_model()
    assert m is not None, "the package must ship its sentence model (python tools/train_model.py)"
    return m


def test_the_shipped_model_covers_every_item_and_is_small(model):
    order = list(load_guideline().guideline.order)
    assert set(model.labels) == set(order)
    size = sum(p.stat().st_size for p in MODEL_DIR.rglob("*") if p.is_file())
    assert size < 50e6, f"model is {size / 1e6:.1f} MB"


def test_the_model_was_trained_on_the_train_split_only(model):
    info = json.loads((MODEL_DIR / "training.json").read_text())
    assert info["splits"] == ["train"]
    labels = ROOT / "corpus" / "labels"
    for stem in info["documents"]:
        label = json.loads((labels / f"{stem}.json").read_text())
        assert label["split"] == "train", stem


def test_the_model_learned_what_a_diagnostic_challenge_reads_like(model):
    s = model.scores([model_text("case", CHALLENGE), model_text("case", ROUTINE)])
    i = model.index["8b"]
    assert s[0, i] > s[1, i] + 0.1, (s[0, i], s[1, i])


def mini(tmp_path: Path, signal: str, floor: str = "") -> Path:
    folder = tmp_path / "g"
    (folder / "items").mkdir(parents=True)
    (folder / "guideline.yaml").write_text("id: g\nversion: '1'\ntitle: G\ncitation: test\n")
    (folder / "items" / "8b.yaml").write_text(f"""id: "8b"
topic: Diagnostic assessment
title: Diagnostic challenges
asks: test
source: test
sections: [case]
{floor}cues:
  biopsy: {{phrases: [biopsy]}}
  tuberculosis: {{phrases: [tuberculosis]}}
evidence:
  - {signal}
fix: test
""")
    return folder


def score_of(model, text: str) -> float:
    return float(model.scores([model_text("case", text)])[0, model.index["8b"]])


def test_a_model_signal_fires_at_its_threshold_and_not_above(model, tmp_path):
    s = score_of(model, CHALLENGE)
    text = f"## Case presentation\n\n{CHALLENGE}"
    below = Checker(load_guideline(mini(tmp_path / "a", f"model: {max(s - 0.01, 0.001):.4f}")))
    above = Checker(load_guideline(mini(tmp_path / "b", f"model: {min(s + 0.01, 0.999):.4f}")))
    v = verdict(check_markdown(below, text), "8b")
    assert v.status == Status.REPORTED and v.evidence[0].quote == CHALLENGE
    assert verdict(check_markdown(above, text), "8b").status == Status.MISSING


def test_rules_alone_ignore_model_signals(model, tmp_path):
    folder = mini(tmp_path, "model: 0.01")
    text = f"## Case presentation\n\n{CHALLENGE}"
    assert verdict(check_markdown(Checker(load_guideline(folder)), text), "8b").status == Status.REPORTED
    assert verdict(check_markdown(Checker(load_guideline(folder), None), text), "8b").status == Status.MISSING


def test_a_rule_veto_still_applies_to_the_model_signal(model, tmp_path):
    folder = mini(tmp_path, "model: 0.01\n    none: [tuberculosis]")
    text = f"## Case presentation\n\n{CHALLENGE}"
    assert verdict(check_markdown(Checker(load_guideline(folder)), text), "8b").status == Status.MISSING


def test_the_learned_floor_vetoes_a_cue_the_model_does_not_believe(model, tmp_path):
    text = "## Case presentation\n\nA skin biopsy was taken and healed well."
    s = score_of(model, "A skin biopsy was taken and healed well.")
    cue_only = Checker(load_guideline(mini(tmp_path / "a", "all: [biopsy]")))
    floored = Checker(load_guideline(mini(tmp_path / "b", "all: [biopsy]", f"model_floor: {min(s + 0.01, 0.99):.4f}\n")))
    assert verdict(check_markdown(cue_only, text), "8b").status == Status.REPORTED
    assert verdict(check_markdown(floored, text), "8b").status == Status.MISSING


def test_the_fast_loader_scores_exactly_as_spacy_load(model):
    """The model is rebuilt from its config and weights without spacy.load (cold start);
    it must give spaCy's own pipeline's scores."""
    import numpy
    import spacy

    from care_check.nlp import get_nlp

    from spacy.tokens import Doc

    texts = [model_text("case", CHALLENGE), model_text("discussion", ROUTINE)]
    pipe = spacy.load(MODEL_DIR).get_pipe("textcat_multilabel")
    docs = [Doc(pipe.vocab, words=model_words_of(t, get_nlp().tokenizer)) for t in texts]
    numpy.testing.assert_allclose(model.scores(texts), pipe.model.predict(docs), rtol=1e-5, atol=1e-6)
