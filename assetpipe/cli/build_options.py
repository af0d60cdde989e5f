"""The options of ``assetpipe build``, declared once: the click command (``cli.build``) is
decorated from this table and the click-free parser of a plain ``assetpipe build``
(``building.plain_build_args``) reads it, so the two cannot disagree on a name, a default or a
choice. Importing it imports no click (the plain path must not).

Each option is a ``flag`` (``--strict``: ``True`` when given), a ``count`` (``-v``, ``-vv``,
``--verbose``: how many times) or a ``value`` (``--config X`` or ``--config=X``, from
``choices`` when it has them); ``dest`` is ``building.run_build``'s keyword for it.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

PROFILES = ("production", "development")


class BuildOption(NamedTuple):
    """One option of ``assetpipe build`` (module docstring)."""

    names: tuple[str, ...]
    dest: str
    kind: Literal["flag", "count", "value"]
    help: str
    default: str | bool | int = False
    choices: tuple[str, ...] = ()


#: ``--config``, which other commands share (``options.CONFIG_OPTION``)
CONFIG = BuildOption(
    ("-c", "--config"), "config_path", "value", "Path to pipeline.yaml.", "pipeline.yaml"
)

BUILD_OPTIONS: tuple[BuildOption, ...] = (
    CONFIG,
    BuildOption(("--clean",), "clean", "flag", "Empty the cache first."),
    BuildOption(("--strict",), "strict", "flag", "Fail (exit 1) on warnings."),
    BuildOption(
        ("--profile",),
        "profile",
        "value",
        "development: as assetpipe watch builds (no precompression, unminified bundles).",
        "production",
        PROFILES,
    ),
    BuildOption(("-v", "--verbose"), "verbose", "count", "More output; tracebacks on errors.", 0),
    BuildOption(("-q", "--quiet"), "quiet", "flag", "Only warnings and errors."),
    BuildOption(("--json",), "json_mode", "flag", "Print one JSON document on stdout."),
)
