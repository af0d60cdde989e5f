"""``init`` where the settings take everything from an installed package's settings module.

wger, installed from PyPI as its docs say (``pip install wger``, ``wger create-settings``), runs
with a ``settings.py`` that does ``from wger.settings_global import *``: the templates, the
apps and the static files are all the installed package's. ``init`` in that folder said "no
Flask app with a static folder found" and to look for ``Flask(__name__)``. It now names the
settings, the installed module and the packages the pages come from. The package is a real one
on ``PYTHONPATH``, found without importing it."""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import run_cli, write_tree

GLOBAL = """\
import os

INSTALLED_APPS = ["django.contrib.staticfiles", "fitkit.core", "fitkit.weight"]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "OPTIONS": {"loaders": ["django.template.loaders.app_directories.Loader"]},
    },
]
STATIC_URL = "/static/"
"""


def test_settings_that_star_import_an_installed_package_are_named_as_django(
    tmp_path: Path,
) -> None:
    write_tree(
        tmp_path / "site",
        {
            "fitkit/__init__.py": "raise RuntimeError('imported')\n",
            "fitkit/settings_global.py": GLOBAL,
            "fitkit/core/__init__.py": "",
            "fitkit/core/templates/template.html": "<!doctype html>{% block content %}{% endblock %}",
            "fitkit/core/static/css/main.css": "body{margin:0}\n",
            "fitkit/weight/__init__.py": "",
            "fitkit/weight/templates/weight/overview.html": '{% extends "template.html" %}',
        },
    )
    project = tmp_path / "config"
    write_tree(
        project,
        {
            "settings.py": "from fitkit.settings_global import *\n\nDEBUG = True\n",
            "media/exercise-images/1/photo.txt": "not a static folder\n",
        },
    )
    path = os.pathsep.join([str(tmp_path / "site"), os.environ.get("PYTHONPATH", "")])
    result = run_cli("init", cwd=project, env={"PYTHONPATH": path})
    assert result.code == 2, result.out
    assert (
        "settings.py is a Django project's settings that take theirs from the installed"
        " fitkit.settings_global (from fitkit.settings_global import *)"
    ) in result.err
    assert "templates of installed packages (fitkit: 2)" in result.err
    assert "run `assetpipe init` in a source checkout of the package" in result.err
    assert "Flask" not in result.err
    assert not (project / "pipeline.yaml").exists()
