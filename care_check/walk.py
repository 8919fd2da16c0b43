"""Which files a folder stands for: supported manuscripts, minus what the project ignores.

Like ruff and Vale, a folder is walked with ``.gitignore`` files respected (each applying
below its own folder, deeper files overriding, ``.git/info/exclude`` too) and ``--exclude``
globs (gitignore syntax, matched from the current folder) applied. A path named on the
command line is always checked: exclusion only prunes what a folder expands to.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import pathspec

from .repo import find_root

# Project files a folder of manuscripts often holds; named explicitly, they are still checked.
NOT_MANUSCRIPTS = frozenset({"README", "CHANGELOG", "CHANGES", "LICENSE", "LICENCE", "CONTRIBUTING", "NOTICE"})
# Never manuscripts and often huge: not walked even without a .gitignore.
SKIP_DIRS = frozenset({".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__", ".tox"})

# Why a file in a folder is not checked, by its ending: an editor's folder holds figures,
# reference libraries and data next to the manuscripts, and each is listed, never dropped.
_KINDS = {
    "an image": (".png", ".jpg", ".jpeg", ".gif", ".tif", ".tiff", ".bmp", ".svg", ".webp", ".eps", ".heic"),
    "a reference library": (".bib", ".ris", ".enw", ".nbib", ".rdf"),
    "a data table": (".csv", ".tsv", ".xls", ".xlsx", ".ods", ".sav", ".dta", ".json"),
    "an archive": (".zip", ".gz", ".tgz", ".tar", ".7z", ".rar"),
    "a video or sound file": (".mp4", ".mov", ".avi", ".mp3", ".wav"),
    "a slide deck": (".ppt", ".pptx", ".odp", ".key"),
}
_REASONS = {ext: f"{kind}, not a manuscript" for kind, exts in _KINDS.items() for ext in exts}
_REASONS.update({
    ".doc": "a Word 97-2003 .doc file: not readable; save it as .docx "
            "(soffice --headless --convert-to docx FILE)",
    ".pages": "a Pages file: not readable; export it as .docx",
})


def skip_reason(name: str) -> str:
    """Why a file found in a folder is not checked (its name says it is no manuscript we read)."""
    path = Path(name)
    if path.stem.upper() in NOT_MANUSCRIPTS:
        return "a project file, not a manuscript (name it explicitly to check it)"
    ext = path.suffix.lower()
    if not ext:
        return "no file ending: name it .txt, .md, .docx … to check it"
    return _REASONS.get(ext, f"unsupported file type {ext}")


def _spec(lines: Iterable[str]) -> pathspec.GitIgnoreSpec | None:
    spec = pathspec.GitIgnoreSpec.from_lines(list(lines))
    return spec if len(spec) else None


def _read_ignore(path: Path) -> pathspec.GitIgnoreSpec | None:
    try:
        return _spec(path.read_text(encoding="utf-8", errors="replace").splitlines())
    except OSError:
        return None


class Ignores:
    """The .gitignore rules in force below one repository root, loaded folder by folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._specs: dict[Path, pathspec.GitIgnoreSpec | None] = {}
        info = root / ".git" / "info" / "exclude"
        self._base = _read_ignore(info) if info.is_file() else None

    def _at(self, folder: Path) -> pathspec.GitIgnoreSpec | None:
        if folder not in self._specs:
            self._specs[folder] = _read_ignore(folder / ".gitignore")
        return self._specs[folder]

    def ignored(self, path: Path, is_dir: bool) -> bool:
        """True when the nearest .gitignore that has an opinion about ``path`` ignores it."""
        try:
            rel = path.relative_to(self.root)
        except ValueError:
            return False
        folders = [self.root / Path(*rel.parts[:n]) for n in range(len(rel.parts))]
        for folder in reversed(folders):  # the deepest file decides
            spec = self._at(folder)
            if spec is None:
                continue
            sub = path.relative_to(folder).as_posix() + ("/" if is_dir else "")
            result = spec.check_file(sub)
            if result.include is not None:
                return bool(result.include)
        if self._base is not None:
            result = self._base.check_file(rel.as_posix() + ("/" if is_dir else ""))
            return bool(result.include)
        return False


def expand_paths(paths: list[str], exclude: Iterable[str] = (), gitignore: bool = True,
                 extensions: Iterable[str] | None = None, notes: list[str] | None = None,
                 skipped: list[tuple[str, str]] | None = None) -> tuple[list[str], list[str]]:
    """Files to check, in the order given, and a problem line per folder with nothing to check.

    ``skipped`` receives (path, reason) for each other regular file a folder holds (figures,
    .bib, .csv, .doc, README …), so reports can list them. Hidden files and what .gitignore
    or --exclude leave out are the user's choice and stay unlisted.

    A folder is walked without following symbolic links out of it: a linked file whose
    target lies outside the folder is skipped with a note (a report must never quote a file
    nobody named); FIFOs, devices and broken links are not manuscripts. A path given
    explicitly is checked even when it is a link, and a note says where it points.
    """
    notes = notes if notes is not None else []
    if extensions is None:
        from .readers import EXTENSIONS as extensions  # noqa: N811 - imported late: readers are slow to import
    # A legacy .doc named on its own gets one error line saying how to convert it; in a
    # folder it is listed as skipped, with the same advice, and the rest is checked.
    exts = frozenset(extensions) - {".doc"}
    excluded = _spec(exclude)
    cwd = Path.cwd()
    files: list[str] = []
    problems: list[str] = []
    for p in paths:
        if p == "-" or not os.path.isdir(p):
            if p != "-" and os.path.islink(p):
                notes.append(f"{p}: symbolic link; checking its target {os.path.realpath(p)}")
            files.append(p)
            continue
        top = Path(p)
        root = os.path.realpath(p)
        ignores = Ignores(find_root(top)) if gitignore else None

        def skip(path: Path, is_dir: bool) -> bool:
            full = path.resolve()
            if ignores is not None and ignores.ignored(full, is_dir):
                return True
            if excluded is None:
                return False
            try:
                rel = full.relative_to(cwd).as_posix()
            except ValueError:
                rel = path.relative_to(top).as_posix()
            return excluded.match_file(rel + ("/" if is_dir else ""))

        found: list[str] = []
        left: list[tuple[str, str]] = []
        for folder, dirs, names in os.walk(top, followlinks=False):
            base = Path(folder)
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not skip(base / d, True))
            for name in names:
                f = base / name
                if name.startswith(".") or skip(f, False):
                    continue
                if f.suffix.lower() not in exts or Path(name).stem.upper() in NOT_MANUSCRIPTS:
                    if f.is_file() and not f.is_symlink():
                        left.append((str(f), skip_reason(name)))
                    continue
                if f.is_symlink():
                    target = os.path.realpath(f)
                    if os.path.commonpath([root, target]) != root:
                        notes.append(f"{f}: symbolic link to a file outside {p}; skipped")
                        continue
                if f.is_file():  # FIFOs, devices and broken links are not manuscripts
                    found.append(str(f))
        if not found:
            problems.append(f"{p}: no supported manuscripts in this folder")
        files.extend(sorted(found))
        if skipped is not None:
            skipped.extend(sorted(left))
    return files, problems
