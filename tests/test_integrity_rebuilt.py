"""An ``integrity`` attribute written for the source file (django-allauth's example project, its
CDN's Bootstrap made a local ``{% static %}`` file, the CDN's ``integrity`` kept) names the
built file's digest: esbuild rewrote the stylesheet's bytes, the old digest failed, and
Chromium refused the stylesheet (the adopted pages unstyled)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assetpipe import build
from assetpipe.hashing import sri
from assetpipe.manifest import Manifest
from tests.conftest import before_and_after

#: a stylesheet whose bytes esbuild changes (``#ff0000`` → ``red``, the comment dropped)
CSS = "/* site */\nbody { color: #ff0000; }\n"
SCRIPT = "window.scriptRan = 1;\n"


def _site(make_site: Callable[..., Path]) -> Path:
    page = (
        '<!doctype html>\n<html><head><meta charset="utf-8"><link rel="icon" href="data:,">\n'
        f'<link rel="stylesheet" href="/static/css/site.css" integrity="{sri(CSS.encode())}"'
        ' crossorigin="anonymous">\n'
        "</head><body><p>Hello</p>\n"
        f'<script src="/static/js/site.js" integrity="{sri(SCRIPT.encode())}"'
        ' crossorigin="anonymous"></script>\n'
        "</body></html>\n"
    )
    return make_site(
        """\
source: site
output: dist
public_path: /static/
styles:
  entries: ["css/site.css"]
scripts:
  entries: ["js/site.js"]
templates:
  dirs: ["templates"]
""",
        {"site/css/site.css": CSS, "site/js/site.js": SCRIPT, "site/templates/index.html": page},
    )


@pytest.mark.node
def test_a_written_integrity_names_the_built_file(make_site: Callable[..., Path]) -> None:
    root = _site(make_site)
    build(root / "pipeline.yaml")
    m = Manifest.read(root / "dist" / "manifest.json")
    public = root / "dist" / "public"
    page = (root / "dist" / "templates" / "index.html").read_text()
    for key in ("css/site.css", "js/site.js"):
        built = (public / m[key]["file"]).read_bytes()
        assert (
            f'href="/static/{m[key]["file"]}"' in page or f'src="/static/{m[key]["file"]}"' in page
        )
        assert f'integrity="{sri(built)}" crossorigin="anonymous"' in page, page
    assert (public / m["css/site.css"]["file"]).read_bytes() != CSS.encode()
    assert sri(CSS.encode()) not in page


def _look(browser: Any, url: str) -> tuple[str, Any, list[str]]:
    """The paragraph's colour, the script's global and the console's errors of a page."""
    page = browser.new_page()
    errors: list[str] = []

    def on_console(m: Any) -> None:
        if m.type == "error":
            errors.append(m.text)

    page.on("console", on_console)
    try:
        page.goto(url + "/", wait_until="load")
        color = page.evaluate("getComputedStyle(document.querySelector('p')).color")
        return color, page.evaluate("window.scriptRan"), errors
    finally:
        page.close()


@pytest.mark.node
@pytest.mark.chromium
def test_the_built_page_keeps_its_stylesheet_in_chromium(
    make_site: Callable[..., Path], browser: Any, serve: Callable[[Path], str]
) -> None:
    """The source page and the built one, served over HTTP: the stylesheet applies on both, no
    integrity error."""
    root = _site(make_site)
    build(root / "pipeline.yaml")
    seen = {side: _look(browser, url) for side, url in before_and_after(root, serve).items()}
    assert seen["after"] == seen["before"] == ("rgb(255, 0, 0)", 1, []), seen
