"""The ES modules the static stage copies that other copied modules import by relative specifier.

A prebuilt, code-split module graph (Vite's or Rollup's output shipped in the static folder, as
SearXNG's ``sxng-core.min.js`` with its ``chunk/*.min.js``) is copied as it is: its entry does
``import("./chunk/X.min.js")`` and each chunk ``import {...} from "../sxng-core.min.js"``. Those
specifiers are not rewritten (the entry and its chunks import each other, so no name of the
cycle could be computed first), so the browser requests them by the names written. Published
under a hashed name, such a module is fetched twice, under the hashed name the template links
and under the written one the chunks import, and runs twice: two module instances, every
listener and plugin installed twice (SearXNG's calculator answer shown twice, a
``DOM element not found`` page error). A module named this way keeps its name
(``static.keep_names`` semantics: ``no-cache``, revalidated); the hashed copy would never be
requested anyway.

That is a development build's rule (``imported_modules``). A production build rewrites the
specifiers instead (``rewrite_imports``), leaves first, so a module is named by the hash of its
bytes with its imports' hashed names in them: Fava's prebuilt esbuild graph (``app.js`` imports
``./chunk-TVG7KHLA.js`` and, lazily, ``./beancount-OG2DLLWG.js``, which imports two chunks) has
no cycle, and its four chunks revalidated on every visit. Only the modules that cannot be named
so keep their names (``pinned_modules``): those on an import cycle, and those whose file name a
script writes in a quoted string that is not an import specifier (Vite's ``__vite__mapDeps``
preload list, ``["assets/chunk.js"]`` or ``["./chunk.js"]``; an ``import.meta.glob`` key), text
that is not rewritten and must go on naming the file.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from ..lazyre import lazy

#: a relative specifier after ``import(``, ``import`` (a side-effect import) or ``from``, in any
#: of the three quotes (minified output writes ``from"../x.js"`` and ``import(`./y.js`)``)
_SPEC = lazy(r"""(?:\bimport\s*\(\s*|\bimport\s*|\bfrom\s*)(["'`])(\.\.?/[^"'`\s]+)\1""")
SCRIPT_EXTS = (".js", ".mjs")


def relative_imports(text: str, rel: str) -> set[str]:
    """The keys (paths relative to the source folder) that script ``rel`` imports by relative
    specifier in ``text``; a query or fragment after a specifier is dropped. A specifier
    leaving the source folder is ignored."""
    keys = (_key(rel, m.group(2)) for m in _SPEC.finditer(text))
    return {k for k in keys if k is not None}


#: a quoted string without spaces, in any of the three quotes: a mention that may name a module
_QUOTED = lazy(r"""(["'`])([^"'`\s]+)\1""")


def _key(rel: str, spec: str) -> str | None:
    """The key that ``spec`` (a relative specifier in script ``rel``; a query or fragment
    dropped) names, or ``None`` when it leaves the source folder."""
    path = re.split(r"[?#]", spec, maxsplit=1)[0]
    key = posixpath.normpath(posixpath.join(posixpath.dirname(rel), path))
    return None if key.startswith("../") or key == ".." else key


def rewrite_imports(text: str, rel: str, name_of: Callable[[str], str | None]) -> str:
    """``text`` (script ``rel``) with each relative import specifier whose key ``name_of``
    names (its output file, relative to ``public/``; ``None``: leave it) rewritten to that
    file, relative to ``rel``'s folder (``./chunk-HASH.js``); a query or fragment stays."""
    folder = posixpath.dirname(rel)
    out: list[str] = []
    done = 0
    for m in _SPEC.finditer(text):
        spec = m.group(2)
        key = _key(rel, spec)
        new = name_of(key) if key is not None else None
        if new is None or new == key:
            continue
        path = posixpath.relpath(new, folder or ".")
        tail = spec[len(re.split(r"[?#]", spec, maxsplit=1)[0]) :]
        out += [text[done : m.start(2)], path if path.startswith("../") else "./" + path, tail]
        done = m.end(2)
    return "".join(out) + text[done:]


def pinned_modules(source: Path, stamps: Iterable[tuple[str, str]]) -> frozenset[str]:
    """Of the scripts ``stamps`` lists (as for ``imported_modules``), those that keep their
    names in a production build, which rewrites the others' specifiers (module docstring): on
    an import cycle (themselves imported included), whose file name ends a quoted string that
    is not an import specifier (any path to it: a preload list's may be relative to the site,
    not to the script; every script of that file name is pinned), or imported by a script that
    is not UTF-8 (copied as it is)."""
    return _pinned(source, tuple(sorted(stamps)))


@functools.lru_cache(maxsize=16)
def _pinned(source: Path, stamps: tuple[tuple[str, str], ...]) -> frozenset[str]:
    keys = {k for k, _ in stamps}
    by_name: dict[str, set[str]] = {}
    for k in keys:
        by_name.setdefault(posixpath.basename(k), set()).add(k)
    graph: dict[str, set[str]] = {}
    pinned: set[str] = set()
    for key in keys:
        try:
            raw = (source / key).read_bytes()
        except OSError:
            continue
        text = raw.decode("utf-8", errors="replace")
        graph[key] = relative_imports(text, key) & keys
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            pinned |= graph[key]  # copied as it is: its specifiers stay as written
        specs = {m.start(2) for m in _SPEC.finditer(text)}
        for m in _QUOTED.finditer(text):
            if m.start(2) not in specs:
                path = re.split(r"[?#]", m.group(2), maxsplit=1)[0]
                pinned |= by_name.get(posixpath.basename(path), set())
    return frozenset(pinned | _on_cycles(graph))


def _on_cycles(graph: dict[str, set[str]]) -> set[str]:
    """The nodes of ``graph`` from which some path leads back to themselves."""
    found: set[str] = set()
    for start in graph:
        todo, seen = list(graph[start]), set()
        while todo:
            node = todo.pop()
            if node == start:
                found.add(start)
                break
            if node not in seen:
                seen.add(node)
                todo.extend(graph.get(node, ()))
    return found


def imported_modules(source: Path, stamps: Iterable[tuple[str, str]]) -> frozenset[str]:
    """Of the scripts ``stamps`` lists (``(key, content hash)`` of each ``.js``/``.mjs`` file
    the static stage copies, under ``source``), those another of them imports by relative
    specifier: they keep their names (see the module docstring). The hashes only key the
    memo, so a watch rebuild after an edit reads the files again."""
    return _imported(source, tuple(sorted(stamps)))


@functools.lru_cache(maxsize=16)
def _imported(source: Path, stamps: tuple[tuple[str, str], ...]) -> frozenset[str]:
    keys = {k for k, _ in stamps}
    found: set[str] = set()
    for key in keys:
        try:
            text = (source / key).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        found.update(k for k in relative_imports(text, key) if k in keys and k != key)
    return frozenset(found)
