"""``assetpipe build``'s body, without click: the click command (``cli.build``) calls it, and
``cli.main`` calls it directly for a plain ``assetpipe build`` (the options of
``build_options``, no help, no error): importing click and building its command tree costs about as much as a no-op build
itself, and a one-template edit build is meant to take a few tens of milliseconds more.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from .build_options import BUILD_OPTIONS, BuildOption
from .common import EXIT_OK, progress_bar, run_command, say, setup_logging


def plain_build_args(argv: list[str]) -> dict[str, Any] | None:
    """The keyword arguments of ``run_build`` for ``argv`` when it is ``build`` with only the
    options of ``build_options.BUILD_OPTIONS``, each valid (a value given and not an option,
    from the choices if it has them; a flag without ``=``; ``-v``, ``-vv``...); ``None`` for
    anything else (``--help``, an unknown or a malformed option, another command), which click
    then parses, and reports."""
    if not argv or argv[0] != "build":
        return None
    args: dict[str, Any] = {o.dest: o.default for o in BUILD_OPTIONS}
    by_name = {name: o for o in BUILD_OPTIONS for name in o.names}
    rest = argv[1:]
    while rest:
        arg = rest.pop(0)
        name, eq, value = arg.partition("=")
        if eq and not name.startswith("--"):
            return None  # ``-c=x.yaml``: click reads the value as ``=x.yaml``
        opt = by_name.get(name)
        if opt is not None and opt.kind == "value":
            if not eq:
                if not rest:
                    return None
                value = rest.pop(0)
            if not value or value.startswith("-") or (opt.choices and value not in opt.choices):
                return None
            args[opt.dest] = value
        elif eq:
            return None
        elif opt is not None:
            args[opt.dest] = True if opt.kind == "flag" else args[opt.dest] + 1
        elif (count := _stacked(arg)) is not None:
            args[count.dest] += len(arg) - 1
        else:
            return None
    return args


def _stacked(arg: str) -> BuildOption | None:
    """The count option ``arg`` repeats as one short option (``-vv``, ``-vvv``), if any."""
    for o in BUILD_OPTIONS:
        short = next((n for n in o.names if len(n) == 2), None)
        if o.kind == "count" and short and len(arg) > 2 and arg == "-" + short[1] * (len(arg) - 1):
            return o
    return None


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
    setup_logging(verbose, quiet, json_mode, deferred=True)

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
