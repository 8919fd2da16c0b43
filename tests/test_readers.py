"""Readers and the section classifier on realistic, messy input."""

from __future__ import annotations

import pytest

from care_check.errors import InputError
from care_check.pipeline import load_document
from care_check.readers import markdown, text
from care_check.readers.jats import read_bytes_
from care_check.sections import classify

PMC_BODY = """pmcIntroduction

Listeriosis is a rare food-borne infection in transplant recipients [1].

2 Case report

A 30-year-old man presented with fever and headache.

Fig. 1

Cranial MRI on day 12 showing lesions.

DISCUSSION

Oral therapy has been reported before [2].

Competing interestsThe authors declare that they have no competing interests.

Funding: None declared.

References

1. Smith J. Listeria. J Infect. 2001.
"""


def kinds(doc):
    return [(s.kind, s.heading) for s in doc.sections]


def test_pmc_body_glued_numbered_and_caps_headings(tmp_path):
    p = tmp_path / "PMCX_body.txt"
    p.write_text(PMC_BODY, encoding="utf-8")
    doc = load_document(str(p))
    found = [k for k, _ in kinds(doc)]
    assert found[:2] == ["introduction", "case"]
    assert "caption" in found and "discussion" in found
    coi = next(s for s in doc.sections if s.kind == "competing_interests")
    assert coi.blocks[0].text.startswith("The authors declare")
    assert coi.line == 17
    funding = next(s for s in doc.sections if s.kind == "funding")
    assert funding.blocks[0].text == "None declared."
    assert doc.sections[-1].kind == "references"
    assert doc.scope == "body"


def test_glued_heading_offsets_point_into_the_source(tmp_path):
    p = tmp_path / "x.txt"
    p.write_text(PMC_BODY, encoding="utf-8")
    doc = load_document(str(p))
    coi = next(s for s in doc.sections if s.kind == "competing_interests")
    b = coi.blocks[0]
    assert PMC_BODY[b.offset:b.offset + len(b.text)] == b.text


WEB_PAGE = ("Gout of the knee: A case report Warning: The NCBI web site requires JavaScript to function. "
            "Skip to main content Journal List PMC123  Abstract Gout is a common arthritis. We report a man "
            "with knee pain. Keywords: gout, arthritis, knee Introduction Gout affects 4% of adults [1]. "
            "Case report A 54-year-old man presented with a hot swollen knee. Discussion Gout of the knee is "
            "well described (2). The patient said he was happy with the result. Conclusion Gout should be "
            "considered. References 1. Smith J. Gout. 2001. " + "Navigation footer text. " * 120)


def test_one_line_web_page(tmp_path):
    p = tmp_path / "ada_page.txt"
    p.write_text(WEB_PAGE, encoding="utf-8")
    raw = text.read(str(p), WEB_PAGE)
    assert raw.title == "Gout of the knee: A case report"
    assert not raw.lines_are_meaningful
    doc = classify(raw)
    order = [s.kind for s in doc.sections if s.kind != "boilerplate"]
    assert order == ["title", "abstract", "keywords", "introduction", "case", "discussion", "conclusion", "references"]
    assert doc.scope == "full"


def test_sentence_starting_with_a_one_word_heading_is_not_split_on_a_web_page():
    body = "Abstract Some text here. Treatment Was given daily. Discussion The end. " + "x " * 2000
    heads = [h for _, _, h in text.load_lexicon().web_headings(body)]
    assert "Treatment" not in heads and heads[:2] == ["Abstract", "Discussion"]


MD = """# Gout of the knee: a case report

## Abstract

### Background
Gout is common.

### Case presentation
A man with knee pain.

Keywords: gout; knee

## Introduction

Context: gout is the most common inflammatory arthritis in men, and knee involvement is frequent [1].

## Case presentation

| Day | Event |
|-----|-------|
| 0   | Admission |

## Discussion

Text.
"""


def test_markdown_title_abstract_parts_keywords_and_table():
    doc = classify(markdown.read("m.md", MD))
    ks = [s.kind for s in doc.sections]
    assert ks[:4] == ["title", "abstract", "abstract_background", "abstract_case"]
    assert "keywords" in ks and "introduction" in ks and ks[-1] == "discussion"
    case = next(s for s in doc.sections if s.kind == "case")
    assert case.blocks[0].kind == "table" and "Admission" in case.blocks[0].text
    assert next(s for s in doc.sections if s.kind == "introduction").line == 13


def test_markdown_plain_abstract_does_not_swallow_the_introduction():
    md = "# T: a case report\n\n## Abstract\n\nA plain abstract.\n\n## Introduction\n\nWhy it matters.\n"
    ks = [s.kind for s in classify(markdown.read("m.md", md)).sections]
    assert ks == ["title", "abstract", "introduction"]


JATS = """<?xml version="1.0"?>
<article xmlns="https://jats.nlm.nih.gov/ns/archiving/1.3/" article-type="case-report"><front><article-meta>
<title-group><article-title>Gout of the knee: a case report</article-title></title-group>
<abstract><sec><title>Background</title><p>Gout is common.</p></sec>
<sec><title>Conclusions</title><p>Think of gout.</p></sec></abstract>
<kwd-group><kwd>gout</kwd><kwd>knee</kwd></kwd-group></article-meta></front>
<body><sec><title>Introduction</title><p>Gout affects 4%.</p></sec>
<sec><title>Case presentation</title><p>A 54-year-old man presented with a hot, swollen right knee after a night of heavy drinking.</p>
<table-wrap><label>Table 1</label><caption><p>Timeline</p></caption><table><tr><td>Day 0</td><td>Admission</td></tr></table></table-wrap>
</sec></body>
<back><fn-group><fn fn-type="COI-statement"><p>None declared.</p></fn></fn-group>
<ref-list><ref><mixed-citation>Smith J. A case report.</mixed-citation></ref></ref-list></back></article>
"""


@pytest.mark.parametrize("wrap", ["plain", "no-namespace", "oai"])
def test_jats_variants(wrap):
    data = JATS
    if wrap == "no-namespace":
        data = data.replace(' xmlns="https://jats.nlm.nih.gov/ns/archiving/1.3/"', "")
    if wrap == "oai":
        data = ('<?xml version="1.0"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><GetRecord><record>'
                "<metadata>" + data.split("?>", 1)[1] + "</metadata></record></GetRecord></OAI-PMH>")
    doc = classify(read_bytes_("a.xml", data.encode()))
    ks = [s.kind for s in doc.sections]
    assert ks[:4] == ["title", "abstract", "abstract_background", "abstract_conclusion"]
    assert "keywords" in ks and "introduction" in ks and "case" in ks
    table = next(s for s in doc.sections if s.kind == "caption")
    assert table.group == "case" and "Admission" in table.blocks[-1].text
    assert any(s.kind == "competing_interests" for s in doc.sections)
    assert doc.sections[-1].kind == "references"
    assert doc.scope == "full"


def test_jats_entity_bomb_is_refused():
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
            "<article><body><p>&lol2;</p></body></article>")
    with pytest.raises(InputError, match="entit"):
        read_bytes_("bomb.xml", bomb.encode())


def test_malformed_xml_is_one_clear_error():
    with pytest.raises(InputError, match="malformed XML"):
        read_bytes_("bad.xml", b"<?xml version='1.0'?><article><body><p>unclosed</body></article>")


@pytest.mark.parametrize("content,problem", [(b"", "empty"), (b"\x00\x01\x02binary" * 100, "binary")])
def test_empty_and_binary_files(tmp_path, content, problem):
    p = tmp_path / "bad.txt"
    p.write_bytes(content)
    with pytest.raises(InputError, match=problem):
        load_document(str(p))


def test_missing_file():
    with pytest.raises(InputError, match="no such file"):
        load_document("/nonexistent/case.txt")


def test_a_heading_is_never_cut_inside_a_word():
    lex = text.load_lexicon()
    assert lex.split_glued("Physical examination") is None
    assert lex.split_glued("Physical examinationHe was pale.") == ("Physical examination", "He was pale.")
