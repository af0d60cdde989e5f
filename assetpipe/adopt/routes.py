"""Routes of the app under its static URL: a view, not a file, answers them.

archivy links ``/static/custom.css``, which its own ``@app.route("/static/custom.css")`` answers
(a stylesheet from the user's data folder): the static folder lacks it, yet it does not 404, and
``init`` must not say it does (nor that it should be fixed).
"""

from __future__ import annotations

import re
from pathlib import Path

from .files import python_texts

#: a route declared with a literal path: ``@app.route("/static/custom.css")``,
#: ``@bp.get(...)``, ``add_url_rule("/static/x.css", ...)``
_ROUTE = re.compile(r"""\.(?:route|get|add_url_rule)\(\s*(["'])(/[^"'<>\s]*)\1""")


def view_routes(root: Path, public_path: str) -> dict[str, str]:
    """Keys (paths after ``public_path``) that the app's Python code declares as routes of its
    own, with a converter-free literal path: the app answers them with a view, not a file."""
    found: dict[str, str] = {}
    if not public_path.startswith("/"):
        return found
    prefix = public_path.rstrip("/") + "/"
    for path, text in python_texts(root):
        for m in _ROUTE.finditer(text):
            url = m.group(2)
            if url.startswith(prefix) and len(url) > len(prefix):
                line = text.count("\n", 0, m.start()) + 1
                where = f"{path.relative_to(root).as_posix()}:{line}"
                found.setdefault(url[len(prefix) :], where)
    return found
