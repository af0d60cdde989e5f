"""What every command shares: the console, log lines, error lines and exit codes, progress
rendering (the ``--config`` option is ``options``'). The only module of the CLI that knows
rich's renderables for logs and progress; the core never prints. It imports no click: a plain
``assetpipe build`` runs without it (``building``).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

from .. import logs
from ..errors import AssetpipeError
from ..progress import NullProgress
from .console import esc, make_console, say, styled

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_TOOL = 0, 1, 2, 3


__all__ = ["esc", "make_console", "say", "styled"]  # re-exported: the commands' one import


def setup_logging(verbose: int, quiet: bool, json_mode: bool, *, deferred: bool = False) -> None:
    """Core log records as lines on stderr (``loglines``), at the level the flags ask. With
    ``deferred`` (``assetpipe build``) the handler is installed, and ``logging`` imported, only
    when a record is to be shown (``assetpipe.logs``); a build that logs nothing never loads
    it."""
    level = logs.WARNING if quiet or json_mode else (logs.DEBUG if verbose else logs.INFO)

    def install() -> None:
        from .loglines import install_handler

        install_handler(level)

    if not deferred:
        import logging  # noqa: F401 - imported: ``configure`` installs the handler at once
    logs.configure(level, install)


def report_error(err: AssetpipeError, json_mode: bool) -> int:
    """Print an error as ``error: FILE:LINE:COL: what`` + optional ``hint:`` lines (stderr);
    with ``--json`` also one JSON document on stdout. Returns the exit code."""
    console = make_console()
    for line, hint in err.lines():
        console.print(f"[bold red]error:[/] {esc(line)}")
        if hint:
            console.print(f"[cyan]hint:[/] {esc(hint)}")
    if json_mode:
        doc = {
            "ok": False,
            "exit_code": err.exit_code,
            "errors": [{"message": line, "hint": hint} for line, hint in err.lines()],
        }
        sys.stdout.write(json.dumps(doc, indent=2, sort_keys=True) + "\n")
        sys.stdout.flush()
    return err.exit_code


def run_command(fn: Callable[[], int], *, verbose: int, json_mode: bool) -> None:
    """Run a command body, mapping ``AssetpipeError`` to its exit code (traceback only with
    ``-v``), and Ctrl-C to 130."""
    try:
        code = fn()
    except AssetpipeError as err:
        if verbose:
            logs.logger("assetpipe").exception("traceback")
        code = report_error(err, json_mode)
    except KeyboardInterrupt:
        code = 130
    sys.exit(code)


def exit_now(done: SystemExit) -> NoReturn:
    """End the process as ``done`` would, without the interpreter's teardown: exit handlers
    run (``atexit``: logging's flush, coverage, finalizers) and stdout/stderr are flushed, then
    ``os._exit``. Freeing the ~220 modules a build imports, object by object, is about a tenth
    of a one-template edit build's process (bench/real_flask_app.py), with nothing to gain.
    When another thread still runs, or a code is not an int, the ordinary exit (``done``)."""
    import atexit
    import threading

    code = done.code
    if code is None:
        code = 0
    if not isinstance(code, int) or threading.active_count() > 1:
        raise done
    try:
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:  # a closed pipe, an exit handler's error: the ordinary exit reports it
        raise done from None
    os._exit(code)


class _BarProgress:
    """Renders core progress as a rich progress bar (stderr, TTY only)."""

    def __init__(self, progress: Any) -> None:
        self.p = progress
        self.tasks: dict[str, Any] = {}

    def start(self, stage: str, total: int) -> None:
        if total > 1:
            self.tasks[stage] = self.p.add_task(stage, total=total)

    def advance(self, stage: str, n: int = 1) -> None:
        if stage in self.tasks:
            self.p.advance(self.tasks[stage], n)

    def finish(self, stage: str) -> None:
        task = self.tasks.pop(stage, None)
        if task is not None:
            self.p.remove_task(task)


class _LineProgress(NullProgress):
    """Renders core progress as one line per finished stage (stderr): for CI logs and pipes."""

    def done(self, stage: Any) -> None:
        if stage.idle:
            return
        say(stage.line())


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Any]:
    """A ``Progress`` for the core: a live bar when enabled and both stdout and stderr are
    terminals, else a line per stage as it finishes."""
    if not enabled:
        yield NullProgress()
        return
    if not (sys.stderr.isatty() and sys.stdout.isatty()):
        yield _LineProgress()
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("{task.description:>10}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=make_console(),
        transient=True,
    ) as p:
        yield _BarProgress(p)
