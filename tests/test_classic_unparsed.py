"""A classic script esbuild cannot parse (pretalx's ``questionstats.js``, a parameter declared
again with ``const``) is shipped as written, with a warning, and the rest of the build goes on:
the page behaves as it did, its other scripts minified and hashed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assetpipe import build
from assetpipe.manifest import Manifest
from tests.conftest import before_and_after, run_cli

#: pretalx 2025.2.2's ``orga/js/ui/questionstats.js``, cut down: a SyntaxError in browsers too
BROKEN = """\
const renderChart = (data) => {
    const data = JSON.parse(document.body.dataset.states)
    window.chartRendered = data.length
}
renderChart()
"""
GOOD = "var goodScriptRan = 1;\nfunction readTheAnswerAgain() { return goodScriptRan + 1; }\n"
PAGE = """\
<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head>
<body data-states="[1, 2]">
<script src="/static/js/questionstats.js"></script>
<script src="/static/js/good.js"></script>
</body></html>
"""


def _site(make_site: Callable[..., Path]) -> Path:
    return make_site(
        """\
source: site
output: dist
public_path: /static/
scripts:
  entries: ["js/questionstats.js", "js/good.js"]
templates:
  dirs: ["templates"]
""",
        {
            "site/js/questionstats.js": BROKEN,
            "site/js/good.js": GOOD,
            "site/templates/index.html": PAGE,
        },
    )


def test_a_classic_script_esbuild_cannot_parse_is_shipped_as_written(
    make_site: Callable[..., Path],
) -> None:
    """The build stopped on it (``The symbol "data" has already been declared``), so one
    broken script kept the whole app from being adopted; now it is the file as it is under a
    hashed name, a warning names the error (``build --strict`` fails), and the other script
    is minified as before."""
    root = _site(make_site)
    result = build(root / "pipeline.yaml")
    found = [w for w in result.warnings if "esbuild cannot parse" in w.message]
    assert len(found) == 1, result.warnings
    assert found[0].location is not None
    assert (found[0].location.file, found[0].location.line) == ("site/js/questionstats.js", 2)
    assert 'The symbol "data" has already been declared' in found[0].message
    m = Manifest.read(root / "dist" / "manifest.json")
    public = root / "dist" / "public"
    assert (public / m["js/questionstats.js"]["file"]).read_text() == BROKEN
    assert m["js/questionstats.js"]["file"].startswith("js/questionstats-")
    good = (public / m["js/good.js"]["file"]).read_text()
    assert good != GOOD and "function readTheAnswerAgain(" in good
    page = (root / "dist" / "templates" / "index.html").read_text()
    assert f'src="/static/{m["js/questionstats.js"]["file"]}"' in page
    strict = run_cli("build", "--strict", cwd=root)
    assert strict.code != 0 and "esbuild cannot parse" in strict.err + strict.out


@pytest.mark.node
@pytest.mark.chromium
def test_the_page_behaves_as_before_in_chromium(
    make_site: Callable[..., Path], browser: Any, serve: Callable[[Path], str]
) -> None:
    """The source page and the built one: the same SyntaxError, the other script's global."""
    root = _site(make_site)
    build(root / "pipeline.yaml")
    seen = {}
    for side, base in before_and_after(root, serve).items():
        context = browser.new_context()
        try:
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
            page.goto(base + "/", wait_until="load")
            seen[side] = (
                errors,
                page.evaluate("[typeof readTheAnswerAgain, window.goodScriptRan]"),
            )
        finally:
            context.close()
    assert seen["after"] == seen["before"], seen
    assert seen["after"][1] == ["function", 1]
    assert len(seen["after"][0]) == 1 and "already been declared" in seen["after"][0][0]
