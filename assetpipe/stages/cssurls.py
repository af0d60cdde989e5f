"""A bundled stylesheet's ``url()``s made relative to the stylesheet, as its source had them.

esbuild writes every file a stylesheet names as ``publicPath`` + its output path
(``url(/static/fonts/lobster-HASH.woff)``), and the url() plugin names the images stage's files
the same way. Both are wrong for an app mounted under a path prefix (Flask's
``APPLICATION_ROOT`` or ``SCRIPT_NAME``, a proxy's ``location /app/``): the page asks for
``/app/static/css/main-HASH.css`` through ``url_for``, but the stylesheet's fonts and icons go to
``/static/...``, outside the app, and 404. A relative reference
(``url(../fonts/lobster-HASH.woff)``) resolves against the stylesheet's own URL, so it follows
whatever prefix served the stylesheet, like the source's ``url(../fonts/lobster-webfont.woff)``
did; every output lives under ``public/`` at the same relative place, so the target is the same
file. A stylesheet answered at its unhashed source path (``/static/css/main.css``) sits in the
same folder as its hashed name, so the relative references hold there too.

Only a root ``public_path`` (``/static/``) is rewritten; an absolute one (a CDN's
``https://cdn.example.com/static/``) already names one place. The linked sourcemap's generated
columns after a rewritten reference move by the length difference (``vendored.shift_map``).
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from functools import partial
from typing import Any

from ..esbuild.result import Result
from ..hashing import short_hash
from .vendored import shift_map

#: a reference's start: ``url(`` and its optional quote (a fixed width each: Python lookbehinds)
_OPENING = r"(?:(?<=url\()|(?<=url\(\")|(?<=url\('))"


#: the ``-HASH.css`` esbuild's ``[name]-[hash]`` gives an output
_ESBUILD_HASH = re.compile(r"-([A-Z2-7]{8})(\.css)$")


def rooted(public_path: str) -> bool:
    """Whether references under ``public_path`` are made relative (a root path, not a URL)."""
    return public_path.startswith("/") and not public_path.startswith("//")


def _pattern(public_path: str) -> re.Pattern[str]:
    """``url(`` + ``public_path`` + a name: the name (up to a quote, ``)``, ``?``, ``#``, space)."""
    return re.compile(_OPENING + re.escape(public_path) + r"""[^"')?#\s]+""")


def untouched(files: dict[str, bytes], public_path: str) -> dict[str, bytes]:
    """The files ``relativize`` leaves as they are (a superset of what it rewrites is left
    out: a stylesheet naming ``url(public_path...`` anywhere, and its map)."""
    if not rooted(public_path):
        return dict(files)
    marks = [f"url({q}{public_path}".encode() for q in ("", '"', "'")]
    touched = {p for p, d in files.items() if p.endswith(".css") and any(m in d for m in marks)}
    return {
        p: d for p, d in files.items() if p not in touched and p.removesuffix(".map") not in touched
    }


def _renamed(renames: dict[str, str], m: re.Match[str]) -> str:
    return renames[m.group(0)]


def relativize(result: Result, public_path: str) -> Result:
    """``result`` with each ``.css`` output's ``url(public_path NAME)`` written relative to the
    output's folder (see the module doc), its sourcemap shifted to match. A rewritten output
    gets a new content hash in its name (esbuild hashed the bytes before the rewrite; a name
    marked ``immutable`` must never change bytes), its map follows, and the metafile names
    both. ``result`` itself is not changed; without such a reference it is returned as is."""
    if not rooted(public_path):
        return result
    pattern = _pattern(public_path)
    files = dict(result.files)
    names: dict[str, str] = {}
    for path, data in result.files.items():
        if not path.endswith(".css"):
            continue
        text = data.decode("utf-8")
        folder = posixpath.dirname(path) or "."
        renames = {
            m.group(0): posixpath.relpath(m.group(0)[len(public_path) :], folder)
            for m in pattern.finditer(text)
        }
        if not renames:
            continue
        mapped = path + ".map"
        if mapped in files:
            files[mapped] = shift_map(files[mapped], text, pattern, renames)
        new = pattern.sub(partial(_renamed, renames), text).encode("utf-8")
        files[path] = new
        digest = short_hash(hashlib.sha256(new).hexdigest())
        named = _ESBUILD_HASH.sub(rf"-{digest}\2", path)
        if named != path and named not in result.files:
            names[path] = named
            if mapped in files:
                names[mapped] = named + ".map"
                # the `sourceMappingURL` comment: the same length, so no map column moves
                files[path] = new.replace(mapped.encode(), (named + ".map").encode())
    if files == result.files:
        return result
    stored = {
        n: p for n, p in result.stored.items() if files[n] == result.files[n] and n not in names
    }
    return Result(
        {names.get(n, n): d for n, d in files.items()},
        _renamed_outputs(result.metafile, names),
        result.warnings,
        stored,
    )


def _renamed_outputs(meta: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """The metafile with its output paths (and a script's ``cssBundle``) renamed."""
    if not names:
        return meta
    outputs: dict[str, Any] = {}
    for path, info in meta.get("outputs", {}).items():
        if info.get("cssBundle") in names:
            info = {**info, "cssBundle": names[info["cssBundle"]]}
        outputs[names.get(path, path)] = info
    return {**meta, "outputs": outputs}
