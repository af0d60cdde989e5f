"""A ``Flask(...)`` in a docstring is no app: Bazarr vendors flask-restx in ``libs/``, whose
``api.py`` shows ``>>> app = Flask(__name__)`` in a docstring, beside the package's own
``static/`` and ``templates/``; ``init`` took it for the project's app (an app with folders
wins over Bazarr's own, whose pages are a bundler's build) and said to put the two lines in
the library's docstring. The project's own app is named now."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_cli, write_tree

LIBRARY = '''\
class Api:
    """The API.

    >>> app = Flask(__name__)
    >>> api = Api(app)
    """

    def init_app(self, app):
        """Use it with an app factory::

            app = Flask(__name__)
            api.init_app(app)
        """
'''
APP = """\
from flask import Flask


def create_app():
    app = Flask(__name__)
    return app
"""


def test_a_flask_call_in_a_docstring_is_not_the_app(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "libs/restlib/__init__.py": "",
            "libs/restlib/api.py": LIBRARY,
            "libs/restlib/static/ui.css": "body { margin: 0; }\n",
            "libs/restlib/templates/ui.html": "<p>ui</p>\n",
            "shop/__init__.py": "",
            "shop/web/__init__.py": "",
            "shop/web/app.py": APP,  # its pages are a bundler's build, served by a blueprint
        },
    )
    out = run_cli("init", cwd=tmp_path)
    assert out.code == 0, out.err
    assert "Add these two lines in shop/web/app.py" in out.out, out.out
    assert "libs/restlib" not in out.out, out.out
