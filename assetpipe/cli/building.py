"""``assetpipe build``'s body, without click: the click command (``cli.build``) calls it, and
``cli.main`` calls it directly for a plain ``assetpipe build`` (the options below, no help, no
error): importing click and building its command tree costs about as much as a no-op build
itself, and a one-template edit build is meant to take a few tens of milliseconds more.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from .common import EXIT_OK, progress_bar, run_command, say, setup_logging

PROFILES = ("production", "development")
#: flags of ``assetpipe build`` → (keyword, value); ``-v`` counts
_FLAGS = {
    "--clean": ("clean", True),
    "--strict": ("strict", True),
    "--json": ("json_mode", True),
    "-q": ("quiet", True),
    "--quiet": ("quiet", True),
}


def plain_build_args(argv: list[str]) -> dict[str, Any] | None:
    """The keyword arguments of ``run_build`` for ``argv`` when it is ``build`` with only the
    options this parser knows, each valid (``--config X``, ``--profile production``, the flags,
    ``-v``/``-vv``/``--verbose``); ``None`` for anything else (``--help``, an unknown or a
    malformed option, another command), which click then parses, and reports."""
    if not argv or argv[0] != "build":
        return None
    args: dict[str, Any] = {
        "config_path": "pipeline.yaml",
        "clean": False,
        "strict": False,
        "profile": "production",
        "verbose": 0,
        "quiet": False,
        "json_mode": False,
    }
    rest = argv[1:]
    while rest:
        arg = rest.pop(0)
        name, eq, value = arg.partition("=")
        if name in ("--config", "--profile"):
            if not eq:
                if not rest:
                    return None
                value = rest.pop(0)
            if (
                not value
                or value.startswith("-")
                or (name == "--profile" and value not in PROFILES)
            ):
                return None
            args["config_path" if name == "--config" else "profile"] = value
        elif eq:
            return None
        elif arg in _FLAGS:
            key, flag = _FLAGS[arg]
            args[key] = flag
        elif arg == "--verbose" or (len(arg) > 1 and arg == "-" + "v" * (len(arg) - 1)):
            args["verbose"] += 1 if arg == "--verbose" else len(arg) - 1
        else:
            return None
    return args


def run_build(
    config_path: str,
    clean: bool,
    strict: bool,
    profile: str,
    verbose: int,
    quiet: bool,
    json_mode: bool,
) -> None:
    """Build the site and report it (exits with the command's code)."""
    setup_logging(verbose, quiet, json_mode)

    def body() -> int:
        from ..config import load_config
        from ..pipeline.run import build as pipeline_build

        cfg = load_config(config_path)
        with progress_bar(not quiet and not json_mode) as prog:
            result = pipeline_build(cfg, clean=clean, strict=strict, profile=profile, progress=prog)
        if json_mode:
            sys.stdout.write(json.dumps(result.to_json(), indent=2, sort_keys=True) + "\n")
            sys.stdout.flush()
        elif not quiet:
            _print_summary(result)
        return EXIT_OK

    run_command(body, verbose=verbose, json_mode=json_mode)


def _print_summary(result: Any) -> None:
    doc = result.to_json()
    parts = [
        f"{name} {s['files']} files"
        for name, s in doc["stages"].items()
        if s["files"] and name not in result.replayed
    ]
    if result.replayed:  # an edit build: these stages' part of the last build was kept
        parts.append(f"{', '.join(result.replayed)} as in the last build")
    cache = doc["cache"]
    if result.reused:
        say(
            f"{doc['manifest_entries']} assets → {result.output} (no input changed since the "
            f"last build; checked in {doc['seconds']:.2f}s)",
            lead="up to date:",
            style="green",
        )
    else:
        say(
            f"{doc['manifest_entries']} assets → {result.output} in "
            f"{doc['seconds']:.2f}s ({', '.join(parts) or 'nothing written'}; cache "
            f"{cache['hits']} hits, {cache['misses']} misses"
            + (f"; {doc['retained']} retained" if doc["retained"] else "")
            + ")",
            lead="built",
            style="green",
        )
    from ..imaging.notes import summary as images_summary

    images = result.report.get("images")
    if isinstance(images, dict) and (line := images_summary(images)):
        say(line)
    if doc["warnings"]:
        say(f"{len(doc['warnings'])} warning(s)", style="yellow")
