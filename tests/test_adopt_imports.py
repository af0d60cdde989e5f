"""``assetpipe init`` and the files an entry imports (``assetpipe/adopt/imports.py``).

A stylesheet partial (``@import "vars.css"``) or a module (``import "./badge.js"``) that only
entries import is bundled into them: listed in ``static.include`` it stayed a separate file, and
the built stylesheet began with ``@import"/static/css/vars-HASH.css";``, one more request before
the page renders. And a bare ``@import "bootstrap/dist/css/bootstrap.css"`` that esbuild
resolves from ``node_modules`` is not a missing file: judged missing, init copied the stylesheet
unbundled (``css/**`` in ``static.include``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assetpipe.adopt import discover, init
from assetpipe.config import load_config
from tests.conftest import adopt_and_build, claiming_stages, run_cli, write_tree

PARTIAL: dict[str, str | bytes] = {
    "app.py": "from flask import Flask\n\napp = Flask(__name__)\n",
    "templates/index.html": """\
        <!DOCTYPE html><html><head>
        <link rel="stylesheet" href="{{ url_for('static', filename='css/custom.css') }}">
        <script type="module" src="{{ url_for('static', filename='js/app.js') }}"></script>
        </head><body><h1 class="title">Hi</h1><span id="badge"></span></body></html>
        """,
    "static/css/custom.css": '@import "vars.css";\n.title { color: var(--brand); }\n',
    "static/css/vars.css": ":root { --brand: #c0ffee; }\n.partial-rule { margin: 3px; }\n",
    "static/js/app.js": 'import { badge } from "./badge.js";\nbadge("#badge");\n',
    "static/js/badge.js": (
        "export function badge(sel) {\n  document.querySelector(sel).textContent = 'new';\n}\n"
    ),
    "static/js/unused.js": "var u = 1;\n",
}


def _claimed_by(cfg_path: Path, key: str) -> list[str]:
    return claiming_stages(cfg_path).get(key, [])


def test_a_partial_and_a_module_only_entries_import_are_not_copied(tmp_path: Path) -> None:
    write_tree(tmp_path, PARTIAL)
    p = discover(tmp_path)
    assert p.styles == ["css/custom.css"] and p.scripts == ["js/app.js"]
    assert p.unbundled == {}
    assert p.bundled == ["css/vars.css", "js/badge.js"]
    result = init(tmp_path)
    assert _claimed_by(result.path, "css/vars.css") == []
    assert _claimed_by(result.path, "js/badge.js") == []
    assert _claimed_by(result.path, "js/unused.js") == ["static"]  # imported by nothing
    assert "bundled into them: css/vars.css, js/badge.js." in result.text


def test_a_partial_a_template_or_a_copied_file_names_stays_copied(tmp_path: Path) -> None:
    """A template that names the partial itself (a preload) needs its URL; and a stylesheet
    copied as it is (in static.include) still @imports the partial by URL."""
    write_tree(
        tmp_path,
        {
            **PARTIAL,
            "templates/other.html": (
                '<link rel="preload" as="script" href="/static/js/badge.js">\n'
            ),
            "static/css/print.css": '@import "vars2.css";\n',
            "static/css/vars2.css": ".p { color: red; }\n",
            "static/css/custom.css": '@import "vars.css";\n@import "vars2.css";\n',
        },
    )
    p = discover(tmp_path)
    assert p.bundled == ["css/vars.css"]
    result = init(tmp_path)
    for key in ("js/badge.js", "css/print.css", "css/vars2.css"):
        assert _claimed_by(result.path, key) == ["static"], key


@pytest.mark.node
def test_the_built_stylesheet_has_the_partial_inlined(tmp_path: Path) -> None:
    write_tree(tmp_path, PARTIAL)
    done = run_cli("init", cwd=tmp_path)
    assert done.code == 0, done.err
    built = run_cli("build", "--strict", cwd=tmp_path)
    assert built.code == 0, built.err
    manifest = json.loads((tmp_path / "dist" / "manifest.json").read_text())
    entries = manifest.get("entries", manifest)
    css = (tmp_path / "dist" / "public" / entries["css/custom.css"]["file"]).read_text()
    assert "@import" not in css
    assert ".partial-rule" in css and "--brand" in css
    assert "css/vars.css" not in entries and "js/badge.js" not in entries
    js = (tmp_path / "dist" / "public" / entries["js/app.js"]["file"]).read_text()
    assert "textContent" in js  # badge.js is in the bundle
    assert not list((tmp_path / "dist" / "public" / "css").glob("vars*"))


BOOTSTRAP: dict[str, str | bytes] = {
    "app.py": "from flask import Flask\n\napp = Flask(__name__)\n",
    "templates/index.html": """\
        <link rel="stylesheet" href="{{ url_for('static', filename='css/site.css') }}">
        <h1 class="title">Hi</h1>
        """,
    "static/css/site.css": (
        '@import "bootstrap/dist/css/bootstrap.css";\n.title { color: teal; }\n'
    ),
    "static/css/more.css": ".more { color: red; }\n",
    "node_modules/bootstrap/dist/css/bootstrap.css": ".btn-from-package { padding: 7px; }\n",
}


def test_a_package_path_import_found_in_node_modules_is_not_missing(tmp_path: Path) -> None:
    write_tree(tmp_path, BOOTSTRAP)
    for args in ((), ("--force",)):  # init, then init run again
        done = run_cli("init", *args, cwd=tmp_path)
        assert done.code == 0, done.err
        p = discover(tmp_path)
        assert p.unbundled == {} and p.styles == ["css/site.css"]
        cfg = tmp_path / "pipeline.yaml"
        assert _claimed_by(cfg, "css/site.css") == ["styles"]
        assert _claimed_by(cfg, "css/more.css") == ["static"]
        assert "css/**" not in load_config(cfg).static.include


def test_a_package_path_import_that_resolves_nowhere_is_still_missing(tmp_path: Path) -> None:
    write_tree(tmp_path, {k: v for k, v in BOOTSTRAP.items() if "node_modules" not in k})
    p = discover(tmp_path)
    assert p.unbundled == {"css/site.css": ["css/bootstrap/dist/css/bootstrap.css"]}


def test_a_url_the_partial_names_that_is_missing_keeps_the_entry_copied(tmp_path: Path) -> None:
    """Bundled, the partial's url()s are resolved by esbuild too: one naming no file would fail
    the build, so the entry (and the partial it imports) are copied as before."""
    write_tree(
        tmp_path,
        {**PARTIAL, "static/css/vars.css": ".x { background: url(../img/gone.png); }\n"},
    )
    p = discover(tmp_path)
    assert p.unbundled == {"css/custom.css": ["img/gone.png"]}
    assert p.bundled == ["js/badge.js"]
    result = init(tmp_path)
    assert _claimed_by(result.path, "css/vars.css") == ["static"]


@pytest.mark.node
def test_the_package_stylesheet_is_bundled_into_the_build(tmp_path: Path) -> None:
    write_tree(tmp_path, BOOTSTRAP)
    adopt_and_build(tmp_path)
    manifest = json.loads((tmp_path / "dist" / "manifest.json").read_text())
    entries = manifest.get("entries", manifest)
    css = (tmp_path / "dist" / "public" / entries["css/site.css"]["file"]).read_text()
    assert "@import" not in css and ".btn-from-package" in css
