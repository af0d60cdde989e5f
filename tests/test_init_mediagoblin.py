"""``assetpipe init`` in a GNU MediaGoblin checkout, met adopting MediaGoblin from git.

Its templates name every file through ``{{ request.staticdirect('/css/base.css') }}``, which
MediaGoblin joins to ``direct_remote_path`` (``[mediagoblin]`` of ``mediagoblin.ini``,
``/mgoblin_static/`` by default). No literal URL told ``init`` the static URL: it wrote
``public_path: /static/`` and printed ``AssetMiddleware(app, public_path="/static/")`` (the
build served where no page looks) and the steps of an app that is not Flask (Starlette's
``Jinja2Templates``). Now the public path is ``direct_remote_path``, and ``init`` prints
MediaGoblin's steps: ``local_templates`` at the build's templates and a ``wsgi.py`` around the
app ``paste.ini`` makes. The built page's URLs are answered at that path over real HTTP.
"""

from __future__ import annotations

import re
import threading
import urllib.request
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

import jinja2
import pytest
import yaml

from assetpipe.adopt import discover
from tests.conftest import run_cli, write_tree
from tests.test_init_static_function_missing import SITE

INI = """\
[DEFAULT]
data_basedir = %(here)s/user_dev

[mediagoblin]
email_sender_address = "notice@mediagoblin.example.org"
direct_remote_path = /assets/
allow_registration = true

[storage:publicstore]
base_url = /mgoblin_media/

[plugins]
[[mediagoblin.plugins.basic_auth]]
"""


class _Quiet(WSGIRequestHandler):
    def log_message(self, *a: object) -> None:
        pass


def test_public_path_is_direct_remote_path_or_its_default(tmp_path: Path) -> None:
    write_tree(tmp_path / "set", {**SITE, "mediagoblin.ini": INI})
    assert discover(tmp_path / "set").public_path == "/assets/"
    unset = INI.replace("direct_remote_path = /assets/\n", "")
    write_tree(tmp_path / "unset", {**SITE, "mediagoblin.ini": unset})
    assert discover(tmp_path / "unset").public_path == "/mgoblin_static/"


@pytest.mark.node
def test_init_prints_mediagoblins_steps_and_the_build_is_served_there(tmp_path: Path) -> None:
    from assetpipe.serve import AssetMiddleware

    write_tree(tmp_path, {**SITE, "mediagoblin.ini": INI, "paste.ini": "[app:mediagoblin]\n"})
    res = run_cli("init", cwd=tmp_path)
    assert res.code == 0, res.out + res.err
    assert "A GNU MediaGoblin checkout (mediagoblin.ini)" in res.out, res.out
    assert f"local_templates = {tmp_path.resolve() / 'dist' / 'templates'}" in res.out
    assert 'public_path="/assets/", fallback=True' in res.out
    assert "loadapp(" in res.out and "Jinja2Templates" not in res.out
    assert yaml.safe_load((tmp_path / "pipeline.yaml").read_text())["public_path"] == "/assets/"
    built = run_cli("build", cwd=tmp_path)
    assert built.code == 0, built.out + built.err
    template = (tmp_path / "dist/templates/mediagoblin/base.html").read_text(encoding="utf-8")

    class Request:  # MediaGoblin's staticdirect: the path joined to direct_remote_path
        staticdirect = staticmethod(lambda path: "/assets" + path)

    html = jinja2.Template(template).render(request=Request())
    urls = re.findall(r'(?:href|src)="(/assets/(?:css/base|js/header)[^"]+)"', html)
    assert len(urls) == 2, html
    app = AssetMiddleware(None, output=tmp_path / "dist", public_path="/assets/")
    server = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        for url in urls:
            with urllib.request.urlopen(f"http://127.0.0.1:{server.server_address[1]}{url}") as r:
                assert r.status == 200 and "immutable" in r.headers["Cache-Control"]
    finally:
        server.shutdown()
        server.server_close()
