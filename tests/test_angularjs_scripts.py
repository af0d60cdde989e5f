"""Classic scripts on a page that runs AngularJS 1 (met adopting privacyIDEA): AngularJS injects
what a function asks for by reading its parameter names, and esbuild renames parameters (to
one letter when minifying, and ``inform`` to ``inform2`` even when not, where an inner
function's parameter shadows an outer one). Minified, privacyIDEA's UI stopped at its first
controller: ``Unknown provider: rProvider <- r <- $http``.

The injector here is written for the test and does what AngularJS does: it reads the
parameter names of the function it calls from ``Function.prototype.toString``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assetpipe import build
from assetpipe.manifest import Manifest

INJECTOR = """\
// A module registry that injects by parameter name, as AngularJS 1 does.
(function () {
  var providers = {};
  function parameterNames(fn) {
    var list = fn.toString().match(/^[^(]*\\(([^)]*)\\)/)[1];
    return list.split(",").map(function (s) { return s.trim(); }).filter(Boolean);
  }
  function invoke(fn) {
    return fn.apply(null, parameterNames(fn).map(function (name) {
      if (!(name in providers)) { throw new Error("Unknown provider: " + name + "Provider"); }
      return providers[name];
    }));
  }
  window.angular = {
    module: function () {
      var api = {
        value: function (name, v) { providers[name] = v; return api; },
        factory: function (name, fn) { providers[name] = invoke(fn); return api; },
        run: function (fn) { invoke(fn); return api; }
      };
      return api;
    }
  };
})();
"""

APP = """\
var demoModule = angular.module("demo", []);
demoModule.value("greetingWord", "hello");
"""

# a separate file that never names angular: it registers on the global the app file made
PARTS = """\
demoModule.factory("shout", function (greetingWord) {
  return function (whom) { return greetingWord.toUpperCase() + " " + whom; };
});
demoModule.run(function (shout, greetingWord) {
  var apply = function (greetingWord) { return shout(greetingWord); };
  document.title = apply("world") + " / " + greetingWord;
});
"""

PAGE = """\
<!doctype html>
<title>waiting</title>
<script src="/static/lib/injector.js"></script>
<script src="/static/js/app.js"></script>
<script src="/static/js/parts.js"></script>
"""

CONFIG = """\
source: site
output: dist
scripts:
  entries: ["lib/injector.js", "js/app.js", "js/parts.js"]
templates:
  dirs: ["templates"]
"""


def _site(make_site: Callable[..., Path]) -> Path:
    return make_site(
        CONFIG,
        {
            "site/lib/injector.js": INJECTOR,
            "site/js/app.js": APP,
            "site/js/parts.js": PARTS,
            "templates/index.html": PAGE,
        },
    )


@pytest.mark.node
def test_classic_entries_of_an_angularjs_page_keep_their_parameter_names(
    make_site: Callable[..., Path],
) -> None:
    root = _site(make_site)
    build(root / "pipeline.yaml")
    m = Manifest.read(root / "dist" / "manifest.json")
    for key in ("lib/injector.js", "js/app.js", "js/parts.js"):
        file = m[key]["file"]
        assert file != key and file.endswith(".js")
        built = (root / "dist" / "public" / file).read_text()
        assert built == (root / "site" / key).read_text(), key
    html = (root / "dist" / "templates" / "index.html").read_text()
    assert f'src="/static/{m["js/parts.js"]["file"]}"' in html


@pytest.mark.node
def test_without_angularjs_classic_entries_are_still_minified(
    make_site: Callable[..., Path],
) -> None:
    root = make_site(
        CONFIG.replace('"js/app.js", ', ""),
        {
            "site/lib/injector.js": INJECTOR,
            "site/js/parts.js": PARTS,
            "templates/index.html": PAGE.replace('<script src="/static/js/app.js"></script>\n', ""),
        },
    )
    build(root / "pipeline.yaml")
    m = Manifest.read(root / "dist" / "manifest.json")
    built = (root / "dist" / "public" / m["lib/injector.js"]["file"]).read_text()
    assert len(built) < len(INJECTOR) * 0.8


@pytest.mark.node
@pytest.mark.chromium
def test_the_injector_finds_every_provider_in_chromium(
    make_site: Callable[..., Path], browser: Any, serve: Callable[[Path], str]
) -> None:
    root = _site(make_site)
    build(root / "pipeline.yaml")
    # the page as the app would render it, beside the build's public folder
    (root / "dist" / "public" / "index.html").write_bytes(
        (root / "dist" / "templates" / "index.html").read_bytes()
    )
    (root / "www").mkdir()
    (root / "www" / "static").symlink_to((root / "dist" / "public").resolve())
    context = browser.new_context()
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(serve(root / "www") + "/static/index.html", wait_until="load")
        title = page.title()
    finally:
        context.close()
    assert (errors, title) == ([], "HELLO world / hello")
