"""Command line: ``care-check check|sections|rules|eval``.

Exit codes (stable, for CI; also in ``--help``):
  0  nothing at or above the --fail-on level (suppressed and info items never fail)
  1  at least one item at or above the --fail-on level
  2  usage error, unreadable input, invalid rules or config (one line on stderr per
     problem; the other files are still checked)

Settings come from the flags, else the config file (see care_check.settings), else defaults.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .errors import CareCheckError, one_line, printable
from .reporters import CHECKLIST_FORMATS, FORMATS, SORTS

if TYPE_CHECKING:
    from .engine import Checker
    from .model import Report
    from .settings import Settings

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
# Kept here, not imported from the readers, so `care-check --version` starts fast.
INPUT_FORMATS = ["docx", "html", "jats", "latex", "markdown", "odt", "pdf", "rtf", "text"]
COLORS = ("auto", "always", "never")

EXIT_CODES = """exit codes:
  0  no item at or above the --fail-on level (items of severity info never fail)
  1  at least one item at or above the --fail-on level
  2  usage error, unreadable or hostile input, invalid rules or config (one line per problem
     on stderr, naming the file; the other files are still checked)"""

EXAMPLES = """examples:
  care-check check paper.md                          item-by-item report with evidence and fixes
  care-check check manuscripts/ -q                   one line per failing file (.gitignore respected)
  care-check check manuscripts/ --exclude 'drafts/' --ignore 12,x-care
  care-check check paper.md --format sarif -o care-check.sarif   code scanning
  care-check check manuscripts/ --format github      annotations in a GitHub workflow
  care-check check manuscripts/ --summary triage.csv one row per manuscript for a spreadsheet
  care-check check manuscripts/ --format html -o report/   index page + one page per manuscript
  care-check checklist paper.docx -o checklist.docx  the filled CARE checklist for the submission
  pandoc paper.docx -t markdown | care-check check - --stdin-filename paper.md
  care-check rules 13                                what item 13 asks, where it looks, the fix
  care-check config                                  effective settings and where each came from
  care-check completion bash > ~/.local/share/bash-completion/completions/care-check"""


def _err(msg: str) -> None:
    print(f"care-check: error: {one_line(msg)}", file=sys.stderr)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        _err(f"{message} (see care-check --help)")
        raise SystemExit(EXIT_ERROR)


def expand_paths(paths: list[str], exclude: tuple[str, ...] = (), notes: list[str] | None = None,
                 skipped: list[tuple[str, str]] | None = None) -> tuple[list[str], list[str]]:
    """Files to check, in the order given; folders expand to their supported files (see care_check.walk),
    and ``skipped`` gets the other files of those folders with the reason."""
    from .walk import expand_paths as walk

    return walk(paths, exclude, notes=notes, skipped=skipped)


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


def _render(fmt: str, reports: list[Report], checker: Checker, settings: Settings,
            suppressed: dict[str, dict[str, str]], problems: list[tuple[str, str]]) -> str | None:
    """The whole report as text for the machine formats (None: nothing to print)."""
    from .repo import find_root
    from .reporters import checklist, github, json_report, junit, markdown, sarif

    root, fail_on = find_root(), settings["fail-on"]
    if fmt == "sarif":
        return sarif.render(reports, checker.ruleset, suppressed, settings["severity"], root, problems)
    if fmt == "junit":
        return junit.render(reports, fail_on, suppressed, root)
    if fmt == "github":
        return github.render(reports, root, fail_on, suppressed, problems) or None
    if fmt == "markdown":
        return markdown.render(reports, root, fail_on, suppressed, problems)
    if not reports:
        return None
    if fmt == "json":
        return json_report.render(reports, suppressed)
    if fmt == "html":  # one manuscript; a folder of pages is written by _write_pages
        from .reporters import html_report

        return html_report.page(reports[0], suppressed)
    return checklist.render(reports, checker.ruleset, suppressed)


def _limits(args: argparse.Namespace, cfg: Config) -> tuple[float, int]:
    from .guard import DEFAULT_MEMORY_MB, DEFAULT_TIME_S

    time_s = args.time_limit if args.time_limit is not None else cfg.time_limit
    memory = args.memory_limit if args.memory_limit is not None else cfg.memory_limit
    return (DEFAULT_TIME_S if time_s is None else time_s), (DEFAULT_MEMORY_MB if memory is None else memory)


def _check_one(path: str, checker: Checker, cfg: Config, fmt: str | None, known: list[str],
               policy: dict[str, str], data: bytes | None = None):
    """Report, suppressions and warnings for one file (runs in the guarded child);
    ``data``: the manuscript read from standard input."""
    from .pipeline import check_path
    from .suppress import for_report

    report = cfg.apply(check_path(path, checker, fmt) if data is None else check_path(path, checker, fmt, data))
    sup, warnings = for_report(report, known, policy, data)
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
    from .policy import fails
    from .readers.source import read_stream
    from .reporters import summary, terminal
    from .settings import resolve

    settings = resolve(args)
    cfg = settings.config
    fmt, fail_on = settings["format"], settings["fail-on"]
    time_s, memory_mb = _limits(args, cfg)
    quiet, verbose = args.verbosity < 0, args.verbosity > 0
    if args.summary_only and fmt != "text":
        _err("--summary-only needs --format text (see care-check --help)")
        return EXIT_ERROR
    if args.paths.count("-") > 1:
        _err("'-' (standard input) can be given once (see care-check --help)")
        return EXIT_ERROR
    if args.stdin_filename and "-" not in args.paths:
        _err("--stdin-filename names the manuscript read from '-'; give '-' as a path (see care-check --help)")
        return EXIT_ERROR
    notes: list[str] = []
    skipped: list[tuple[str, str]] = []
    files, folder_problems = expand_paths(args.paths, settings["exclude"], notes, skipped)
    html_dir = fmt == "html" and _is_folder(args.output)
    if fmt == "html" and not html_dir and len(files) > 1:
        _err("--format html: several manuscripts give an index page and a page each; write them to a folder "
             "with -o DIR/ (see care-check --help)")
        return EXIT_ERROR
    for target in ([] if html_dir else [args.output]) + [args.summary]:
        if target and any(f != "-" and _same_file(target, f) for f in files):
            _err(f"{target}: is one of the input files; refusing to overwrite it")
            return EXIT_ERROR
    problems: list[tuple[str, str]] = []
    for p in folder_problems:
        _err(p)
        problems.append((p.split(": ", 1)[0], p.split(": ", 1)[-1]))
    for n in notes:
        _warn(n)
    if fmt != "text" and not quiet:  # the text report lists them in its summary
        for path, reason in skipped:
            print(f"care-check: note: {one_line(f'{printable(path)}: not checked: {reason}')}", file=sys.stderr)
    checker = _checker(settings["rules"], not args.no_model)
    known = [r.spec.id for r in checker.ruleset.rules]
    settings.check_ids(known)
    policy = settings.suppressed_by_policy(known)
    stdin_path, stdin_data = args.stdin_filename or "-", None
    if "-" in files:  # read before the guarded child is forked, so it holds the text
        try:
            stdin_data = read_stream(stdin_path, sys.stdin.buffer)
        except CareCheckError as exc:
            _err(str(exc))
            problems.append((stdin_path, getattr(exc, "problem", str(exc))))
            files = [f for f in files if f != "-"]
    _warm_up()
    reports = []
    suppressed: dict[str, dict[str, str]] = {}
    sink = io.StringIO() if args.output else None
    console = terminal.make_console(sink, settings["color"]) if fmt == "text" else None

    def one(f: str):
        if f == "-":
            return _check_one(stdin_path, checker, cfg, args.input_format, known, policy, stdin_data)
        return _check_one(f, checker, cfg, args.input_format, known, policy)

    with guard.Worker(one, time_s, memory_mb) as worker:
        for f in files:
            label = stdin_path if f == "-" else f
            try:
                report, sup, warnings = worker.run(printable(label), f)
            except CareCheckError as exc:
                _err(str(exc))
                problems.append((getattr(exc, "path", label), getattr(exc, "problem", str(exc))))
                continue
            for w in warnings:
                _warn(w)
            suppressed[report.document.path] = sup
            reports.append(report)
            if console is None or args.summary_only:
                continue
            if quiet:
                failing = [v for v in report.verdicts if fails(v, fail_on, sup.get(v.id))]
                if failing:
                    terminal.quiet_line(report, failing, console)
            else:
                terminal.render(report, console, verbose=verbose, suppressed=sup)
    if console is not None and reports and not quiet and (args.summary_only or len(reports) > 1 or skipped):
        summary.render(reports, console, args.sort, suppressed, [(printable(p), r) for p, r in skipped])
    written = not args.summary or _write_summary(args.summary, reports, problems, skipped, args.sort, files)
    text = sink.getvalue() if sink is not None else None
    if html_dir:
        from .reporters import html_report

        pages = html_report.folder_pages(reports, suppressed, problems, [(printable(p), r) for p, r in skipped])
        written = _write_pages(args.output, pages, files) and written
        text = None
    elif console is None:
        text = _render(fmt, reports, checker, settings, suppressed, problems)
        if text is not None and not args.output:
            print(text)
    if args.output and text is not None:
        try:
            Path(args.output).write_text(text if text.endswith("\n") or not text else text + "\n", encoding="utf-8",
                                         errors="backslashreplace")
        except OSError as exc:
            _err(f"{args.output}: cannot write: {exc.strerror or exc}")
            return EXIT_ERROR
    if problems or not written:
        return EXIT_ERROR
    if any(fails(v, fail_on, suppressed[r.document.path].get(v.id)) for r in reports for v in r.verdicts):
        return EXIT_FINDINGS
    return EXIT_OK


def _is_folder(output: str | None) -> bool:
    """``-o DIR/`` (or an existing folder): the HTML report is a folder of pages."""
    return bool(output) and (output.endswith(("/", os.sep)) or os.path.isdir(output))


def _write(path: str, data: str | bytes, inputs: list[str], encoding: str = "utf-8") -> bool:
    """Write one output file (never over an input); False after printing why it failed."""
    if any(f != "-" and _same_file(path, f) for f in inputs):
        _err(f"{path}: is one of the input files; refusing to overwrite it")
        return False
    try:
        if isinstance(data, bytes):
            Path(path).write_bytes(data)
        else:
            with open(path, "w", encoding=encoding, errors="backslashreplace", newline="") as fh:
                fh.write(data)
    except OSError as exc:
        _err(f"{path}: cannot write: {exc.strerror or exc}")
        return False
    return True


def _write_summary(path: str, reports: list[Report], problems: list[tuple[str, str]],
                   skipped: list[tuple[str, str]], sort: str, inputs: list[str]) -> bool:
    """``--summary FILE.csv``: one row per manuscript (see reporters.csv_summary)."""
    from .reporters import csv_summary

    text = csv_summary.render(reports, problems, [(printable(p), r) for p, r in skipped], sort)
    return _write(path, text, inputs, csv_summary.ENCODING)


def _write_pages(folder: str, pages: dict[str, str], inputs: list[str]) -> bool:
    """The HTML report folder: index.html and one page per manuscript."""
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as exc:
        _err(f"{folder}: cannot create the report folder: {exc.strerror or exc}")
        return False
    return all(_write(os.path.join(folder, name), text, inputs) for name, text in pages.items())


CHECKLIST_EXTENSIONS = {".md": "md", ".markdown": "md", ".csv": "csv", ".docx": "docx"}


def _checklist_format(fmt: str | None, output: str | None) -> str:
    """The checklist's format: --format, else the output's extension, else Markdown.

    A mismatch is an error, never a guess: ``-o x.docx --format md`` would write Markdown
    into a file Word refuses to open.
    """
    by_name = CHECKLIST_EXTENSIONS.get(Path(output).suffix.lower()) if output else None
    if fmt and by_name and fmt != by_name:
        raise CareCheckError(f"-o {output}: a {Path(output).suffix.lower()} file cannot hold --format {fmt}; "
                             f"drop --format (the extension chooses {by_name}) or use a .{fmt} name")
    fmt = fmt or by_name or "md"
    if fmt == "docx" and (not output or by_name != "docx"):
        raise CareCheckError("--format docx writes a Word file: give -o NAME.docx")
    return fmt


def cmd_checklist(args: argparse.Namespace) -> int:
    """``care-check checklist FILE``: the filled CARE checklist (Markdown, CSV or Word) for a submission."""
    from . import guard
    from .reporters import checklist
    from .settings import resolve

    fmt = _checklist_format(args.checklist_format, args.output)
    if args.output and _same_file(args.output, args.path):
        _err(f"{args.output}: is the manuscript; refusing to overwrite it")
        return EXIT_ERROR
    settings = resolve(args)
    checker = _checker(settings["rules"], not args.no_model)
    known = [r.spec.id for r in checker.ruleset.rules]
    settings.check_ids(known)
    policy = settings.suppressed_by_policy(known)
    time_s, memory_mb = _limits(args, settings.config)
    _warm_up()
    with guard.Worker(lambda f: _check_one(f, checker, settings.config, args.input_format, known, policy),
                      time_s, memory_mb) as worker:
        try:
            report, sup, warnings = worker.run(printable(args.path), args.path)
        except CareCheckError as exc:
            _err(str(exc))
            return EXIT_ERROR
    for w in warnings:
        _warn(w)
    if report.not_case_report:
        _warn(f"{report.document.path}: does not read as a case report: it {report.not_case_report}")
    suppressed = {report.document.path: sup}
    if fmt == "docx":
        from .reporters import checklist_docx

        data: str | bytes = checklist_docx.render(report, checker.ruleset, suppressed)
    elif fmt == "csv":
        from .reporters.csv_summary import ENCODING

        data = checklist.render_csv([report], checker.ruleset, suppressed)
    else:
        data = checklist.render([report], checker.ruleset, suppressed)
    if not args.output:
        print(data, end="")
        return EXIT_OK
    ok = _write(args.output, data, [args.path], ENCODING if fmt == "csv" else "utf-8")
    return EXIT_OK if ok else EXIT_ERROR


def cmd_config(args: argparse.Namespace) -> int:
    """The effective settings and where each came from (flag, config file, environment, default)."""
    import json

    from .settings import resolve

    settings = resolve(args)
    if args.json:
        print(json.dumps({k: {"value": list(s.value) if isinstance(s.value, tuple) else s.value, "source": s.source}
                          for k, s in settings.values.items()}, indent=2))
        return EXIT_OK
    for key, s in settings.values.items():
        value = s.value
        if key == "rules" and value is None:
            value = "(bundled CARE guideline)"
        elif key == "config-file" and value is None:
            value = "(none)"
        elif key == "select" and not value:
            value = "(all items)"
        elif isinstance(value, (tuple, list)):
            value = ", ".join(value) or "–"
        elif isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items()) or "–"
        print(f"{key:<12} {str(value):<32} {s.source}")
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


def _explain(ruleset, item: str) -> int:
    """``care-check rules ID``: what the item asks, where it looks, an example that satisfies it, the fix."""
    import textwrap

    from .settings import split_ids

    ids = split_ids([item], ruleset.guideline.id)
    try:
        rule = ruleset.rule(ids[0] if ids else item)
    except KeyError:
        _err(f"unknown item '{item}' (care-check rules lists them)")
        return EXIT_ERROR
    s = rule.spec

    def para(title: str, text: str) -> None:
        print(f"\n{title}")
        for chunk in text.strip().split("\n"):
            print(textwrap.fill(chunk, width=88, initial_indent="  ", subsequent_indent="  ") if chunk else "")

    print(f"{ruleset.guideline.id.upper()}-{s.id}  {s.title}")
    print(f"  topic: {s.topic} · severity: {s.severity} (info never fails a run) · applies to: "
          f"{ {'front': 'front matter', 'body': 'the body', 'any': 'any part'}[s.applies]}")
    para("What it asks", s.asks)
    where = ", ".join(x.replace("_", " ") for x in s.sections)
    fallback = {"anywhere": "; then anywhere else in the text", "none": "",
                "unstructured": "; anywhere when the text has none of these sections"}[s.fallback]
    para("Where it looks", f"sections, best first: {where}{fallback}.")
    if s.examples.reported:
        para("An example that satisfies it", s.examples.reported[0])
    para("Fix", s.fix)
    shown = os.path.relpath(rule.path) if not os.path.relpath(rule.path).startswith("..") else rule.path
    para("Source", f"{s.source}\nrule file: {Path(shown).as_posix()}")
    return EXIT_OK


def cmd_rules(args: argparse.Namespace) -> int:
    from .ruleset import load_guideline

    ruleset = load_guideline(args.rules)
    if args.check:
        _checker(args.rules)  # compiles every pattern; a bad one raises RuleError
    if args.item:
        return _explain(ruleset, args.item)
    g = ruleset.guideline
    print(f"{g.title} ({g.id} {g.version}) — {len(ruleset.rules)} items")
    for r in ruleset.rules:
        s = r.spec
        print(f"  {s.id:<10}{s.severity:<9}{s.topic}: {s.title}")
        if args.verbose:
            print(f"            {s.asks}")
            print(f"            {Path(r.path).name}")
    return EXIT_OK


def cmd_completion(args: argparse.Namespace) -> int:
    from .completion import script

    print(script(args.shell, build_parser()), end="")
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
    raw = argparse.RawDescriptionHelpFormatter
    parser = _Parser(prog="care-check", formatter_class=raw,
                     description="Check a case report against the CARE guideline, item by item, with evidence.",
                     epilog=f"{EXAMPLES}\n\n{EXIT_CODES}")
    parser.add_argument("--version", action="version", version=f"care-check {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")

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

    def policy(p: argparse.ArgumentParser) -> None:
        """The settings a config file may also set (shared by check and config)."""
        p.add_argument("--format", choices=FORMATS, default=None,
                       help="text (default), json, sarif (code scanning), junit (CI test reports), github "
                            "(workflow annotations), markdown (job summary / PR comment) or checklist "
                            "(the filled CARE checklist)")
        p.add_argument("--fail-on", choices=["missing", "partial", "never"], default=None,
                       help="exit 1 when an item is at or above this level (default: missing)")
        p.add_argument("--select", action="append", metavar="IDS",
                       help="check only these items (comma-separated, repeatable; CARE-13 or 13); "
                            "the others are shown as suppressed")
        p.add_argument("--ignore", action="append", metavar="IDS",
                       help="never fail on these items (like the config's disable)")
        p.add_argument("--exclude", action="append", metavar="GLOB",
                       help="leave out files and folders matching GLOB (gitignore syntax) when walking a "
                            "folder; repeatable; an explicit path is always checked")
        p.add_argument("--config", metavar="FILE", help="config file (default: nearest .care-check.yaml, "
                       "care-check.yaml or pyproject.toml [tool.care-check] from here upward)")
        p.add_argument("--isolated", action="store_true", help="ignore every config file: defaults and flags only")
        p.add_argument("--color", choices=COLORS, default=None,
                       help="colour in the text report: auto (default: on a terminal, off with NO_COLOR, "
                            "on with FORCE_COLOR), always or never")
        common(p)

    c = sub.add_parser("check", help="check manuscripts and report each CARE item", formatter_class=raw,
                       epilog=f"{EXAMPLES}\n\n{EXIT_CODES}")
    c.add_argument("paths", nargs="+", metavar="PATH",
                   help="files or folders ('-' reads one manuscript from standard input)")
    policy(c)
    c.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of stdout "
                   "(never one of the inputs)")
    c.add_argument("--summary-only", action="store_true",
                   help="text: print only the one-row-per-file summary table")
    c.add_argument("--summary", metavar="FILE.csv",
                   help="also write a CSV summary for a spreadsheet: one row per manuscript (sorted by scope, "
                        "then completeness), then the files not checked and why")
    c.add_argument("--sort", choices=SORTS, default="name",
                   help="order of the summary table: name (default), completeness or missing (worst first)")
    c.add_argument("--input-format", choices=INPUT_FORMATS, default=None,
                   help="read every file as this format instead of detecting it")
    c.add_argument("--stdin-filename", metavar="FILE",
                   help="the name of the manuscript read from '-' (for its format and in reports)")
    c.add_argument("-q", "--quiet", dest="verbosity", action="store_const", const=-1, default=0,
                   help="text: one summary line per failing file, nothing on success (the last of -q/-v wins)")
    c.add_argument("-v", "--verbose", dest="verbosity", action="store_const", const=1,
                   help="show up to three evidence sentences per item")
    limits(c)
    c.set_defaults(func=cmd_check)

    cl = sub.add_parser("checklist", help="write the filled CARE checklist for a submission (Markdown, CSV, Word)",
                        formatter_class=raw, epilog="examples:\n"
                        "  care-check checklist paper.docx -o checklist.docx   Word, in the official form's layout\n"
                        "  care-check checklist paper.pdf --format csv -o checklist.csv\n"
                        "  care-check checklist paper.md                        Markdown on standard output\n\n"
                        "Where reported is given the way the file counts: paragraph (DOCX), page and line (PDF),\n"
                        "line (text formats). The output's extension chooses the format when --format is not given.")
    cl.add_argument("path", metavar="FILE", help="the manuscript")
    cl.add_argument("--format", dest="checklist_format", choices=CHECKLIST_FORMATS, default=None,
                    help="md (default), csv or docx; inferred from -o's extension (.md, .csv, .docx)")
    cl.add_argument("-o", "--output", metavar="FILE", help="write to FILE (required for docx; never the manuscript)")
    cl.add_argument("--input-format", choices=INPUT_FORMATS, default=None,
                    help="read the file as this format instead of detecting it")
    cl.add_argument("--config", metavar="FILE", help="config file (its disable list marks items suppressed)")
    cl.add_argument("--isolated", action="store_true", help="ignore every config file")
    common(cl)
    limits(cl)
    cl.set_defaults(func=cmd_checklist)

    s = sub.add_parser("sections", help="print the detected structure of manuscripts")
    s.add_argument("paths", nargs="+", metavar="FILE")
    s.add_argument("--input-format", choices=INPUT_FORMATS, default=None)
    limits(s)
    s.set_defaults(func=cmd_sections)

    r = sub.add_parser("rules", help="list the checklist items, or explain one (care-check rules 13)")
    r.add_argument("item", nargs="?", metavar="ID", help="an item id (13, 5a, x-coi or CARE-13): what it asks, "
                   "where it looks, an example that satisfies it, the fix")
    r.add_argument("-v", "--verbose", action="store_true")
    r.add_argument("--check", action="store_true", help="also compile every pattern")
    common(r)
    r.set_defaults(func=cmd_rules)

    g = sub.add_parser("config", help="show the effective configuration and where each value came from")
    policy(g)
    g.add_argument("--json", action="store_true", help="as JSON")
    g.set_defaults(func=cmd_config)

    k = sub.add_parser("completion", help="print a shell completion script (bash, zsh or fish)")
    from .completion import SHELLS
    k.add_argument("shell", choices=SHELLS)
    k.set_defaults(func=cmd_completion)

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
