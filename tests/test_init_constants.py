"""``assetpipe init`` on an app whose ``Flask(...)`` names its folders by a constant of the
project (met adopting privacyIDEA: ``Flask(__name__, static_folder=Defaults.STATIC_FOLDER,
template_folder=Defaults.TEMPLATE_FOLDER)`` with ``TEMPLATE_FOLDER = "static/templates/"`` in
``config.py``). Read as Flask's default ``templates``, a folder the app does not have, ``init``
listed no template and the build rewrote nothing. The same module has a second factory for
its container image, which ``init`` did not name."""

from __future__ import annotations

from pathlib import Path

from assetpipe.adopt import discover, init
from assetpipe.adopt.constants import kwarg, resolve
from tests.conftest import write_tree

LAYOUT: dict[str, str | bytes] = {
    "shop/__init__.py": "",
    "shop/settings.py": """\
class Defaults:
    \"\"\"Where the app keeps things.\"\"\"

    STATIC_FOLDER = "static/"
    TEMPLATE_FOLDER: str = "static/pages/"  # served and rendered

    class Nested:
        OTHER = "x"


class Keys:
    TEMPLATE_FOLDER = "SHOP_TEMPLATE_FOLDER"
""",
    "shop/app.py": """\
from flask import Flask

from .settings import Defaults


def create_app():
    app = Flask(__name__, static_folder=Defaults.STATIC_FOLDER,
                template_folder=Defaults.TEMPLATE_FOLDER)
    return app


def create_container_app():
    app = Flask(__name__)
    return app
""",
    "shop/static/css/site.css": "body { color: #123; }\n",
    "shop/static/pages/index.html": (
        "<link rel=\"stylesheet\" href=\"{{ url_for('static', filename='css/site.css') }}\">\n"
    ),
}


def test_a_folder_named_by_a_class_constant_is_found(tmp_path: Path) -> None:
    write_tree(tmp_path, LAYOUT)
    p = discover(tmp_path)
    assert p.app is not None and p.app.static_known
    assert p.static_dir == tmp_path / "shop" / "static"
    assert p.templates_dir == tmp_path / "shop" / "static" / "pages"
    assert p.templates == 1 and p.styles == ["css/site.css"]


def test_what_a_constant_holds(tmp_path: Path) -> None:
    write_tree(tmp_path, LAYOUT)
    texts = [(p, p.read_text()) for p in sorted(tmp_path.rglob("*.py"))]
    module = "FOLDER = 'assets'\nLATER = call()\n"
    assert resolve("Defaults.TEMPLATE_FOLDER", "", texts) == "static/pages/"
    assert resolve("Keys.TEMPLATE_FOLDER", "", texts) == "SHOP_TEMPLATE_FOLDER"
    assert resolve("Defaults.OTHER", "", texts) is None  # a nested class's, not this one's
    assert resolve("Missing.X", "", texts) is None
    assert resolve("FOLDER", module, texts) == "assets"
    assert resolve("LATER", module, texts) is None
    args = "__name__, static_folder=None, template_folder=FOLDER"
    assert kwarg(args, "template_folder", module, texts) == "assets"
    assert kwarg(args, "static_folder", module, texts) is None
    assert kwarg("__name__, template_folder='t'", "template_folder", "", texts) == "t"


def test_the_lines_go_into_every_factory_of_the_module(tmp_path: Path) -> None:
    write_tree(tmp_path, LAYOUT)
    result = init(tmp_path)
    assert result.where == (
        "in shop/app.py, inside create_app(), before its `return app` (line 9), "
        "and inside create_container_app(), before its `return app` (line 14), "
        "which creates an app too"
    )


def test_an_app_whose_import_name_is_a_keyword_naming_a_constant(tmp_path: Path) -> None:
    """flaskBlog's ``app = Flask(import_name=Settings.APP_NAME, root_path=Settings.APP_ROOT_PATH)``
    (``APP_ROOT_PATH = "."``, run from its folder): ``init`` looked only for ``Flask(__name__`` or
    a string first, said "No Flask app found here" and gave the steps of another framework.
    ``class X(Flask)`` is still no app creation."""
    write_tree(
        tmp_path,
        {
            "settings.py": 'class Settings:\n    APP_NAME = "blog"\n    APP_ROOT_PATH = "."\n',
            "app.py": "from flask import Flask\n\nfrom settings import Settings\n\n\n"
            "class Quiet(Flask):\n    pass\n\n\n"
            "app = Flask(\n    import_name=Settings.APP_NAME,\n"
            "    root_path=Settings.APP_ROOT_PATH,\n)\n"
            'app.secret_key = "x"\n',
            "static/css/site.css": "body { color: #123; }\n",
            "templates/index.html": (
                "<link rel=\"stylesheet\" href=\"{{ url_for('static', filename='css/site.css') }}\">\n"
            ),
        },
    )
    p = discover(tmp_path)
    assert p.app is not None and p.app.variable == "app"
    assert p.static_dir == tmp_path / "static" and p.templates == 1
    result = init(tmp_path)
    assert result.where.startswith("in app.py, after line 13 (app = Flask("), result.where
