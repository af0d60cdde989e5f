"""``assetpipe init`` names another installed copy of the project's own package.

docs/adopting.md adopts ihatemoney as a PyPI user would: ``pip install ihatemoney``, its sdist
unpacked, ``init`` and the two lines in the copy. gunicorn started in the copy's folder ran the
adopted app, but ``ihatemoney run`` (its console script, what its docs say to run) imported the
site-packages copy, without the two lines, and served the pages unbuilt (``/static/css/main.css``,
``no-cache``) without a word. ``init`` now names that copy, its console script and the fix
(``pip install -e .``); an editable install of the project, or no other copy, gets no note.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assetpipe.adopt.installed import installed_copy, installed_note, top_package
from tests.conftest import run_cli, write_tree

NAME = "budgetapp_s20h2"

PROJECT: dict[str, str | bytes] = {
    "pyproject.toml": f'[project]\nname = "{NAME}"\nversion = "1.0"\n',
    f"{NAME}/__init__.py": "",
    f"{NAME}/run.py": """\
        from flask import Flask


        def create_app():
            app = Flask(__name__)
            return app
        """,
    f"{NAME}/static/css/main.css": "body { color: red; }\n",
    f"{NAME}/templates/layout.html": (
        "<link rel=stylesheet href=\"{{ url_for('static', filename='css/main.css') }}\">\n"
    ),
}


def _site(tmp_path: Path) -> Path:
    """A folder laid out as pip installs the package from PyPI: the package and its
    dist-info with a console script."""
    site = tmp_path / "site-packages"
    write_tree(
        site,
        {
            f"{NAME}/__init__.py": "",
            f"{NAME}/run.py": "",
            f"{NAME}-1.0.dist-info/METADATA": f"Metadata-Version: 2.1\nName: {NAME}\nVersion: 1.0\n",
            f"{NAME}-1.0.dist-info/top_level.txt": f"{NAME}\n",
            f"{NAME}-1.0.dist-info/entry_points.txt": (
                f"[console_scripts]\nbudgetapp = {NAME}.manage:cli\n"
            ),
        },
    )
    return site


def _env(*folders: Path) -> dict[str, str]:
    return {"PYTHONPATH": os.pathsep.join([*map(str, folders), os.environ.get("PYTHONPATH", "")])}


def test_init_names_the_site_packages_copy_and_its_console_script(tmp_path: Path) -> None:
    project = tmp_path / "project"
    write_tree(project, PROJECT)
    site = _site(tmp_path)
    result = run_cli("init", cwd=project, env=_env(site))
    assert result.code == 0, result.err
    after = result.out.split("Add these two lines", 1)[1]
    assert f"note: {NAME} is also installed at ../site-packages/{NAME}, a copy without" in after
    assert "`budgetapp` (its console script) and a server started in another folder" in after
    assert "`pip install -e .` here" in after


def test_an_editable_install_or_no_copy_gets_no_note(tmp_path: Path) -> None:
    project = tmp_path / "project"
    write_tree(project, PROJECT)
    # the project's folder on sys.path (a .pth of an editable install): the project's own copy
    for env in (_env(project), None):
        result = run_cli("init", "--force", cwd=project, env=env)
        assert result.code == 0, result.err
        assert "is also installed" not in result.out


def test_found_from_the_module_without_importing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    write_tree(project, {**PROJECT, f"{NAME}/web/__init__.py": "", f"{NAME}/web/app.py": ""})
    site = _site(tmp_path)
    module = project / NAME / "web" / "app.py"
    assert top_package(module) == project / NAME
    assert top_package(project / "app.py") is None  # a module outside a package: no copy
    monkeypatch.syspath_prepend(str(site))
    copy = installed_copy(module, project)
    assert copy is not None and copy.folder == (site / NAME).resolve()
    assert copy.scripts == ("budgetapp",)
    monkeypatch.syspath_prepend(str(project))  # the project first on sys.path: skipped
    assert installed_copy(module, project) == copy
    assert not copy.adopted and "a copy without the two lines" in installed_note(copy, project)


def test_an_adopted_copy_installed_apart_is_told_apart(tmp_path: Path) -> None:
    """``pip install .`` of the adopted folder: the copy calls ``AssetPipe(app)`` but has no
    ``pipeline.yaml`` or build beside it (it fails to start); the note says so."""
    project = tmp_path / "project"
    write_tree(project, PROJECT)
    site = _site(tmp_path)
    write_tree(site, {f"{NAME}/run.py": "from assetpipe.flask import AssetPipe\nAssetPipe(app)\n"})
    result = run_cli("init", cwd=project, env=_env(site))
    assert result.code == 0, result.err
    assert (
        f"{NAME} is also installed at ../site-packages/{NAME}, a copy installed apart" in result.out
    )
    assert "import that copy and fail to start (AssetPipe(app) finds no pipeline.yaml" in result.out
