"""HTML reports a person opens in a browser, prints or attaches to a decision letter.

``--format html`` gives one self-contained page for one manuscript; ``--format html -o
DIR/`` gives ``DIR/index.html`` (one row per manuscript in a table sorted by clicking a
header) and one page per manuscript beside it. Pages are self-contained: inline CSS, a
few lines of inline JavaScript on the index only, no fonts, images or links to anything
outside the folder; a Content-Security-Policy forbids every network request and every
script but the index's own (by its hash), so even a manuscript crafted to inject markup
could run nothing. Every piece of manuscript text (the file name, quotes, headings,
messages) is escaped.

Readable without colour and on paper: every item shows its mark as a symbol *and* a word
(✔ reported, ◐ partial, ✘ missing, – not applicable); colour only repeats it. Print CSS
drops navigation and keeps each item on one page.
"""

from __future__ import annotations

import base64
import hashlib
import html
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from .. import __version__
from ..model import Report, Status, Verdict
from ..suppress import why
from .locate import location
from .rows import SCOPES, Row, scope_rank, sort_key

MARKS = {Status.REPORTED: "✔", Status.PARTIAL: "◐", Status.MISSING: "✘", Status.NOT_APPLICABLE: "–"}
WORDS = {Status.REPORTED: "reported", Status.PARTIAL: "partial", Status.MISSING: "missing",
         Status.NOT_APPLICABLE: "not applicable"}
INDEX = "index.html"

CSS = """
:root { --ok: #1a7f37; --part: #9a6700; --miss: #cf222e; --na: #6e7781; --line: #d0d7de; }
* { box-sizing: border-box; }
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       color: #1f2328; background: #fff; margin: 0 auto; padding: 1.5rem; max-width: 62rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; } h2 { font-size: 1.25rem; margin: 1.75rem 0 .5rem;
     border-bottom: 1px solid var(--line); padding-bottom: .2rem; }
h3 { font-size: 1rem; margin: 0; }
.file { font-family: ui-monospace, "DejaVu Sans Mono", monospace; word-break: break-all; }
.meta, .legend { color: #57606a; margin: .25rem 0; }
.summary { font-size: 1.1rem; font-weight: 600; margin: .75rem 0; }
.warning { border: 2px solid var(--part); padding: .5rem .75rem; margin: .75rem 0; }
.item { border-left: .35rem solid var(--na); padding: .4rem .75rem; margin: .6rem 0; background: #f6f8fa; }
.item.reported { border-color: var(--ok); } .item.partial { border-color: var(--part); }
.item.missing { border-color: var(--miss); } .item.not_applicable { border-color: var(--na); }
.mark { display: inline-block; width: 1.2em; } .status { font-weight: 600; text-transform: uppercase;
        font-size: .8rem; letter-spacing: .04em; margin-left: .3rem; }
.reported .mark, .reported .status { color: var(--ok); } .partial .mark, .partial .status { color: var(--part); }
.missing .mark, .missing .status { color: var(--miss); } .not_applicable .mark, .not_applicable .status { color: var(--na); }
.id { font-family: ui-monospace, "DejaVu Sans Mono", monospace; margin-right: .4rem; }
blockquote { margin: .4rem 0; padding: 0 0 0 .75rem; border-left: 2px solid var(--line); }
blockquote p { margin: 0; } .where { color: #57606a; font-size: .9rem; }
.message, .fix, .suppressed { margin: .3rem 0; } .fix strong { font-weight: 700; }
table { border-collapse: collapse; width: 100%; font-size: .95rem; }
th, td { border: 1px solid var(--line); padding: .35rem .5rem; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; } thead th { background: #f6f8fa; }
th button { font: inherit; font-weight: 700; background: none; border: 0; padding: 0; cursor: pointer; color: inherit; }
th[aria-sort="ascending"] button::after { content: " ▲"; }
th[aria-sort="descending"] button::after { content: " ▼"; }
tr.notcase td { font-style: italic; }
a { color: #0969da; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  nav, .noprint { display: none; }
  .item { background: none; break-inside: avoid; page-break-inside: avoid; }
  h2 { break-after: avoid; page-break-after: avoid; }
  a { color: inherit; text-decoration: none; }
  th button::after { content: none !important; }
  tr { break-inside: avoid; }
}
"""

# The index's sorting: click a header to sort by it, again to reverse. The completeness
# and missing columns sort within each scope (full, body, abstract), never across them.
SORT_JS = """
document.querySelectorAll("table.sortable th button").forEach(function (button) {
  button.addEventListener("click", function () {
    var th = button.closest("th"), table = th.closest("table"), body = table.tBodies[0];
    var col = Array.prototype.indexOf.call(th.parentNode.children, th);
    var asc = th.getAttribute("aria-sort") !== "ascending";
    var num = th.dataset.type === "number", grouped = th.dataset.group === "scope";
    table.querySelectorAll("th[aria-sort]").forEach(function (h) { h.setAttribute("aria-sort", "none"); });
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var g = grouped ? a.dataset.scopeRank - b.dataset.scopeRank : 0;
      if (g) { return g; }
      var x = a.cells[col].dataset.sort, y = b.cells[col].dataset.sort;
      var c = num ? x - y : x.localeCompare(y);
      return asc ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    document.getElementById("sort-state").textContent = "Sorted by " + button.textContent +
      (asc ? ", ascending" : ", descending") + (grouped ? ", within each scope." : ".");
  });
});
"""


def esc(text: object) -> str:
    """Text as HTML: every <, >, &, quote escaped (manuscript text is hostile input)."""
    return html.escape(str(text), quote=True)


def _csp(script: str | None) -> str:
    scripts = "'none'"
    if script is not None:
        digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
        scripts = f"'sha256-{digest}'"
    return (f"default-src 'none'; style-src 'unsafe-inline'; script-src {scripts}; img-src 'none'; "
            "form-action 'none'; base-uri 'none'")


def _document(title: str, body: str, script: str | None = None) -> str:
    js = f"<script>{script}</script>\n" if script is not None else ""
    return (f"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"{esc(_csp(script))}\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<meta name=\"generator\" content=\"care-check {esc(__version__)}\">\n"
            f"<meta name=\"referrer\" content=\"no-referrer\">\n<title>{esc(title)}</title>\n"
            f"<style>{CSS}</style>\n</head>\n<body>\n{body}\n{js}</body>\n</html>\n")


def _counts(report: Report) -> str:
    parts = [f"{report.count(s)} {WORDS[s]}" for s in Status]
    score = ("not scored (not a case report?)" if report.not_case_report
             else f"completeness {report.completeness:.1f}%")
    return " · ".join(parts + [score])


def _item(report: Report, v: Verdict, suppressed: Mapping[str, Mapping[str, str]] | None) -> str:
    status = v.status
    out = [f'<article class="item {status.value}" id="item-{esc(v.id)}">',
           f'<h3><span class="mark" aria-hidden="true">{MARKS[status]}</span><span class="id">{esc(v.id)}</span>'
           f'{esc(v.title)} <span class="status">{esc(WORDS[status])}</span></h3>']
    reason = why(suppressed, report, v.id)
    if reason:
        out.append(f'<p class="suppressed">Suppressed ({esc(reason)}): does not fail the run.</p>')
    if status in (Status.PARTIAL, Status.MISSING, Status.NOT_APPLICABLE):
        out.append(f'<p class="message">{esc(v.message)}</p>')
    for e in v.evidence[:3] if status != Status.NOT_APPLICABLE else []:
        found = f"found ({esc(e.component)}) · " if e.component and status != Status.REPORTED else ""
        via = f" · {esc(e.via)}" if e.via else ""
        out.append(f'<blockquote><p>“{esc(e.quote)}”</p><p class="where">{found}{esc(e.section)}, '
                   f'{esc(location(e, report.document.format))}{via}</p></blockquote>')
    if v.fix and status in (Status.MISSING, Status.PARTIAL):
        out.append(f'<p class="fix"><strong>Fix:</strong> {esc(v.fix)}</p>')
    out.append("</article>")
    return "\n".join(out)


def page(report: Report, suppressed: Mapping[str, Mapping[str, str]] | None = None,
         index_href: str | None = None) -> str:
    """One manuscript: its summary, then every item with mark, evidence and location, fix."""
    doc = report.document
    body = []
    if index_href:
        body.append(f'<nav><a href="{esc(index_href)}">← All manuscripts</a></nav>')
    body.append(f"<header>\n<h1>CARE checklist report</h1>\n<p class=\"file\">{esc(doc.path)}</p>\n"
                f"<p class=\"meta\">{esc(report.guideline_title)} · format {esc(doc.format)} · "
                f"{esc(doc.scope)} text · care-check {esc(__version__)}</p>\n"
                f"<p class=\"summary\">{esc(_counts(report))}</p>")
    if report.not_case_report:
        body.append(f'<p class="warning" role="note"><strong>⚠ Warning: not scored.</strong> This does not read '
                    f"as a case report: it {esc(report.not_case_report)}. Its items are listed below in case "
                    "it is one.</p>")
    body.append('<p class="legend">Marks: ✔ reported · ◐ partial · ✘ missing · – not applicable. '
                "Locations are counted the way the file counts them "
                f"({'paragraphs' if doc.format == 'docx' else 'page and line' if doc.format == 'pdf' else 'lines'})."
                "</p>\n</header>\n<main>")
    topic = None
    for v in report.verdicts:
        if v.topic != topic:
            if topic is not None:
                body.append("</section>")
            topic = v.topic
            body.append(f"<section>\n<h2>{esc(topic)}</h2>")
        body.append(_item(report, v, suppressed))
    if topic is not None:
        body.append("</section>")
    body.append("</main>")
    return _document(f"care-check: {doc.path}", "\n".join(body))


def _common_folder(reports: Sequence[Report]) -> str:
    """The folder every report's file lies in ("" when there is none, e.g. other drives)."""
    paths = [os.path.normpath(os.path.abspath(r.document.path)) for r in reports]
    try:
        return os.path.commonpath([os.path.dirname(p) for p in paths]) if paths else ""
    except ValueError:
        return ""


def page_names(reports: Sequence[Report]) -> list[str]:
    """A safe, unique file name per report (from its path: letters, digits, . _ - only)."""
    paths = [os.path.normpath(os.path.abspath(r.document.path)) for r in reports]
    common = _common_folder(reports)
    names: list[str] = []
    taken = {INDEX.lower()}
    for p in paths:
        rel = Path(os.path.relpath(p, common) if common else p)
        stem = "__".join(rel.parts[-4:])
        stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).lstrip("._-")[:100] or "manuscript"
        name, n = f"{stem}.html", 2
        while name.lower() in taken:
            name, n = f"{stem}-{n}.html", n + 1
        taken.add(name.lower())
        names.append(name)
    return names


def _th(label: str, kind: str = "text", group: bool = False, sort: str | None = None) -> str:
    attrs = f' data-type="{kind}"' + (' data-group="scope"' if group else "")
    cls = ' class="num"' if kind == "number" else ""
    return f'<th scope="col"{cls}{attrs} aria-sort="{sort or "none"}"><button type="button">{esc(label)}</button></th>'


def index(reports: Sequence[Report], names: Sequence[str], suppressed: Mapping[str, Mapping[str, str]] | None = None,
          problems: Sequence[tuple[str, str]] = (), skipped: Sequence[tuple[str, str]] = ()) -> str:
    """The folder's overview: a sortable table linking to each manuscript's page."""
    href = {id(r): n for r, n in zip(reports, names)}
    n = len(reports)
    folder = _common_folder(reports)
    shown = {id(r): os.path.relpath(os.path.abspath(r.document.path), folder) if folder else r.document.path
             for r in reports}
    where = f" in {folder}" if folder else ""
    body = [f"<header>\n<h1>CARE checklist: {n} manuscript{'s' if n != 1 else ''}</h1>",
            f'<p class="file">{esc(where.strip())}</p>' if where else "",
            f'<p class="meta">care-check {esc(__version__)}. Completeness is compared only within a scope '
            "(full manuscripts, then body-only texts, then abstract pages), so the table starts sorted by scope, "
            "then completeness, lowest first. Click a column header to sort by it, again to reverse.</p>",
            '<p id="sort-state" class="meta" role="status" aria-live="polite">Sorted by scope, then completeness, '
            "ascending.</p>\n</header>\n<main>",
            '<table class="sortable" id="manuscripts">\n<thead><tr>'
            + _th("File") + _th("Format") + _th("Scope", "number") + _th("Completeness", "number", True, "ascending")
            + _th("Reported", "number") + _th("Partial", "number") + _th("Missing", "number", True)
            + _th("Missing items") + "</tr></thead>\n<tbody>"]
    rows = {id(r): Row.of(r, (suppressed or {}).get(r.document.path)) for r in reports}
    for r in sorted(reports, key=lambda r: sort_key(rows[id(r)], "completeness")):
        row = rows[id(r)]
        rank = scope_rank(row.scope) + (0.5 if row.not_case_report else 0)
        missing = [i if mark == i else f"{i} (suppressed)" for i, mark in zip(row.missing_ids, row.missing_items)]
        cells = [
            f'<td data-sort="{esc(shown[id(r)])}"><a href="{esc(href[id(r)])}">{esc(shown[id(r)])}</a></td>',
            f'<td data-sort="{esc(row.format)}">{esc(row.format)}</td>',
            f'<td data-sort="{scope_rank(row.scope)}">{esc(row.scope)}</td>',
            f'<td class="num" data-sort="{-1 if row.not_case_report else row.completeness}">{esc(row.score)}</td>',
            f'<td class="num" data-sort="{row.reported}">{row.reported}</td>',
            f'<td class="num" data-sort="{row.partial}">{row.partial}</td>',
            f'<td class="num" data-sort="{row.missing}">{row.missing}</td>',
            f'<td data-sort="{esc(", ".join(missing))}">{esc(", ".join(missing)) or "–"}</td>',
        ]
        cls = ' class="notcase"' if r.not_case_report else ""
        body.append(f'<tr{cls} data-scope-rank="{rank}">' + "".join(cells) + "</tr>")
    body.append("</tbody>\n</table>")
    if any(r.not_case_report for r in reports):
        body.append('<p class="meta">Rows in italics do not read as case reports (a cover letter, a response to '
                    "reviewers): they are not scored; their pages say why.</p>")
    if problems or skipped:
        body.append(f"<h2>Not checked ({len(problems) + len(skipped)})</h2>\n<table>\n<thead><tr><th scope=\"col\">"
                    "File</th><th scope=\"col\">Why</th></tr></thead>\n<tbody>")
        for path, problem in problems:
            body.append(f"<tr><td>{esc(path)}</td><td>could not be checked: {esc(problem)}</td></tr>")
        for path, reason in skipped:
            body.append(f"<tr><td>{esc(path)}</td><td>skipped: {esc(reason)}</td></tr>")
        body.append("</tbody>\n</table>")
    body.append("</main>")
    return _document("care-check: manuscripts", "\n".join(body), SORT_JS)


def folder_pages(reports: Sequence[Report], suppressed: Mapping[str, Mapping[str, str]] | None = None,
                 problems: Sequence[tuple[str, str]] = (),
                 skipped: Sequence[tuple[str, str]] = ()) -> dict[str, str]:
    """File name -> HTML for a folder: ``index.html`` and one page per manuscript."""
    names = page_names(reports)
    pages = {INDEX: index(reports, names, suppressed, problems, skipped)}
    for r, name in zip(reports, names):
        pages[name] = page(r, suppressed, INDEX)
    return pages


__all__ = ["page", "index", "folder_pages", "page_names", "INDEX", "SCOPES"]
