"""A WSGI app of no framework ``init`` reads (Radicale's ``application(environ,
start_response)``, which serves its web UI's static files at ``/.web/`` and writes
``js/config.js`` at run time): ``init`` said "no Flask app with a static folder found" and
to look for ``Flask(__name__)``. It names the function and the steps now; followed, they
serve the build in front of the app, the UI's folder URL and the app's own file still the
app's."""

from __future__ import annotations

import urllib.request
from pathlib import Path

from assetpipe import build
from assetpipe.serve import AssetMiddleware, CompressMiddleware
from tests.conftest import load_module, run_cli, write_tree
from tests.test_serve_support import wsgi_server

APP = """\
from pathlib import Path

DATA = Path(__file__).parent / "web" / "data"


def application(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/.web/js/config.js":  # written at run time, as Radicale's
        body, kind = b"export const FROM_APP = true;\\n", "text/javascript"
    elif path == "/.web/":
        body, kind = (DATA / "index.html").read_bytes(), "text/html"
    else:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"nope"]
    start_response("200 OK", [("Content-Type", kind)])
    return [body]
"""


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, b""


def test_init_names_a_wsgi_function_and_the_steps(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "calsrv/__init__.py": APP,
            "calsrv/web/data/index.html": '<script type="module" src="js/main.js"></script>\n',
            "calsrv/web/data/js/main.js": 'import { FROM_APP } from "./config.js";\n',
            "calsrv/web/data/js/config.js": "export const FROM_APP = false;\n",
        },
    )
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 2, result.out
    assert "calsrv/__init__.py has a WSGI function, application(environ, start_response)" in (
        result.err
    )
    assert "fallback=True" in result.err and "Flask(__name__)" not in result.err
    # the steps it names, followed
    write_tree(
        tmp_path,
        {
            "pipeline.yaml": "source: calsrv/web/data\noutput: dist\npublic_path: /.web/\n"
            'templates: {dirs: []}\nstatic: {include: ["index.html", "js/main.js"]}\n',
        },
    )
    build(tmp_path / "pipeline.yaml")
    app = load_module(tmp_path / "calsrv/__init__.py", "calsrv").application
    wrapped = CompressMiddleware(
        AssetMiddleware(app, output=tmp_path / "dist", public_path="/.web/", fallback=True)
    )
    with wsgi_server(wrapped) as port:
        base = f"http://127.0.0.1:{port}/.web/"
        assert _get(base)[0] == 200
        assert _get(base + "js/config.js") == (200, b"export const FROM_APP = true;\n")
        assert _get(base + "js/main.js")[1].startswith(b"import")
