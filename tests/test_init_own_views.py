"""``assetpipe init`` on an app whose templates name its static files through a view of its own.

changedetection.io's shape: ``Flask(__name__, static_url_path="")`` plus
``@app.route("/static/<group>/<filename>")``, a view that answers ``static/<group>/<filename>``,
and templates that write ``url_for('static_content', group='js', filename='tabs.js')``. The
build rewrites only the static route's ``url_for``, so those files stay as the view serves
them; ``init`` said "0 script(s)" and that the scripts "no <script src> tag loads" were copied
with hashed names, as if the pages would load them hashed."""

from __future__ import annotations

from pathlib import Path

from assetpipe.adopt import discover
from assetpipe.adopt.ownviews import own_view_refs
from tests.conftest import write_tree
from tests.real_apps import run_cli

APP: dict[str, str | bytes] = {
    "app/__init__.py": (
        "from flask import Flask, render_template, send_from_directory\n"
        'app = Flask(__name__, static_url_path="", static_folder="static")\n\n\n'
        '@app.route("/static/<group>/<filename>")\n'
        "def static_content(group, filename):\n"
        '    return send_from_directory(f"static/{group}", filename)\n\n\n'
        '@app.get("/")\ndef index():\n    return render_template("index.html")\n'
    ),
    "app/static/js/tabs.js": "window.tabs = 1;\n",
    "app/static/js/extra.js": "window.extra = 1;\n",
    "app/static/styles/site.css": "body { color: red; }\n",
    "app/templates/index.html": (
        "<link rel=\"stylesheet\" href=\"{{ url_for('static_content', group='styles',"
        " filename='site.css') }}\">\n"
        "<script src=\"{{url_for('static_content', group='js', filename='tabs.js')}}\"></script>\n"
        "<a href=\"{{ url_for('static_content', group='screenshot', filename=uuid) }}\">x</a>\n"
        "<a href=\"{{ url_for('watch', group='js', filename='nothing.js') }}\">y</a>\n"
    ),
}


def test_files_named_through_an_own_view_are_found() -> None:
    texts = [
        "{{ url_for('static_content', group='js', filename='tabs.js') }}",
        '{{ url_for("files", path="img/a.png") }}',  # one keyword: a static route's shape
        "{{ url_for('static', filename='js/tabs.js', v='1') }}",  # the static route itself
        "{{ url_for('static_content', group='js', filename=name) }}",  # computed
    ]
    present = {"js/tabs.js", "img/a.png"}
    assert own_view_refs(texts, present) == {"static_content": ["js/tabs.js"]}


def test_init_says_the_own_view_keeps_serving_them(tmp_path: Path) -> None:
    write_tree(tmp_path, APP)
    project = discover(tmp_path)
    assert project.own_views == {"static_content": ["js/tabs.js", "styles/site.css"]}
    out = run_cli("init", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    said = " ".join(out.stdout.split())
    assert (
        "the templates name 2 file(s) of the static folder through url_for('static_content',"
        " ...), a view of the app's own (e.g. js/tabs.js)"
    ) in said, said
    assert "url_for('static', filename='js/tabs.js') names the built file" in said
    # only extra.js is one that no tag names: the two the view serves are not counted there
    assert "1 script(s) and 0 stylesheet(s) that no <script src>" in said, said
