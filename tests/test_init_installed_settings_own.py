"""``init`` on settings that star-import an installed package's and name folders of their own.

mailman-web's settings (``/etc/mailman3/settings.py``) start with ``from
mailman_web.settings.base import *``; its pages are installed packages' (Postorius, HyperKitty).
``init`` said to copy their templates into a ``DIRS`` folder and their static files into a
``STATICFILES_DIRS`` folder and to run it again; once that was done, as settings written this
way set it (``TEMPLATES[0]["DIRS"] = [...]``, ``STATICFILES_DIRS = [...]`` after the import),
it gave the same error. The settings are read through the installed module now: ``init``
writes the config, and the build hashes the copied templates' ``{% static %}`` references
(real esbuild). The package is a real one on ``PYTHONPATH``, found without importing it."""

from __future__ import annotations

import os
import re
from pathlib import Path

from tests.conftest import CliResult, run_cli, write_tree

BASE = """\
import os

INSTALLED_APPS = ["listkit", "django.contrib.admin", "django.contrib.staticfiles"]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": []},
    },
]
STATIC_URL = "/static/"
STATICFILES_DIRS = ()
"""

SETTINGS = """\
from listkit.settings.base import *  # noqa
from pathlib import Path

DEBUG = True
# the package's templates and static files, copied here (init's hint)
TEMPLATES[0]["DIRS"] = [str(Path(__file__).resolve().parent / "templates")]
STATICFILES_DIRS = [str(Path(__file__).resolve().parent / "assets")]
"""

PAGE = """\
{% load static %}<!doctype html>
<link rel="stylesheet" href="{% static 'listkit/css/main.css' %}">
<h1>Lists</h1>
"""


def _init_copied(tmp_path: Path) -> tuple[Path, str, CliResult]:
    """``init`` run in the project whose settings name the copied folders: the project, the
    ``PYTHONPATH`` that finds the package under ``tmp_path / "site"``, and the result."""
    project = tmp_path / "mailman3"
    write_tree(
        project,
        {
            "settings.py": SETTINGS,
            "templates/listkit/index.html": PAGE,
            "assets/listkit/css/main.css": "body { margin: 0; color: #333333; }\n",
        },
    )
    path = os.pathsep.join([str(tmp_path / "site"), os.environ.get("PYTHONPATH", "")])
    return project, path, run_cli("init", cwd=project, env={"PYTHONPATH": path})


def test_settings_through_an_installed_module_with_folders_of_their_own(tmp_path: Path) -> None:
    write_tree(
        tmp_path / "site",
        {
            "listkit/__init__.py": "raise RuntimeError('imported')\n",
            "listkit/settings/__init__.py": "",
            "listkit/settings/base.py": BASE,
            "listkit/templates/listkit/index.html": PAGE,
            "listkit/static/listkit/css/main.css": "body { margin: 0; color: #333333; }\n",
        },
    )
    project, path, result = _init_copied(tmp_path)
    assert result.code == 0, result.out + result.err
    config = (project / "pipeline.yaml").read_text(encoding="utf-8")
    assert re.search(r'^source: "?assets"?$', config, re.M), config
    assert re.search(r'dirs: \["templates"\]', config), config
    built = run_cli("build", "--strict", cwd=project, env={"PYTHONPATH": path})
    assert built.code == 0, built.out + built.err
    page = (project / "dist/templates/listkit/index.html").read_text(encoding="utf-8")
    assert re.search(r"\{% static 'listkit/css/main-[A-Z0-9]{8}\.css' %\}", page), page
    assert page.replace(re.findall(r"main-[A-Z0-9]{8}", page)[0], "main") == PAGE


def test_settings_through_an_installed_module_alone_still_name_it(tmp_path: Path) -> None:
    """Without folders of their own, the settings get the error that names the module."""
    write_tree(
        tmp_path / "site",
        {
            "listkit/__init__.py": "",
            "listkit/settings/__init__.py": "",
            "listkit/settings/base.py": BASE,
            "listkit/templates/listkit/index.html": PAGE,
        },
    )
    project = tmp_path / "mailman3"
    write_tree(project, {"settings.py": "from listkit.settings.base import *\nDEBUG = True\n"})
    path = os.pathsep.join([str(tmp_path / "site"), os.environ.get("PYTHONPATH", "")])
    result = run_cli("init", cwd=project, env={"PYTHONPATH": path})
    assert result.code == 2, result.out
    assert "take theirs from the installed listkit.settings.base" in result.err


WSGI = """\
from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()
"""


def test_the_installed_wsgi_module_is_wrapped_by_one_beside_the_settings(tmp_path: Path) -> None:
    """mailman-web's WSGI module is the installed ``mailman_web.wsgi``: ``init`` printed the
    steps for an app that is not Django's (a Jinja loader, ``asset_url()``). It names that
    module and the lines of a ``wsgi.py`` wrapping it and of the settings' end; pasted, the
    settings give the build's templates first and the runserver app before staticfiles."""
    write_tree(
        tmp_path / "site",
        {
            "listkit/__init__.py": "",
            "listkit/settings/__init__.py": "",
            "listkit/settings/base.py": BASE,
            "listkit/wsgi.py": WSGI,
            "listkit/templates/listkit/index.html": PAGE,
        },
    )
    project, _, result = _init_copied(tmp_path)
    assert result.code == 0, result.out + result.err
    assert "No Flask app" not in result.out, result.out
    assert "its WSGI module is the installed listkit.wsgi" in result.out, result.out
    lines = result.out.splitlines()
    start = lines.index("      from pathlib import Path")
    wsgi = [line[6:] for line in lines[start : lines.index("      ))", start) + 1]]
    assert "from listkit.wsgi import application" in wsgi
    ending = [line[6:] for line in lines if line.startswith(("      TEMPLATES", "      INSTALLED"))]
    (project / "settings.py").write_text(SETTINGS + "\n".join(ending) + "\n", encoding="utf-8")
    (project / "wsgi.py").write_text("\n".join(wsgi) + "\n", encoding="utf-8")
    compile((project / "wsgi.py").read_text(encoding="utf-8"), "wsgi.py", "exec")
    space: dict[str, object] = {"__file__": str(project / "settings.py")}
    exec(compile(BASE, "base.py", "exec"), space)  # the star import, as Python runs it
    own = (project / "settings.py").read_text(encoding="utf-8").split("\n", 1)[1]
    exec(compile(own, str(project / "settings.py"), "exec"), space)
    templates = space["TEMPLATES"]
    assert isinstance(templates, list)
    assert templates[0]["DIRS"] == [str(project / "dist/templates"), str(project / "templates")]
    apps = space["INSTALLED_APPS"]
    assert isinstance(apps, list)
    assert apps.index("assetpipe.djangorunserver") < apps.index("django.contrib.staticfiles")
