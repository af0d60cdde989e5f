"""An app's own route that serves its static folder under another URL than Flask's.

MLflow's tracking server creates ``Flask(__name__, static_folder="js/build")`` (Flask's static
route: ``/build/``), but its prebuilt React bundle links ``static-files/static/js/main.X.js``,
answered by a view of its own::

    @app.route(_add_static_prefix("/static-files/<path:path>"))
    def serve_static_file(path):
        return send_from_directory(app.static_folder, path, max_age=2419200)

``init`` read ``/build/`` and wrote ``public_path: /build/``: every URL the pages fetch went on
to the app's route, none of the build was served. A route whose URL ends in one ``<path:...>``
(or plain ``<...>``) variable and whose view sends files from the app's ``static_folder``
(``send_from_directory(<x>.static_folder, ...)``, ``<x>.send_static_file(...)``) gives the
public path: its URL up to the variable. The route's path may be wrapped in a call (MLflow's
``_add_static_prefix(...)``, which adds a prefix only when an environment variable asks).
"""

from __future__ import annotations

import re

#: ``@app.route("/x/<path:p>")`` / ``@bp.get(f("/x/<p>"))``: the decorator's literal URL
_ROUTE = re.compile(
    r"""^[ \t]*@\w+\.(?:route|get)\(\s*(?:[\w.]+\(\s*)?(["'])(?P<url>/[^"'<>\s]*/)"""
    r"""<(?:path:)?\w+>\1""",
    re.M,
)
#: the view's body sends a file of the static folder
_SENDS_STATIC = re.compile(
    r"""send_from_directory\(\s*[\w.]*\bstatic_folder\b|\.send_static_file\("""
)
#: the view's ``def`` line after the decorators
_DEF = re.compile(r"^([ \t]*)(?:async[ \t]+)?def\b.*$", re.M)


def own_static_route(text: str) -> str | None:
    """The URL prefix (``/static-files/``) of the first route in module ``text`` whose view
    serves the app's static folder by a path variable (module docstring), or ``None``."""
    for m in _ROUTE.finditer(text):
        d = _DEF.search(text, m.end())
        if d is None:
            continue
        indent = len(d.group(1).expandtabs())
        body: list[str] = []
        for line in text[d.end() + 1 :].splitlines():
            if line.strip() and len(line) - len(line.lstrip()) <= indent:
                break  # the next statement at the def's level: the view ends
            body.append(line)
        if _SENDS_STATIC.search("\n".join(body)):
            return m.group("url")
    return None
