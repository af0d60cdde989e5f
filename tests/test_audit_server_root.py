"""``assetpipe audit --app`` on an app whose static files are served at the site's root
(``Flask(__name__, static_url_path="")``, ``public_path: "/"``): met on nickjj's
docker-flask-example, whose every page the audit reported "HTTP 404 Not Found": the audit's
serving layer answered every path below ``/`` that names no built file with its own 404 instead
of passing it on to the app, as ``AssetPipe(app)`` does in production. Real uvicorn on
127.0.0.1, real HTTP, the app's own page and the build's files."""

from __future__ import annotations

import sys
import urllib.error
import urllib.request
from email.message import Message
from pathlib import Path

import pytest

from assetpipe import build
from assetpipe.adopt import other_app_steps
from assetpipe.audit.server import make_asgi, serve_asgi
from assetpipe.config import load_config
from tests.conftest import write_tree


def _get(url: str, **headers: str) -> tuple[int, Message, bytes]:
    req = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.status, r.headers, bytes(r.read())


def test_the_audit_server_passes_pages_below_a_root_public_path_to_the_app(
    tmp_path: Path,
) -> None:
    write_tree(
        tmp_path,
        {
            "rootapp.py": (
                "from flask import Flask, render_template\n\n"
                "app = Flask(__name__, static_folder='public', static_url_path='')\n\n\n"
                "@app.get('/')\ndef home():\n    return render_template('home.html')\n\n\n"
                "@app.get('/about')\ndef about():\n    return 'about us'\n"
            ),
            "templates/home.html": (
                "<!doctype html><html><head><title>root</title>"
                "<link rel=\"stylesheet\" href=\"{{ url_for('static', filename='css/site.css') }}\">"
                "</head><body><p>home page</p></body></html>\n"
            ),
            "public/css/site.css": "".join(
                f".c{i} {{ color: rgb({i}, 2, 3); }}\n" for i in range(99)
            ),
            "public/robots.txt": "User-agent: *\n",
            "pipeline.yaml": (
                "source: public\noutput: dist\npublic_path: /\n"
                "templates: {dirs: [templates]}\nstyles: {entries: [css/site.css]}\n"
                'static: {include: ["robots.txt"]}\n'
            ),
        },
    )
    build(tmp_path / "pipeline.yaml")
    config = load_config(tmp_path / "pipeline.yaml")
    sys.path.insert(0, str(tmp_path))
    try:
        with serve_asgi(make_asgi(config, "rootapp:app")) as url:
            status, _, body = _get(url + "/")
            assert status == 200 and b"home page" in body, body
            assert _get(url + "/about")[2] == b"about us"
            # the build's files, still served by the layer: hashed and immutable
            css = body.split(b'href="', 1)[1].split(b'"', 1)[0].decode()
            assert css.startswith("/css/site-"), css
            status, headers, _ = _get(url + css, **{"Accept-Encoding": "br"})
            assert headers["Content-Encoding"] == "br" and "immutable" in headers["Cache-Control"]
            assert _get(url + "/robots.txt")[2] == b"User-agent: *\n"
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("rootapp", None)


def test_init_steps_for_another_app_at_the_root_keep_its_pages() -> None:
    """The generic middleware ``init`` prints for an app that is not Flask: at ``/`` it passes
    what the build lacks on to the app (``fallback=True``), every page; below a prefix too, the
    files the app answers there that the build lacks (pywb's ``/static/_/<coll>/``:
    test_init_prefix_static_url)."""
    at_root = "\n".join(other_app_steps("/", Path("/srv/site/dist")))
    assert 'public_path="/", fallback=True)' in at_root
    below = "\n".join(other_app_steps("/static/", Path("/srv/site/dist")))
    assert 'public_path="/static/", fallback=True)' in below


def test_an_app_naming_its_host_is_warned_about(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Indico sets ``SERVER_NAME`` from its ``BASE_URL`` and answers another host with a 404
    page: ``audit --app`` reported "HTTP 404 Not Found" on every page and nothing more. The
    audit now says why, and what to run instead."""
    write_tree(
        tmp_path,
        {
            "hostapp.py": (
                "from flask import Flask, abort, request\n\n"
                "app = Flask(__name__)\napp.config['SERVER_NAME'] = '127.0.0.1:19999'\n\n\n"
                "@app.before_request\ndef only_mine():\n"
                "    if request.host != app.config['SERVER_NAME']:\n        abort(404)\n\n\n"
                "@app.get('/')\ndef home():\n    return 'home'\n"
            ),
            "static/site.css": "body { color: red; }\n",
            "pipeline.yaml": "source: static\noutput: dist\nstatic: {include: ['site.css']}\n",
        },
    )
    build(tmp_path / "pipeline.yaml")
    config = load_config(tmp_path / "pipeline.yaml")
    sys.path.insert(0, str(tmp_path))
    try:
        with caplog.at_level("WARNING", logger="assetpipe.audit"):
            app = make_asgi(config, "hostapp:app")
        assert "SERVER_NAME is '127.0.0.1:19999'" in caplog.text
        assert "--base-url http://127.0.0.1:19999" in caplog.text
        with serve_asgi(app) as url:  # what the audit then meets: the app's own 404
            with pytest.raises(urllib.error.HTTPError) as e:
                _get(url + "/")
            assert e.value.code == 404
            e.value.close()  # the error holds the response and its socket
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("hostapp", None)
