"""esbuild's metafile → manifest entries with Vite's meaning (``.vite/manifest.json``'s).

Pure functions over a ``Result`` (outputs relative to ``outdir``, inputs relative to the
source root): no I/O, no context.

- An output with an ``entryPoint`` inside the source is keyed by that source path; it is
  ``isEntry`` when the entry was asked for, else ``isDynamicEntry`` (esbuild made it an entry
  because something imports it dynamically).
- A JS output without one is a shared chunk, keyed ``_`` + its file name, as Vite does.
- A file-loader output (a font, an image a script imports, ...) is keyed by its source path.
- ``imports`` / ``dynamicImports`` list manifest keys (static / dynamic imports);
  ``css`` lists the CSS file esbuild bundled for a JS chunk (``cssIntegrity``: each one's
  sha384); ``assets`` lists the files a chunk
  or stylesheet refers to (a JS chunk's list includes its CSS bundle's); ``map`` names the
  sourcemap. Every entry has ``file``, ``size``, ``integrity`` (sha384); source-backed entries
  ``src``.
"""

from __future__ import annotations

import os
import posixpath
from typing import Any

from ..hashing import sri
from .result import Result

CODE_EXTS = (".js", ".mjs", ".cjs", ".css")
SIDE_FILES = (".map", ".LEGAL.txt")


def source_key(input_path: str) -> str | None:
    """A metafile input path (relative to the source root) as a manifest key, or ``None`` when
    it lies outside the source (a package in node_modules) or is virtual. Suffixes (``?v=1``,
    ``#x``) are dropped."""
    path = input_path.split("?", 1)[0].split("#", 1)[0]
    if ":" in path.split("/", 1)[0]:
        return None  # a namespace such as "<stdin>" or "data:"
    norm = posixpath.normpath(path)
    if norm.startswith(("../", "/")) or norm == ".." or "/node_modules/" in f"/{norm}":
        return None
    return norm


def _kind(path: str) -> str:
    if path.endswith(SIDE_FILES):
        return "side"
    if path.endswith(".css"):
        return "css"
    return "js" if path.endswith(CODE_EXTS) else "asset"


def keys_of(result: Result, aliases: dict[str, str] | None = None) -> dict[str, str]:
    """Output file → manifest key, for every output that gets its own entry (not maps, legal
    comment files, or the CSS bundles of JS chunks, which their chunk lists in ``css``).
    ``aliases``: an entry point as esbuild names it (symlinks resolved) → the requested key,
    for entries that are symlinks to files outside the source (``symlinked_entries``)."""
    outputs = result.metafile["outputs"]
    css_bundles = {info["cssBundle"] for info in outputs.values() if "cssBundle" in info}
    keys: dict[str, str] = {}
    for path in sorted(outputs):
        info = outputs[path]
        kind = _kind(path)
        if kind == "side" or path in css_bundles:
            continue
        key: str | None = None
        if info.get("entryPoint"):
            point = info["entryPoint"]
            key = (aliases or {}).get(point) or source_key(point)
        elif kind == "asset" and len(info.get("inputs", {})) == 1:
            key = source_key(next(iter(info["inputs"])))
        keys[path] = key or "_" + posixpath.basename(path)
    return keys


def entries(
    result: Result, requested: set[str], aliases: dict[str, str] | None = None
) -> dict[str, dict[str, Any]]:
    """The manifest entries for one build. ``requested`` are the entry keys that were asked
    for (the rest of the entry-point outputs are dynamic entries); ``aliases`` as ``keys_of``."""
    outputs = result.metafile["outputs"]
    keys = keys_of(result, aliases)
    out: dict[str, dict[str, Any]] = {}
    for path, key in keys.items():
        info = outputs[path]
        data = result.files[path]
        entry: dict[str, Any] = {"file": path, "size": len(data), "integrity": sri(data)}
        if not key.startswith("_"):
            entry["src"] = key
        kind = _kind(path)
        if kind in ("js", "css"):
            if info.get("entryPoint"):
                if key in requested:
                    entry["isEntry"] = True
                elif kind == "js":
                    entry["isDynamicEntry"] = True
            imports, dynamic, assets = _links(info, keys)
            css = [info["cssBundle"]] if "cssBundle" in info else []
            for bundle in css:
                assets += _links(outputs.get(bundle, {}), keys)[2]
            if imports:
                entry["imports"] = imports
            if dynamic:
                entry["dynamicImports"] = dynamic
            if css:
                entry["css"] = css
                entry["cssIntegrity"] = {b: sri(result.files[b]) for b in css}
            if assets:
                entry["assets"] = sorted(set(assets))
            if path + ".map" in result.files:
                entry["map"] = path + ".map"
            if path + ".LEGAL.txt" in result.files:  # legal_comments: linked / external
                entry["assets"] = sorted({*entry.get("assets", ()), path + ".LEGAL.txt"})
        out[key] = entry
    return out


def _links(info: dict[str, Any], keys: dict[str, str]) -> tuple[list[str], list[str], list[str]]:
    """(static import keys, dynamic import keys, asset files) of one output."""
    imports: list[str] = []
    dynamic: list[str] = []
    assets: list[str] = []
    for imp in info.get("imports", ()):
        if imp.get("external"):
            continue
        target = imp["path"]
        kind = imp.get("kind")
        if kind == "import-statement" and target in keys:
            imports.append(keys[target])
        elif kind == "dynamic-import" and target in keys:
            dynamic.append(keys[target])
        elif _kind(target) == "asset":
            assets.append(target)
    return _unique(imports), _unique(dynamic), _unique(assets)


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def inputs(result: Result) -> list[str]:
    """The source keys esbuild read (inside the source root), sorted."""
    found = {source_key(p) for p in result.metafile.get("inputs", {})}
    return sorted(k for k in found if k is not None)


def symlinked_entries(source: str, requested: set[str]) -> dict[str, str]:
    """The requested entries that are symlinks to files outside ``source``, by the path
    esbuild reports for them (relative to ``source``, symlinks resolved: ``../../extlib/
    jquery/dist/jquery.js``) → their key. MediaGoblin's ``static/js/extlib/jquery.js`` links
    to its ``extlib/`` folder: esbuild's output had no key inside the source, so it was taken
    for a chunk (``_jquery-HASH.js``) and every template's reference to it was missing."""
    aliases: dict[str, str] = {}
    real_source = os.path.realpath(source)
    for key in requested:
        real = os.path.realpath(os.path.join(source, key))
        rel = os.path.relpath(real, real_source).replace(os.sep, "/")
        if rel != key and rel.startswith("../"):
            aliases[rel] = key
    return aliases
