"""Scripts and stylesheets a template loads through a helper of the app's own, for ``init``.

Whoogle's pages load ``<link rel="stylesheet" href="{{ cb_url('logo.css') }}">``: ``cb_url`` is
a template global that looks a bare file name up in a mapping the app builds when it starts
(``logo.css`` → ``static/build/logo.72c3bd56.css``, a symlink it makes to ``css/logo.css``).
Nothing in the template names a static key, so ``init`` cannot bundle these files or rewrite the
call; it used to count them among the files "no tag loads", which read as a miss. A tag whose
URL is such a call with a literal argument naming exactly one static file by its name, and the
symlinks of the static folder to that file, are what the helper loads: ``init`` says so
(copied with hashed names, served at the URLs the helper gives them).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from .templaterefs import tag_values

# ``{{ name('file.css') }}`` as a whole attribute value or an ``@import``'s URL
_CALL = re.compile(
    r"""\{\{-?\s*([A-Za-z_][\w.]*)\(\s*["']([^"'{}/]+\.(?:m?js|css))["']\s*\)\s*-?\}\}"""
)
_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*["']?\s*(\{\{.*?\}\})""", re.S)


def helper_named(texts: Iterable[str], static_dir: Path, files: list[str]) -> dict[str, list[str]]:
    """Helper function name → the static keys (sorted) the templates ``texts`` load through it
    (see the module docstring): the one key whose file name is the call's argument, and every
    symlink among ``files`` that resolves to that key's file. ``url_for`` is never a helper
    here (``templaterefs`` reads it); an argument two files share names neither."""
    by_name: dict[str, list[str]] = {}
    for f in files:
        by_name.setdefault(f.rsplit("/", 1)[-1], []).append(f)
    found: dict[str, set[str]] = {}
    for text in texts:
        values = [*tag_values(text), *(m.group(1) for m in _IMPORT.finditer(text))]
        for value in values:
            for m in _CALL.finditer(value):
                keys = by_name.get(m.group(2), [])
                if m.group(1) != "url_for" and len(keys) == 1:
                    found.setdefault(m.group(1), set()).add(keys[0])
    if not found:
        return {}
    named = {k for keys in found.values() for k in keys}
    targets = {(static_dir / k).resolve(): k for k in named}
    for f in files:
        path = static_dir / f
        if path.is_symlink() and (key := targets.get(path.resolve())) is not None:
            for loaded in found.values():
                if key in loaded:
                    loaded.add(f)
    return {fn: sorted(keys) for fn, keys in found.items()}
