"""The built entry runs in real Chromium: its shared chunk loads, the dynamically imported chunk
loads and runs, SRI holds. Served over real HTTP on 127.0.0.1 (port 0)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assetpipe import build
from assetpipe.manifest import Manifest
from tests.test_scripts import APP, CONFIG

pytestmark = [pytest.mark.node, pytest.mark.chromium]


def test_built_entry_runs_in_chromium_with_its_dynamic_chunk(
    make_site: Callable[..., Path], browser: Any, serve: Callable[[Path], str]
) -> None:
    root = make_site(CONFIG, APP)
    build(root / "pipeline.yaml")
    m = Manifest.read(root / "dist" / "manifest.json")
    a = m["js/a.js"]
    www = root / "www"
    (www).mkdir()
    (www / "static").symlink_to((root / "dist" / "public").resolve())
    preloads = "".join(
        f'<link rel="modulepreload" href="/static/{m[k]["file"]}" '
        f'integrity="{m[k]["integrity"]}" crossorigin>'
        for k in a["imports"]
    )
    (www / "index.html").write_text(
        f'<!doctype html><html><head><link rel="icon" href="data:,">{preloads}'
        f'<script type="module" src="/static/{a["file"]}" integrity="{a["integrity"]}" '
        "crossorigin></script></head><body></body></html>"
    )
    base = serve(www)
    context = browser.new_context()
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        requested: list[str] = []
        page.on("requestfinished", lambda r: requested.append(r.url))
        page.goto(base + "/")
        page.wait_for_function("document.body.dataset.lazy !== undefined", timeout=10_000)
        assert page.evaluate("document.body.dataset.lazy") == "lazy(shared:x)"
        assert page.evaluate("window.__a") == "shared:a"
        assert errors == []
        paths = {u.removeprefix(base) for u in requested}
        assert f"/static/{m['js/lazy.js']['file']}" in paths  # the dynamic chunk
        shared = next(k for k in m if k.startswith("_"))
        assert f"/static/{m[shared]['file']}" in paths  # the shared chunk
    finally:
        context.close()
