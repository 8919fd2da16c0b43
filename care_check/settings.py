"""The settings a run uses, each with where it came from: flag, config file or default.

``care-check check`` and ``care-check config`` resolve settings here, so what ``config``
shows is exactly what ``check`` uses. Precedence, as in ruff and Vale: command-line flags,
then the config file (``--config FILE``, else the nearest one; none with ``--isolated``),
then defaults. Colour comes from ``--color``, else ``NO_COLOR``/``FORCE_COLOR``, else
whether the output is a terminal.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .config import Config, load_config
from .errors import ConfigError

DEFAULT = "default"


@dataclass(frozen=True)
class Setting:
    """One effective value and where it came from (shown by care-check config)."""

    value: Any
    source: str  # "default", a config file path, "--flag" or an environment variable


@dataclass
class Settings:
    """Effective settings; ``values`` keeps the order ``care-check config`` prints."""

    config: Config
    values: dict[str, Setting] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.values[key].value

    def suppressed_by_policy(self, known: Iterable[str]) -> dict[str, str]:
        """Item id -> why, for items the config's ``disable``, ``--ignore`` or ``--select`` turn off."""
        known = list(known)
        out = {i: "config" for i in self["disable"]}
        for i in self["ignore"]:
            out.setdefault(i, "--ignore")
        if self["select"]:
            for i in known:
                if i not in self["select"]:
                    out.setdefault(i, "not in --select")
        return out

    def check_ids(self, known: Iterable[str]) -> None:
        """Unknown ids in the config or in --select/--ignore would silently do nothing: refuse them."""
        known = set(known)
        self.config.check_ids(known)
        for key in ("select", "ignore"):
            for i in self[key]:
                if i not in known:
                    raise ConfigError(f"--{key}: unknown item '{i}' (see care-check rules)")


def split_ids(values: Iterable[str] | None, guideline: str = "care") -> tuple[str, ...]:
    """Ids from repeatable, comma-separated flags; a namespaced id (``CARE-3a``) is accepted."""
    out: list[str] = []
    prefix = guideline.lower() + "-"
    for v in values or ():
        for i in v.split(","):
            i = i.strip()
            if i.lower().startswith(prefix):
                i = i[len(prefix):]
            if i and i not in out:
                out.append(i.lower())
    return tuple(out)


def color_setting(flag: str | None, env: Mapping[str, str] | None = None) -> Setting:
    """``always``/``never``/``auto`` and why: the flag, then NO_COLOR, then FORCE_COLOR."""
    env = os.environ if env is None else env
    if flag and flag != "auto":
        return Setting(flag, "--color")
    if env.get("NO_COLOR"):
        return Setting("never", "NO_COLOR")
    if env.get("FORCE_COLOR"):
        return Setting("always", "FORCE_COLOR")
    return Setting("auto", "--color" if flag else DEFAULT)


def resolve(args: argparse.Namespace) -> Settings:
    """The effective settings for parsed ``check``/``config`` arguments."""
    if getattr(args, "isolated", False) and getattr(args, "config", None):
        raise ConfigError("--isolated and --config exclude each other (--isolated reads no config file)")
    cfg = Config() if getattr(args, "isolated", False) else load_config(getattr(args, "config", None))
    src = cfg.source or DEFAULT
    s = Settings(cfg)

    def pick(key: str, flag: Any, from_cfg: Any, default: Any) -> None:
        if flag not in (None, (), []):
            s.values[key] = Setting(flag, "--" + key)
        elif from_cfg not in (None, (), [], {}):
            s.values[key] = Setting(from_cfg, src)
        else:
            s.values[key] = Setting(default, DEFAULT)

    s.values["config-file"] = Setting(cfg.source, "--isolated" if getattr(args, "isolated", False)
                                      else "--config" if getattr(args, "config", None) else
                                      "found from here upward" if cfg.source else DEFAULT)
    pick("fail-on", getattr(args, "fail_on", None), cfg.fail_on, "missing")
    pick("format", getattr(args, "format", None), cfg.format, "text")
    pick("rules", getattr(args, "rules", None), cfg.rules, None)
    pick("select", split_ids(getattr(args, "select", None)), (), ())
    pick("ignore", split_ids(getattr(args, "ignore", None)), (), ())
    s.values["disable"] = Setting(cfg.disable, src if cfg.disable else DEFAULT)
    s.values["severity"] = Setting(dict(cfg.severity), src if cfg.severity else DEFAULT)
    pick("exclude", tuple(getattr(args, "exclude", None) or ()), cfg.exclude, ())
    s.values["color"] = color_setting(getattr(args, "color", None))
    return s
