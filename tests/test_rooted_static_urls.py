"""Templates that write the static URL after the app's root (``{{ ROOT }}`` + the static URL),
met adopting Datasette 0.65.5 itself (its package's ``static/`` and ``templates/``), an ASGI
app that is not Flask: ``<script src="{{ base_url }}-/static/codemirror-5.57.0.min.js">``, its
static files served under ``/-/static/``, ``base_url`` being ``/`` or a mount prefix.

Before the fix ``init`` wrote ``public_path: /static/`` (the guess for any app without a Flask
static route) and still listed the CodeMirror scripts as classic entries (its scan found
``/static/`` inside ``-/static/``), while the build read no reference in those tags: the
scripts were bundled as ES modules and the first ``assetpipe build`` stopped on the SQL mode's
UMD wrapper (``Could not resolve "../../lib/codemirror"``). With ``public_path`` corrected by
hand the build still rewrote nothing (``{{ base_url }}-/static/K`` was an expression) and
needed ``scripts.classic``. ``init`` now reads the static URL from the templates, and the build
rewrites the path after a plain-name root (also Flask's ``{{ request.script_root
}}/static/K``), the root and a cache-busting ``?{{ app_css_hash }}`` kept as written. The app
here is written for the test in Datasette's shape.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assetpipe.adopt import discover
from assetpipe.rewrite.refs import classify
from assetpipe.rewrite.rules import Options, rewrite
from tests.conftest import adopt_and_build, write_tree
from tests.test_serve_support import asgi_server

CORE = "var Core = { modes: {}, version: 5 };\nfunction coreReady() { return true; }\n"
#: a CodeMirror mode's UMD wrapper: bundled as an ES module, esbuild must resolve the require()
MODE = (
    '(function(mod){if(typeof exports=="object"&&typeof module=="object")'
    'mod(require("../lib/core"));else if(typeof define=="function"&&define.amd)'
    'define(["../lib/core"],mod);else mod(Core)})'
    '(function(Core){Core.modes.sql={name:"sql"};});\n'
)

APP: dict[str, str | bytes] = {
    "catalog/__init__.py": "",
    "catalog/app.py": """\
        # an ASGI app, not Flask: it serves its static folder under /-/static/ itself
        async def app(scope, receive, send):
            ...
        """,
    "catalog/static/core.js": CORE,
    "catalog/static/mode-sql.js": MODE,
    "catalog/static/app.css": "body { margin: 0; color: #123; }\n.rows { padding: 4px; }\n",
    "catalog/static/editor.css": ".editor { border: 1px solid #ddd; }\n",
    "catalog/templates/base.html": """\
        <!DOCTYPE html><html><head>
        <link rel="stylesheet" href="{{ base_url }}-/static/app.css?{{ app_css_hash }}">
        {% block extra_head %}{% endblock %}
        </head><body>{% block content %}{% endblock %}</body></html>
        """,
    "catalog/templates/_editor.html": """\
        <script src="{{ base_url }}-/static/core.js"></script>
        <link rel="stylesheet" href="{{ base_url }}-/static/editor.css" />
        <script src="{{ base_url }}-/static/mode-sql.js"></script>
        """,
    "catalog/templates/query.html": """\
        {% extends "base.html" %}
        {% block extra_head %}{% include "_editor.html" %}{% endblock %}
        {% block content %}<div class="editor rows">query</div>
        <script>window.ready = coreReady() && Core.modes.sql.name;</script>{% endblock %}
        """,
}


def test_init_reads_the_static_url_after_the_root_and_finds_the_classic_scripts(
    tmp_path: Path,
) -> None:
    write_tree(tmp_path, APP)
    p = discover(tmp_path)
    assert p.app is None and p.public_path == "/-/static/"
    assert p.scripts == ["core.js", "mode-sql.js"] and p.classic == p.scripts
    assert sorted(p.styles) == ["app.css", "editor.css"]


def test_a_static_url_after_a_plain_name_root_is_a_reference() -> None:
    ref = classify("{{ base_url }}-/static/app.css?{{ app_css_hash }}", "/-/static/")
    assert ref is not None and (ref.kind, ref.key, ref.head) == (
        "prefixed",
        "app.css",
        "{{ base_url }}-/static/",
    )
    ref = classify("{{ request.script_root }}/static/js/app.js", "/static/")
    assert ref is not None and (ref.kind, ref.key) == ("prefixed", "js/app.js")
    for value, public_path in (
        ("{{ base_url }}-/static/{{ name }}.css", "/-/static/"),  # the path is an expression
        ("{{ urls.static('app.css') }}", "/-/static/"),  # a call, not a root
        ("{{ cdn }}/assets/app.css", "/static/"),  # another URL after the expression
        ("{{ base }}/app.css", "/"),  # under a root public_path any {{ x }}/y would match
    ):
        ref = classify(value, public_path)
        assert ref is not None and ref.kind == "dynamic", (value, ref)


def test_the_root_and_the_query_stay_and_inserted_urls_keep_the_root() -> None:
    manifest = {
        "app.css": {"file": "app-AAAAAAAA.css"},
        "core.js": {"file": "core-CCCCCCCC.js"},
    }
    src = (
        '<link rel="stylesheet" href="{{ base_url }}-/static/app.css?{{ app_css_hash }}">\n'
        '<script src="{{ base_url }}-/static/core.js" defer></script>\n'
    )
    res = rewrite(src, "base.html", manifest, Options(public_path="/-/static/"))
    assert res.text.splitlines() == [
        '<link rel="stylesheet" href="{{ base_url }}-/static/app-AAAAAAAA.css?{{ app_css_hash }}">',
        '<script src="{{ base_url }}-/static/core-CCCCCCCC.js" defer></script>',
    ]
    assert res.unresolved == []


class Urls:
    """Datasette's ``urls`` template global: ``urls.static(path)`` is the file's URL."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def static(self, path: str) -> str:
        return f"{self.base_url}-/static/{path}"


def app_for(dist: Path, base_url: str = "/", page: str = "query.html") -> Any:
    """The app: renders dist/templates/PAGE at /page, as Datasette renders its pages (with
    ``base_url``, ``urls`` and ``app_css_hash``); wrapped in assetpipe's ASGI middleware serving
    the build under /-/static/."""
    from jinja2 import Environment, FileSystemLoader

    from assetpipe.serve import asgi

    env = Environment(loader=FileSystemLoader(dist / "templates"), autoescape=True)

    async def app(scope: asgi.Scope, receive: asgi.Receive, send: asgi.Send) -> None:
        found = scope["path"] == "/page"
        values = {"base_url": base_url, "urls": Urls(base_url), "app_css_hash": "d59929"}
        body = env.get_template(page).render(**values).encode() if found else b"not found"
        await send(
            {
                "type": "http.response.start",
                "status": 200 if found else 404,
                "headers": [(b"content-type", b"text/html; charset=utf-8")],
            }
        )
        await send({"type": "http.response.body", "body": body})

    return asgi.AssetMiddleware(app, output=dist, public_path="/-/static/")


def load(browser: Any, origin: str, script: str) -> tuple[list[tuple[int, str]], list[str], Any]:
    """Load ``origin/page`` in Chromium: (status, URL) of each response, page errors, and
    ``script`` evaluated once the page is idle."""
    ctx = browser.new_context()
    try:
        page = ctx.new_page()
        requested: list[tuple[int, str]] = []
        errors: list[str] = []
        page.on("response", lambda r: requested.append((r.status, r.url)))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(origin + "/page", wait_until="networkidle")
        return requested, errors, page.evaluate(script)
    finally:
        ctx.close()


@pytest.mark.node
def test_adopted_app_loads_the_hashed_classic_scripts_after_the_root(
    tmp_path: Path, browser: Any
) -> None:
    write_tree(tmp_path, APP)
    adopt_and_build(tmp_path)
    editor = (tmp_path / "dist/templates/_editor.html").read_text()
    assert '<script src="{{ base_url }}-/static/core-' in editor
    assert '<script src="{{ base_url }}-/static/mode-sql-' in editor
    base_html = (tmp_path / "dist/templates/base.html").read_text()
    assert '.css?{{ app_css_hash }}">' in base_html and "-/static/app-" in base_html
    with asgi_server(app_for(tmp_path / "dist")) as port:
        origin = f"http://127.0.0.1:{port}"
        requested, errors, (ready, border) = load(
            browser,
            origin,
            "() => [window.ready,"
            " getComputedStyle(document.querySelector('.editor')).borderTopWidth]",
        )
    assert errors == [] and ready == "sql" and border == "1px"
    assert [s for s, _ in requested] == [200] * len(requested)
    static = sorted(u.removeprefix(origin) for _, u in requested if "/-/static/" in u)
    assert len(static) == 4, static
    for url, name in zip(static, ("app-", "core-", "editor-", "mode-sql-"), strict=True):
        assert url.startswith("/-/static/" + name) and "." in url, static
