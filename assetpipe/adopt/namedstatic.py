"""A Django project's static folder and URL where the settings do not name them plainly.

Apprise API keeps its files in ``apprise_api/static/`` (Materialize, its icon font, its own
``css/base.css``), named by no ``STATICFILES_DIRS`` and no app: its Docker image copies them
where nginx answers ``STATIC_URL``, which is ``f"{BASE_URL}/s/"``. ``init`` said the project had
no static folder of its own and wrote no config. ``named_static`` is the folder called
``static`` that holds most of the files the templates name (``{% static 'css/base.css' %}``),
and ``static_url`` reads an f-string ``STATIC_URL`` by its known parts (``BASE_URL`` an
environment variable's default, ``""``: ``/s/``, where ``/static/`` was assumed).
"""

from __future__ import annotations

import ast
from pathlib import Path

from .files import TEMPLATE_EXT, walk
from .settingstest import known
from .templaterefs import named_refs


def named_static(
    dirs: list[Path], templates: list[Path], public_path: str, skip: Path | None
) -> Path | None:
    """Of the project's folders ``dirs`` named ``static`` (``skip``, ``STATIC_ROOT``, aside),
    the one holding most of the files the templates in ``templates`` name, and at least half
    of them; ``None``: no such folder, or no template names a file."""
    keys = named_keys(templates, public_path)
    best: tuple[int, Path] | None = None
    for folder in dirs:
        if folder.name != "static" or (skip is not None and folder.resolve() == skip.resolve()):
            continue
        held = sum((folder / key).is_file() for key in keys)
        if held and 2 * held >= len(keys) and (best is None or held > best[0]):
            best = (held, folder)
    return best[1] if best is not None else None


def named_keys(templates: list[Path], public_path: str) -> set[str]:
    """The files the templates in the folders ``templates`` name under ``public_path``
    (``templaterefs.named_refs``: ``{% static 'K' %}``, ``/static/K``)."""
    keys: set[str] = set()
    for folder in templates:
        for path in walk(folder, TEMPLATE_EXT):
            try:
                keys.update(named_refs(path.read_text(encoding="utf-8"), public_path))
            except (OSError, UnicodeDecodeError):
                continue
    return keys


def static_url(node: ast.expr | None, values: dict[str, ast.expr]) -> str:
    """``STATIC_URL``'s value: a literal, or an f-string's literal parts with each value known
    here (``settingstest.known``; an unknown one empty); ``""``: neither."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if not isinstance(node, ast.JoinedStr):
        return ""
    out = []
    for part in node.values:
        if isinstance(part, ast.Constant):
            out.append(str(part.value))
        elif isinstance(part, ast.FormattedValue):
            value = known(part.value, values)
            out.append(value if isinstance(value, str) else "")
    return "".join(out)
