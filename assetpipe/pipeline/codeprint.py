"""Digests of the code that makes each stage's cached output, for the stage cache's keys.

A cached output is only as good as the code that made it. A release changes its version
number, but an install from git or an editable checkout keeps the same one across commits, and
a stage version constant that someone forgot to bump served yesterday's rewrite from the cache
until ``--clean``. So each stage's keys (and its stat-memo facts) hold the digest of the bytes
of the files that decide that stage's output, listed in ``OUTPUT_CODE``: a changed rewrite rule
misses the templates' entries and nothing else, and the images (the slowest to remake) survive
any change outside the imaging code.

The lists are kept honest by a test: each stage module's imports within the package, followed
through the output-deciding folders, must be in its list. A digest reads its files once per
process (about 1 ms for a stage) and only when a stage looks up the cache: a build that
reuses the last one whole computes none.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

#: The package's folder: the listed paths are relative to it.
PACKAGE = Path(__file__).resolve().parent.parent

#: Per cache namespace, the files and folders (ending in ``/``) whose code decides its output.
OUTPUT_CODE: dict[str, tuple[str, ...]] = {
    "images": ("stages/images.py", "imaging/", "hashing.py"),
    "templates": (
        "stages/templates.py",
        "stages/templatekeys.py",
        "stages/templatelead.py",
        "stages/missingassets.py",
        "stages/unresolved.py",
        "stages/ahead.py",
        "stages/compress.py",
        "stages/compress_codec.py",
        "rewrite/",
        "imaging/formats.py",
        "hashing.py",
        "manifest.py",
    ),
    "bundling": (
        "stages/bundling.py",
        "stages/builtins.py",
        "stages/scripts.py",
        "stages/styles.py",
        "stages/classic.py",
        "stages/aswritten.py",
        "stages/vendored.py",
        "stages/unparsed.py",
        "stages/cssurls.py",
        "stages/esbuild_options.py",
        "stages/static.py",
        "stages/cssrefs.py",
        "stages/jsrefs.py",
        "stages/templates.py",
        "stages/templatekeys.py",
        "stages/templatelead.py",
        "stages/missingassets.py",
        "stages/unresolved.py",
        "stages/ahead.py",
        "stages/compress.py",
        "stages/compress_codec.py",
        "esbuild/",
        "rewrite/",
        "imaging/formats.py",
        "imaging/probe.py",
        "imaging/gifblocks.py",
        "hashing.py",
        "manifest.py",
        "_node/service.mjs",
    ),
    "compress": ("stages/compress.py", "stages/compress_codec.py", "manifest.py"),
    "static": (
        "stages/static.py",
        "stages/cssrefs.py",
        "stages/jsrefs.py",
        "imaging/formats.py",
        "imaging/probe.py",
        "imaging/gifblocks.py",
        "hashing.py",
    ),
}


def _files(entry: str) -> list[Path]:
    path = PACKAGE / entry
    if entry.endswith("/"):
        return sorted(p for p in path.rglob("*") if p.suffix in (".py", ".js", ".mjs"))
    return [path]


@functools.cache
def code_digest(namespace: str) -> str:
    """The SHA-256 of the files ``OUTPUT_CODE[namespace]`` lists: their package-relative names
    and bytes, in a fixed order. Computed once per process (the code a process runs does not
    change under it)."""
    h = hashlib.sha256()
    for entry in OUTPUT_CODE[namespace]:
        for path in _files(entry):
            h.update(f"{path.relative_to(PACKAGE).as_posix()}\n".encode())
            h.update(path.read_bytes())
            h.update(b"\n")
    return h.hexdigest()


def fact_kind(family: str, namespace: str, *parts: object) -> str:
    """The ``kind`` of a ``Sources.fact`` computed by ``namespace``'s code from a source file
    and ``parts`` (options it depends on): ``family/DIGEST/part/...``, so a code change makes
    new facts, and they replace the family's old ones."""
    return "/".join([family, code_digest(namespace)[:16], *map(str, parts)])
