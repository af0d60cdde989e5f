"""The command line: the only package that imports click and rich. It parses arguments, calls
the importable core, renders logs, progress and results, and maps errors to exit codes:

0 ok · 1 the work failed · 2 usage or config error · 3 a required tool could not run.

Module map: ``common`` (console, log and error lines, exit codes, progress rendering),
``options`` (shared click options), one module per command group — ``build`` (``init``,
``build``; its body in ``building``), ``dev`` (``watch``, ``serve``), ``audit`` (``audit``,
``audit merge``) — ``group``, the ``assetpipe`` group, and here ``main``, the console script's
entry point. Each command's body imports the core it calls lazily, so ``assetpipe --help``
stays fast; a plain ``assetpipe build`` (``building.plain_build_args``) runs without click.
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["cli", "main"]


def main() -> None:
    """Console-script entry point."""
    from .building import plain_build_args, run_build
    from .common import exit_now

    args = plain_build_args(sys.argv[1:])
    if args is not None:
        try:
            run_build(**args)
        except SystemExit as done:
            exit_now(done)
        return
    from .group import cli

    cli(prog_name="assetpipe")


def __getattr__(name: str) -> Any:
    """``cli``, the click group (imported on first use: ``main`` may not need click)."""
    if name == "cli":
        from .group import cli

        return cli
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
