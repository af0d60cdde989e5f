"""A script an inline ``document.write`` puts in the page (a CDN copy's local fallback, as
django-oscar's ``base.html`` and HTML5 Boilerplate load jQuery) is a classic script: built as
one, not as an ES module ending in ``export default`` (on oscar, jQuery stopped on a syntax
error and every script that needs it after it). Real esbuild and real Chromium; the jQuery is
the copy flask-admin (a test extra) ships, copied into tmp_path at test time."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assetpipe import build
from assetpipe.manifest import Manifest
from assetpipe.rewrite.scripttags import ScriptUse, script_uses

#: oscar's base.html, lines 37-39 (the CDN's copy first, the local one when it did not load)
FALLBACK = """\
<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script>window.jQuery || document.write('<script src="{url}"><\\/script>')</script>
<script src="/static/js/uses-jquery.js"></script>
</head><body><p id="out">not run</p></body></html>
"""


def test_a_script_tag_written_by_document_write_is_a_classic_use_at_its_line() -> None:
    text = (
        "{% load static %}\n"
        '<script src="https://ajax.googleapis.com/ajax/libs/jquery/3.6.0/jquery.min.js"></script>\n'
        "<script>window.jQuery || document.write('<script src=\"{% static "
        '"oscar/js/jquery/jquery.min.js" %}"><\\/script>\')</script>\n'
        '<script>\n  document.writeln(\'<script type="module" src="/static/js/m.js"><\\/script>\');'
        "\n</script>\n"
        # markup in a string that is never written is no load
        "<script>el.innerHTML = '<script src=\"/static/js/never.js\"><\\/script>';</script>\n"
    )
    assert script_uses(text, "/static/") == [
        ScriptUse("oscar/js/jquery/jquery.min.js", False, 3),
        ScriptUse("js/m.js", True, 5),
    ]


def _site(make_site: Callable[..., Path]) -> Path:
    flask_admin = pytest.importorskip("flask_admin", reason="pip install -e '.[test]'")
    root = make_site(
        """\
source: site
output: dist
public_path: /static/
scripts:
  entries: ["vendor/jquery.min.js", "js/uses-jquery.js"]
templates:
  dirs: ["templates"]
""",
        {
            "site/js/uses-jquery.js": "jQuery(function ($) { $('#out').text('jQuery ' + $.fn.jquery); });\n",
            "templates/index.html": FALLBACK.format(url='{% static "vendor/jquery.min.js" %}'),
        },
    )
    (root / "site" / "vendor").mkdir()
    vendor = Path(flask_admin.__file__).parent / "static" / "vendor" / "jquery.min.js"
    shutil.copyfile(vendor, root / "site" / "vendor" / "jquery.min.js")
    return root


def test_the_written_entry_is_built_classic(make_site: Callable[..., Path]) -> None:
    root = _site(make_site)
    build(root / "pipeline.yaml")
    m = Manifest.read(root / "dist" / "manifest.json")
    built = (root / "dist" / "public" / m["vendor/jquery.min.js"]["file"]).read_text()
    assert "export default" not in built and "export{" not in built
    page = (root / "dist" / "templates" / "index.html").read_text()
    assert m["vendor/jquery.min.js"]["file"] in page  # the fallback names the hashed file


@pytest.mark.node
@pytest.mark.chromium
def test_the_fallback_jquery_runs_in_chromium(
    make_site: Callable[..., Path], browser: Any, serve: Callable[[Path], str]
) -> None:
    root = _site(make_site)
    build(root / "pipeline.yaml")
    www = root / "www"
    www.mkdir()
    (www / "static").symlink_to((root / "dist" / "public").resolve())
    # rendered as Django's {% static 'K' %} renders with STATIC_URL = "/static/"
    built = (root / "dist" / "templates" / "index.html").read_text()
    (www / "index.html").write_text(re.sub(r'\{% static "([^"]+)" %\}', r"/static/\1", built))
    base = serve(www)
    context = browser.new_context()
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(base + "/")
        page.wait_for_function("document.getElementById('out').textContent !== 'not run'")
        assert page.text_content("#out") == "jQuery " + page.evaluate("jQuery.fn.jquery")
        assert errors == []
    finally:
        context.close()
