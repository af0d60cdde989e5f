"""``--app MODULE:APP`` for a module inside a package, imported as ``flask --app`` imports it.
Flask-Admin's examples live in ``examples/<name>/main.py`` (``examples/`` and each example
folder have an ``__init__.py``) and import their siblings absolutely (``from
examples.bootstrap4.data import build_sample_db``); ``assetpipe init``, run beside ``main.py``,
writes ``app: "main:app"``, and importing ``main`` from that folder failed with ``No module
named 'examples'``. And ``--app module:create_app("production")``, a factory called with literal
arguments as ``flask --app`` and gunicorn call it. Real Flask apps, written here."""

from __future__ import annotations

from pathlib import Path

import pytest

from assetpipe.serve.userapp import import_app, package_import
from tests.conftest import write_tree


def test_a_module_in_a_package_is_imported_by_its_full_name(tmp_path: Path) -> None:
    top = "apkgdemo"  # a name no other test imports (sys.modules is shared)
    write_tree(
        tmp_path,
        {
            f"{top}/__init__.py": "",
            f"{top}/shop/__init__.py": "",
            f"{top}/shop/data.py": "TITLE = 'from the sibling module'\n",
            f"{top}/shop/main.py": (
                "from flask import Flask\n"
                f"from {top}.shop.data import TITLE\n"
                "app = Flask(__name__)\n"
                "app.config['TITLE'] = TITLE\n"
            ),
        },
    )
    folder = tmp_path / top / "shop"
    assert package_import("main", folder) == (f"{top}.shop.main", tmp_path)
    app = import_app("main:app", folder)
    assert app.config["TITLE"] == "from the sibling module"
    assert Path(app.root_path) == folder  # the folders Flask finds are the same


def test_a_module_outside_a_package_is_imported_as_named(tmp_path: Path) -> None:
    write_tree(tmp_path, {"plainmoddemo.py": "from flask import Flask\napp = Flask(__name__)\n"})
    assert package_import("plainmoddemo", tmp_path) is None
    assert package_import("absent", tmp_path) is None
    assert import_app("plainmoddemo:app", tmp_path).name == "plainmoddemo"


FACTORY = (
    "from flask import Flask\n"
    "CONFIGS = {'development': {'DEBUG': True}, 'production': {'DEBUG': False}}\n"
    "def create_app(config, name='fb'):\n"
    "    app = Flask(__name__)\n"
    "    app.config.update(CONFIGS[config], NAME=name)\n"
    "    return app\n"
)


def test_a_factory_is_called_with_the_literal_arguments_of_the_spec(tmp_path: Path) -> None:
    """flask-base's ``create_app(config)`` runs as ``gunicorn 'app:create_app("production")'``
    and ``flask --app 'app:create_app("production")'``; the same string given to ``--app`` said
    ``module 'app' has no attribute 'create_app("production")'``."""
    from assetpipe.errors import UsageError

    write_tree(tmp_path, {"facdemo.py": FACTORY})
    app = import_app('facdemo:create_app("production")', tmp_path)
    assert app.config["DEBUG"] is False and app.config["NAME"] == "fb"
    app = import_app("facdemo:create_app('development', name='x')", tmp_path)
    assert app.config["DEBUG"] is True and app.config["NAME"] == "x"
    with pytest.raises(UsageError, match="must be literal values"):
        import_app("facdemo:create_app(CONFIGS)", tmp_path)
    with pytest.raises(UsageError) as named:
        import_app("facdemo:create_app", tmp_path)
    assert "'facdemo:create_app(\"production\")'" in (named.value.hint or "")
