"""Progress bars for long CLI work: on standard error, and only when it is a terminal, so that
pipes, files and tests see nothing but the output they asked for."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

Report = Callable[[int, int], None]  # (done, total)


class Bars:
    """``with Bars() as bars: work(progress=bars.stage("reading events"))``; a stage is None
    when no bar is shown, which every ``progress=`` parameter accepts."""

    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self.bar: Any = None

    def __enter__(self) -> Bars:
        if self.enabled and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import Progress

            self.bar = Progress(console=Console(stderr=True), transient=True)
            self.bar.__enter__()
        return self

    def stage(self, description: str) -> Report | None:
        if self.bar is None:
            return None
        task = self.bar.add_task(description, total=None)

        def report(done: int, total: int) -> None:
            self.bar.update(task, completed=done, total=total)
        return report

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
