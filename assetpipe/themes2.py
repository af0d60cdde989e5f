"""Flask-Themes2's theme folders, for ``BlueprintStatic`` to hash and serve as blueprint ones.

Flask-Themes2 (pyLoad's web UI, FlaskBB) serves each theme's ``static/`` folder through one
view, ``_themes.static``, at ``<prefix>/<themeid>/<path:filename>`` (pyLoad:
``/web/_themes/modern/css/base.css``), and its ``theme_static('css/base.css')`` builds that URL
with ``url_for('_themes.static', themeid=..., filename=...)``. That rule has a second variable,
so it is no ``<blueprint>.static`` folder of one URL prefix: every theme file (Bootstrap, jQuery,
the theme's CSS and images) stayed unhashed and was revalidated on every visit. Here each theme
is one folder of its own, keyed ``_themes.static:<themeid>``, under its own URL prefix.
``packaged_themes`` finds the themes for ``assetpipe init`` to name: their templates are
Flask-Themes2's to load (``_themes/<id>/...``), outside ``templates.dirs``, so ``init`` counted
"0 template(s)" on pyLoad and said nothing of the files its pages load.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

THEMES_ENDPOINT = "_themes.static"
_THEME_RULE = re.compile(r"^(/[^<>]*)<(?:string:)?themeid>/<(?:path:)?filename>$")


def theme_key(endpoint: str, values: Mapping[str, Any]) -> str:
    """The ``BlueprintStatic.folders`` key a ``url_for(endpoint, **values)`` names: the theme's
    own for ``_themes.static``, else ``endpoint`` itself."""
    themeid = values.get("themeid")
    if endpoint == THEMES_ENDPOINT and isinstance(themeid, str):
        return f"{endpoint}:{themeid}"
    return endpoint


def theme_folders(app: Any, rules: Iterable[Any]) -> dict[str, tuple[str, str]]:
    """``_themes.static:<themeid>`` → (the theme's URL prefix, its real static folder), for
    each theme of the app's Flask-Themes2 ``theme_manager`` with a static folder; empty without
    Flask-Themes2 or when its files are served from the app's static folder (its
    ``static_folder`` option: one ``filename`` variable, handled as any blueprint's)."""
    manager = getattr(app, "theme_manager", None)
    themes = getattr(manager, "themes", None)
    if not isinstance(themes, Mapping):
        return {}
    found: dict[str, tuple[str, str]] = {}
    for rule in rules:
        m = _THEME_RULE.match(rule.rule) if rule.endpoint == THEMES_ENDPOINT else None
        if m is None or rule.subdomain or getattr(rule, "host", None):
            continue
        for ident, theme in themes.items():
            folder = getattr(theme, "static_path", None)
            if isinstance(ident, str) and isinstance(folder, str) and os.path.isdir(folder):
                key = theme_key(THEMES_ENDPOINT, {"themeid": ident})
                found[key] = (f"{m.group(1)}{ident}/", os.path.realpath(folder))
    return found


def packaged_themes(app_folder: Path) -> list[Path]:
    """The theme folders Flask-Themes2's packaged loader finds for an app whose root path is
    ``app_folder``: each ``themes/<id>/`` whose ``info.json`` names its ``identifier`` and
    ``application`` (Flask-Themes2's manifest), sorted."""
    found = []
    for info in sorted(app_folder.glob("themes/*/info.json")):
        try:
            meta = json.loads(info.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(meta, dict) and meta.get("identifier") and meta.get("application"):
            found.append(info.parent)
    return found
