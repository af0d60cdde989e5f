"""``init`` in a site folder whose WSGI script runs an installed package's Django WSGI module.

Review Board is installed from PyPI and run from the folder ``rb-site install`` writes:
``htdocs/reviewboard.wsgi`` (``from reviewboard.wsgi import application``), a
``conf/settings_local.py`` that the installed settings star-import before setting ``TEMPLATES``
themselves, and ``htdocs/static``, ``STATIC_ROOT`` (links to the packages' prebuilt files).
``init`` there said "No Flask app found here", wrote a config whose source was ``htdocs/static``
that built nothing, and told to remove the web server's ``/static/`` rule (every stylesheet and
script would 404). It now names the script, the installed module and the packages. The
package is a real one on ``PYTHONPATH``, found without importing it."""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import run_cli, write_tree

WSGI = """\
import os
import sys

sys.path.insert(0, os.path.join(os.environ["CODEREVIEW_SITEDIR"], "conf"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "codereview.settings")

from django.core.wsgi import get_wsgi_application
application = get_wsgi_application()
"""

SETTINGS = """\
from settings_local import *

BUILTIN_APPS = ["django.contrib.staticfiles", "codereview.reviews"]
INSTALLED_APPS = BUILTIN_APPS + ["codereview"]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
    },
]
STATIC_URL = "/static/"
"""

SITE_SCRIPT = """\
import os
os.environ["CODEREVIEW_SITEDIR"] = "/srv/site"

from codereview.wsgi import application
"""


def test_a_site_folder_run_by_an_installed_django_wsgi_module_is_named(tmp_path: Path) -> None:
    write_tree(
        tmp_path / "lib",
        {
            "codereview/__init__.py": "raise RuntimeError('imported')\n",
            "codereview/wsgi.py": WSGI,
            "codereview/settings.py": SETTINGS,
            "codereview/templates/base.html": "<!doctype html>{% block content %}{% endblock %}",
            "codereview/reviews/__init__.py": "",
            "codereview/reviews/templates/reviews/list.html": '{% extends "base.html" %}',
            "codereview/htdocs/static/rb/css/common.min.css": "body{margin:0}\n",
        },
    )
    site = tmp_path / "site"
    write_tree(
        site,
        {
            "htdocs/codereview.wsgi": SITE_SCRIPT,
            "conf/settings_local.py": 'SECRET_KEY = "x"\nDEBUG = False\n',
            "conf/webconfs/nginx.conf": "location /static/ {\n  alias /srv/site/htdocs/static/;\n}\n",
            "htdocs/static/rb/css/common.min.css": "body{margin:0}\n",
        },
    )
    path = os.pathsep.join([str(tmp_path / "lib"), os.environ.get("PYTHONPATH", "")])
    result = run_cli("init", cwd=site, env={"PYTHONPATH": path})
    assert result.code == 2, result.out + result.err
    assert (
        "htdocs/codereview.wsgi runs the installed codereview.wsgi (a Django project, whose"
        " settings are the installed codereview.settings): no template or static folder"
    ) in result.err
    assert "templates of installed packages (codereview: 2)" in result.err
    assert "htdocs/static is STATIC_ROOT" in result.err
    assert "Flask" not in result.out + result.err
    assert not (site / "pipeline.yaml").exists()
