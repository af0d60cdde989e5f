"""The lines ``init`` prints pass a linter once pasted where it says.

Pasted after the statement making the app, as ``init`` once printed them, the ``from assetpipe...
import ...`` line failed E402 ("module level import not at top of file") in any project linted
in CI (cookiecutter-django's pre-commit ruff): the import now goes with the module's imports.
Checked with ruff (a test extra) on a Flask module and on the WSGI and ASGI modules of a real
``django-admin startproject``, each then imported as its server would.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assetpipe.adopt.importspot import import_spot
from tests.conftest import run_cli, write_tree

RUFF = shutil.which("ruff", path=os.path.dirname(sys.executable)) or shutil.which("ruff")


def _lint(*files: Path) -> subprocess.CompletedProcess[str]:
    """ruff on ``files`` with the rules an import pasted in the wrong place breaks (PLC0415:
    pylint's import-outside-toplevel)."""
    assert RUFF, "ruff (a test extra) is not installed"
    return subprocess.run(
        [RUFF, "check", "--isolated", "--select", "E402,F401,F811,F821,PLC0415", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("source", "spot"),
    [
        ("x = 1\n", 0),
        ('"""Doc."""\n\nx = 1\n', 1),
        ('"""Doc\n\nmore."""\nfrom __future__ import annotations\n\nimport os\n\nx = 1\n', 6),
        # cookiecutter-django's WSGI module changes sys.path among its imports
        (
            "import os\nimport sys\nsys.path.append('x')\nfrom django.core.wsgi import g\na = g()\n",
            4,
        ),
        (
            "import os\ntry:\n    import ujson as json\nexcept ImportError:\n    import json\nx = 1\n",
            1,
        ),
        # a block of imports is never the line named: its last line is indented (beets)
        ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import os\napp = 1\n", 1),
        ("if True:\n    import os\nimport sys\napp = 1\n", 3),
        ('"""Doc."""\nif True:\n    import os\napp = 1\n', 1),
        # imports after code (Channels' asgi.py) are not the leading ones
        ("import os\nos.environ.setdefault('A', 'b')\napp = f()\nimport late\n", 1),
    ],
)
def test_the_import_spot_is_where_the_leading_imports_end(source: str, spot: int) -> None:
    assert import_spot(ast.parse(source)) == spot


FLASK_APP = '''\
"""A small Flask app, linted in CI."""

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
try:
    import tomllib
except ImportError:  # pragma: no cover
    tomllib = None

from flask import Flask, render_template

app = Flask(__name__)
app.config["NAME"] = "demo" if tomllib else "old"


@app.route("/")
def index():
    return render_template("index.html")
'''


def _pasted_as_printed(
    root: Path, module: str, app: str, place: str, before: bool, *, editor: bool = False
) -> None:
    """Write an app (``module``: its text ``app``, a stylesheet, a page naming it), run
    ``init``, paste the two lines as printed (the call ``place`` says, a regex whose group is
    the line: after it, or ``before`` it at its indentation; then the import after the line
    named; with ``editor``, at that line's indentation, where an editor's Enter leaves the
    cursor), and check ruff passes and ``build --strict`` too."""
    folder = str(Path(module).parent).replace(".", "")
    static = f"{folder}/static" if folder else "static"
    write_tree(
        root,
        {
            module: app,
            f"{static}/css/site.css": "body { color: #123; }\n",
            f"{static.replace('static', 'templates')}/index.html": (
                '<link rel="stylesheet" href="{{ url_for(\'static\', '
                + ("path" if "starlette" in app else "filename")
                + "='css/site.css') }}\"><p>hi</p>\n"
            ),
        },
    )
    result = run_cli("init", cwd=root)
    assert result.code == 0, result.err
    shown = re.escape(module)
    m = re.search(
        rf"Add these two lines in {shown}: this one {place}.*\n\n    (.+)\n\n"
        rf"and this import in {shown}, after line (\d+), with its imports:\n\n    (.+)\n",
        result.out,
    )
    assert m, result.out
    lines = (root / module).read_text().splitlines()
    at = int(m[1])
    if before:  # at the indentation of the line it goes before
        lines.insert(
            at - 1, lines[at - 1][: len(lines[at - 1]) - len(lines[at - 1].lstrip())] + m[2]
        )
    else:
        lines.insert(at, m[2])
    spot = int(m[3])  # in the order printed: this line number still holds
    indent = lines[spot - 1][: len(lines[spot - 1]) - len(lines[spot - 1].lstrip())]
    lines.insert(spot, (indent if editor and spot else "") + m[4])
    (root / module).write_text("\n".join(lines) + "\n")
    linted = _lint(root / module)
    assert linted.returncode == 0, linted.stdout + "\n".join(lines)
    assert run_cli("build", "--strict", cwd=root).code == 0


def _run(root: Path, code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_flask_lines_pasted_as_printed_pass_the_linter(tmp_path: Path) -> None:
    _pasted_as_printed(
        tmp_path, "app.py", FLASK_APP, r"after line (\d+), once app\.config is set", False
    )
    out = _run(
        tmp_path,
        "import app, re\n"
        "c = app.app.test_client()\n"
        "href = re.search(r'href=\"([^\"]+)\"', c.get('/').get_data(as_text=True))[1]\n"
        "print(href, c.get(href).status_code)\n",
    )
    href, status = out.split()
    assert re.fullmatch(r"/static/css/site-[A-Z0-9]{8}\.css", href) and status == "200", href


TYPED_APP = '''\
"""A web UI shaped as beets' (``beetsplug/web``): its imports end in a TYPE_CHECKING block."""

from __future__ import annotations

from typing import TYPE_CHECKING

import flask

if TYPE_CHECKING:
    from collections.abc import Sequence

app = flask.Flask(__name__)
app.url_map.strict_slashes = False


@app.route("/")
def index() -> str:
    names: Sequence[str] = ()
    return flask.render_template("index.html", names=names)
'''


def test_the_import_is_not_named_inside_a_type_checking_block(tmp_path: Path) -> None:
    """``init`` named the block's last line (indented); the import pasted there, at the
    cursor an editor leaves, ran only under a type checker: ``NameError: AssetPipe``."""
    _pasted_as_printed(
        tmp_path, "app.py", TYPED_APP, r"after line (\d+) \(app = flask\.Flask", False, editor=True
    )
    out = _run(tmp_path, "import app\nprint(sorted(app.app.extensions))")
    assert "assetpipe" in out, out


FACTORY_APP = '''\
"""A factory, as Flask's tutorial writes one."""

import os

from flask import Flask, render_template


def create_app(test_config=None):
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(SECRET_KEY="dev")
    if test_config is not None:
        app.config.from_mapping(test_config)
    os.makedirs(app.instance_path, exist_ok=True)

    @app.route("/")
    def index():
        return render_template("index.html")

    return app
'''


def test_a_factorys_lines_pasted_as_printed_pass_the_linter(tmp_path: Path) -> None:
    place = r"inside create_app\(\), before its `return app` \(line (\d+)\)"
    _pasted_as_printed(tmp_path, "shop/__init__.py", FACTORY_APP, place, True)
    assert "assetpipe" in _run(tmp_path, "import shop\nprint(sorted(shop.create_app().extensions))")


STARLETTE_APP = """\
import os

from starlette.applications import Starlette
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

HERE = os.path.dirname(__file__)
templates = Jinja2Templates(directory=os.path.join(HERE, "templates"))


async def home(request):
    return templates.TemplateResponse(request, "index.html")


app = Starlette(
    routes=[
        Route("/", home),
        Mount("/static", StaticFiles(directory=os.path.join(HERE, "static")), name="static"),
    ]
)
"""


def test_the_starlette_lines_pasted_as_printed_pass_the_linter(tmp_path: Path) -> None:
    _pasted_as_printed(tmp_path, "app.py", STARLETTE_APP, r"after line (\d+) \(a Starlette", False)
    _run(tmp_path, "import app")


@pytest.mark.skipif(importlib.util.find_spec("django") is None, reason="needs Django")
def test_the_django_entry_modules_pasted_as_printed_pass_the_linter(tmp_path: Path) -> None:
    from tests.test_django import _paste, _project
    from tests.test_django_asgi import _paste_asgi

    _project(tmp_path)
    real = tmp_path / "real"  # the WSGI and ASGI modules startproject writes, as they are
    real.mkdir()
    made = subprocess.run(
        [sys.executable, "-m", "django", "startproject", "shopsite", str(real)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert made.returncode == 0, made.stderr
    for name in ("wsgi.py", "asgi.py"):
        shutil.copyfile(real / "shopsite" / name, tmp_path / "shopsite" / name)
    shutil.rmtree(real)
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    assert "and these imports in shopsite/wsgi.py, after line " in result.out, result.out
    assert "and these imports in shopsite/asgi.py, after line " in result.out, result.out
    _paste(tmp_path, result.out)
    _paste_asgi(tmp_path, result.out)
    entry = [tmp_path / "shopsite/wsgi.py", tmp_path / "shopsite/asgi.py"]
    linted = _lint(*entry)
    assert linted.returncode == 0, linted.stdout + "".join(p.read_text() for p in entry)
    assert run_cli("build", "--strict", cwd=tmp_path).code == 0
    code = (
        "import shopsite.wsgi, shopsite.asgi\n"
        "print(type(shopsite.wsgi.application).__module__,"
        " type(shopsite.asgi.application).__module__)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    wsgi_layer, asgi_layer = done.stdout.split()
    assert wsgi_layer.startswith("assetpipe.serve") and asgi_layer.startswith("assetpipe.serve")
