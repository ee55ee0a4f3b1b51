"""A progress bar for the commands that take a while (``backcare fhir export``,
``backcare import``): drawn by rich when the output is a terminal, nothing otherwise, so that a
log or a pipe gets only the command's summary."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn


class Bar:
    """What a command tells its bar; a bar not shown ignores it."""

    def __init__(self, progress: Progress, task: TaskID) -> None:
        self._progress = progress
        self._task = task

    def advance(self, label: str | None = None) -> None:
        """One more done, under ``label`` (what is being done now) if given."""
        if label is None:
            self._progress.update(self._task, advance=1)
        else:
            self._progress.update(self._task, advance=1, description=label)

    def reach(self, done: int, total: int | None = None) -> None:
        """``done`` of ``total`` done (the total as last given, if not)."""
        if total is None:
            self._progress.update(self._task, completed=done)
        else:
            self._progress.update(self._task, completed=done, total=total)


@contextmanager
def terminal_bar(
    label: str, total: Callable[[], int | None] = lambda: None, *, stream: IO[str] | None = None
) -> Iterator[Bar]:
    """A bar on ``stream`` (standard output by default) while the block runs, if it is a
    terminal; it is cleared at the end. ``total`` is asked only when the bar is shown, as
    counting may cost a query."""
    stream = stream if stream is not None else sys.stdout
    shown = stream.isatty()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=Console(file=stream),
        disable=not shown,
        transient=True,
    ) as progress:
        yield Bar(progress, progress.add_task(label, total=total() if shown else None))
