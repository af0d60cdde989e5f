"""A ``templates.static_functions`` call whose file starts with a slash, met adopting GNU
MediaGoblin: every template names its files as ``{{ request.staticdirect('/css/base.css') }}``,
which MediaGoblin joins to ``direct_remote_path`` (``/mgoblin_static/``).

With ``request.staticdirect`` listed, the build looked the key up as ``/css/base.css``, not the
manifest's ``css/base.css``: 28 errors "refers to '/js/keyboard_navigation.js', which the build
did not produce" ("did you mean 'js/keyboard_navigation.js'?"), and no build. The key is now
read without its slash, which stays in the template (the function joins it to its root); the
rendered page's URLs are the build's files, served over HTTP.
"""

from __future__ import annotations

import re
import threading
import urllib.request
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

import jinja2
import pytest

from tests.conftest import run_cli, write_tree

pytestmark = pytest.mark.node

SITE: dict[str, str | bytes] = {
    "mg/static/css/base.css": "body { color: rgb(1, 2, 3); }\n",
    "mg/static/js/keyboard_navigation.js": "document.body.dataset.nav = 'on';\n",
    "mg/templates/page.html": """\
<!DOCTYPE html><html><head>
<link rel="stylesheet" href="{{ request.staticdirect('/css/base.css') }}">
</head><body><p>media</p>
<script src="{{ request.staticdirect('/js/keyboard_navigation.js') }}"></script>
</body></html>
""",
    "pipeline.yaml": (
        "source: mg/static\npublic_path: /mgoblin_static/\ntemplates:\n"
        "  dirs: [mg/templates]\n  static_functions: [request.staticdirect]\n"
        'static:\n  include: ["css/*", "js/*"]\n'
    ),
}


class _Request:
    """MediaGoblin's ``request.staticdirect``: the path joined to ``direct_remote_path``."""

    @staticmethod
    def staticdirect(path: str) -> str:
        return "/mgoblin_static" + path


class _Quiet(WSGIRequestHandler):
    def log_message(self, *a: object) -> None:
        pass


def test_a_call_with_a_leading_slash_names_the_built_file(tmp_path: Path) -> None:
    from assetpipe.serve import AssetMiddleware

    write_tree(tmp_path, SITE)
    built = run_cli("build", "--strict", cwd=tmp_path)
    assert built.code == 0, built.out + built.err
    template = (tmp_path / "dist/templates/page.html").read_text(encoding="utf-8")
    assert re.search(r"staticdirect\('/css/base-[A-Z0-9]{8}\.css'\)", template), template
    html = jinja2.Template(template).render(request=_Request())
    urls = re.findall(r'(?:href|src)="(/mgoblin_static/[^"]+)"', html)
    assert len(urls) == 2 and all("-" in u.rsplit("/", 1)[1] for u in urls), html
    app = AssetMiddleware(None, output=tmp_path / "dist", public_path="/mgoblin_static/")
    server = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        bodies = []
        for url in urls:
            with urllib.request.urlopen(f"http://127.0.0.1:{server.server_address[1]}{url}") as r:
                assert r.status == 200 and "immutable" in r.headers["Cache-Control"]
                bodies.append(r.read())
        assert b"rgb(1, 2, 3)" in bodies[0] or b"#010203" in bodies[0]
        assert b"nav" in bodies[1]
    finally:
        server.shutdown()
        server.server_close()
