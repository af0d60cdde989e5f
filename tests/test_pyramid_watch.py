"""``assetpipe watch --app`` on a Pyramid app whose static view is not at ``public_path``, in a
real Chromium: a saved stylesheet is swapped in place.

pypicloud names its static view ``"static/%s" % __version__``: its pages link
``/static/1.3.12/css/base-HASH.css`` (the cache buster, under the view's URL) while the ``css``
event named ``/static/css/base-HASH.css`` (``public_path``). The client matched no ``<link>``,
so a save showed nothing until a manual reload. The event now says which part of its URLs is
``public_path`` (``prefix``), and the client swaps a link whose path ends in the old hashed
file, keeping the link's own folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assetpipe.dev.watch import Watcher
from tests.test_pyramid import CSS, INIT, _adopt
from tests.test_watch import Recorder, edit

pytestmark = [pytest.mark.node, pytest.mark.chromium]

PKG = "acme_pyramid_watched"
VERSIONED = INIT.replace(
    'config.add_static_view("static", "static"',
    'config.add_static_view("static/%s" % __version__, "static"',
).replace("\n\n\n@view_config", '\n\n__version__ = "1.3"\n\n\n@view_config', 1)


def test_a_stylesheet_under_a_versioned_static_view_is_swapped(
    tmp_path: Path, browser: Any
) -> None:
    with _adopt(tmp_path, PKG, VERSIONED):
        w = Watcher(
            tmp_path / "pipeline.yaml", port=0, on_line=Recorder().line, app=f"{PKG}:main({{}})"
        )
        w.start()
        page = browser.new_page()
        try:
            page.goto(w.url + "/")
            assert w.broker.wait_for_clients(1)
            link = "document.querySelector('link[rel=stylesheet]')"
            assert "/static/1.3/css/app-" in page.evaluate(f"{link}.href")
            page.evaluate("window.__marker = 42")
            edit(tmp_path / PKG / "static/css/app.css", CSS + "body { color: rgb(200, 0, 0); }\n")
            page.wait_for_function(
                "getComputedStyle(document.body).color === 'rgb(200, 0, 0)'", timeout=30_000
            )
            assert page.evaluate("window.__marker") == 42  # swapped, not reloaded
            hrefs = page.eval_on_selector_all('link[rel="stylesheet"]', "ls => ls.map(l => l.href)")
            assert len(hrefs) == 1 and "/static/1.3/css/app-" in hrefs[0], hrefs
        finally:
            page.close()
            w.close()
