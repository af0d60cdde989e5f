"""URLs that scripts build on are no missing files: a folder's URL (pgAdmin's
``window.resourceBasePath = "{{ url_for('static', filename='js') }}/generated/"``, webpack's
public path) and a RequireJS path, a name whose ``.js`` is in the static folder (``'security.pages':
"{{ url_for('static', filename='js/generated/security.pages') }}"``: RequireJS appends ``.js``).
``init`` listed the latter as a file the folder lacks and the build warned about all of them,
so ``build --strict`` failed with nothing to fix; a RequireJS path to a file that is really
missing is still a warning."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import build_warnings, run_cli, write_tree

SCRIPT = """<!doctype html>
<script src="{{ url_for('static', filename='js/app.js') }}"></script>
<script>
  window.base = "{{ url_for('static', filename='js') }}/generated/";
  require.config({paths: {
    sources: "{{ url_for('static', filename='js') }}",
    pages: "{{ url_for('static', filename='js/generated/security.pages') }}",
    grid: "{{ url_for('static', filename='js/generated/grid') }}",
    gone: "{{ url_for('static', filename='js/generated/gone') }}"
  }});
</script>
"""


def test_folder_urls_and_requirejs_paths_are_not_missing_files(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "app.py": "from flask import Flask\napp = Flask(__name__)\n",
            "static/js/app.js": "window.app = 1;\n",
            "static/js/generated/security.pages.js": "define([], function () { return 1; });\n",
            "static/js/generated/grid.js": "define([], function () { return 2; });\n",
            "templates/index.html": SCRIPT,
        },
    )
    done = run_cli("init", cwd=tmp_path)
    assert done.code == 0, done.out + done.err
    written = (tmp_path / "pipeline.yaml").read_text()
    assert "security.pages" not in written and "missing_assets" not in written, written
    warnings = build_warnings(tmp_path)
    assert [(w["line"], "js/generated/gone" in w["message"]) for w in warnings] == [(9, True)]
    assert "more asset reference" not in warnings[0]["message"]
