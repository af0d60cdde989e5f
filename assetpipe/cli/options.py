"""The click options several commands share."""

from __future__ import annotations

import click

CONFIG_OPTION = click.option(
    "--config",
    "config_path",
    default="pipeline.yaml",
    show_default=True,
    help="Path to pipeline.yaml.",
)
