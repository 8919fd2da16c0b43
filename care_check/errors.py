"""Errors the CLI turns into one line and a documented exit code, never a traceback."""

from __future__ import annotations


class CareCheckError(Exception):
    """Base class: ``str(err)`` is the whole message a user sees after the file name."""


class InputError(CareCheckError):
    """A manuscript that cannot be read: missing, unreadable, binary, hostile, too large."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class RuleError(CareCheckError):
    """A rule or lexicon file that does not validate: names the file, rule and field."""

    def __init__(self, path: str, problem: str, rule_id: str | None = None, field: str | None = None) -> None:
        where = path
        if rule_id:
            where += f": rule {rule_id}"
        if field:
            where += f": field '{field}'"
        super().__init__(f"{where}: {problem}")
        self.path = path
        self.rule_id = rule_id
        self.field = field


class ConfigError(CareCheckError):
    """A configuration file or option that makes no sense."""


MAX_LINE = 500  # characters of one error or warning line


def printable(text: str) -> str:
    """``text`` with nothing a terminal would act on: control characters, line breaks and
    the bytes of a file name that are not UTF-8 (Python's surrogate escapes) are shown as
    escapes, so a name or a parser's message can never break a line or forge output."""
    if text.isprintable():
        return text
    out = []
    for ch in text:
        o = ord(ch)
        if ch.isprintable():
            out.append(ch)
        elif 0xDC80 <= o <= 0xDCFF:  # a byte of a non-UTF-8 file name
            out.append(f"\\x{o - 0xDC00:02x}")
        elif o < 0x100:
            out.append(f"\\x{o:02x}" if ch not in "\n\t\r" else {"\n": "\\n", "\t": "\\t", "\r": "\\r"}[ch])
        else:
            out.append(f"\\u{o:04x}" if o <= 0xFFFF else f"\\U{o:08x}")
    return "".join(out)


def one_line(message: str) -> str:
    """A message as one printable line of bounded length (a parser's text may hold line
    breaks, NUL bytes or a whole echoed input)."""
    text = printable(message.strip())
    return text if len(text) <= MAX_LINE else text[: MAX_LINE - 1] + "…"
