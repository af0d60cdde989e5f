"""The files a bundler manifest in the build folder lists: the evidence that a file is a
bundler's, named by content hash (``hashing.bundler_hashed``).

A prebuilt bundle shipped in an app's static folder (MLflow's React app, built by Create React
App's webpack) names every chunk by content hash (``static/js/1536.400d7381.chunk.js``), and its
runtime loads chunks by those names; hashed again, they were fetched under the names written in
the runtime and revalidated on every visit. The bundler writes a manifest beside them: Create
React App's ``asset-manifest.json`` (``{"files": {"main.js": "/static-files/static/js/main.X.js",
...}}``), webpack-manifest-plugin's ``manifest.json`` (``{"main.js": "static/js/main.X.js"}``),
Vite's ``.vite/manifest.json`` (``{"src/main.ts": {"file": "assets/main-X.js", "css": [...]}}``).
Every string in it that ends in a path of a file of the folder names that file (a leading
public path, ``/``, ``./`` and a query are dropped). A web app manifest (``"start_url"``,
``"icons"``: a PWA's ``manifest.json``) is not a bundler's and names nothing.

A manifest may sit below the top of the folder, beside the bundle it lists (Airflow's webpack
writes ``static/dist/manifest.json``, ``{"main.js": "main.fb487bd34c7cd20f02bc.js"}``): its
strings are then paths relative to its own folder (Vite's ``.vite/manifest.json``: the folder
above ``.vite``), tried before their tails.

A webpack manifest may list only a build's entries (Superset's ``assets/manifest.json``: 25 of
its 836 files): the runtime then loads every other chunk by a name holding the chunk's content
hash, which its chunk map holds (``{7123:"000bc761e5962a2869e2"}`` beside ``"".concat(id, ".",
hash, ".chunk.js")``), and a stylesheet names its fonts by their hashed names. So a file of a
listed file's folder whose name holds a hex content hash (``000bc761e5962a2869e2.chunk.js``,
``1203.a1e986c5.entry.css``) is the bundler's too when the bytes of a listed script or
stylesheet, or of one so found, hold that hash (``reached``). Hashed again, Superset's chunks
were published twice and fetched under webpack's names, revalidated on every visit.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Any

from .hashing import HEX_NAME_HASH
from .lazyre import lazy

#: where bundlers write their manifests, relative to the build folder
MANIFESTS = ("asset-manifest.json", "manifest.json", ".vite/manifest.json")


def _strings(doc: Any) -> Iterator[str]:
    if isinstance(doc, str):
        yield doc
    elif isinstance(doc, dict):
        for v in doc.values():
            yield from _strings(v)
    elif isinstance(doc, list):
        for v in doc:
            yield from _strings(v)


def read_manifest(path: Path) -> Any:
    """The JSON document of a bundler manifest at ``path``, or ``None`` (absent, unreadable, not
    JSON, or a web app manifest)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if isinstance(doc, dict) and ("start_url" in doc or "icons" in doc):
        return None
    return doc


def manifest_named(source: Path, keys: Collection[str], manifests: Collection[str]) -> set[str]:
    """Of ``keys`` (paths relative to ``source``), those a bundler manifest among ``manifests``
    (paths relative to ``source``) names (module docstring)."""
    keyset = set(keys)
    found: set[str] = set()
    for name in manifests:
        base = _base(name)
        for s in _strings(read_manifest(source / name)):
            path = s.split("?", 1)[0].split("#", 1)[0].strip("/")
            beside = posixpath.normpath(posixpath.join(base, path)) if base else ""
            if beside in keyset:
                found.add(beside)
                continue
            parts = path.split("/")
            for i in range(len(parts)):
                tail = "/".join(parts[i:])
                if tail in keyset:
                    found.add(tail)
                    break
    return found | reached(source, keyset, found)


#: the files whose bytes may name a sibling by its hash: a runtime's chunk map, a url()
_READ = (".js", ".mjs", ".cjs", ".css")
#: a hex content hash between dots in a file's name, and one standing alone in a text
_NAME_HASH = lazy(HEX_NAME_HASH)
_HEX = lazy(r"(?<![0-9A-Za-z])[0-9a-f]{8,32}(?![0-9A-Za-z])")


def reached(source: Path, keys: Collection[str], listed: Collection[str]) -> set[str]:
    """Of ``keys``, the content-hashed files the ``listed`` ones load (module docstring): in the
    folder of a listed file, named with a hex hash that a listed script or stylesheet (or one
    found so, followed in turn) holds in its bytes."""
    folders = {posixpath.dirname(f) for f in listed}
    by_hash: dict[str, list[str]] = {}
    for key in keys:
        if key not in listed and posixpath.dirname(key) in folders:
            m = _NAME_HASH.search(posixpath.basename(key))
            if m is not None:
                by_hash.setdefault(m.group(1), []).append(key)
    found: set[str] = set()
    todo = sorted(f for f in listed if f.endswith(_READ))
    while todo and by_hash:
        try:
            text = (source / todo.pop()).read_bytes().decode("latin-1")
        except OSError:
            continue
        for token in set(_HEX.findall(text)) & by_hash.keys():
            for key in by_hash.pop(token):
                found.add(key)
                if key.endswith(_READ):
                    todo.append(key)
    return found


def _base(manifest: str) -> str:
    """The folder a manifest's paths are relative to (relative to the build folder, ``""`` at
    its top): the manifest's own, or the one above Vite's ``.vite``."""
    for m in sorted(MANIFESTS, key=len, reverse=True):
        if manifest == m or manifest.endswith("/" + m):
            return manifest[: -len(m)].rstrip("/")
    return posixpath.dirname(manifest)


def manifests_in(source: Path, files: Collection[str] = ()) -> list[str]:
    """The bundler manifests ``source`` holds (``MANIFESTS`` that ``read_manifest`` reads): at
    its top, and among ``files`` (paths relative to it) those of the same names in a folder,
    shallowest first."""
    top = [m for m in MANIFESTS if read_manifest(source / m) is not None]
    below = sorted(
        (f for f in files if f not in top and any(f.endswith("/" + m) for m in MANIFESTS)),
        key=lambda f: (f.count("/"), f),
    )
    return [*top, *(f for f in below if read_manifest(source / f) is not None)]
