"""``assetpipe init`` beside an isso comment server's config, met adopting isso 0.14.

isso is a Werkzeug WSGI app of its own, configured by an INI file (``isso.cfg``: ``[general]
dbpath``, ``host``), serving its installed package's ``js/``, ``css/`` and ``img/`` itself
(uncompressed, ``max-age=43200``); a site's pages name ``/js/embed.min.js`` by URL and that
script loads ``/css/isso.css`` by a URL it builds. ``init`` in the folder holding ``isso.cfg``
stopped with "no Flask app with a static folder found" and a hint about ``Flask(__name__)``.

Now it writes a pipeline.yaml that copies, from the installed package, the files isso's pages
load (not the package's Python, tests or JS sources), and prints a ``wsgi.py`` that serves
them precompressed at their own URLs with isso's ``Cache-Control``, every other path isso's.
Here a small stand-in ``isso`` package (``make_app``, ``config.load``, the files under
``SharedDataMiddleware`` as isso serves them) is installed on ``PYTHONPATH``; the printed
``wsgi.py`` is written as a user pastes it, imported, and served over real HTTP.
"""

from __future__ import annotations

import gzip
import os
import re
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
import yaml

from tests.conftest import load_module, run_cli, write_tree

EMBED = "/* embed */ " + "var isso=function(){return document.currentScript};" * 40 + "\n"

PACKAGE: dict[str, str | bytes] = {
    "site/isso/__init__.py": """\
from os.path import dirname, join

from werkzeug.middleware.shared_data import SharedDataMiddleware
from werkzeug.wrappers import Response


def make_app(conf, multiprocessing=False):
    def api(environ, start_response):
        body = '{"config": {"reply-to-self": false, "gravatar": false}}' * 20
        return Response(body, content_type="application/json")(environ, start_response)

    here = dirname(__file__)
    return SharedDataMiddleware(
        api, {"/js": join(here, "js/"), "/css": join(here, "css/"), "/img": join(here, "img/")}
    )
""",
    "site/isso/config.py": """\
def default_file():
    return "isso.cfg"


def load(default, user=None):
    return {"default": default, "user": user}
""",
    "site/isso/js/embed.min.js": EMBED,
    "site/isso/js/count.min.js": "var count=1;" * 60,
    "site/isso/js/admin.js": "function log_out(){}" * 40,
    "site/isso/js/app/isso.js": "import x from './lib';" * 40,
    "site/isso/js/tests/unit/a.test.js": "test('a', () => {});\n",
    "site/isso/css/isso.css": ".isso-comment { margin: 0 auto; }\n" * 30,
    "site/isso/css/admin.css": ".label { color: #333; }\n" * 30,
    "site/isso/img/isso.svg": '<svg xmlns="http://www.w3.org/2000/svg">' + "<g/>" * 200 + "</svg>",
    "site/isso/templates/admin.html": "<link href='{{isso_host_script}}/css/admin.css'>\n",
    "server/isso.cfg": (
        "[general]\ndbpath = /tmp/comments.db\nhost = http://example.com/\n\n"
        "[server]\nlisten = http://localhost:8080/\n"
    ),
}


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def isso_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, str]]:
    """The stand-in isso installed (``PYTHONPATH``), a server folder holding ``isso.cfg``."""
    write_tree(tmp_path, PACKAGE)
    site = str(tmp_path / "site")
    monkeypatch.syspath_prepend(site)
    yield tmp_path / "server", os.pathsep.join([site, os.environ.get("PYTHONPATH", "")])


def _get(url: str) -> tuple[dict[str, str], bytes]:
    req = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return {k.lower(): v for k, v in resp.headers.items()}, resp.read()


def _body(headers: dict[str, str], data: bytes) -> bytes:
    return gzip.decompress(data) if headers.get("content-encoding") == "gzip" else data


def test_init_beside_isso_cfg_serves_isso_files_precompressed(
    isso_server: tuple[Path, str],
) -> None:
    server, pythonpath = isso_server
    res = run_cli("init", cwd=server, env={"PYTHONPATH": pythonpath})
    assert res.code == 0, res.out + res.err
    assert "An isso comment server (isso.cfg)" in res.out, res.out
    package = (server.parent / "site" / "isso").resolve()
    config = yaml.safe_load((server / "pipeline.yaml").read_text(encoding="utf-8"))
    assert Path(config["source"]) == package and config["public_path"] == "/"
    built = run_cli("build", "--strict", cwd=server)
    assert built.code == 0, built.out + built.err
    public = server / "dist" / "public"
    copied = {p.relative_to(public).as_posix() for p in public.rglob("*") if p.is_file()}
    # the files isso's pages load, and none of the package's Python, sources or tests
    assert any(re.fullmatch(r"js/embed\.min-[A-Z0-9]{8}\.js\.gz", f) for f in copied), copied
    assert not [f for f in copied if f.endswith(".py") or f.startswith(("js/app", "js/tests"))]

    # wsgi.py as printed, pasted without the indent
    block = res.out.split("wsgi.py beside pipeline.yaml", 1)[1].split("and run it in place", 1)[0]
    code = "\n".join(line[6:] for line in block.splitlines()[3:])
    (server / "wsgi.py").write_text(code, encoding="utf-8")
    app = load_module(server / "wsgi.py", "isso_adopted_wsgi").application
    httpd = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        headers, data = _get(f"{base}/js/embed.min.js")  # the URL a site's page names
        assert headers["content-encoding"] == "gzip", headers
        assert headers["cache-control"] == "public, max-age=43200"
        assert _body(headers, data) == EMBED.encode()
        headers, data = _get(f"{base}/css/isso.css")  # the URL embed.min.js builds
        assert headers["content-encoding"] == "gzip" and b".isso-comment" in _body(headers, data)
        headers, data = _get(f"{base}/js/app/isso.js")  # not built: isso's, as before
        assert _body(headers, data).startswith(b"import x")
        headers, data = _get(f"{base}/config")  # isso's JSON, compressed on the way out
        assert headers["content-encoding"] == "gzip" and b"reply-to-self" in _body(headers, data)
        # isso upgraded, not built again: the changed file is isso's, not the build's old copy
        time.sleep(0.05)
        (package / "js" / "embed.min.js").write_text(EMBED + "var v2;\n", encoding="utf-8")
        headers, data = _get(f"{base}/js/embed.min.js")
        assert _body(headers, data).endswith(b"var v2;\n")
    finally:
        httpd.shutdown()
        httpd.server_close()
