"""Bounded fuzzing: mutated copies of the example manuscripts in every format, one batch.

A fixed seed makes every run check the same few hundred inputs (made at test time, never
committed). Whatever a mutation does, each file ends in a report or one error line: exit
0, 1 or 2, at most one stderr line per file, never "internal error", and never the time
budget (no file may need it: the budget is a backstop, not the way a file ends).
"""

from __future__ import annotations

import io
import json
import os
import random
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from .hostile import COMPLETE_MD, FIXTURES, ROOT

SEED = 11
PER_FORMAT = 30  # 9 formats: 270 inputs
BUDGET_S = 20

SNIPPETS = [b"<!ENTITY x \"y\">", b"<!DOCTYPE a [<!ENTITY b \"c\">]>", b"\x00" * 16, b" " * 5000,
            b"\n" * 2000, b"<!-- care-check: disable=" + b",".join(b"z%d" % i for i in range(300)) + b" -->",
            b"care-check: disable=12,13\n", b"[" * 3000, b"<div>" * 400, b"\\input{../../etc/passwd}",
            b"\xff\xfe", b"\xef\xbb\xbf", b"]]>", b"<![CDATA[", b"&lol;" * 50, b"%PDF-1.4", b"\r" * 100,
            "é—ü\u2028\u202e".encode(), b"# Heading\n" * 200, b"Funding: none." * 300]


def jats_from_markdown(md: str) -> bytes:
    """A JATS article built from a Markdown manuscript (headings to sec, paragraphs to p)."""
    def esc(s: str) -> str:
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    title, body, open_sec = "", [], False
    for block in md.split("\n\n"):
        block = block.strip()
        if block.startswith("# ") and not title:
            title = esc(block[2:])
        elif block.startswith("#"):
            body.append(("</sec>" if open_sec else "") + f"<sec><title>{esc(block.lstrip('#').strip())}</title>")
            open_sec = True
        elif block:
            body.append(f"<p>{esc(block)}</p>")
    body.append("</sec>" if open_sec else "")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<article article-type="case-report"><front><article-meta>'
            f"<title-group><article-title>{title}</article-title></title-group></article-meta></front>"
            f"<body>{''.join(body)}</body></article>").encode()


def seeds() -> dict[str, list[bytes]]:
    md = [COMPLETE_MD.read_bytes(), (ROOT / "corpus" / "gappy-case-report.md").read_bytes()]
    return {
        "md": md,
        "txt": [re.sub(rb"(?m)^#+ ", b"", m) for m in md],
        "xml": [jats_from_markdown(m.decode()) for m in md],
        "html": [(FIXTURES / f"{n}-case-report.html").read_bytes() for n in ("complete", "gappy")],
        "tex": [(FIXTURES / f"{n}-case-report.tex").read_bytes() for n in ("complete", "gappy")],
        "docx": [(FIXTURES / f"{n}-case-report.docx").read_bytes() for n in ("complete", "gappy")],
        "pdf": [(FIXTURES / f"{n}-case-report.pdf").read_bytes() for n in ("complete", "gappy")],
        "odt": [_made(m, "odt") for m in md],
        "rtf": [_made(m, "rtf") for m in md],
    }


def _made(md: bytes, ext: str) -> bytes:
    """An ODT or RTF of a corpus manuscript, written by tools/make_fixtures.py."""
    import tempfile

    sys.path.insert(0, str(ROOT / "tools"))
    import make_fixtures as mf

    items = mf.parse_markdown(md.decode("utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        dest = Path(tmp) / f"made.{ext}"
        (mf.to_odt if ext == "odt" else mf.to_rtf)(items, dest)
        return dest.read_bytes()


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One to three random edits: flipped bytes, a cut, a hostile snippet, a repeated or
    dropped chunk, a transcoding."""
    buf = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        op = rng.randrange(7)
        at = rng.randrange(len(buf) + 1)
        if op == 0:
            for _ in range(rng.randint(1, 20)):
                if buf:
                    buf[rng.randrange(len(buf))] = rng.randrange(256)
        elif op == 1:
            buf = buf[: max(1, at)]
        elif op == 2:
            buf[at:at] = rng.choice(SNIPPETS)
        elif op == 3:
            end = min(len(buf), at + rng.randint(1, 2000))
            buf[at:at] = buf[at:end] * rng.randint(2, 5)
        elif op == 4:
            del buf[at: at + rng.randint(1, 5000)]
        elif op == 5 and buf[:2] != b"PK" and not buf.startswith(b"%PDF"):
            text = bytes(buf).decode("utf-8", "replace")
            buf = bytearray(text.encode(rng.choice(["utf-16", "utf-16-le", "utf-32", "cp1252"]), "replace"))
        elif op == 6:
            buf[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
    return bytes(buf)


def mutate_docx(data: bytes, rng: random.Random) -> bytes:
    """Mutate one XML member of the package (the zip stays readable), or the zip bytes."""
    if rng.random() < 0.3:
        return mutate(data, rng)
    src = zipfile.ZipFile(io.BytesIO(data))
    names = [n for n in src.namelist() if n.endswith((".xml", ".rels"))]
    victim = rng.choice(names)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            dst.writestr(info.filename, mutate(body, rng) if info.filename == victim else body)
    return out.getvalue()


def make_inputs(folder: Path) -> list[Path]:
    """The mutated files, split over two sub-folders (two batches run side by side)."""
    rng = random.Random(SEED)
    files = []
    for ext, originals in seeds().items():
        for i in range(PER_FORMAT):
            original = originals[i % len(originals)]
            data = mutate_docx(original, rng) if ext in ("docx", "odt") else mutate(original, rng)
            half = folder / ("a" if i % 2 == 0 else "b")
            half.mkdir(exist_ok=True)
            p = half / f"fuzz-{ext}-{i:03d}.{ext}"
            p.write_bytes(data)
            files.append(p)
    return files


def test_fuzzed_manuscripts_end_in_a_report_or_one_error_line(tmp_path):
    files = make_inputs(tmp_path)
    assert len(files) >= 200
    start = time.monotonic()
    # Two batches at once (this machine has two cores), each through the real command line.
    procs = [subprocess.Popen([sys.executable, "-m", "care_check", "check", str(tmp_path / half), "--format", "json",
                               "--fail-on", "never", "--time-limit", str(BUDGET_S)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
                              env={**os.environ, "NO_COLOR": "1"})
             for half in ("a", "b")]
    results = [p.communicate(timeout=170) for p in procs]
    elapsed = time.monotonic() - start
    reports, lines = [], []
    for proc, (out, err) in zip(procs, results):
        assert proc.returncode in (0, 1, 2), err[-500:]
        text = out.decode("utf-8")  # strict: output is always valid UTF-8
        lines += err.decode("utf-8").splitlines()
        if text.strip():
            data = json.loads(text)
            reports += data if isinstance(data, list) else [data]
    assert not any("internal error" in ln for ln in lines), [ln for ln in lines if "internal error" in ln]
    assert not any("gave up" in ln for ln in lines), [ln for ln in lines if "gave up" in ln]
    per_file: dict[str, int] = {}
    for ln in lines:
        assert ln.startswith(("care-check: error: ", "care-check: warning: ")), ln
        assert ln.isprintable(), ln
        name = next((f.name for f in files if f.name in ln), None)
        assert name is not None, ln
        per_file[name] = per_file.get(name, 0) + 1
    assert all(n == 1 for n in per_file.values()), {k: n for k, n in per_file.items() if n > 1}
    errors = sum(1 for ln in lines if ln.startswith("care-check: error: "))
    assert len(reports) + errors == len(files)  # every file: a report or its error line
    # Under a minute on this two-core machine when idle (about 40 s); the margin is for a
    # machine shared with other jobs, not for a file that stalls (the budget catches that).
    assert elapsed < 90, f"fuzz batch took {elapsed:.0f} s"
