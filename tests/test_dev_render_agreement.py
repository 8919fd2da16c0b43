"""A real dev JATS article rendered to DOCX, HTML and PDF gets the same verdicts.

The renderings are made at test time in a temporary folder (the article belongs to its
publisher and is never committed), with the same renderers as the committed fixtures
(tools/make_fixtures.py). Skipped when ../shared is absent.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from care_check.pipeline import check_path
from care_check.readers import read_path

from .conftest import ROOT, shared_corpus

sys.path.insert(0, str(ROOT / "tools"))
import make_fixtures as mf  # noqa: E402

ARTICLE = "PMC7500000.xml"
FLOOR = 0.97


def jats_to_markdown(src: Path) -> str:
    """The article as an author's Markdown: title, headings, paragraphs, tables."""
    raw = read_path(str(src))
    lines = [f"# {raw.title}", ""]
    for s in raw.sections:
        if s.heading and s.hint != "caption":
            lines += ["#" * min(6, s.level + 1) + " " + s.heading, ""]
        for b in s.blocks:
            if b.kind == "table":
                rows = [r.replace("|", "/").split("\t") for r in b.text.split("\n")]
                n = max(len(r) for r in rows)
                rows = [r + [""] * (n - len(r)) for r in rows]
                lines += ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * n]
                lines += ["| " + " | ".join(r) + " |" for r in rows[1:]] + [""]
            else:
                text = " ".join(b.text.split())
                lines += [("Keywords: " + text) if s.hint == "keywords" else text, ""]
    return "\n".join(lines)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, Path]:
    src = shared_corpus() / "dev" / "docs" / ARTICLE
    out = tmp_path_factory.mktemp("render")
    md = out / "article.md"
    md.write_text(jats_to_markdown(src), encoding="utf-8")
    items = mf.parse_markdown(md.read_text(encoding="utf-8"))
    mf.to_docx(items, out / "article.docx")
    mf.to_html(md.read_text(encoding="utf-8"), items, out / "article.html")
    files = {"jats": src, "docx": out / "article.docx", "html": out / "article.html"}
    if mf.docx_to_pdf(out / "article.docx", out / "article.pdf"):
        files["pdf"] = out / "article.pdf"
    return files


@pytest.mark.parametrize("fmt", ["docx", "html", "pdf"])
def test_rendered_article_agrees_with_the_jats_original(checker, rendered, fmt):
    if fmt not in rendered:
        pytest.skip("LibreOffice is not installed: no PDF rendering")
    original = {v.id: v.status for v in check_path(str(rendered["jats"]), checker).verdicts}
    other = {v.id: v.status for v in check_path(str(rendered[fmt]), checker).verdicts}
    same = sum(original[k] == other[k] for k in original)
    differ = [f"{k}: {original[k].value} vs {other[k].value}" for k in original if original[k] != other[k]]
    assert same / len(original) >= FLOOR, differ
