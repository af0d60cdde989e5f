"""``assetpipe init`` names the installed packages the app imports that ship a ``static/``
folder of their own (Flask-MonitoringDashboard's 2.2 MB, which ``init`` counted nowhere and
said nothing of): ``AssetPipe(app)`` handles them while the app runs. A package written here,
found through ``PYTHONPATH`` as an installed one is, and ``init`` run as a user runs it."""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import run_cli, write_tree


def test_init_names_an_imported_package_that_ships_static_files(tmp_path: Path) -> None:
    site, project = tmp_path / "site", tmp_path / "project"
    write_tree(
        site,
        {
            "fakedash/__init__.py": "def bind(app):\n    pass\n",
            "fakedash/static/js/app.js": "console.log('dash');\n",
            "plainext/__init__.py": "",  # no static files: not named
            # flasgger's Swagger UI: ui3/static/, one folder down (was not named)
            "fakeui/__init__.py": "",
            "fakeui/ui3/static/swagger-ui.js": "var ui = 1;\n",
            "fakelib/__init__.py": "",
            "fakelib/tests/static/fixture.js": "1;\n",  # a package's test data: not named
        },
    )
    write_tree(
        project,
        {
            "app/__init__.py": """\
                from flask import Flask
                import fakelib
                import fakeui
                import plainext


                def create_app():
                    app = Flask(__name__)
                    import fakedash
                    fakedash.bind(app)
                    return app
            """,
            "app/static/site.css": "body { color: #123456; }\n",
            "app/templates/index.html": (
                "<link rel='stylesheet' href=\"{{ url_for('static', filename='site.css') }}\">"
            ),
        },
    )
    env = {"PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])}
    done = run_cli("init", cwd=project, env=env)
    assert done.code == 0, done.out + done.err
    note = [line for line in done.out.splitlines() if "ship static files" in line]
    assert len(note) == 1, done.out
    assert "(fakedash, fakeui)" in note[0], note  # not plainext, not fakelib
    assert "AssetPipe(app)" in note[0]


def test_init_names_a_starlette_admins_statics_folder(tmp_path: Path) -> None:
    """The starlette-admin demo imports ``starlette_admin``, whose Tabler, jQuery and DataTables
    (1 MB a page) are in ``statics/``, served by the admin's own ``StaticFiles``: ``init``
    said nothing of them for a Starlette app (the note was printed for Flask apps only, and
    looked for ``static/``). It names them: ``AssetPipe(app, templates)`` hashes them while the
    app runs (``assetpipe.package_static``)."""
    site, project = tmp_path / "site", tmp_path / "project"
    write_tree(
        site,
        {
            "fakeadmin/__init__.py": "def mount_to(app):\n    pass\n",
            "fakeadmin/statics/js/vendor/jquery.min.js": "var jQuery = 1;\n",
        },
    )
    write_tree(
        project,
        {
            "app.py": """\
                from starlette.applications import Starlette
                from starlette.routing import Mount
                from starlette.staticfiles import StaticFiles

                import fakeadmin

                app = Starlette(
                    routes=[Mount("/statics", app=StaticFiles(directory="statics"), name="statics")]
                )
                fakeadmin.mount_to(app)
            """,
            "statics/js/site.js": "var site = 1;\n",
        },
    )
    env = {"PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])}
    done = run_cli("init", cwd=project, env=env)
    assert done.code == 0, done.out + done.err
    note = [line for line in done.out.splitlines() if "ship static files" in line]
    assert len(note) == 1, done.out
    assert "(fakeadmin)" in note[0] and "AssetPipe(app, templates) hashes" in note[0]


def test_the_apps_own_package_installed_apart_is_not_named(tmp_path: Path) -> None:
    """wikmd's wheel unpacked and ``init`` run in its package folder (``wikmd/``, whose
    ``wiki.py`` imports ``from wikmd import ...``), wikmd also installed: that installed copy
    is the app itself, not a package shipping files of its own."""
    own: dict[str, str | bytes] = {
        "wikiapp/__init__.py": "",
        "wikiapp/wiki.py": """\
            from flask import Flask

            from wikiapp import helpers

            app = Flask(__name__)
        """,
        "wikiapp/helpers.py": "",
        "wikiapp/static/css/wiki.css": "body { color: #123456; }\n",
        "wikiapp/templates/index.html": (
            "<link rel='stylesheet' href=\"{{ url_for('static', filename='css/wiki.css') }}\">"
        ),
    }
    write_tree(tmp_path / "site", own)
    write_tree(tmp_path / "copy", own)
    env = {
        "PYTHONPATH": os.pathsep.join([str(tmp_path / "site"), os.environ.get("PYTHONPATH", "")])
    }
    done = run_cli("init", cwd=tmp_path / "copy/wikiapp", env=env)
    assert done.code == 0, done.out + done.err
    assert "ship static files" not in done.out, done.out
