"""A script entry that imports stylesheets keeps them: the template that loads it with a plain
``<script src>`` gets a ``<link rel="stylesheet">`` for esbuild's CSS bundle right before the
tag, in the tag's URL form and with SRI; in real Chromium the styles apply, every response is
a 200 and the console stays clean. Served over real HTTP on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assetpipe import build
from assetpipe.manifest import Manifest

pytestmark = pytest.mark.node

CONFIG = """\
source: static
output: dist
templates: {dirs: [templates], integrity: true}
scripts: {entries: ["js/map.js", "js/plain.js"]}
"""

FILES = {
    "static/js/map.js": 'import "./map.css";\nimport { pin } from "./pin.js";\n'
    "window.mapReady = pin();\n",
    "static/js/pin.js": 'import "./pin.css";\nexport const pin = () => "pinned";\n',
    "static/js/map.css": ".map { width: 321px; border: 3px solid rgb(1, 2, 3); }\n",
    "static/js/pin.css": ".pin { color: rgb(4, 5, 6); }\n",
    "static/js/plain.js": "window.plainReady = true;\n",
    # one template as a Flask app writes it, one with literal URLs; the classic script sits
    # at the end of <body>, indented
    "templates/flask.html": (
        "<!doctype html>\n<html><head><title>m</title></head>\n<body>\n"
        '  <div class="map"><span class="pin">x</span></div>\n'
        "  <script src=\"{{ url_for('static', filename='js/map.js') }}\"></script>\n"
        "  <script src=\"{{ url_for('static', filename='js/plain.js') }}\"></script>\n"
        "</body></html>\n"
    ),
    "templates/literal.html": (
        '<!doctype html><html><head><script src="/static/js/map.js"></script>'
        '<script src="/static/js/map.js" defer></script></head><body></body></html>\n'
    ),
}


def _built(make_site: Callable[..., Path]) -> tuple[Path, Manifest]:
    root = make_site(CONFIG, FILES)
    build(root / "pipeline.yaml")
    return root, Manifest.read(root / "dist" / "manifest.json")


def test_script_entry_css_is_linked_before_its_script(make_site: Callable[..., Path]) -> None:
    root, m = _built(make_site)
    entry = m["js/map.js"]
    (css,) = entry["css"]
    assert entry["cssIntegrity"][css].startswith("sha384-")
    out = (root / "dist" / "templates" / "flask.html").read_text()
    link = (
        f"<link rel=\"stylesheet\" href=\"{{{{ url_for('static', filename='{css}') }}}}\""
        f' integrity="{entry["cssIntegrity"][css]}" crossorigin="anonymous">'
    )
    # before the script, on its own line with the script's indentation
    assert (
        f"  {link}\n  <script src=\"{{{{ url_for('static', filename='{entry['file']}') }}}}\""
        in out
    )
    assert out.count('rel="stylesheet"') == 1  # plain.js imports no CSS: nothing added
    literal = (root / "dist" / "templates" / "literal.html").read_text()
    assert literal.count(f'<link rel="stylesheet" href="/static/{css}"') == 1  # linked once
    assert literal.index(f"/static/{css}") < literal.index(f"/static/{entry['file']}")


@pytest.mark.chromium
def test_imported_styles_apply_in_chromium(
    make_site: Callable[..., Path], browser: Any, serve: Callable[[Path], str]
) -> None:
    root, m = _built(make_site)
    www = root / "www"
    www.mkdir()
    (www / "static").symlink_to((root / "dist" / "public").resolve())
    # render the Flask form of the template as Flask would (url_for('static', ...) → /static/)
    text = (root / "dist" / "templates" / "flask.html").read_text()
    for key in ("js/map.js", "js/plain.js"):
        file = m[key]["file"]
        text = text.replace(f"{{{{ url_for('static', filename='{file}') }}}}", f"/static/{file}")
    for css in m["js/map.js"]["css"]:
        text = text.replace(f"{{{{ url_for('static', filename='{css}') }}}}", f"/static/{css}")
    assert "{{" not in text
    (www / "index.html").write_text(text.replace("<head>", '<head><link rel="icon" href="data:,">'))
    base = serve(www)
    context = browser.new_context()
    try:
        page = context.new_page()
        errors: list[str] = []
        bad: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("response", lambda r: bad.append(r.url) if r.status >= 400 else None)
        page.goto(base + "/")
        page.wait_for_function("window.mapReady === 'pinned' && window.plainReady === true")
        style = page.evaluate(
            "() => { const m = getComputedStyle(document.querySelector('.map'));"
            " const p = getComputedStyle(document.querySelector('.pin'));"
            " return [m.width, m.borderTopColor, p.color]; }"
        )
        assert style == ["321px", "rgb(1, 2, 3)", "rgb(4, 5, 6)"]
        assert errors == [] and bad == []
    finally:
        context.close()
