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
