"""A bare WSGI app whose templates name every file after an expression that is the whole
static URL, met adopting pywb 2.10 (Webrecorder's wayback machine, not Flask):
``<link href="{{ static_prefix }}/css/base.css">``, ``static_prefix`` being
``http://host/static``; pywb answers its own files under ``/static/`` and a collection's
own ones under ``/static/_/<coll>/``.

``init`` took the static URL from those references, read as ``{{ ROOT }}`` + the URL before
the file (Datasette's ``{{ base_url }}-/static/app.css``): nothing is written between the
expression and the file, so it wrote ``public_path: "/"`` and printed
``AssetMiddleware(app, ..., public_path="/", fallback=True)``. The build rewrote
``{{ static_prefix }}/css/base-HASH.css`` (``templates.prefixes``), which the browser asked
for at ``/static/css/base-HASH.css``: the middleware looked for ``static/css/base-HASH.css``
in the build, the app had no such file, every hashed file answered 404 (pywb's pages without
their stylesheets and scripts). An expression that stands for the static folder's URL says
nothing of that URL: ``init`` keeps ``/static/`` now. With ``public_path="/static/"`` the
printed line had no ``fallback=True``, and a file the build lacks under the static URL
(pywb's collection files, ``/static/_/coffee/own.css``) was the middleware's 404 instead of
the app's answer, as before: the printed line always passes ``fallback=True`` now, the app
serving its static URL itself. The app here is written for the test in pywb's shape.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from assetpipe.adopt import discover
from assetpipe.serve import AssetMiddleware
from tests.conftest import run_cli, write_tree
from tests.test_serve_support import wsgi_server

APP: dict[str, str | bytes] = {
    "wayback.py": """\
        # a WSGI app, not Flask: it renders templates/ and serves static/ under /static/
        application = None
        """,
    "static/css/base.css": ".banner { border-top: 3px solid rgb(1, 2, 3); }\n",
    "static/css/query.css": ".results { padding: 7px; }\n",
    "static/banner.js": "window.bannerReady = 'yes';\n",
    "static/query.js": "window.queryReady = document.querySelector('.results') !== null;\n",
    "templates/base.html": """\
        <!DOCTYPE html><html><head>
        <link rel="stylesheet" href="{{ static_prefix }}/css/base.css">
        <script src="{{ static_prefix }}/banner.js"></script>
        {% block head %}{% endblock %}
        </head><body><div class="banner">pywb</div>{% block body %}{% endblock %}</body></html>
        """,
    "templates/query.html": """\
        {% extends "base.html" %}
        {% block head %}<link rel="stylesheet" href="{{ static_prefix }}/css/query.css">
        {% endblock %}
        {% block body %}<div class="results">3 captures</div>
        <script src="{{ static_prefix }}/query.js"></script>{% endblock %}
        """,
}


def pywb_like(root: Path) -> Any:
    """The app: renders dist/templates/query.html at /coffee/ with ``static_prefix`` the
    absolute static URL, and answers /static/K from static/ and /static/_/coffee/K from the
    collection's own folder, as pywb does."""
    from jinja2 import Environment, FileSystemLoader

    env = Environment(loader=FileSystemLoader(root / "dist/templates"), autoescape=True)
    own = {"_/coffee/own.css": b".own { color: rgb(9, 8, 7); }\n"}

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        path = environ["PATH_INFO"]
        body, ctype = None, "text/html; charset=utf-8"
        if path == "/coffee/":
            prefix = f"http://{environ['HTTP_HOST']}/static"
            body = env.get_template("query.html").render(static_prefix=prefix).encode()
        elif path.startswith("/static/"):
            key = path.removeprefix("/static/")
            file = root / "static" / key
            body = own.get(key) or (file.read_bytes() if file.is_file() else None)
            ctype = "text/css" if key.endswith(".css") else "text/javascript"
        if body is None:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        start_response("200 OK", [("Content-Type", ctype)])
        return [body]

    return app


def printed_middleware(out: str) -> str:
    """The ``app = asgi.AssetMiddleware(app, ...)`` line ``init`` printed, for WSGI."""
    line = next(s.strip() for s in out.splitlines() if "AssetMiddleware(app" in s)
    return line.replace("asgi.AssetMiddleware", "AssetMiddleware")


def test_an_expression_that_is_the_static_url_keeps_the_default(tmp_path: Path) -> None:
    write_tree(tmp_path, APP)
    p = discover(tmp_path)
    assert p.app is None and p.prefixes == {"static_prefix": ""}
    assert p.public_path == "/static/"


@pytest.mark.node
def test_the_printed_middleware_serves_the_hashed_files_and_the_apps_own(
    tmp_path: Path, browser: Any
) -> None:
    write_tree(tmp_path, APP)
    done = run_cli("init", cwd=tmp_path)
    assert done.code == 0, done.out + done.err
    line = printed_middleware(done.out)
    assert 'public_path="/static/"' in line and "fallback=True" in line, line
    built = run_cli("build", "--strict", cwd=tmp_path)
    assert built.code == 0, built.out + built.err
    scope: dict[str, Any] = {"app": pywb_like(tmp_path), "AssetMiddleware": AssetMiddleware}
    exec(line, scope)  # the line as printed, pasted under the app
    with wsgi_server(scope["app"]) as port:
        ctx = browser.new_context()
        try:
            page = ctx.new_page()
            answered: list[tuple[int, str]] = []
            page.on("response", lambda r: answered.append((r.status, r.url)))
            page.goto(f"http://127.0.0.1:{port}/coffee/", wait_until="networkidle")
            seen = page.evaluate(
                "() => [window.bannerReady, window.queryReady,"
                " getComputedStyle(document.querySelector('.banner')).borderTopWidth,"
                " getComputedStyle(document.querySelector('.results')).paddingTop]"
            )
            own = page.request.get(f"http://127.0.0.1:{port}/static/_/coffee/own.css")
            own_answer = (own.status, own.text())
        finally:
            ctx.close()
    assert [s for s, _ in answered] == [200] * len(answered), answered
    hashed = [u for _, u in answered if re.search(r"-[A-Z0-9]{8}\.(css|js)$", u)]
    assert len(hashed) == 4, answered
    assert seen == ["yes", True, "3px", "7px"]
    assert own_answer == (200, ".own { color: rgb(9, 8, 7); }\n")  # the app's, as before
