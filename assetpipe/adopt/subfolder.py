"""A static folder whose templates name their files relative to one of its subfolders.

SearXNG serves ``searx/static/`` (WhiteNoise, ``static_folder=None``), and its templates write
``url_for('static', filename='sxng-core.min.js')``: its own ``url_for`` finds the file under
``themes/<theme>/``. Read against the static folder, every such reference looked missing:
``init`` wrote "they 404 today too" (they do not) and ``missing_assets: warn``, found no
script or stylesheet, and the build rewrote nothing, while its warnings said to set ``source``
to ``themes/simple`` (then every glob ``init`` wrote had to be edited by hand). When one
subfolder holds most of the missing files under the names the templates use, that subfolder is
the source: the manifest keys are then exactly the templates' ``filename`` values.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable


def names_subfolder(missing: Iterable[str], present: Collection[str]) -> str | None:
    """The folder F (relative to the static folder) such that ``F/K`` exists for the most keys
    K of ``missing`` (references the templates make to files the static folder lacks), when
    that is at least two of them and four in five; ``None`` otherwise. Of two folders that
    explain as many, the shallower (then the first by name) wins."""
    keys = sorted(set(missing))
    hits: dict[str, int] = {}
    for f in present:
        for k in keys:
            if f.endswith("/" + k):
                folder = f[: -len(k) - 1]
                hits[folder] = hits.get(folder, 0) + 1
    if not hits:
        return None
    folder, n = min(hits.items(), key=lambda kv: (-kv[1], kv[0].count("/"), kv[0]))
    return folder if n >= 2 and n * 5 >= len(keys) * 4 else None
