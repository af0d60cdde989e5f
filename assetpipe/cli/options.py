"""The click options several commands share, made from ``build_options``' declarations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from .build_options import CONFIG, BuildOption

F = TypeVar("F", bound=Callable[..., Any])


def click_option(o: BuildOption) -> Callable[[F], F]:
    """The click decorator of one ``build_options`` entry."""
    if o.kind == "value":
        return click.option(
            *o.names,
            o.dest,
            default=o.default,
            show_default=True,
            type=click.Choice(o.choices) if o.choices else None,
            help=o.help,
        )
    return click.option(
        *o.names, o.dest, is_flag=o.kind == "flag", count=o.kind == "count", help=o.help
    )


CONFIG_OPTION = click_option(CONFIG)
