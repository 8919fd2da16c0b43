"""A progress bar on standard error while a batch is checked, only where someone watches it.

It is shown when standard error is a terminal and the report goes elsewhere (a file, a
pipe, ``-o``): a report printed on the same terminal is its own progress. Piped or in CI,
nothing is drawn. The bar is redrawn by the checking loop itself, with no thread of its
own, since the loop forks the per-file children and a fork must not copy a half-held lock.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager


def wanted(files: int, report_to_terminal: bool) -> bool:
    """Whether to draw a bar for ``files`` files."""
    try:
        return files > 1 and sys.stderr.isatty() and not report_to_terminal
    except (AttributeError, ValueError):
        return False


@contextmanager
def bar(total: int, show: bool) -> Iterator[Callable[[], None]]:
    """A function to call once per file done; it draws nothing unless ``show``."""
    if not show:
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    progress = Progress(TextColumn("checking"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                        console=Console(stderr=True), transient=True, auto_refresh=False,
                        redirect_stdout=False, redirect_stderr=True)
    task = progress.add_task("checking", total=total)
    with progress:
        yield lambda: progress.update(task, advance=1, refresh=True)
