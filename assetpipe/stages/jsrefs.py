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
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Iterable
from pathlib import Path

#: a relative specifier after ``import(``, ``import`` (a side-effect import) or ``from``, in any
#: of the three quotes (minified output writes ``from"../x.js"`` and ``import(`./y.js`)``)
_SPEC = re.compile(r"""(?:\bimport\s*\(\s*|\bimport\s*|\bfrom\s*)(["'`])(\.\.?/[^"'`\s]+)\1""")
SCRIPT_EXTS = (".js", ".mjs")


def relative_imports(text: str, rel: str) -> set[str]:
    """The keys (paths relative to the source folder) that script ``rel`` imports by relative
    specifier in ``text``; a query or fragment after a specifier is dropped. A specifier
    leaving the source folder is ignored."""
    folder = posixpath.dirname(rel)
    out: set[str] = set()
    for m in _SPEC.finditer(text):
        spec = re.split(r"[?#]", m.group(2), maxsplit=1)[0]
        key = posixpath.normpath(posixpath.join(folder, spec))
        if not key.startswith("../") and key != "..":
            out.add(key)
    return out


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
