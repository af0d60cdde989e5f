"""A prebuilt, code-split module graph copied by the static stage (Vite's output in the static
folder, as SearXNG ships it): the modules the others import by relative specifier keep their
names, so the page links the very URL the chunks import and each module runs once."""

from __future__ import annotations

import json
from pathlib import Path

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


def test_modules_imported_by_relative_specifier_keep_their_names(tmp_path: Path) -> None:
    """The entry (imported back by its chunk) and the chunks keep their names and revalidate;
    the template links the entry by the name the chunk imports, so the browser fetches and
    runs it once (hashed, SearXNG's core ran twice: its calculator answer was shown twice). A
    script nothing imports is still hashed."""
    man = _site(tmp_path)
    for key in ("core.min.js", "chunk/Ab1.min.js", "chunk/Cd2.min.js"):
        assert man[key]["file"] == key
        assert man[key]["immutable"] is False
        assert (tmp_path / "dist/public" / key).read_text(encoding="utf-8")
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
