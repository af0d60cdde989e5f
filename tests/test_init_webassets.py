"""``init``'s note on Flask-Assets bundles. PowerDNS-Admin's bundles are written into the
static folder (``Bundle(..., output='generated/main.js')``) and linked through Flask's
``url_for('static', ...)``: the build copies them and ``AssetPipe(app)`` names their hashed
files while the page renders (0.13x the bytes on its login page). ``init`` said that
assetpipe leaves them "not hashed, compressed or cached by it", which holds only where
webassets' folder is served some other way (OctoPrint's Tornado handler)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from assetpipe.adopt.webassets import bundle_outputs
from tests.conftest import run_cli, write_tree

TREE: dict[str, str | bytes] = {
    "app.py": "from flask import Flask\n\nfrom assets import env\n\napp = Flask(__name__)\n",
    "assets.py": """\
        import flask_assets
        from flask_assets import Bundle, Environment

        js = Bundle("src/a.js", "src/b.js", output="gen/packed.js")
        css = flask_assets.Bundle("src/a.css", output="gen/packed.css")
        later = Bundle("src/c.js", output="gen/c-%(version)s.js")
        env = Environment()
        env.register("js_all", js)
        env.register("css_all", css)
        """,
    "static/src/a.js": "var a = 1;\n",
    "static/src/b.js": "var b = 2;\n",
    "static/src/a.css": "body{color:red}\n",
    "templates/index.html": """\
        <!doctype html>
        {% assets "css_all" %}<link rel="stylesheet" href="{{ ASSET_URL }}">{% endassets %}
        {% assets "js_all" %}<script src="{{ ASSET_URL }}"></script>{% endassets %}
        """,
}


def test_the_outputs_are_read_from_the_bundles(tmp_path: Path) -> None:
    write_tree(tmp_path, {**TREE, "static/gen/packed.js": "var a=1;var b=2;\n"})
    found = bundle_outputs(tmp_path, ["gen/packed.js", "src/a.js"])
    assert found.present == ["gen/packed.js"] and found.missing == ["gen/packed.css"]


def test_built_bundles_in_the_static_folder_are_said_to_be_hashed(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {**TREE, "static/gen/packed.js": "var a=1;var b=2;\n", "static/gen/packed.css": "b{}\n"},
    )
    done = run_cli("init", cwd=tmp_path)
    assert done.code == 0, done.out + done.err
    note = done.out[done.out.index("note: 1 template(s) load Flask-Assets") :]
    assert "gen/packed.js, gen/packed.css are in the static folder" in note
    assert "not hashed" not in note and "not built yet" not in note
    # the outputs are loaded by their {% assets %} tags: not counted among the files "that no
    # <script src> or <link> tag loads" (flask-base: "2 script(s) and 2 stylesheet(s)", its
    # four bundles); the bundles' sources in the static folder are
    assert "2 script(s) and 1 stylesheet(s) that no <script src> or <link> tag loads" in done.out
    include = yaml.safe_load((tmp_path / "pipeline.yaml").read_text())["static"]["include"]
    assert "gen/**" in include


def test_bundles_not_built_yet_are_named(tmp_path: Path) -> None:
    write_tree(tmp_path, TREE)
    done = run_cli("init", cwd=tmp_path)
    assert done.code == 0, done.out + done.err
    note = done.out[done.out.index("note: 1 template(s) load Flask-Assets") :]
    assert "not hashed, compressed or cached by it" in note
    assert "If webassets writes gen/packed.js, gen/packed.css into the static folder" in note


#: Nyaa's shape: a factory that needs its config (``create_app('config')``), called by a
#: ``WSGI.py`` that ``flask`` does not look for, and bundle outputs that ``.gitignore`` leaves
#: out of the repository (``nyaa/static/js/main.min.js``)
NYAA_LIKE: dict[str, str | bytes] = {
    "WSGI.py": "from shop import create_app\n\napp = create_app('config')\n",
    "shop/__init__.py": """\
        import flask
        from flask_assets import Bundle, Environment

        assets = Environment()


        def create_app(config):
            app = flask.Flask(__name__)
            app.config.from_object(config)
            assets.init_app(app)
            assets.register('main_js', Bundle('js/main.js', output='js/main.min.js'))
            return app
        """,
    "shop/static/js/main.js": "document.title = 'shop';\n",
    "shop/static/js/main.min.js": "document.title='shop';\n",
    "shop/templates/layout.html": """\
        <!doctype html>
        {% assets "main_js" %}
        <script src="{{ url_for('static', filename='js/main.min.js') }}"></script>
        {% endassets %}
        """,
    ".gitignore": "__pycache__\nshop/static/js/main.min.js\n",
}


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_the_note_names_the_app_and_the_outputs_a_checkout_lacks(tmp_path: Path) -> None:
    """Nyaa: the note said "Build the bundles (`flask assets build`)", which stops with "Could
    not locate a Flask application" there, and did not say that a fresh checkout (CI, an image
    build) lacks the outputs, where `assetpipe build` then stops on a missing entry."""
    write_tree(tmp_path, NYAA_LIKE)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    done = run_cli("init", cwd=tmp_path)
    assert done.code == 0, done.out + done.err
    note = " ".join(done.out[done.out.index("note: 1 template(s) load Flask-Assets") :].split())
    assert (
        "Build the bundles (`flask --app WSGI:app assets build`) before `assetpipe build`" in note
    )
    assert "git ignores js/main.min.js: a fresh checkout (CI, an image build) lacks them" in note
    # tracked, the output is in every checkout: nothing to say
    subprocess.run(["git", "add", "-f", "shop/static/js/main.min.js"], cwd=tmp_path, check=True)
    again = run_cli("init", "--force", cwd=tmp_path)
    assert "git ignores" not in again.out and "--app WSGI:app" in again.out
    # and what the fresh checkout's build says without them
    (tmp_path / "shop/static/js/main.min.js").unlink()
    built = run_cli("build", cwd=tmp_path)
    assert built.code != 0 and "no file 'js/main.min.js'" in built.out + built.err
