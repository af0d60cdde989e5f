"""Entries shipped as their authors wrote them: a file someone shipped minified whose esbuild
output is not smaller once compressed goes out as it is, under a content-hashed name, so
adoption never makes a page heavier.

Re-minifying what a minifier already made rarely gains and can lose: archivy's EasyMDE
``editor.js`` (a classic script), 89.2 KB in brotli, came out 93.0 KB; docker-flask-example's
Tailwind stylesheet (``tailwindcss --minify``) came out 28 bytes smaller raw and 29 bytes
larger in brotli. Only files shipped minified (``bundling.shipped_minified``: named ``*.min.*``
or written on minified lines) are compared: anything else may need what esbuild does to it
(TypeScript, ``define``, lowering to the target); a vendor's minified build was made for
browsers as it is. The comparison is zlib's level 6 of both, a proxy for every encoding.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Mapping
from typing import Any

from ..esbuild.result import Result
from ..hashing import hashed_name
from .base import StageContext
from .bundling import shipped_minified

__all__ = [
    "as_written",
    "entry_outputs",
    "heavier",
    "heavier_unmapped",
    "keep_smaller",
    "stands_alone",
]


def entry_outputs(result: Result) -> dict[str, str]:
    """Output file -> the entry key it was built from (only entry outputs)."""
    out = {}
    for path, info in result.metafile.get("outputs", {}).items():
        if info.get("entryPoint"):
            out[path] = str(info["entryPoint"])
    return out


#: esbuild's source-map comment at an output's end
_MAP_COMMENT = re.compile(rb"(/\*# sourceMappingURL=[^*]*\*/|//# sourceMappingURL=\S*)\s*$")


def heavier(key: str, built: bytes, source: bytes) -> bool:
    """Whether esbuild's ``built`` output of the entry ``key`` is not smaller once compressed
    than its ``source`` as shipped, when the source was shipped minified, or when the output is
    nothing but its source-map comment (an empty ``custom.js`` or ``custom.css`` a starter
    ships for the user to fill, Wagtail CRX's: 55 and 60 bytes of comment, where the page had
    loaded an empty file)."""
    if not shipped_minified(key, source) and _MAP_COMMENT.sub(b"", built).strip():
        return False
    return len(zlib.compress(built, 6)) >= len(zlib.compress(source, 6))


def heavier_unmapped(key: str, built: bytes, source: bytes) -> bool:
    """``heavier``, for a file without a ``sourceMappingURL`` comment: a stylesheet that has one
    (Bootstrap's ``bootstrap.min.css``) keeps esbuild's output, whose own map chains the
    file's map into it (``init`` leaves the input map out of the build: shipped as written,
    the file would name a map the build does not have)."""
    return b"sourceMappingURL=" not in source and heavier(key, built, source)


def stands_alone(info: Mapping[str, Any]) -> bool:
    """Whether an output (its metafile ``info``) was built from its entry alone and names no
    other file: a stylesheet without ``@import`` or ``url()``, whose source needs nothing the
    build rewrites."""
    return not info.get("imports") and len(info.get("inputs") or {}) <= 1


def keep_smaller(
    ctx: StageContext,
    result: Result,
    alone: Callable[[Mapping[str, Any]], bool] = lambda _info: True,
    keep: Callable[[str, bytes, bytes], bool] = heavier,
) -> Result:
    """``result`` with each entry output ``keep`` picks (``heavier`` than its source) replaced
    by the source (``as_written``), in a production build; ``alone(output's metafile info)``
    says the output may be (``stands_alone`` for stylesheets: their ``url()``s and
    ``@import``s are rewritten by the build, which a file shipped as it is would not have;
    ``heavier_unmapped`` for them: a stylesheet's input map is not in the build)."""
    if ctx.profile != "production":
        return result
    return as_written(ctx, result, keep, alone)


def as_written(
    ctx: StageContext,
    result: Result,
    keep: Callable[[str, bytes, bytes], bool],
    alone: Callable[[Mapping[str, Any]], bool] = lambda _info: True,
) -> Result:
    """``result`` with each entry output that ``keep(key, built, source)`` picks (and
    ``alone(its metafile info)`` allows) replaced by its source file as it is, under a content-hashed name
    (its map and legal comments dropped). An ES module's output (bundled as an IIFE for a
    classic tag) never is."""
    files = dict(result.files)
    outputs = dict(result.metafile["outputs"])
    inputs = result.metafile.get("inputs", {})
    for path, key in entry_outputs(result).items():
        if (inputs.get(key) or {}).get("format") == "esm" or key not in ctx.sources:
            continue
        source = ctx.sources.files[key].path.read_bytes()
        if not alone(outputs[path]) or not keep(key, files[path], source):
            continue
        name = hashed_name(key, ctx.sources.sha256(key))
        info = dict(outputs.pop(path), bytes=len(source))
        for side in (path + ".map", path + ".LEGAL.txt"):
            files.pop(side, None)
            outputs.pop(side, None)
        del files[path]
        files[name] = source
        outputs[name] = info
    return Result(
        files, {**result.metafile, "outputs": outputs}, result.warnings, scratch=result.scratch
    )
