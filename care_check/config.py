"""Project configuration, so a journal or a lab sets its policy once instead of in every call.

Looked up from the current directory upward to the filesystem root; in each folder
``.care-check.yaml``, then ``care-check.yaml``, then ``[tool.care-check]`` in
``pyproject.toml``; the nearest wins. ``--config FILE`` names one explicitly. Command-line
flags override the file. A bad file is one line naming the file and the key (exit 2).
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from . import safe_yaml
from .errors import ConfigError
from .model import Report
from .reporters import FORMATS
FILE_NAMES = (".care-check.yaml", "care-check.yaml")


class Config(BaseModel):
    """The keys a config file may set; all optional."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fail_on: Literal["missing", "partial", "never"] | None = Field(None, alias="fail-on")
    disable: tuple[str, ...] = ()
    severity: dict[str, Literal["error", "warning", "info"]] = {}
    rules: str | None = None
    format: Literal[FORMATS] | None = None  # type: ignore[valid-type]
    exclude: tuple[str, ...] = ()  # globs (gitignore syntax) left out when a folder is walked
    time_limit: float | None = Field(None, alias="time-limit", ge=0, allow_inf_nan=False)
    memory_limit: int | None = Field(None, alias="memory-limit", ge=0)
    _source: str | None = PrivateAttr(None)

    @field_validator("disable", mode="before")
    @classmethod
    def _ids(cls, v: Any) -> Any:  # YAML reads `disable: [12, 13]` as numbers
        if isinstance(v, str):
            v = v.split(",")
        return tuple(str(i).strip() for i in v) if isinstance(v, (list, tuple)) else v

    @field_validator("exclude", mode="before")
    @classmethod
    def _globs(cls, v: Any) -> Any:
        return (v,) if isinstance(v, str) else v

    @field_validator("severity", mode="before")
    @classmethod
    def _keys(cls, v: Any) -> Any:
        return {str(k): val for k, val in v.items()} if isinstance(v, dict) else v

    @property
    def source(self) -> str | None:
        """The file this came from (None: no config file)."""
        return self._source

    def check_ids(self, known: Iterable[str]) -> None:
        """A typo in an item id would silently disable nothing: refuse it."""
        known = set(known)
        for key, ids in (("disable", self.disable), ("severity", tuple(self.severity))):
            for i in ids:
                if i not in known:
                    raise ConfigError(f"{self._source}: key '{key}': unknown item '{i}'")

    def apply(self, report: Report) -> Report:
        """The report with this config's severity overrides (the engine's report is untouched)."""
        if not self.severity:
            return report
        verdicts = [dataclasses.replace(v, severity=self.severity.get(v.id, v.severity)) for v in report.verdicts]
        return dataclasses.replace(report, verdicts=verdicts)


def _parse(path: Path) -> dict[str, Any] | None:
    """The care-check table of a file; None for a pyproject.toml without one."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    if path.suffix == ".toml":
        if path.name == "pyproject.toml" and "care-check" not in text:
            return None
        try:
            data: Any = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: invalid TOML: {exc}") from None
        tool = data.get("tool", {})
        if "care-check" in tool:
            data = tool["care-check"]
        elif path.name == "pyproject.toml":
            return None
    else:
        try:
            data = safe_yaml.load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" (line {mark.line + 1})" if mark is not None else ""
            raise ConfigError(f"{path}: invalid YAML{where}: {getattr(exc, 'problem', None) or exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of keys (fail-on, disable, severity, rules, format, exclude)")
    return data


def _validate(data: dict[str, Any], path: Path) -> Config:
    try:
        cfg = Config.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"]) or "?"
        msg = "unknown key" if err["type"] == "extra_forbidden" else err["msg"].removeprefix("Value error, ")
        raise ConfigError(f"{path}: key '{key}': {msg}") from None
    if cfg.rules and not Path(cfg.rules).is_absolute():  # a path in a file is relative to that file
        cfg = cfg.model_copy(update={"rules": str(path.parent / cfg.rules)})
    cfg._source = str(path)
    return cfg


def find_config(start: Path) -> tuple[Path, dict[str, Any]] | None:
    """The nearest config file from ``start`` upward, with its care-check table."""
    for folder in (start, *start.parents):
        for name in (*FILE_NAMES, "pyproject.toml"):
            p = folder / name
            if p.is_file():
                data = _parse(p)
                if data is not None:
                    return p, data
    return None


def load_config(explicit: str | None = None, start: Path | None = None) -> Config:
    """The config in effect: ``explicit`` if given, else the nearest file, else defaults."""
    if explicit:
        p = Path(explicit)
        if not p.is_file():
            raise ConfigError(f"{explicit}: config file not found")
        return _validate(_parse(p) or {}, p)
    found = find_config((start or Path.cwd()).resolve())
    return _validate(found[1], found[0]) if found else Config()
