"""``--app MODULE:APP`` for a module inside a package, imported as ``flask --app`` imports it.
Flask-Admin's examples live in ``examples/<name>/main.py`` (``examples/`` and each example
folder have an ``__init__.py``) and import their siblings absolutely (``from
examples.bootstrap4.data import build_sample_db``); ``assetpipe init``, run beside ``main.py``,
writes ``app: "main:app"``, and importing ``main`` from that folder failed with ``No module
named 'examples'``. Real Flask apps, written here."""

from __future__ import annotations

from pathlib import Path

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
