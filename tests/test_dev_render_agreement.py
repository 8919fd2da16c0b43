"""Real dev JATS articles rendered to other formats get the same verdicts as the original.

The renderings are made at test time in a temporary folder, once per session (the articles
belong to their publishers and are never committed):

- ``docx``, ``html``: the article as an author's Markdown, rendered by tools/make_fixtures.py
  (python-docx; a publisher-like page);
- ``pandoc.docx``, ``pandoc.html``: ``pandoc -f jats -s`` straight from the JATS (title,
  abstract in the metadata: Abstract-styled paragraphs, ``div.abstract`` in the title block);
- ``lo.html``, ``lo.odt``, ``lo.pdf``: LibreOffice's conversions of the python-docx DOCX.

Agreement is per format over every item of every article, and must be at least 0.97.
Skipped when ../shared is absent; each tool's formats are skipped when it is not installed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from care_check.pipeline import check_path
from care_check.readers import read_path

from .conftest import ROOT, shared_corpus

sys.path.insert(0, str(ROOT / "tools"))
import make_fixtures as mf  # noqa: E402

FLOOR = 0.97
ARTICLES = 5
FORMATS = ["docx", "html", "pandoc.docx", "pandoc.html", "lo.html", "lo.odt", "lo.pdf"]
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


@pytest.fixture(scope="session")
def rendered(tmp_path_factory) -> dict[str, dict[str, Path]]:
    """article stem -> format -> file ("jats" is the original)."""
    sources = sorted((shared_corpus() / "dev" / "docs").glob("*.xml"))[:ARTICLES]
    assert len(sources) == ARTICLES
    out = tmp_path_factory.mktemp("render")
    files: dict[str, dict[str, Path]] = {}
    docxs = []
    for src in sources:
        stem = src.stem
        got = files[stem] = {"jats": src}
        md = out / f"{stem}.md"
        md.write_text(jats_to_markdown(src), encoding="utf-8")
        items = mf.parse_markdown(md.read_text(encoding="utf-8"))
        mf.to_docx(items, out / f"{stem}.docx")
        mf.to_html(md.read_text(encoding="utf-8"), items, out / f"{stem}.html")
        got["docx"], got["html"] = out / f"{stem}.docx", out / f"{stem}.html"
        docxs.append(out / f"{stem}.docx")
        if shutil.which("pandoc"):
            for fmt in ("docx", "html"):
                dest = out / f"{stem}.pandoc.{fmt}"
                subprocess.run(["pandoc", "-f", "jats", "-s", str(src), "-o", str(dest)], check=True,
                               capture_output=True, timeout=120)
                got[f"pandoc.{fmt}"] = dest
    office = out / "office"
    office.mkdir()
    for fmt in ("html", "odt", "pdf"):
        if not mf.office_convert_all(docxs, fmt, office):
            break
        for stem in files:
            files[stem][f"lo.{fmt}"] = office / f"{stem}.{fmt}"
    return files


@pytest.mark.parametrize("fmt", FORMATS)
def test_rendered_articles_agree_with_the_jats_originals(checker, rendered, fmt):
    if any(fmt not in got for got in rendered.values()):
        pytest.skip(f"{'LibreOffice' if fmt.startswith('lo.') else 'pandoc'} is not installed")
    same = total = 0
    differ = []
    for stem, got in rendered.items():
        original = {v.id: v.status for v in check_path(str(got["jats"]), checker).verdicts}
        other = {v.id: v.status for v in check_path(str(got[fmt]), checker).verdicts}
        same += sum(original[k] == other[k] for k in original)
        total += len(original)
        differ += [f"{stem} {k}: {original[k].value} vs {other[k].value}" for k in original if original[k] != other[k]]
    assert same / total >= FLOOR, differ
