"""A blueprint's script that finds the site's URL from its own path keeps its name.

OctoPrint's G-code viewer plugin serves ``js/viewer/worker.js`` from its blueprint's static
folder and starts it as a Web Worker from ``url_for('plugin.gcodeviewer.static', ...)``; the
worker takes the site's base URL as ``self.location.href`` minus the length of
``"/plugin/gcodeviewer/static/js/viewer/worker.js"``. Hashed by ``AssetPipe(app)``
(``worker-HASH.js``, nine characters longer), the base came out as ``/plugin/g`` and the
worker's API request went to ``/plugin/g/plugin/gcodeviewer/skipuntilcheck/...``: a 404 on
each file the viewer loaded. Here a worker written for the test does the same, in Chromium.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Blueprint, Flask, jsonify, render_template_string

from assetpipe.adopt.selflocate import names_itself
from assetpipe.flask import AssetPipe
from tests.conftest import write_tree
from tests.test_serve_support import wsgi_server

WORKER = """\
var base = self.location.href.substring(
  0, self.location.href.length - "/viewer/static/js/worker.js".length);
fetch(base + "/api/ping").then(function (r) { return r.ok ? r.json() : {reply: r.status}; })
  .then(function (d) { self.postMessage(String(d.reply)); });
"""
PAGE = """<!doctype html><title>viewer</title><link rel="icon" href="data:,">
<p id="out">waiting</p>
<script>
new Worker("{{ url_for('viewer.static', filename='js/worker.js') }}").onmessage =
  function (e) { document.getElementById("out").textContent = e.data; };
</script>
"""


NAMES = "{{ url_for('viewer.static', filename='js/worker.js') }} " + (
    "{{ url_for('viewer.static', filename='js/plain.js') }}"
)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    write_tree(
        tmp_path,
        {
            "pipeline.yaml": "source: app/static\noutput: dist\n",
            "app/static/site.txt": "site\n",
            "viewer/static/js/worker.js": WORKER,
            "viewer/static/js/plain.js": "self.postMessage(1);\n//# sourceMappingURL=plain.js.map\n",
        },
    )
    app = Flask("app", root_path=str(tmp_path / "app"))
    AssetPipe(app)
    viewer = Blueprint(
        "viewer", "viewer", root_path=str(tmp_path / "viewer"), static_folder="static",
        static_url_path="/viewer/static",
    )  # fmt: skip
    app.register_blueprint(viewer)
    app.add_url_rule("/", "page", lambda: render_template_string(PAGE))
    app.add_url_rule("/api/ping", "ping", lambda: jsonify(reply="pong"))
    app.add_url_rule("/names", "names", lambda: render_template_string(NAMES))
    with wsgi_server(app) as port:
        yield f"http://127.0.0.1:{port}"


def test_a_worker_that_strips_its_own_path_keeps_its_name(site: str, browser: Any) -> None:
    page = browser.new_page()
    bad: list[str] = []
    page.on("response", lambda r: bad.append(r.url) if r.status >= 400 else None)
    page.goto(site + "/")
    page.wait_for_function("document.getElementById('out').textContent !== 'waiting'")
    assert page.inner_text("#out") == "pong"
    assert bad == []
    page.close()


def test_only_the_script_naming_its_own_path_keeps_it(site: str) -> None:
    """Its neighbour is hashed as before; a path only in a comment (``//#
    sourceMappingURL=plain.js.map``) is no string literal."""
    import re
    import urllib.request

    names = urllib.request.urlopen(site + "/names").read().decode().split()
    assert names[0] == "/viewer/static/js/worker.js"
    assert re.fullmatch(r"/viewer/static/js/plain-[A-Z2-7]{8}\.js", names[1]), names
    assert not names_itself("var a;\n//# sourceMappingURL=plain.js.map\n", "js/plain.js")
    assert names_itself('x.length - "/viewer/static/js/worker.js".length', "js/worker.js")
