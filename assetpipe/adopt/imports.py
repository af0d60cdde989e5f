"""What esbuild resolves from an entry's own imports, for ``init``: the stylesheets' ``url()``s
and ``@import``s that name no file (``missing_in_css``), and the static files an entry imports,
which are bundled into it rather than copied (``bundled_imports``), and the source maps the
bundler reads as the entries' input maps (``input_maps``).

A stylesheet's ``@import "vars.css"`` and a script's ``import "./badge.js"`` are inlined by the
build, unless the imported file is also a ``static`` file: then the stylesheet keeps an
``@import`` of its hashed URL, one more request before the page renders (the styles stage makes
every static file an external reference to its final URL). So a file that only entries import is
in no stage's list: its content ships inside them.

A bare specifier (``@import "bootstrap/dist/css/bootstrap.css"``) that is not a file relative to
the stylesheet is a package path: esbuild looks it up in the ``node_modules`` folders of the
stylesheet's folder and its parents (node's lookup), and of the config's folder.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Iterable
from pathlib import Path

#: a ``url()`` or an ``@import "F"`` in a stylesheet (also read by ``blueprint_static``)
CSS_REF = re.compile(r"""url\(\s*(["']?)([^"')]+?)\1\s*\)|@import\s+(["'])([^"']+)\3""", re.I)
#: ``@import "F"`` or ``@import url(F)``: esbuild bundles F into the stylesheet
_CSS_IMPORT = re.compile(r"""@import\s+(?:url\(\s*)?(["']?)([^"')\s;]+)\1""", re.I)
_BLOCK_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_LINE_COMMENT = re.compile(r"^\s*//.*$", re.M)
#: a script's static ``import "S"``, ``import ... from "S"`` and ``export ... from "S"`` (not
#: ``import("S")``: a classic script that only has that is not bundled)
_JS_IMPORT = re.compile(
    r"""(?:^|[^\w$.])(?:import\s*|(?:import|export)\b[^;"'()=]*?\bfrom\s*)(["'])([^"'\n]+)\1"""
)
#: a URL with a scheme (``https:``, ``data:``): never a file of the static folder
SCHEME = re.compile(r"[a-zA-Z][\w+.-]*:")
#: the endings esbuild tries for an import without one (its default ``resolveExtensions``)
_RESOLVE = (".tsx", ".ts", ".jsx", ".js", ".css", ".json")
SCRIPTS = (".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx")
#: the last ``sourceMappingURL`` comment of a script or stylesheet
_MAP_URL = re.compile(r"""[#@]\s*sourceMappingURL=([^\s*'"]+)\s*(?:\*/)?\s*$""")


def read_static(static_dir: Path, key: str) -> str | None:
    """The text of static file ``key`` (undecodable bytes replaced), ``None`` when unreadable."""
    try:
        return (static_dir / key).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def strip_query(ref: str) -> str:
    """``ref`` without its query and fragment (``font.woff2?v=4#iefix`` → ``font.woff2``)."""
    return re.split(r"[?#]", ref.strip(), maxsplit=1)[0]


def join_relative(key: str, ref: str) -> str:
    """The static key that ``ref``, relative to static file ``key``, names (``..`` resolved)."""
    return os.path.normpath(os.path.join(os.path.dirname(key), ref)).replace("\\", "/")


def bare(ref: str) -> bool:
    """Whether ``ref`` is a bare specifier: not ``./``, ``../``, ``/``, a scheme or ``data:``."""
    return not ref.startswith(("./", "../", "/")) and not SCHEME.match(ref)


def in_node_modules(ref: str, starts: Iterable[Path]) -> bool:
    """Whether the bare specifier ``ref`` names a file (or that file + ``.css``) in a
    ``node_modules`` folder of one of ``starts`` or of their parents."""
    for start in starts:
        for folder in (start, *start.parents):
            path = folder / "node_modules" / ref
            if path.is_file() or path.with_name(path.name + ".css").is_file():
                return True
    return False


def missing_in_css(
    static_dir: Path, key: str, public_path: str, present: set[str], roots: Iterable[Path] = ()
) -> list[str]:
    """The files the stylesheet ``key``, or a stylesheet of the static folder it ``@import``s
    (bundled into it), names in a ``url()`` or ``@import`` (relative, or from ``public_path``)
    that the static folder lacks, as keys, sorted: esbuild fails on each. A bare specifier found
    in a ``node_modules`` folder up from the stylesheet or from one of ``roots`` (the project) is
    a package path esbuild resolves, not a missing file."""
    roots = list(roots)
    out: set[str] = set()
    todo, seen = [key], {key}
    while todo:
        current = todo.pop()
        text = read_static(static_dir, current)
        if text is None:
            continue
        text = _BLOCK_COMMENT.sub("", text)
        for m in CSS_REF.finditer(text):
            ref = strip_query(m.group(2) or m.group(4) or "")
            if not ref:
                continue
            if ref.startswith(public_path):
                target = ref[len(public_path) :]
            elif ref.startswith(("/", "data:")) or SCHEME.match(ref):
                continue
            else:
                target = join_relative(current, ref)
                if target not in present and bare(ref):
                    here = (static_dir / current).parent
                    if in_node_modules(ref, [here, *roots]):
                        continue
            if not target.startswith("../") and target not in present:
                out.add(target)
        for target in _imported(current, text, public_path, present):
            if target.endswith(".css") and target not in seen:
                seen.add(target)
                todo.append(target)
    return sorted(out)


def _imported(key: str, text: str, public_path: str, present: Collection[str]) -> list[str]:
    """The static files (keys among ``present``) that ``key``, read as ``text``, imports."""
    out: list[str] = []
    if key.endswith(".css"):
        for m in _CSS_IMPORT.finditer(_BLOCK_COMMENT.sub("", text)):
            ref = strip_query(m.group(2))
            if ref.startswith(public_path):
                target = ref[len(public_path) :]
            elif not ref or ref.startswith("/") or SCHEME.match(ref):
                continue
            else:  # a bare one too: esbuild tries it relative first
                target = join_relative(key, ref)
            if target in present and target.endswith(".css"):
                out.append(target)
    elif key.endswith(SCRIPTS):
        code = _LINE_COMMENT.sub("", _BLOCK_COMMENT.sub("", text))
        for m in _JS_IMPORT.finditer(code):
            ref = strip_query(m.group(2))
            if not ref.startswith(("./", "../")):
                continue  # a package, or a URL esbuild does not bundle
            target = join_relative(key, ref)
            for cand in (
                target,
                *(target + e for e in _RESOLVE),
                *(f"{target}/index{e}" for e in _RESOLVE),
            ):
                if cand in present and cand.endswith((*_RESOLVE, *SCRIPTS)):
                    out.append(cand)
                    break
    return out


def bundled_imports(
    static_dir: Path,
    public_path: str,
    present: Collection[str],
    entries: Collection[str],
    keep: Collection[str] = (),
) -> list[str]:
    """The static files that the ``entries`` import, directly or through each other, and that
    nothing copied as it is imports: bundled into the entries, they are in no stage's list. Files
    in ``keep`` (a template or another script names them by URL, a self-locating library's) stay
    copied, and so does every file such a copied file imports."""
    cache: dict[str, list[str]] = {}

    def imports(key: str) -> list[str]:
        if key not in cache:
            text = read_static(static_dir, key) if key.endswith((".css", *SCRIPTS)) else None
            cache[key] = _imported(key, text, public_path, present) if text else []
        return cache[key]

    reached: set[str] = set()
    todo = list(entries)
    while todo:
        for target in imports(todo.pop()):
            if target not in reached and target not in entries:
                reached.add(target)
                todo.append(target)
    bundled = reached - set(keep)
    if not bundled:
        return []
    copied = [f for f in present if f not in bundled and f not in entries]
    while copied:  # what a copied file imports is copied too (its @import stays a URL)
        key = copied.pop()
        for target in imports(key):
            if target in bundled:
                bundled.discard(target)
                copied.append(target)
    return sorted(bundled)


def input_maps(
    static_dir: Path, present: Collection[str], entries: Iterable[str], keep: Collection[str] = ()
) -> list[str]:
    """The source maps the ``entries`` (stylesheets and module scripts: what esbuild bundles)
    name in their last ``sourceMappingURL`` comment, relative to themselves: esbuild reads
    each as the entry's input map and chains it into the built file's own map, which the
    built file names instead (Supysonic's ``css/bootstrap.min.css.map``: its sources, Bootstrap's
    SCSS, are in ``bootstrap.min-HASH.css.map``). Copied too, nothing would load it. Files in
    ``keep`` (named elsewhere) are none of them."""
    out = set()
    for key in entries:
        text = read_static(static_dir, key)
        m = _MAP_URL.search(text[-2000:].rstrip()) if text else None
        if m is None or SCHEME.match(m.group(1)) or m.group(1).startswith("/"):
            continue
        target = join_relative(key, strip_query(m.group(1)))
        if target in present and target not in keep:
            out.add(target)
    return sorted(out)
