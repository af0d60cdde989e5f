"""django-npm's ``NpmFinder``: files of ``node_modules`` that Django's finders serve.

Shynet lists ``npm.finders.NpmFinder`` first in ``STATICFILES_FINDERS``, with ``NPM_ROOT_PATH =
"../"`` (the folder above ``manage.py``'s, where ``npm install`` put ``node_modules``) and
``NPM_FILE_PATTERNS`` naming the files it serves, at their paths under ``node_modules``: its
templates load ``{% static 'a17t/dist/a17t.css' %}`` and eleven more so. ``init`` reported the
twelve as files that "404 today too" and wrote ``templates.missing_assets: warn`` ("fix them");
they are Django's, left as written like a later ``STATICFILES_DIRS`` folder's.
"""

from __future__ import annotations

import ast
import fnmatch
import posixpath
from pathlib import Path

from .pathexpr import eval_path

FINDER = "npm.finders.NpmFinder"


def npm_finder_files(
    root: Path, settings: Path, values: dict[str, ast.expr], keys: list[str]
) -> dict[str, str]:
    """Of ``keys`` (references the static folder lacks), those django-npm's finder serves,
    each with its file: when the settings module ``settings`` (its top-level assignments
    ``values``) lists ``FINDER`` in ``STATICFILES_FINDERS``, the files of ``node_modules`` in
    ``NPM_ROOT_PATH`` (a string literal, read from ``root``, the folder of ``manage.py``, which
    the app runs from; ``.`` without one) that ``NPM_FILE_PATTERNS`` matches (every file when
    it cannot be read)."""
    finders = values.get("STATICFILES_FINDERS")
    listed = isinstance(finders, ast.List | ast.Tuple) and any(
        isinstance(e, ast.Constant) and e.value == FINDER for e in finders.elts
    )
    if not listed or not keys:
        return {}
    npm_root = values.get("NPM_ROOT_PATH")
    base = npm_root.value if isinstance(npm_root, ast.Constant) else "."
    modules = root / str(base) / "node_modules"
    patterns = _patterns(values.get("NPM_FILE_PATTERNS"), values, settings)
    found: dict[str, str] = {}
    for key in keys:
        matched = patterns is None or any(fnmatch.fnmatch(key, p) for p in patterns)
        if matched and (modules / key).is_file():
            found[key] = str(modules / key)
    return found


def _patterns(
    node: ast.expr | None, values: dict[str, ast.expr], settings: Path
) -> list[str] | None:
    """``NPM_FILE_PATTERNS`` (``{"a17t": [os.path.join("dist", "a17t.css")], ...}``) as paths
    under ``node_modules``, as the finder flattens it; ``None`` when it is not a dict literal
    of lists whose items evaluate (the finder then serves every file)."""
    if not isinstance(node, ast.Dict):
        return None
    out: list[str] = []
    for k, v in zip(node.keys, node.values, strict=True):
        if not (isinstance(k, ast.Constant) and isinstance(v, ast.List | ast.Tuple)):
            return None
        for item in v.elts:
            path = eval_path(item, values, settings)
            if path is None or posixpath.isabs(path):
                return None
            out.append(posixpath.join(str(k.value), path))
    return out
