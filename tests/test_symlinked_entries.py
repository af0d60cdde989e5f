"""An entry script or stylesheet that is a symlink to a file outside the source folder, met
adopting GNU MediaGoblin: ``static/js/extlib/jquery.js -> ../../../../extlib/jquery/dist/
jquery.js`` and ``static/css/extlib/reset.css -> ../../../../extlib/reset/reset.css`` (its
``make`` copies npm's packages into ``extlib/``).

esbuild names an entry by its real path, outside the source (``../extlib/...``), so the output
had no manifest key: the script was taken for a chunk (``_jquery-HASH.js``), the stylesheet
dropped, and every template's reference to them was "refers to 'js/extlib/jquery.js', which the
build did not produce" (no jQuery on any page once ``init`` listed them as entries). Each is
now keyed by the path it was asked for; the page built from the template loads both (real
esbuild, real Chromium, real HTTP).
"""

from __future__ import annotations

import functools
import json
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_cli, write_tree

pytestmark = [pytest.mark.node, pytest.mark.chromium]

TREE: dict[str, str | bytes] = {
    "extlib/jquery/dist/jquery.js": "window.jQueryLike = function () { return 'jq'; };\n",
    "extlib/reset/reset.css": "body { margin: 0; color: rgb(9, 8, 7); }\n",
    "site/js/app.js": "document.body.dataset.app = window.jQueryLike();\n",
    "templates/page.html": """\
<!DOCTYPE html><html><head>
<link rel="stylesheet" href="/static/css/extlib/reset.css">
</head><body><p>page</p>
<script src="/static/js/extlib/jquery.js"></script>
<script src="/static/js/app.js"></script>
</body></html>
""",
    "pipeline.yaml": (
        "source: site\npublic_path: /static/\ntemplates:\n  dirs: [templates]\n"
        "scripts:\n  entries: [js/extlib/jquery.js, js/app.js]\n"
        "  classic: [js/extlib/jquery.js, js/app.js]\n"
        "styles:\n  entries: [css/extlib/reset.css]\n"
    ),
}


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *a: Any) -> None:
        pass


def test_symlinked_entries_are_built_under_their_own_keys(tmp_path: Path, browser: Any) -> None:
    write_tree(tmp_path, TREE)
    (tmp_path / "site/js/extlib").mkdir(parents=True)
    (tmp_path / "site/css/extlib").mkdir(parents=True)
    (tmp_path / "site/js/extlib/jquery.js").symlink_to("../../../extlib/jquery/dist/jquery.js")
    (tmp_path / "site/css/extlib/reset.css").symlink_to("../../../extlib/reset/reset.css")
    built = run_cli("build", "--strict", cwd=tmp_path)
    assert built.code == 0, built.out + built.err
    manifest = json.loads((tmp_path / "dist/manifest.json").read_text())
    assert manifest["js/extlib/jquery.js"]["isEntry"] is True
    assert manifest["css/extlib/reset.css"]["file"].startswith("css/extlib/reset-")
    assert not [k for k in manifest if k.startswith("_")], sorted(manifest)

    www = tmp_path / "www"
    www.mkdir()
    (www / "static").symlink_to(tmp_path / "dist/public")
    (www / "index.html").write_bytes((tmp_path / "dist/templates/page.html").read_bytes())
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(www)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = browser.new_context()
    page = context.new_page()
    failed: list[str] = []
    page.on("response", lambda r: failed.extend([r.url] if r.status >= 400 else []))
    try:
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/", wait_until="load")
        assert page.evaluate("document.body.dataset.app") == "jq"
        assert page.evaluate("getComputedStyle(document.body).color") == "rgb(9, 8, 7)"
        assert failed == []
    finally:
        context.close()
        server.shutdown()
        server.server_close()
