"""Command line: ``care-check check|sections|rules|eval``.

Exit codes (stable, for CI):
  0  nothing at or above the --fail-on level (suppressed and info items never fail)
  1  at least one item at or above the --fail-on level
  2  usage error, unreadable input, invalid rules or config (one line on stderr per
     problem; the other files are still checked)

Settings come from the flags, else the config file (see care_check.config), else defaults.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .errors import CareCheckError, one_line, printable
from .reporters import FORMATS, SORTS

if TYPE_CHECKING:
    from .config import Config
    from .engine import Checker
    from .model import Report

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
# Project files a folder of manuscripts often holds; named explicitly, they are still checked.
NOT_MANUSCRIPTS = frozenset({"README", "CHANGELOG", "CHANGES", "LICENSE", "LICENCE", "CONTRIBUTING", "NOTICE"})
# Kept here, not imported from the readers, so `care-check --version` starts fast.
INPUT_FORMATS = ["docx", "html", "jats", "latex", "markdown", "pdf", "text"]


def _err(msg: str) -> None:
    print(f"care-check: error: {one_line(msg)}", file=sys.stderr)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        _err(f"{message} (see care-check --help)")
        raise SystemExit(EXIT_ERROR)


def expand_paths(paths: list[str]) -> tuple[list[str], list[str], list[str]]:
    """Files to check, in the order given; folders expand to their supported files.

    Returns (files, problems, notes). A folder is walked without following symbolic
    links out of it: a linked file whose target lies outside the folder is skipped (a
    report must never quote a file nobody named). A path given explicitly is checked
    even when it is a link, and a note says where it points.
    """
    from .readers import EXTENSIONS

    files: list[str] = []
    problems: list[str] = []
    notes: list[str] = []
    for p in paths:
        if os.path.isdir(p):
            found, skipped = _walk(p, EXTENSIONS)
            notes.extend(f"{link}: symbolic link to a file outside {p}; skipped" for link in skipped)
            if not found:
                problems.append(f"{p}: no supported manuscripts in this folder")
            files.extend(found)
        else:
            if os.path.islink(p):
                notes.append(f"{p}: symbolic link; checking its target {os.path.realpath(p)}")
            files.append(p)
    return files, problems, notes


def _walk(folder: str, extensions: dict[str, str]) -> tuple[list[str], list[str]]:
    """Regular manuscript files under ``folder`` and the links that leave it."""
    root = os.path.realpath(folder)
    found: list[str] = []
    skipped: list[str] = []
    for dirpath, _dirs, names in os.walk(folder, followlinks=False):
        for name in names:
            if name.startswith(".") or Path(name).suffix.lower() not in extensions \
                    or Path(name).stem.upper() in NOT_MANUSCRIPTS:
                continue
            full = os.path.join(dirpath, name)
            if os.path.islink(full):
                target = os.path.realpath(full)
                if os.path.commonpath([root, target]) != root:
                    skipped.append(full)
                    continue
            if os.path.isfile(full):  # FIFOs, devices and broken links are not manuscripts
                found.append(full)
    return sorted(found), sorted(skipped)


def _checker(rules: str | None, use_model: bool = True):
    from .ruleset import load_guideline

    ruleset = load_guideline(rules)
    key = (id(ruleset), use_model)
    if key not in _COMPILED or _COMPILED[key].ruleset is not ruleset:
        # One compiled checker per loaded rule set (load_guideline caches rule sets).
        from .engine import Checker

        _COMPILED[key] = Checker(ruleset, "shipped" if use_model else None)
    return _COMPILED[key]


_COMPILED: dict[tuple[int, bool], Checker] = {}


def _warn(msg: str) -> None:
    print(f"care-check: warning: {one_line(msg)}", file=sys.stderr)


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def _render(fmt: str, reports: list[Report], checker: Checker, cfg: Config, fail_on: str,
            suppressed: dict[str, dict[str, str]]) -> str | None:
    """The whole report as text for the machine formats (None: nothing to print)."""
    from .reporters import checklist, json_report, junit, sarif

    if fmt == "sarif":
        return sarif.render(reports, checker.ruleset, suppressed, cfg.severity)
    if fmt == "junit":
        return junit.render(reports, fail_on, suppressed)
    if not reports:
        return None
    if fmt == "json":
        return json_report.render(reports, suppressed)
    return checklist.render(reports, checker.ruleset, suppressed)


def _limits(args: argparse.Namespace, cfg: Config) -> tuple[float, int]:
    from .guard import DEFAULT_MEMORY_MB, DEFAULT_TIME_S

    time_s = args.time_limit if args.time_limit is not None else cfg.time_limit
    memory = args.memory_limit if args.memory_limit is not None else cfg.memory_limit
    return (DEFAULT_TIME_S if time_s is None else time_s), (DEFAULT_MEMORY_MB if memory is None else memory)


def _check_one(path: str, checker: Checker, cfg: Config, fmt: str | None, known: list[str]):
    """Report, suppressions and warnings for one file (runs in the guarded child)."""
    from .pipeline import check_path
    from .suppress import for_report

    report = cfg.apply(check_path(path, checker, fmt))
    sup, warnings = for_report(report, known, cfg.disable)
    report.document.path = printable(report.document.path)  # shown safely whatever its bytes
    return report, sup, warnings


def _warm_up() -> None:
    """Load in the parent what every file needs, so each forked child starts warm."""
    from . import readers  # noqa: F401
    from .sections import load_lexicon

    load_lexicon()
    try:  # the PDF reader runs inside each file's child: import pdfminer once, here
        import pdfminer.converter  # noqa: F401
        import pdfminer.pdfinterp  # noqa: F401
        import pdfminer.pdfpage  # noqa: F401
    except ImportError:
        pass


def cmd_check(args: argparse.Namespace) -> int:
    import io

    from . import guard
    from .config import load_config
    from .model import Status
    from .reporters import summary, terminal

    cfg = load_config(args.config)
    fmt = args.format or cfg.format or "text"
    fail_on = args.fail_on or cfg.fail_on or "missing"
    time_s, memory_mb = _limits(args, cfg)
    if args.summary_only and fmt != "text":
        _err("--summary-only needs --format text (see care-check --help)")
        return EXIT_ERROR
    files, problems, notes = expand_paths(args.paths)
    if args.output and any(_same_file(args.output, f) for f in files):
        _err(f"{args.output}: is one of the input files; refusing to overwrite it")
        return EXIT_ERROR
    for p in problems:
        _err(p)
    for n in notes:
        _warn(n)
    checker = _checker(args.rules or cfg.rules, not args.no_model)
    known = [r.spec.id for r in checker.ruleset.rules]
    cfg.check_ids(known)
    _warm_up()
    reports = []
    suppressed: dict[str, dict[str, str]] = {}
    sink = io.StringIO() if args.output else None
    console = terminal.make_console(sink) if fmt == "text" else None
    with guard.Worker(lambda f: _check_one(f, checker, cfg, args.input_format, known), time_s, memory_mb) as worker:
        for f in files:
            try:
                report, sup, warnings = worker.run(printable(f), f)
            except CareCheckError as exc:
                _err(str(exc))
                problems.append(str(exc))
                continue
            for w in warnings:
                _warn(w)
            suppressed[report.document.path] = sup
            reports.append(report)
            if console is not None and not args.summary_only:
                terminal.render(report, console, verbose=args.verbose, suppressed=sup)
    if console is not None and reports and (args.summary_only or len(reports) > 1):
        summary.render(reports, console, args.sort, suppressed)
    text = sink.getvalue() if sink is not None else None
    if console is None:
        text = _render(fmt, reports, checker, cfg, fail_on, suppressed)
        if text is not None and not args.output:
            print(text)
    if args.output and text is not None:
        try:
            Path(args.output).write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8",
                                         errors="backslashreplace")
        except OSError as exc:
            _err(f"{args.output}: cannot write: {exc.strerror or exc}")
            return EXIT_ERROR
    failing = {"missing": {Status.MISSING}, "partial": {Status.MISSING, Status.PARTIAL}, "never": set()}[fail_on]
    if problems:
        return EXIT_ERROR
    if any(v.status in failing and v.severity != "info" and v.id not in suppressed[r.document.path]
           for r in reports for v in r.verdicts):
        return EXIT_FINDINGS
    return EXIT_OK


def cmd_sections(args: argparse.Namespace) -> int:
    from .pipeline import load_document

    from . import guard
    from .guard import DEFAULT_MEMORY_MB, DEFAULT_TIME_S

    status = EXIT_OK
    _warm_up()
    for f in args.paths:
        try:
            doc = guard.run(printable(f), lambda f=f: load_document(f, args.input_format),
                            DEFAULT_TIME_S if args.time_limit is None else args.time_limit,
                            DEFAULT_MEMORY_MB if args.memory_limit is None else args.memory_limit)
        except CareCheckError as exc:
            _err(str(exc))
            status = EXIT_ERROR
            continue
        print(f"{printable(doc.path)}  format={doc.format}  scope={doc.scope}")
        for s in doc.sections:
            chars = sum(len(b.text) for b in s.blocks)
            heading = s.heading.strip() or "(untitled)"
            print(f"  line {s.line:>5}  {s.kind:<24} {s.group:<11} {printable(heading[:60])!s:<60} {chars:>6} chars")
    return status


def cmd_rules(args: argparse.Namespace) -> int:
    from .ruleset import load_guideline

    ruleset = load_guideline(args.rules)
    if args.check:
        _checker(args.rules)  # compiles every pattern; a bad one raises RuleError
    g = ruleset.guideline
    print(f"{g.title} ({g.id} {g.version}) — {len(ruleset.rules)} items")
    for r in ruleset.rules:
        s = r.spec
        print(f"  {s.id:<10}{s.severity:<9}{s.topic}: {s.title}")
        if args.verbose:
            print(f"            {s.asks}")
            print(f"            {Path(r.path).name}")
    return EXIT_OK


def cmd_eval(args: argparse.Namespace) -> int:
    import json

    from .evaluate import evaluate, format_errors, format_table

    docs, gold = Path(args.docs), Path(args.gold)
    for p in (docs, gold):
        if not p.is_dir():
            _err(f"{p}: not a folder")
            return EXIT_ERROR
    ev = evaluate(docs, gold, _checker(args.rules, not args.no_model), args.split)
    if args.json:
        print(json.dumps(ev.as_dict(), indent=2))
    else:
        if args.errors:
            print(format_errors(ev))
            print()
        print(format_table(ev))
    for f in ev.failures:
        _err(f)
    return EXIT_ERROR if ev.failures else EXIT_OK


def _non_negative(kind: type):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not value >= 0 or value != value or value == float("inf"):
            raise argparse.ArgumentTypeError(f"must be a finite number, 0 or more: {text!r}")
        return value
    parse.__name__ = kind.__name__
    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="care-check", description="Check a case report against the CARE guideline, "
                     "item by item, with evidence.")
    parser.add_argument("--version", action="version", version=f"care-check {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--rules", metavar="DIR", help="a guideline folder of YAML rules (default: bundled CARE)")
        p.add_argument("--no-model", action="store_true",
                       help="rules alone: ignore the learned sentence signal the rules may use")

    def limits(p: argparse.ArgumentParser) -> None:
        p.add_argument("--time-limit", type=_non_negative(float), metavar="SECONDS", default=None,
                       help="give up on a file after this many seconds and go on with the next "
                            "(default: 60; 0: no limit)")
        p.add_argument("--memory-limit", type=_non_negative(int), metavar="MB", default=None,
                       help="refuse a file that needs more than this much memory (default: 2048; 0: no limit)")

    c = sub.add_parser("check", help="check manuscripts and report each CARE item")
    c.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    c.add_argument("--format", choices=FORMATS, default=None,
                   help="text (default), json, sarif (code scanning), junit (CI test reports) "
                        "or checklist (the filled CARE checklist, Markdown)")
    c.add_argument("--fail-on", choices=["missing", "partial", "never"], default=None,
                   help="exit 1 when an item is at or above this level (default: missing)")
    c.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of stdout "
                   "(never one of the inputs)")
    c.add_argument("--summary-only", action="store_true",
                   help="text: print only the one-row-per-file summary table")
    c.add_argument("--sort", choices=SORTS, default="name",
                   help="order of the summary table: name (default), completeness or missing (worst first)")
    c.add_argument("--config", metavar="FILE", help="config file (default: nearest .care-check.yaml, "
                   "care-check.yaml or pyproject.toml [tool.care-check] from here upward)")
    c.add_argument("--input-format", choices=INPUT_FORMATS, default=None,
                   help="read every file as this format instead of detecting it")
    c.add_argument("-v", "--verbose", action="store_true", help="show up to three evidence sentences per item")
    limits(c)
    common(c)
    c.set_defaults(func=cmd_check)

    s = sub.add_parser("sections", help="print the detected structure of manuscripts")
    s.add_argument("paths", nargs="+", metavar="FILE")
    s.add_argument("--input-format", choices=INPUT_FORMATS, default=None)
    limits(s)
    s.set_defaults(func=cmd_sections)

    r = sub.add_parser("rules", help="list the checklist items of a rule set")
    r.add_argument("-v", "--verbose", action="store_true")
    r.add_argument("--check", action="store_true", help="also compile every pattern")
    common(r)
    r.set_defaults(func=cmd_rules)

    e = sub.add_parser("eval", help="agreement with reference labels (<stem>.gold.json)")
    e.add_argument("docs", metavar="DOCS_DIR")
    e.add_argument("gold", metavar="GOLD_DIR")
    e.add_argument("--json", action="store_true")
    e.add_argument("--errors", action="store_true", help="list every disagreement with its evidence")
    e.add_argument("--split", choices=["train", "test"], help="labelled corpus: only this split")
    common(e)
    e.set_defaults(func=cmd_eval)
    return parser


def _utf8_streams() -> None:
    """Whatever the locale, what care-check prints is valid UTF-8."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(encoding="utf-8", errors="backslashreplace")
            except (ValueError, OSError, TypeError):
                pass


def main(argv: list[str] | None = None) -> int:
    _utf8_streams()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_ERROR
    try:
        return args.func(args)
    except CareCheckError as exc:
        _err(str(exc))
        return EXIT_ERROR
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - a user never sees a traceback
        _err(f"internal error: {type(exc).__name__}: {exc} (please report it with the input that caused it)")
        return EXIT_ERROR
