"""Progress of long work (a security scan, a billing ingest) for whoever is watching.

Long-running code calls `report(...)` at each step; a front-end that wants to show progress wraps
the work in `watch_progress(sink)` (the terminal draws a line on stderr). Nobody watching costs a
context-variable lookup. The watcher is a context variable, so concurrent turns of a server never
see each other's steps, and a broken sink never breaks the work.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProgressStep:
    """`task` ("security scan"), `done` of `total` steps (None: unknown) and what is going on."""

    task: str
    done: int
    total: int | None
    detail: str = ""
    finished: bool = False


ProgressSink = Callable[[ProgressStep], None]

_sink: ContextVar[ProgressSink | None] = ContextVar("cloudpilot_progress", default=None)


def report(
    task: str, done: int, total: int | None = None, detail: str = "", *, finished: bool = False
) -> None:
    """Tell the watcher, if there is one, that `done` of `total` steps of `task` are done."""
    sink = _sink.get()
    if sink is None:
        return
    try:
        sink(ProgressStep(task, done, total, detail, finished))
    except Exception:  # showing progress must never fail the work
        log.debug("progress sink failed", exc_info=True)


@contextmanager
def watch_progress(sink: ProgressSink) -> Iterator[None]:
    """Send the steps reported inside the block (in this context) to `sink`."""
    token = _sink.set(sink)
    try:
        yield
    finally:
        _sink.reset(token)
