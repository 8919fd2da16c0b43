"""Import spaCy without its command-line package until something asks for it.

``import spacy`` runs ``from .cli.info import info``, and ``spacy.cli`` imports spaCy's whole
command line (typer, weasel, httpx, requests ...): about a third of spaCy's import time,
for commands care-check never runs. An import hook answers that first import of
``spacy.cli`` and ``spacy.cli.info`` with stand-ins; the first attribute asked of either
(``spacy.cli.app``, ``spacy.info()``) imports the real package and answers from it, and
``import spacy.cli.<command>`` finds the real submodule through the stand-in's path. So
nothing changes for code that uses spaCy's command line, except when it pays for it.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types
from typing import Any

_NAMES = ("spacy.cli.info", "spacy.cli")


class _StandIn(types.ModuleType):
    """A module that imports the real one on first use and forwards to it."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(_real(self.__name__), name)

    def __setattr__(self, name: str, value: Any) -> None:
        # spacy.cli's real ``info`` is the function, not the submodule the import system
        # would bind here; asking for it goes to the real package.
        if name == "info" and isinstance(value, _StandIn):
            return
        super().__setattr__(name, value)


def _info(*args: Any, **kwargs: Any) -> Any:
    return _real("spacy.cli.info").info(*args, **kwargs)


class _Hook(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Answers the first import of spacy.cli and spacy.cli.info with stand-ins."""

    def __init__(self, cli_path: list[str]) -> None:
        self.cli_path = cli_path

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if name not in _NAMES:
            return None
        spec = importlib.machinery.ModuleSpec(name, self, is_package=name == "spacy.cli")
        if name == "spacy.cli":
            spec.submodule_search_locations = list(self.cli_path)  # real submodules import as usual
        return spec

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return _StandIn(spec.name)

    def exec_module(self, module: types.ModuleType) -> None:
        if module.__name__ == "spacy.cli.info":
            module.info = _info  # what spacy/__init__.py takes from it


_hook: _Hook | None = None


def _real(name: str) -> types.ModuleType:
    """The real module ``name`` (spacy.cli or spacy.cli.info), imported now if it is not."""
    global _hook
    if _hook is not None and _hook in sys.meta_path:
        sys.meta_path.remove(_hook)
    _hook = None
    for n in _NAMES:
        if isinstance(sys.modules.get(n), _StandIn):
            del sys.modules[n]
    return importlib.import_module(name)


def install() -> None:
    """Put the hook in place, unless spaCy is already imported or not installed."""
    global _hook
    if _hook is not None or "spacy" in sys.modules:
        return
    try:
        spec = importlib.util.find_spec("spacy")
    except (ImportError, ValueError):
        return
    if spec is None or not spec.submodule_search_locations:
        return
    _hook = _Hook([f"{p}/cli" for p in spec.submodule_search_locations])
    sys.meta_path.insert(0, _hook)
