"""The progress protocol between the core and whoever shows it.

The core (a build, an audit) reports progress through a ``Progress`` it is given: ``start`` a
stage with a number of items, ``advance`` it, ``finish`` it; after each build stage the
orchestrator also calls ``done(StageDone)`` when the object has that method. The core never
prints: the CLI renders these calls (a live bar on a terminal, a line per finished stage
otherwise); ``NullProgress`` shows nothing (the default of the importable API, and tests).
"""

from __future__ import annotations

from typing import Protocol

from .records import dataclass


@dataclass(frozen=True)
class StageDone:
    """A finished stage, for a progress line: its inputs (the source files it made manifest
    entries for, else the items it announced to ``Progress.start``; ``None``: unknown), the
    files it wrote, its cache hits and misses (misses: work really done), seconds."""

    stage: str
    inputs: int | None
    outputs: int
    hits: int
    misses: int
    seconds: float

    @property
    def idle(self) -> bool:
        """The stage had nothing to do (no inputs configured or found)."""
        return not (self.inputs or self.outputs or self.hits or self.misses)

    def line(self) -> str:
        """``images: 63 inputs, 189 outputs (120 cache hits, 12 misses) in 4.10 s``."""
        counts = ([_plural(self.inputs, "input")] if self.inputs is not None else []) + [
            _plural(self.outputs, "output")
        ]
        return (
            f"{self.stage}: {', '.join(counts)} ({_plural(self.hits, 'cache hit')}, "
            f"{_plural(self.misses, 'miss', 'misses')}) in {self.seconds:.2f} s"
        )


def _plural(n: int, one: str, many: str = "") -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


class Progress(Protocol):
    """How the core reports progress; the CLI renders it (a live bar on a terminal, a line per
    finished stage otherwise), tests may ignore it. ``done`` is called by the orchestrator after
    each stage (an object without it is still a ``Progress``: it is just not told)."""

    def start(self, stage: str, total: int) -> None: ...
    def advance(self, stage: str, n: int = 1) -> None: ...
    def finish(self, stage: str) -> None: ...


class NullProgress:
    """A ``Progress`` that shows nothing."""

    def start(self, stage: str, total: int) -> None:
        pass

    def advance(self, stage: str, n: int = 1) -> None:
        pass

    def finish(self, stage: str) -> None:
        pass

    def done(self, stage: StageDone) -> None:
        pass


class StageTally:
    """Wraps a ``Progress`` for one stage run, remembering the total the stage announced."""

    def __init__(self, inner: Progress) -> None:
        self.inner = inner
        self.total: int | None = None

    def start(self, stage: str, total: int) -> None:
        self.total = total
        self.inner.start(stage, total)

    def advance(self, stage: str, n: int = 1) -> None:
        self.inner.advance(stage, n)

    def finish(self, stage: str) -> None:
        self.inner.finish(stage)
