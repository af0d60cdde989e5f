"""Classic scripts (issue 11 item 4): a ``scripts.entries`` file that a template loads with a
plain ``<script src>`` keeps its top-level globals (inline ``onclick`` handlers call them), in
real esbuild and real Chromium; vendored UMD libraries (jQuery, Bootstrap: the copies
flask-admin, a test extra, ships, copied into tmp_path at test time) keep working and are never
made heavier; a mismatched tag is a warning naming template:line."""

from __future__ import annotations

import json
import shutil
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assetpipe import build
from assetpipe.manifest import Manifest
from assetpipe.rewrite.scripttags import ScriptUse, script_uses
from tests.conftest import run_cli

SIDEBAR = """\
    // The sidebar helpers the templates' inline handlers call (a classic, global script).
    var sidebarState = { open: false, history: [] };

    /* Colours the sidebar after the button that was clicked. */
    function sidebarColor(element) {
      var requestedColour = element.getAttribute("data-color");
      document.body.setAttribute("data-sidebar-color", requestedColour);
      sidebarState.history.push(requestedColour);
      return describeTheColour(requestedColour);
    }

    function describeTheColour(requestedColour) {
      return "the sidebar is now " + requestedColour;
    }

    function toggleTheSidebarNavigation() {
      sidebarState.open = !sidebarState.open;
      document.body.classList.toggle("sidebar-open", sidebarState.open);
    }
    """

ESM_AS_CLASSIC = """\
    import { answer } from "./lib/answer.js";
    window.answerFromModule = answer * 2;
    export const unused = 1;
    """


def _flask_admin_vendor() -> Path:
    flask_admin = pytest.importorskip("flask_admin", reason="pip install -e '.[test]'")
    return Path(flask_admin.__file__).parent / "static"


def _site(make_site: Callable[..., Path], template: str, extra_config: str = "") -> Path:
    vendor = _flask_admin_vendor()
    root = make_site(
        f"""\
source: site
output: dist
public_path: /static/
scripts:
  entries: ["js/sidebar.js", "js/app.js", "js/esm-classic.js", "vendor/*.js"]
{extra_config}templates:
  dirs: ["templates"]
""",
        {
            "site/js/sidebar.js": SIDEBAR,
            "site/js/app.js": 'import { answer } from "./lib/answer.js";\nwindow.appAnswer = answer;\n',
            "site/js/lib/answer.js": "export const answer = 21;\n",
            "site/js/esm-classic.js": ESM_AS_CLASSIC,
            "site/templates/index.html": template,
        },
    )
    (root / "site" / "vendor").mkdir()
    shutil.copyfile(vendor / "vendor" / "jquery.min.js", root / "site/vendor/jquery.min.js")
    shutil.copyfile(
        vendor / "bootstrap/bootstrap4/js/bootstrap.min.js", root / "site/vendor/bootstrap.min.js"
    )
    return root


#: every script of js/ an entry, the pages' tags in templates/
ENTRIES_AND_TEMPLATES = """\
source: site
output: dist
scripts:
  entries: ["js/*.js"]
templates:
  dirs: ["templates"]
"""

PAGE = """\
<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script src="/static/vendor/jquery.min.js"></script>
<script src="/static/vendor/bootstrap.min.js"></script>
<script src="/static/js/sidebar.js"></script>
<script type="module" src="/static/js/app.js"></script>
<script src="/static/js/esm-classic.js"></script>
</head><body>
<button id="red" onclick="document.title = sidebarColor(this)" data-color="red">red</button>
</body></html>
"""


def _serve_built(root: Path, serve: Callable[[Path], str]) -> str:
    """Serve the built index.html at / and the build's public folder under /static/; the
    server's base URL."""
    www = root / "www"
    www.mkdir()
    (www / "static").symlink_to((root / "dist" / "public").resolve())
    shutil.copyfile(root / "dist" / "templates" / "index.html", www / "index.html")
    return serve(www)


def test_script_uses_names_classic_and_module_tags_with_lines() -> None:
    text = (
        "<script src=\"{{ url_for('static', filename='js/a.js') }}\"></script>\n"
        '<script type="module" src="/static/js/b.js"></script>\n'
        '<script type="text/javascript" src="/static/js/c.js"></script>\n'
        '<script type="text/template" src="/static/js/d.js"></script>\n'
        '<script type="{{ kind }}" src="/static/js/e.js"></script>\n'
        '<script src="https://cdn.example/x.js"></script>\n'
        "<script>var inline = '<script src=/static/js/f.js>';</script>\n"
    )
    assert script_uses(text, "/static/") == [
        ScriptUse("js/a.js", False, 1),
        ScriptUse("js/b.js", True, 2),
        ScriptUse("js/c.js", False, 3),
    ]


def test_classic_entry_keeps_its_globals_and_vendored_libraries_are_not_made_heavier(
    make_site: Callable[..., Path],
) -> None:
    root = _site(make_site, PAGE)
    result = build(root / "pipeline.yaml")
    m = Manifest.read(root / "dist" / "manifest.json")
    public = root / "dist" / "public"
    sidebar = (public / m["js/sidebar.js"]["file"]).read_text()
    # minified (comments gone) but every top-level declaration kept under its own name
    assert "/*" not in sidebar and "// The sidebar" not in sidebar
    for name in (
        "function sidebarColor(",
        "function describeTheColour(",
        "function toggleTheSidebarNavigation(",
        "var sidebarState=",
    ):
        assert name in sidebar, name
    assert "export" not in sidebar and "import" not in sidebar
    # the module entry is still an ES module bundle
    assert (
        m["js/app.js"]["isEntry"] and "appAnswer" in (public / m["js/app.js"]["file"]).read_text()
    )
    # the ES module a classic tag loads is an IIFE bundle of it and its import
    iife = (public / m["js/esm-classic.js"]["file"]).read_text()
    assert iife.startswith("(()=>{") and "import" not in iife and "export" not in iife
    # vendored minified libraries: never heavier than the file as written (once compressed)
    for key in ("vendor/jquery.min.js", "vendor/bootstrap.min.js"):
        source = (root / "site" / key).read_bytes()
        built = (public / m[key]["file"]).read_bytes()
        assert len(zlib.compress(built, 9)) <= len(zlib.compress(source, 9)), key
        assert m[key]["isEntry"] and m[key]["file"].startswith(key[:-3] + "-")
    texts = [w.message for w in result.warnings]
    assert any("js/esm-classic.js is an ES module" in t for t in texts), texts
    where = next(w for w in result.warnings if "esm-classic" in w.message).location
    assert where is not None and (where.file, where.line) == ("site/templates/index.html", 7)


def test_a_classic_entry_loaded_as_a_module_and_scripts_classic_are_warned_at_template_line(
    make_site: Callable[..., Path],
) -> None:
    page = PAGE + '<script type="module" src="/static/js/sidebar.js"></script>\n'
    root = _site(make_site, page)
    result = build(root / "pipeline.yaml")
    found = [w for w in result.warnings if "js/sidebar.js is built as a classic" in w.message]
    assert len(found) == 1
    assert found[0].location is not None
    assert (found[0].location.file, found[0].location.line) == ("site/templates/index.html", 11)
    assert "site/templates/index.html:5 loads it" in found[0].message


def test_scripts_classic_lists_an_entry_no_template_loads(make_site: Callable[..., Path]) -> None:
    root = make_site(
        """\
source: site
output: dist
scripts:
  entries: ["js/sidebar.js"]
  classic: ["js/*.js"]
""",
        {"site/js/sidebar.js": SIDEBAR},
    )
    build(root / "pipeline.yaml")
    m = Manifest.read(root / "dist" / "manifest.json")
    out = (root / "dist" / "public" / m["js/sidebar.js"]["file"]).read_text()
    assert "function sidebarColor(" in out and "function toggleTheSidebarNavigation(" in out


@pytest.mark.node
@pytest.mark.chromium
def test_inline_onclick_calls_the_classic_global_in_chromium(
    make_site: Callable[..., Path], browser: Any, serve: Callable[[Path], str]
) -> None:
    root = _site(make_site, PAGE)
    build(root / "pipeline.yaml")
    base = _serve_built(root, serve)
    context = browser.new_context()
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        failed: list[str] = []
        page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
        page.goto(base + "/")
        page.wait_for_function("window.appAnswer === 21", timeout=10_000)
        assert page.evaluate("typeof window.sidebarColor") == "function"
        page.click("#red")
        assert page.evaluate("document.body.dataset.sidebarColor") == "red"
        assert page.title() == "the sidebar is now red"
        # the UMD libraries found window: jQuery and Bootstrap's plugins on it
        assert page.evaluate("typeof window.jQuery === 'function' && window.$ === window.jQuery")
        assert page.evaluate("typeof jQuery.fn.modal === 'function'")
        assert page.evaluate("window.answerFromModule") == 42
        assert errors == [] and failed == []
    finally:
        context.close()


def test_the_template_scan_adds_no_second_empty_dir_warning(make_site: Callable[..., Path]) -> None:
    root = make_site(
        """\
source: site
output: dist
scripts:
  entries: ["js/sidebar.js"]
templates:
  dirs: ["site/templates"]
""",
        {"site/js/sidebar.js": SIDEBAR, "site/templates/notes.txt": "not a template\n"},
    )
    result = build(root / "pipeline.yaml")
    assert len([w for w in result.warnings if "no templates" in w.message]) == 1


def test_only_a_vendored_min_js_is_shipped_as_written(make_site: Callable[..., Path]) -> None:
    """A classic TypeScript entry (or one using ``define``) must go through esbuild even when
    its output is not smaller: shipped as written it would not run."""
    root = make_site(
        """\
source: site
output: dist
scripts:
  entries: ["js/tiny.ts"]
  classic: ["js/*.ts"]
""",
        {"site/js/tiny.ts": "function greet(n: string): string { return n; }\n"},
    )
    build(root / "pipeline.yaml")
    m = Manifest.read(root / "dist" / "manifest.json")
    out = (root / "dist" / "public" / m["js/tiny.ts"]["file"]).read_text()
    assert "function greet(" in out and ": string" not in out


@pytest.mark.chromium
def test_a_minified_library_not_named_min_js_is_shipped_as_written(
    make_site: Callable[..., Path], browser: Any, serve: Callable[[Path], str]
) -> None:
    """archivy ships EasyMDE's minified build as ``static/editor.js`` (and markdown-it's as
    ``parser.js``): re-minified by esbuild it grew from 89.2 to 93.0 KB in brotli, because
    only a ``*.min.js`` was shipped as written. A minified jQuery named ``js/jquery.js`` is
    now shipped as it is (hashed), still runs from its classic tag, and the app's own
    hand-written script beside it is still minified."""
    vendor = _flask_admin_vendor()
    root = make_site(
        """\
source: site
output: dist
public_path: /static/
scripts:
  entries: ["js/jquery.js", "js/sidebar.js"]
templates:
  dirs: ["templates"]
""",
        {
            "site/js/sidebar.js": SIDEBAR,
            "site/templates/index.html": (
                '<!doctype html><html><head><link rel="icon" href="data:,">\n'
                '<script src="/static/js/jquery.js"></script>\n'
                '<script src="/static/js/sidebar.js"></script></head><body>\n'
                '<button id="red" onclick="document.title = sidebarColor(this)"'
                ' data-color="red">red</button></body></html>\n'
            ),
        },
    )
    shutil.copyfile(vendor / "vendor" / "jquery.min.js", root / "site/js/jquery.js")
    result = build(root / "pipeline.yaml", strict=True)
    assert result.warnings == []
    m = Manifest.read(root / "dist" / "manifest.json")
    public = root / "dist" / "public"
    source = (root / "site/js/jquery.js").read_bytes()
    assert m["js/jquery.js"]["file"].startswith("js/jquery-")
    assert (public / m["js/jquery.js"]["file"]).read_bytes() == source
    own = (public / m["js/sidebar.js"]["file"]).read_text()
    assert "function sidebarColor(" in own and "/* Colours" not in own  # still minified
    base = _serve_built(root, serve)
    context = browser.new_context()
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(base + "/")
        assert page.evaluate("typeof window.jQuery === 'function' && window.$ === window.jQuery")
        page.click("#red")
        assert page.title() == "the sidebar is now red" and errors == []
    finally:
        context.close()


def test_shipped_minified_reads_names_and_lines() -> None:
    from assetpipe.stages.bundling import shipped_minified

    one_line = b"/*! lib v1 */\n!function(e){" + b"e.a=1;" * 200 + b"}(window);\n"
    assert shipped_minified("vendor/x.min.js", b"var a = 1;\n")
    assert shipped_minified("static/editor.js", one_line)
    assert not shipped_minified("static/editor.ts", one_line)  # TypeScript needs esbuild
    assert not shipped_minified("js/sidebar.js", SIDEBAR.encode())
    assert not shipped_minified("js/empty.js", b"")


def test_an_es_module_listed_in_scripts_classic_is_an_iife_with_a_warning_at_the_config(
    make_site: Callable[..., Path],
) -> None:
    root = make_site(
        """\
source: site
output: dist
scripts:
  entries: ["js/esm-classic.js"]
  classic: ["js/esm-classic.js"]
""",
        {
            "site/js/esm-classic.js": ESM_AS_CLASSIC,
            "site/js/lib/answer.js": "export const answer = 21;\n",
        },
    )
    result = build(root / "pipeline.yaml")
    found = [w for w in result.warnings if "is an ES module" in w.message]
    assert len(found) == 1 and found[0].location is not None
    assert found[0].location.file.endswith("pipeline.yaml") and found[0].location.line == 5
    assert "scripts.classic lists it" in found[0].message
    m = Manifest.read(root / "dist" / "manifest.json")
    out = (root / "dist" / "public" / m["js/esm-classic.js"]["file"]).read_text()
    assert out.startswith("(()=>{") and "window.answerFromModule=" in out and "import" not in out


#: every script of ``site/js`` an entry, each a classic script
CLASSIC_ALL = """\
source: site
output: dist
scripts:
  entries: ["js/*.js"]
  classic: ["js/*.js"]
"""


def test_esbuild_warnings_about_vendored_minified_files_do_not_fail_strict(
    make_site: Callable[..., Path],
) -> None:
    """Otter Wiki ships mermaid@12.2.0.min.js, on which esbuild warns ("Comparison with -0 using
    the === operator will also match 0"): the user cannot fix it, so ``build --strict`` failed
    on code they did not write. Such warnings go to report.json (esbuild itself hides those
    from node_modules); the same warning in the app's own script still counts."""
    config = CLASSIC_ALL
    vendored = "function z(n){return n===-0}window.z=z;\n"
    root = make_site(config, {"site/js/lib.min.js": vendored})
    strict = run_cli("build", "--strict", cwd=root)
    assert strict.code == 0, strict.err
    report = json.loads((root / "dist" / "report.json").read_text())
    [note] = report["third_party_warnings"]
    assert note["file"] == "site/js/lib.min.js" and note["line"] == 1, note
    assert "-0" in note["message"] and note["stage"] == "scripts"

    own = make_site(config, {"site/js/lib.min.js": vendored, "site/js/app.js": vendored})
    strict = run_cli("build", "--strict", cwd=own)
    assert strict.code == 1 and "site/js/app.js:1" in strict.err, strict.err


def test_esbuild_warnings_about_a_script_minified_but_not_named_so_do_not_fail_strict(
    make_site: Callable[..., Path],
) -> None:
    """django-helpdesk ships TimelineJS's webpack build as ``vendor/timeline3/js/timeline.js``
    (one 249 KB line), where esbuild warns twice (``Duplicate member "_onTimeNavLoaded" in
    class body``): ``build --strict`` failed on code the user did not write, as it did on a
    ``.min.js`` before. A script written as a minifier writes is third-party too; the same code
    written over lines, as a person writes it, still counts."""
    config = CLASSIC_ALL
    names = ",".join(f"v{i}={i}" for i in range(120))
    minified = (
        f"var TL=function(){{class A{{f(){{return 1}}f(){{return 2}}}}var {names};return A}}();\n"
    )
    assert len(minified) > 500
    root = make_site(config, {"site/js/timeline.js": minified})
    strict = run_cli("build", "--strict", cwd=root)
    assert strict.code == 0, strict.err
    report = json.loads((root / "dist" / "report.json").read_text())
    [note] = report["third_party_warnings"]
    assert note["file"] == "site/js/timeline.js" and "Duplicate member" in note["message"], note

    readable = "var TL = function () {\n  class A {\n    f() { return 1 }\n    f() { return 2 }\n  }\n  return A\n}();\n"
    own = make_site(config, {"site/js/timeline.js": readable})
    strict = run_cli("build", "--strict", cwd=own)
    assert strict.code == 1 and "site/js/timeline.js:4" in strict.err, strict.err


def test_a_commonjs_entry_loaded_as_a_classic_script_is_bundled_and_a_umd_one_is_not(
    make_site: Callable[..., Path],
) -> None:
    """A classic entry that calls ``require("x")`` (a webpack-era ``main.js``) cannot run as
    written (``require is not defined``): it is bundled as an IIFE with what it requires and a
    warning names the tag. A UMD library that tests for a module system first, and a script
    whose ``require(`` is only in a comment or is a browserify bundle's own parameter, stay as
    written: their top-level names are globals pages call."""
    root = make_site(
        ENTRIES_AND_TEMPLATES,
        {
            "site/js/main.js": 'var lib = require("./lib/answer.cjs");\n'
            "window.answerFromCommonJS = lib.answer * 2;\n",
            "site/js/lib/answer.cjs": "module.exports = { answer: 21 };\n",
            "site/js/umd.js": "(function (root, factory) {\n"
            '  if (typeof define === "function" && define.amd) define([], factory);\n'
            '  else if (typeof module === "object") module.exports = factory(require("x"));\n'
            "  else root.Umd = factory();\n"
            "})(this, function () { return 1; });\n"
            "function umdGlobal() { return 2; }\n",
            "site/js/comment.js": '// was: var x = require("x");\nfunction stillGlobal() {}\n',
            "site/js/browserify.js": "(function (require, module) {\n"
            '  var y = require("./y");\n'
            "})(function () { return 1; }, {});\nfunction bundleGlobal() {}\n",
            "templates/page.html": "".join(
                f'<script src="/static/js/{n}.js"></script>\n'
                for n in ("main", "umd", "comment", "browserify")
            ),
        },
    )
    result = build(root / "pipeline.yaml")
    m = Manifest.read(root / "dist" / "manifest.json")

    def out(key: str) -> str:
        return (root / "dist" / "public" / str(m[key]["file"])).read_text()

    main = out("js/main.js")
    assert "require(" not in main and "21" in main and "window.answerFromCommonJS" in main
    found = [w for w in result.warnings if "CommonJS" in w.message]
    assert [(w.location.file, w.location.line) for w in found if w.location] == [
        ("templates/page.html", 1)
    ], found
    assert "function umdGlobal(" in out("js/umd.js") and 'require("x")' in out("js/umd.js")
    assert "function stillGlobal(" in out("js/comment.js")
    assert "function bundleGlobal(" in out("js/browserify.js")
    assert not any(k in str(result.warnings) for k in ("umd.js", "comment.js", "browserify.js"))


def test_a_classic_script_in_a_type_module_package_is_shipped_as_written(
    make_site: Callable[..., Path],
) -> None:
    """Baby Buddy's ``package.json`` says ``"type": "module"`` (for its gulpfile), so esbuild
    took its gulp-built ``vendor.js`` (UMD libraries, minified) for an ES module: the build
    bundled it as an IIFE and stopped on masonry's guarded ``require("./item")``, and minified
    as a module its top-level ``this`` would have been rewritten. With no ``import`` or
    ``export`` in it, the file is now shipped as it is, hashed, as the page's classic tag runs
    it; a real ES module loaded by a classic tag is still bundled as an IIFE."""
    umd = (
        '!function(e,t){"object"==typeof module&&module.exports?module.exports=t('
        'require("./item")):e.Outlayer=t()}(this,function(){return{exports:1}});\n'
    )
    root = make_site(
        ENTRIES_AND_TEMPLATES,
        {
            "package.json": '{"name": "app", "type": "module"}\n',
            "site/js/vendor.js": umd,
            "site/js/esm.js": 'import { answer } from "./lib.js";\nwindow.answer = answer;\n',
            "site/js/lib.js": "export const answer = 21;\n",
            "templates/page.html": '<script src="/static/js/vendor.js"></script>\n'
            '<script src="/static/js/esm.js"></script>\n',
        },
    )
    result = build(root / "pipeline.yaml")
    m = Manifest.read(root / "dist" / "manifest.json")
    vendor = (root / "dist" / "public" / str(m["js/vendor.js"]["file"])).read_text()
    assert vendor == umd
    esm = (root / "dist" / "public" / str(m["js/esm.js"]["file"])).read_text()
    assert "import" not in esm and "21" in esm
    assert [w for w in result.warnings if "vendor.js" in w.message] == []
