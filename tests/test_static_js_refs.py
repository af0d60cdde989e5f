"""A prebuilt, code-split module graph copied by the static stage (Vite's output in the static
folder, as SearXNG ships it): the modules the others import by relative specifier keep their
names, so the page links the very URL the chunks import and each module runs once."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assetpipe import build, load_config
from assetpipe.stages.jsrefs import relative_imports
from tests.conftest import write_tree

# minified the way Vite writes it: the entry imports its chunks dynamically, the chunks import
# the entry back by its unhashed name
ENTRY = (
    'const __vite__mapDeps=(i,m=__vite__mapDeps,d=(m.f||(m.f=["./chunk/Ab1.min.js"])))=>i.map(i=>d[i]);\n'
    "var e={n:1};document.readyState&&import(`./chunk/Ab1.min.js`).then(m=>m.t());\n"
    "export{e as i};\n"
)
CHUNK = 'import{i as e}from"../core.min.js";import"./Cd2.min.js";var t=()=>e.n;export{t};\n'
SHARED = "export const s=2;\n"


def _site(root: Path) -> dict[str, dict[str, object]]:
    write_tree(
        root,
        {
            "pipeline.yaml": "source: static\noutput: dist\n"
            "templates: {dirs: [templates]}\n"
            "static: {include: ['*.js', 'chunk/**', 'js/**']}\n",
            "static/core.min.js": ENTRY,
            "static/chunk/Ab1.min.js": CHUNK,
            "static/chunk/Cd2.min.js": SHARED,
            "static/js/plain.js": "console.log('no imports');\n",
            "templates/base.html": "<!doctype html>\n"
            "<script type=\"module\" src=\"{{ url_for('static', filename='core.min.js') }}\">"
            "</script>\n"
            "<script src=\"{{ url_for('static', filename='js/plain.js') }}\"></script>\n",
        },
    )
    build(load_config(root / "pipeline.yaml"))
    manifest: dict[str, dict[str, object]] = json.loads((root / "dist/manifest.json").read_text())
    return manifest


def test_modules_on_an_import_cycle_keep_their_names(tmp_path: Path) -> None:
    """The entry and the chunk that imports it back keep their names and revalidate;
    the template links the entry by the name the chunk imports, so the browser fetches and
    runs it once (hashed, SearXNG's core ran twice: its calculator answer was shown twice). A
    script nothing imports is still hashed."""
    man = _site(tmp_path)
    for key in ("core.min.js", "chunk/Ab1.min.js"):  # the cycle
        assert man[key]["file"] == key
        assert man[key]["immutable"] is False
        assert (tmp_path / "dist/public" / key).read_text(encoding="utf-8")
    # off the cycle, the shared chunk is hashed, and the chunk that imports it names that file
    shared = str(man["chunk/Cd2.min.js"]["file"])
    assert shared != "chunk/Cd2.min.js" and "immutable" not in man["chunk/Cd2.min.js"]
    chunk = (tmp_path / "dist/public/chunk/Ab1.min.js").read_text(encoding="utf-8")
    assert chunk == CHUNK.replace("./Cd2.min.js", "./" + shared.split("/")[1])
    assert man["js/plain.js"]["file"] != "js/plain.js"
    html = (tmp_path / "dist/templates/base.html").read_text(encoding="utf-8")
    assert "filename='core.min.js'" in html
    assert f"filename='{man['js/plain.js']['file']}'" in html


def test_relative_imports_in_minified_and_spaced_code() -> None:
    """Static, side-effect, dynamic and re-export specifiers in each quote, resolved against
    the importing script's folder; bare and absolute specifiers, a query, and a path leaving
    the source folder are not relative keys."""
    text = (
        'import{a}from"../core.js";import "./side.mjs";import(`./lazy.js?v=2`);'
        "export * from './re.js';import x from 'lodash';import('/abs.js');"
        'import("../../outside.js")'
    )
    assert relative_imports(text, "chunk/x.js") == {
        "core.js",
        "chunk/side.mjs",
        "chunk/lazy.js",
        "chunk/re.js",
    }


GRAPH = {
    # an esbuild-style prebuilt graph without a cycle (Fava's app.js and its chunks)
    "static/app.js": 'import { shared } from "./chunk-AAA.js";\n'
    'window.ran = (window.ran || []).concat("app");\n'
    'import("./lazy-BBB.js").then((m) => { document.body.dataset.lazy = m.value; });\n',
    "static/chunk-AAA.js": 'window.ran = (window.ran || []).concat("chunk");\n'
    'export const shared = "s";\n',
    "static/lazy-BBB.js": 'import { shared } from "./chunk-AAA.js";\n'
    'import { deep } from "./sub/deep.js";\nexport const value = shared + deep;\n',
    "static/sub/deep.js": 'import { shared } from "../chunk-AAA.js";\n'
    'export const deep = "d" + shared;\n',
    # a preload list names a chunk in text that is not an import, by its path from the site's
    # base: that chunk keeps its name
    "static/vite.js": 'const deps = ["static/pre.js"];\nimport("./pre.js");\n',
    "static/pre.js": "export const p = 1;\n",
}


def test_an_acyclic_module_graph_is_hashed_and_runs_once_in_chromium(
    tmp_path: Path, browser: Any, serve: Callable[[Path], str]
) -> None:
    """Fava's prebuilt graph has no cycle, yet its chunks kept their names and revalidated on
    every visit. A production build names each module by its bytes with its imports' hashed
    names written in (leaves first): the page loads only immutable files, each module once,
    the lazy chunk and a ``../`` import included. A module also named by a preload list keeps
    its name."""
    write_tree(
        tmp_path,
        {
            "pipeline.yaml": "source: static\noutput: dist\n"
            "static: {include: ['*.js', 'sub/**']}\n",
            **GRAPH,
        },
    )
    build(load_config(tmp_path / "pipeline.yaml"))
    man = json.loads((tmp_path / "dist/manifest.json").read_text())
    hashed = ("app.js", "chunk-AAA.js", "lazy-BBB.js", "sub/deep.js")
    for key in hashed:
        assert man[key]["file"] != key and "immutable" not in man[key], man[key]
    assert man["pre.js"]["file"] == "pre.js" and man["pre.js"]["immutable"] is False
    site = tmp_path / "site"
    site.mkdir()
    (site / "static").symlink_to(tmp_path / "dist/public")
    (site / "index.html").write_text(
        f'<!doctype html><body><script type="module" src="/static/{man["app.js"]["file"]}">'
        "</script>\n"
    )
    base = serve(site)
    page = browser.new_page()
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url[len(base) :]))
    page.goto(base + "/")
    page.wait_for_function("document.body.dataset.lazy")
    assert page.evaluate("[window.ran, document.body.dataset.lazy]") == [["chunk", "app"], "sds"]
    page.close()
    assert sorted(requested) == sorted(["/", *(f"/static/{man[k]['file']}" for k in hashed)])
