"""The engine's fast paths give exactly what spaCy gives: tokens, phrase and token-pattern
matches, sentence starts and the learned model's scores. Checked on the repository's own
manuscripts, every rule's example passages and text built to hit the edge cases."""

from __future__ import annotations

from pathlib import Path

import numpy
import pytest
from spacy.attrs import IDX, IS_ALPHA, IS_DIGIT, IS_SPACE, LIKE_NUM, LOWER, NORM, ORTH
from spacy.matcher import Matcher, PhraseMatcher

from care_check.chunktok import ChunkTokenizer
from care_check.engine import _SPACES
from care_check.nlp import get_nlp, sentence_starts, start_flags
from care_check.phrases import PhraseTable
from care_check.pipeline import load_document
from care_check.ruleset import load_guideline
from care_check.tokenpatterns import TokenPatterns, compile_pattern

ROOT = Path(__file__).resolve().parent.parent
EDGES = [
    "a  b\tc\n\nd :) x", ":) :( a.m. e.g. ( o ) 8 -) =( :P", " lead", "trail ", "  both  ", "x" * 3000,
    "Range: 1-3 mg; note: P < 0.05 (Fig. 2) et al. vs. i.v. b.i.d. can't won't",
    "The patient’ s mother; the patients' charts; T2N0M0 and pT1a pN0; 38.5°C; CD20+",
    "He was 45-year-old. For 3 days after the 2nd week, 5 mg/kg every 8 h for two weeks.",
    "The cause of her recurrent fever was never clearly found. The source, however, remained unclear; "
    "the origin of the long and winding bleeding in the upper tract was not determined.",
]


def block_texts() -> list[str]:
    """Every block of the example manuscripts, every rule example, and the edge cases."""
    texts = []
    for path in sorted((ROOT / "corpus").glob("*.md")):
        doc = load_document(str(path))
        texts += [b.text.translate(_SPACES) for s in doc.sections for b in s.blocks if b.text.strip()]
    for rule in load_guideline().rules:
        texts += list(rule.spec.examples.reported) + list(rule.spec.examples.missing)
    return texts + EDGES


def test_the_chunk_tokenizer_gives_the_tokenizers_own_tokens():
    tokenizer = get_nlp().tokenizer
    attrs = [ORTH, IS_SPACE, LOWER, NORM, LIKE_NUM, IS_DIGIT, IS_ALPHA, IDX]
    chunks = ChunkTokenizer(tokenizer, attrs)
    texts = block_texts()
    for _ in range(2):  # learning the chunks, then reading them back
        table, sizes = chunks(texts)
        expected = [tokenizer(t).to_array(attrs) for t in texts]
        assert sizes == [len(e) for e in expected]
        assert numpy.array_equal(table, numpy.concatenate(expected))


def test_a_special_case_across_two_chunks_is_left_to_the_tokenizer():
    chunks = ChunkTokenizer(get_nlp().tokenizer, [ORTH])
    assert chunks._risky("look :) here") is False  # ":)" is one chunk
    assert any(chunks._risky(t) for t in ("ratio : )", "note: P", "range: 1"))


def _documents():
    tokenizer = get_nlp().tokenizer
    return [list(tokenizer.pipe([t])) for t in block_texts()]


def test_token_patterns_match_as_spacys_matcher_does():
    nlp = get_nlp()
    reference = Matcher(nlp.vocab)
    fast = TokenPatterns()
    ruleset = load_guideline()
    cues = [(name, cue) for name, cue in ruleset.cues.items()]
    cues += [(f"{r.spec.id}/{name}", cue) for r in ruleset.rules for name, cue in r.spec.cues.items()]
    for key, cue in cues:
        for pattern in cue.patterns:
            reference.add(key, [list(pattern)])
            variants = compile_pattern(list(pattern))
            assert variants is not None, pattern  # every shipped pattern is in the fast subset
            fast.add(key, variants)
    strings = nlp.vocab.strings
    matched = 0
    for (doc,) in _documents():
        expected = {(strings[m], s, e) for m, s, e in reference(doc)}
        table = doc.to_array(fast.attr_ids).reshape(len(doc), -1)
        columns = {name: table[:, i] for i, name in enumerate(fast.attrs)}
        got = {(k, s, e) for keys, s, e in fast.match(columns, numpy.zeros(len(doc), dtype=int), strings)
               for k in keys}
        assert got == expected, doc.text[:80]
        matched += len(got)
    assert matched > 100  # the comparison saw real matches


@pytest.mark.parametrize("pattern", [
    [{"LOWER": "a"}, {"LOWER": "b", "OP": "?"}],
    [{"LOWER": "a"}, {"LOWER": "b", "OP": "?"}, {"LOWER": "b", "OP": "?"}, {"LOWER": "c"}],
    [{"LOWER": "x", "OP": "?"}, {"LOWER": "a"}],
    [{"LIKE_NUM": True}, {"ORTH": "-", "OP": "?"}, {"LOWER": {"IN": ["day", "days"]}}],
    [{"TEXT": {"REGEX": "^[A-Z]"}}, {"LOWER": {"NOT_IN": ["b"]}}],
    [{"LOWER": "a"}, {"IS_PUNCT": False, "OP": "{0,2}"}, {"LOWER": "c"}],
    [{"LOWER": "a"}, {"LOWER": "b", "OP": "{1,3}"}, {"LOWER": "c", "OP": "?"}],
    [{"LOWER": "a"}, {"LOWER": "b", "OP": "{2}"}],
    [{"LOWER": "b", "OP": "{,2}"}, {"LOWER": "c"}],
])
def test_optional_tokens_give_every_match_spacy_gives(pattern):
    nlp = get_nlp()
    reference = Matcher(nlp.vocab)
    reference.add("k", [pattern])
    fast = TokenPatterns()
    fast.add("k", compile_pattern(pattern))
    for text in ("a b", "a b c", "a c", "a b b c", "x a b b", "a b b b c", "3 - days and 4 day", "Ab c B b",
                 "a x y c", "a x y z c", "a , c", "a b b b b c"):
        doc = nlp.tokenizer(text)
        table = doc.to_array(fast.attr_ids).reshape(len(doc), -1)
        columns = {name: table[:, i] for i, name in enumerate(fast.attrs)}
        got = {(s, e) for _, s, e in fast.match(columns, numpy.zeros(len(doc), dtype=int), nlp.vocab.strings)}
        assert got == {(s, e) for _, s, e in reference(doc)}, text


def test_patterns_outside_the_subset_are_left_to_spacy():
    assert compile_pattern([{"LOWER": "a", "OP": "+"}]) is None
    assert compile_pattern([{"POS": "NOUN"}]) is None
    assert compile_pattern([{"LENGTH": {">=": 3}}]) is None


def test_phrase_tables_match_as_spacys_phrase_matcher_does():
    nlp = get_nlp()
    ruleset = load_guideline()
    reference = PhraseMatcher(nlp.vocab, attr="LOWER")
    fast = PhraseTable()
    cues = list(ruleset.cues.items()) + [(f"{r.spec.id}/{n}", c) for r in ruleset.rules for n, c in r.spec.cues.items()]
    for key, cue in cues:
        if cue.phrases and not cue.case_sensitive:
            docs = list(nlp.tokenizer.pipe(cue.phrases))
            reference.add(key, docs)
            for d in docs:
                fast.add(key, tuple(d.to_array(LOWER).tolist()))
    strings = nlp.vocab.strings
    docs = [d for (d,) in _documents()]
    # all blocks side by side, as the engine reads them: no match may cross two of them
    lower = numpy.concatenate([d.to_array(LOWER) for d in docs])
    block = numpy.repeat(numpy.arange(len(docs)), [len(d) for d in docs])
    starts = numpy.concatenate([[0], numpy.cumsum([len(d) for d in docs])])
    expected = {(strings[m], s + starts[b], e + starts[b]) for b, d in enumerate(docs) for m, s, e in reference(d)}
    got = {(k, s, e) for keys, s, e in fast.match(lower, block) for k in keys}
    assert got == expected
    assert len(got) > 500


def test_sentence_starts_from_arrays_match_the_word_by_word_rule():
    tokenizer = get_nlp().tokenizer
    for text in block_texts() + ["She had fever. CT showed an abscess.\nDay 3\tSurgery", "word " * 400,
                                 "a; " * 200, "End.\" Next one. (Then) \u201cquoted.\u201d Done"]:
        doc = tokenizer(text)
        words = [t.text for t in doc]
        spaces = [t.whitespace_ for t in doc]
        idx = [t.idx for t in doc]
        assert start_flags(doc, text).tolist() == sentence_starts(words, spaces, idx, text), text[:60]


def test_the_models_fast_input_gives_exactly_its_own_scores():
    from care_check.learned import load_model, model_text, model_words_of

    model = load_model()
    if model is None:
        pytest.skip("no shipped model")
    texts = [model_text(kind, t) for t in block_texts() for kind in ("case", "discussion")]
    texts += [model_text("case", "Ratio: 1 to 2, note: P value; range: 0.5 :) ( o )"),
              model_text("case", "A 52-year-old man (BMI 31.2) had CRP 45mg/L on 12/03/2021; \u0663 days.")]
    expected = model.scores_of_words([model_words_of(t, model.tokenizer) for t in texts])  # spaCy's own path
    assert numpy.array_equal(model.scores(texts), expected)
    assert numpy.array_equal(model.scores(texts), expected)  # and again, from remembered chunks


def test_the_checker_scores_each_sentence_from_the_documents_own_tokens():
    """At run time the model's words are read off the document's tokens (no second
    tokenization); they must be the words training built for the same sentence, and give
    spaCy's own scores for them."""
    from care_check.engine import MIN_SCORED_WORDS, Checker
    from care_check.learned import model_word
    from care_check.readers import markdown
    from care_check.sections import classify

    checker = Checker(load_guideline())
    if checker.model is None:
        pytest.skip("no shipped model")
    text = ("# A case\n\n## Case presentation\n\nA 52-year-old man had fever  and a CRP of 45 mg/L.3 He was "
            "treated on day 2.\n\nIn 2019,   he underwent surgery [4]. The 3rd scan (on 12/03/2021) showed "
            "no  recurrence.   \n\nWe thank Dr. Smith.\n")
    for path in sorted((ROOT / "corpus").glob("*.md")):
        text += "\n" + path.read_text(encoding="utf-8")
    doc = classify(markdown.read("case.md", text))
    pairs = checker.model_inputs(doc)
    scored = [(s, w) for s, w in pairs if s.text.count(" ") >= MIN_SCORED_WORDS - 1]
    assert len(scored) > 50
    for s, words in scored:
        assert words[0] == f"sec_{doc.sections[s.section].kind}"
        assert "".join("".join(words[1:]).split()) == "".join(model_word(s.text).split()), s.text
    expected = checker.model.scores_of_words([w for _, w in scored])
    assert numpy.array_equal(numpy.array([s.scores for s, _ in scored]), expected)
