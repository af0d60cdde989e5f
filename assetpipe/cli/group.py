"""The ``assetpipe`` click group: every command."""

from __future__ import annotations

import click

from .._version import __version__
from .audit import audit
from .build import build, init
from .dev import serve, watch

__all__ = ["cli"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="assetpipe")
def cli() -> None:
    """Build, watch, serve and audit the frontend assets of a server-rendered web app."""


for command in (init, build, watch, serve, audit):
    cli.add_command(command)
