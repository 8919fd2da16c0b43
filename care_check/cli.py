"""Command line: ``care-check check|sections|rules|eval``.

Exit codes (stable, for CI):
  0  nothing at or above the --fail-on level
  1  at least one item at or above the --fail-on level
  2  usage error, unreadable input or invalid rules (one line on stderr per problem;
     the other files are still checked)
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import __version__
from .errors import CareCheckError

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _err(msg: str) -> None:
    print(f"care-check: error: {msg}", file=sys.stderr)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        _err(f"{message} (see care-check --help)")
        raise SystemExit(EXIT_ERROR)


def expand_paths(paths: list[str]) -> tuple[list[str], list[str]]:
    """Files to check, in the order given; folders expand to their supported files."""
    from .readers import EXTENSIONS

    files: list[str] = []
    problems: list[str] = []
    for p in paths:
        if os.path.isdir(p):
            found = sorted(str(f) for f in Path(p).rglob("*")
                           if f.is_file() and f.suffix.lower() in EXTENSIONS and not f.name.startswith("."))
            if not found:
                problems.append(f"{p}: no supported manuscripts in this folder")
            files.extend(found)
        else:
            files.append(p)
    return files, problems


def _checker(rules: str | None):
    from .engine import Checker
    from .ruleset import load_guideline

    return Checker(load_guideline(rules))


def cmd_check(args: argparse.Namespace) -> int:
    from .model import Status
    from .pipeline import check_path
    from .reporters import json_report, terminal

    files, problems = expand_paths(args.paths)
    for p in problems:
        _err(p)
    checker = _checker(args.rules)
    reports = []
    console = terminal.make_console() if args.format == "text" else None
    for f in files:
        try:
            report = check_path(f, checker, args.input_format)
        except CareCheckError as exc:
            _err(str(exc))
            problems.append(str(exc))
            continue
        reports.append(report)
        if console is not None:
            terminal.render(report, console, verbose=args.verbose)
    if args.format == "json" and reports:
        print(json_report.render(reports))
    failing = {"missing": {Status.MISSING}, "partial": {Status.MISSING, Status.PARTIAL}, "never": set()}[args.fail_on]
    if problems:
        return EXIT_ERROR
    if any(v.status in failing and v.severity != "info" for r in reports for v in r.verdicts):
        return EXIT_FINDINGS
    return EXIT_OK


def cmd_sections(args: argparse.Namespace) -> int:
    from .pipeline import load_document

    status = EXIT_OK
    for f in args.paths:
        try:
            doc = load_document(f, args.input_format)
        except CareCheckError as exc:
            _err(str(exc))
            status = EXIT_ERROR
            continue
        print(f"{doc.path}  format={doc.format}  scope={doc.scope}")
        for s in doc.sections:
            chars = sum(len(b.text) for b in s.blocks)
            heading = s.heading.strip() or "(untitled)"
            print(f"  line {s.line:>5}  {s.kind:<24} {s.group:<11} {heading[:60]!s:<60} {chars:>6} chars")
    return status


def cmd_rules(args: argparse.Namespace) -> int:
    ruleset = _checker(args.rules).ruleset if args.check else None
    from .ruleset import load_guideline

    ruleset = ruleset or load_guideline(args.rules)
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
    ev = evaluate(docs, gold, _checker(args.rules))
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


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="care-check", description="Check a case report against the CARE guideline, "
                     "item by item, with evidence.")
    parser.add_argument("--version", action="version", version=f"care-check {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--rules", metavar="DIR", help="a guideline folder of YAML rules (default: bundled CARE)")

    c = sub.add_parser("check", help="check manuscripts and report each CARE item")
    c.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    c.add_argument("--format", choices=["text", "json"], default="text")
    c.add_argument("--fail-on", choices=["missing", "partial", "never"], default="missing",
                   help="exit 1 when an item is at or above this level (default: missing)")
    c.add_argument("--input-format", choices=["text", "markdown", "jats"], default=None,
                   help="read every file as this format instead of detecting it")
    c.add_argument("-v", "--verbose", action="store_true", help="show up to three evidence sentences per item")
    common(c)
    c.set_defaults(func=cmd_check)

    s = sub.add_parser("sections", help="print the detected structure of manuscripts")
    s.add_argument("paths", nargs="+", metavar="FILE")
    s.add_argument("--input-format", choices=["text", "markdown", "jats"], default=None)
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
    common(e)
    e.set_defaults(func=cmd_eval)
    return parser


def main(argv: list[str] | None = None) -> int:
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
