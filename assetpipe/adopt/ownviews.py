"""Static files the templates name through a view of the app's own, not ``url_for('static')``.

changedetection.io serves its static folder through ``@app.route("/static/<group>/<filename>")``
(a view that adds its own cache headers) and its templates write ``url_for('static_content',
group='js', filename='tabs.js')`` for ``static/js/tabs.js``. The build rewrites only the static
route's ``url_for`` (``templates.static_routes``, whose file is one ``filename``/``path``
keyword), so such a reference keeps the view's URL, and the view answers the source file:
nothing the pages load is hashed. ``init`` counted "0 script(s)" and said the 38 scripts "no
``<script src>`` tag loads" were copied with hashed names, which read as if they would be
served hashed. ``own_view_refs`` finds such calls so that ``init`` can say what they are.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

#: ``url_for('ENDPOINT', k='v', ...)`` whose keyword arguments are all string literals
_CALL = re.compile(
    r"""url_for\(\s*(["'])(?P<endpoint>[\w.:-]+)\1(?P<kwargs>(?:\s*,\s*\w+\s*=\s*(["'])"""
    r"""[^"'{}\\]*\4)+)\s*\)"""
)
_KWARG = re.compile(r"""(\w+)\s*=\s*(["'])([^"'{}\\]*)\2""")


def own_view_refs(
    texts: Iterable[str], present: Collection[str], routes: Collection[str] = ("static",)
) -> dict[str, list[str]]:
    """Endpoint → the keys (sorted) of the static files ``present`` that the templates'
    ``texts`` name by a ``url_for`` of that endpoint, one not in ``routes`` (the static routes),
    with two or more literal keywords whose values, in the order written and joined by ``/``,
    are the file's key (``group='js', filename='tabs.js'`` → ``js/tabs.js``). A call with one
    keyword is left out: a route of another name taking ``filename=K`` is what
    ``templates.static_routes`` is for, and the build names it already."""
    found: dict[str, set[str]] = {}
    for text in texts:
        if "url_for" not in text:
            continue
        for m in _CALL.finditer(text):
            endpoint = m.group("endpoint")
            if endpoint in routes:
                continue
            values = [v for _, _, v in _KWARG.findall(m.group("kwargs"))]
            if len(values) < 2:
                continue
            key = "/".join(v.strip("/") for v in values if v.strip("/"))
            if key in present:
                found.setdefault(endpoint, set()).add(key)
    return {endpoint: sorted(keys) for endpoint, keys in sorted(found.items())}
