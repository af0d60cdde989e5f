"""Scripts and stylesheets a template loads through a helper of the app's own (Whoogle's
``{{ cb_url('logo.css') }}``, a template global mapping a file name to a cache-busted symlink
the app makes in ``static/build/``): ``init`` counted them among the files "no tag loads".
It names the helper and counts them apart (``adopt/helpernamed``)."""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import run_cli, write_tree


def test_init_counts_files_a_helper_loads_apart(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "app.py": """\
                import os
                from flask import Flask

                app = Flask(__name__)
                MAP = {"site.css": "static/build/site.1a2b3c4d.css", "menu.js": "static/js/menu.js"}
                app.jinja_env.globals.update(cb_url=lambda f: "/" + MAP[f])
                """,
            "templates/index.html": """\
                <link rel="stylesheet" href="{{ cb_url('site.css') }}">
                <style>@import "{{ cb_url('print.css') }}" print;</style>
                <script src="{{ cb_url('menu.js') }}"></script>
                <script src="{{ url_for('static', filename='js/app.js') }}"></script>
                """,
            "static/css/site.css": "body { color: red; }\n",
            "static/css/print.css": "body { color: black; }\n",
            "static/js/menu.js": "window.menu = 1;\n",
            "static/js/app.js": "window.app = 1;\n",
            "static/js/unused.js": "window.unused = 1;\n",
        },
    )
    (tmp_path / "static/build").mkdir()
    os.symlink(tmp_path / "static/css/site.css", tmp_path / "static/build/site.1a2b3c4d.css")
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    assert "1 script(s) (1 classic)" in result.out, result.out  # js/app.js: an entry
    assert (
        "1 script(s) and 0 stylesheet(s) that no <script src> or <link> tag loads" in result.out
    ), result.out  # js/unused.js only
    assert (
        "note: 1 script(s) and 3 stylesheet(s) are loaded through cb_url(...), a helper of your"
        " app's own" in result.out
    ), result.out
    assert run_cli("build", "--strict", cwd=tmp_path).code == 0
