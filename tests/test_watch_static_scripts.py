"""``assetpipe watch`` rebuilding one static file of a static folder that holds scripts.

flask-base's static folder holds CKEditor (``ckeditor/**``, 150 scripts) beside the
Flask-Assets outputs; saving ``styles/app.css`` under ``assetpipe watch`` failed with
``internal error: KeyError('ckeditor/plugins/.../lt.js')`` and the page never followed: the
static stage, run for the saved file only, asks for the content hash of every static script
(which of them another imports keeps its name) from a view of the sources narrowed to that
file. Real watcher, real files, written here."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_watch import CONFIG, SITE, edit, manifest, watcher_on

pytestmark = pytest.mark.node


def test_a_static_edit_beside_static_scripts_rebuilds(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        **SITE,
        "pipeline.yaml": CONFIG.replace('["icons/**"]', '["icons/**", "vendor/**"]'),
        "site/vendor/editor.js": 'import "./plugin.js";\nwindow.editor = 1;\n',
        "site/vendor/plugin.js": "window.plugin = 1;\n",
        "site/vendor/skin.css": ".skin { color: red; }\n",
    }
    with watcher_on(tmp_path, files) as (_w, rec):
        before = manifest(tmp_path)
        edit(tmp_path / "site/vendor/skin.css", ".skin { color: blue; }\n")
        rec.wait(
            lambda: (
                any(kind == "error" for kind, _ in rec.lines)
                or manifest(tmp_path)["vendor/skin.css"] != before["vendor/skin.css"]
            )
        )
        assert not [text for kind, text in rec.lines if kind == "error"]
        after = manifest(tmp_path)
        assert (tmp_path / "dist/public" / after["vendor/skin.css"]["file"]).read_text() == (
            ".skin { color: blue; }\n"
        )
        # the imported script keeps its name, as in the full build, and nothing else moved
        assert after["vendor/plugin.js"] == before["vendor/plugin.js"]
        assert after["vendor/plugin.js"]["file"] == "vendor/plugin.js"
        assert after["vendor/editor.js"] == before["vendor/editor.js"]
