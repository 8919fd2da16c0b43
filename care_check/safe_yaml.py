"""YAML for config and rule files, loaded with limits a hand-written file never reaches.

PyYAML builds aliases as shared references, so a few hundred bytes of nested aliases
("billion laughs") become a structure that anything walking it expands to gigabytes, and
a deeply nested flow collection overflows the composer's recursion. Before anything is
built, the event stream (a flat, iterative parse) is checked: nesting depth, the size the
document would have with every alias expanded, and duplicate keys in a mapping (which
PyYAML otherwise resolves silently to the last one). A problem raises :class:`LimitError`,
a ``yaml.MarkedYAMLError``, so callers report it like any YAML error, with its line.
"""

from __future__ import annotations

from typing import Any

import yaml

MAX_DEPTH = 64  # nesting of mappings and sequences; rule files use under 10
MAX_NODES = 200_000  # nodes with every alias expanded; the largest shipped file has a few thousand


class LimitError(yaml.MarkedYAMLError):
    """A YAML document over a limit, or with a duplicate key; ``problem`` says which."""

    def __init__(self, problem: str, mark: Any) -> None:
        super().__init__(problem=problem, problem_mark=mark)


class _Frame:
    __slots__ = ("size", "anchor", "mapping", "expect_key", "keys")

    def __init__(self, anchor: str | None, mapping: bool) -> None:
        self.size = 1
        self.anchor = anchor
        self.mapping = mapping
        self.expect_key = True
        self.keys: set[str] = set()


def check(text: str, loader: type = yaml.SafeLoader) -> None:
    """Raise LimitError when ``text`` nests too deeply, expands too far or repeats a key."""
    sizes: dict[str, int] = {}  # anchor -> expanded size of its node
    stack: list[_Frame] = []

    def add(size: int, mark: Any, key: str | None = None) -> None:
        if not stack:
            return
        parent = stack[-1]
        parent.size += size
        if parent.size > MAX_NODES:
            raise LimitError(f"expands to over {MAX_NODES:,} values (aliases nested too far)", mark)
        if parent.mapping:
            if parent.expect_key and key is not None:
                if key in parent.keys:
                    raise LimitError(f"duplicate key '{key[:60]}'", mark)
                parent.keys.add(key)
            parent.expect_key = not parent.expect_key

    for event in yaml.parse(text, Loader=loader):
        mark = event.start_mark
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            if len(stack) >= MAX_DEPTH:
                raise LimitError(f"nested over {MAX_DEPTH} levels deep", mark)
            stack.append(_Frame(event.anchor, isinstance(event, yaml.MappingStartEvent)))
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            frame = stack.pop()
            if frame.anchor:
                sizes[frame.anchor] = frame.size
            add(frame.size, mark)
        elif isinstance(event, yaml.ScalarEvent):
            if event.anchor:
                sizes[event.anchor] = 1
            add(1, mark, event.value)
        elif isinstance(event, yaml.AliasEvent):
            add(sizes.get(event.anchor, 1), mark)


def load(text: str, loader: type = yaml.SafeLoader) -> Any:
    """``yaml.load`` with ``loader`` (a SafeLoader kind) after :func:`check` passed."""
    check(text, loader)
    return yaml.load(text, Loader=loader)  # noqa: S506 - callers pass SafeLoader subclasses
