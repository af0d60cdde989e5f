"""A file the build copies keeps its source's modification time, so the ``Last-Modified`` of
its unhashed URL is the one the app sent before adoption. Met adopting Trac 1.6: Trac adds its
scripts and stylesheets in Python (``/chrome/common/js/jquery.js``), keeps those URLs, and sends
them with its files' ``Last-Modified`` and no ``Cache-Control``, so browsers keep them for a
tenth of their age (heuristic freshness: days, for a Trac installed weeks ago). Served from the
build (``unhashed_cache_control=""``), their ``Last-Modified`` was the first build's time:
after a deploy a warm visit revalidated every file within minutes.

A real build, the real WSGI middleware."""

from __future__ import annotations

import os
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from typing import Any

from assetpipe import build
from assetpipe.config import load_config
from assetpipe.serve import AssetMiddleware
from tests.conftest import write_tree
from tests.test_serve_support import wsgi_get

OLD = 1_700_000_000  # 2023-11-14: Trac's files, installed long before the first build


def _head(app: Any, path: str) -> dict[str, str]:
    status, headers, _ = wsgi_get(app, path)
    assert status.startswith("200"), status
    return headers


def test_an_unhashed_url_keeps_its_sources_last_modified(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pipeline.yaml": "source: htdocs\npublic_path: /chrome/\noutput: dist\n"
            'static:\n  include: ["common/js/*.js"]\n',
            "htdocs/common/js/jquery.js": "window.jQuery = function () {};\n" * 40,
        },
    )
    os.utime(tmp_path / "htdocs/common/js/jquery.js", (OLD, OLD))
    build(load_config(tmp_path / "pipeline.yaml"))
    app = AssetMiddleware(
        lambda e, s: [],
        output=tmp_path / "dist",
        public_path="/chrome/",
        fallback=True,
        unhashed_cache_control="",
    )
    headers = _head(app, "/chrome/common/js/jquery.js")
    assert "Cache-Control" not in headers
    assert headers["Last-Modified"] == formatdate(OLD, usegmt=True)
    assert parsedate_to_datetime(headers["Last-Modified"]).timestamp() == OLD
