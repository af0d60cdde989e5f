"""The command line: the only package that imports click and rich. It parses arguments, calls
the importable core, renders logs, progress and results, and maps errors to exit codes:

0 ok · 1 the work failed · 2 usage or config error · 3 a required tool could not run.

Module map: ``common`` (console, log and error lines, exit codes, progress rendering, shared
options), one module per command group — ``build`` (``init``, ``build``), ``dev`` (``watch``,
``serve``), ``audit`` (``audit``, ``audit merge``) — and here the ``assetpipe`` group and
``main``, the console script's entry point. Each command's body imports the core it calls
lazily, so ``assetpipe --help`` stays fast.
"""

from __future__ import annotations

import click

from .._version import __version__
from .audit import audit
from .build import build, init
from .dev import serve, watch

__all__ = ["cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="assetpipe")
def cli() -> None:
    """Build, watch, serve and audit the frontend assets of a server-rendered web app."""


for command in (init, build, watch, serve, audit):
    cli.add_command(command)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="assetpipe")
