"""Classic scripts esbuild cannot parse, shipped as written.

A classic entry is minified on its own (``classic``): nothing else is built into it, so an
error esbuild reports in it is that file's alone, and a browser fails on it too. pretalx
2025.2.2's ``orga/js/ui/questionstats.js`` declares ``const data`` inside ``(data) => {...}``
("Identifier 'data' has already been declared" on its question page, before adoption as after):
the build stopped on it, so one broken script of the app's kept every page from being adopted.
Such an entry is left out of esbuild's build and shipped as it is, under a content-hashed name
(the page fails on it as it did), with a warning naming esbuild's error: ``build --strict``
still fails on it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from ..esbuild.result import EsbuildError, Result
from ..hashing import hashed_name
from .base import StageContext


def build_parsable(
    ctx: StageContext, keys: list[str], build: Callable[[list[str]], Result]
) -> tuple[Result, list[str]]:
    """``build(entries)`` of the classic entries ``keys``, without those whose every esbuild
    error is their own, each then added to the result as written (module doc); and those
    keys. An error in any other file is raised as it was."""
    left, unparsed = list(keys), []
    while True:
        try:
            result = build(left) if left else Result({}, {"inputs": {}, "outputs": {}})
            break
        except EsbuildError as err:
            files = {m.file for m in err.messages}
            if not files or not files <= set(left):
                raise
            for m in err.messages:
                assert m.file is not None
                ctx.warn(
                    f"esbuild cannot parse this classic script ({m.text}): shipped as"
                    " written, as browsers get it today (they fail on it too)",
                    ctx.source_location(m.file, m.line, m.col),
                )
            unparsed += sorted(f for f in files if f is not None)
            left = [k for k in left if k not in files]
    return _as_written(ctx, result, unparsed), unparsed


def _as_written(ctx: StageContext, result: Result, keys: list[str]) -> Result:
    """``result`` with each source of ``keys`` added as an entry output of its own, under a
    content-hashed name."""
    files = dict(result.files)
    outputs = dict(result.metafile.get("outputs", {}))
    for key in keys:
        source = ctx.sources.files[key].path.read_bytes()
        name = hashed_name(key, ctx.sources.sha256(key))
        files[name] = source
        outputs[name] = {
            "entryPoint": key,
            "bytes": len(source),
            "inputs": {key: {"bytesInOutput": len(source)}},
            "imports": [],
            "exports": [],
        }
    return replace(result, files=files, metafile={**result.metafile, "outputs": outputs})
