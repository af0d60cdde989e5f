"""``init`` on a Django project whose ``TEMPLATES`` backend has no ``DIRS`` key, as Wagtail
CRX's ``coderedcms start`` writes it (``"APP_DIRS": True`` alone: every template is an app's),
with ``from pathlib import Path`` already at the settings' top."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from tests.conftest import run_cli, write_tree
from tests.test_django import SETTINGS_HEAD, startproject
from tests.test_django_templates import _hashed, _render

pytestmark = pytest.mark.skipif(importlib.util.find_spec("django") is None, reason="needs Django")

SETTINGS = (
    "from pathlib import Path\n\n"
    + SETTINGS_HEAD
    + """\
INSTALLED_APPS = ["website", "django.contrib.staticfiles"]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
    },
]
STATIC_URL = "/static/"
"""
)
BASE = """\
{% load static %}<!doctype html>
<html><head><link rel="stylesheet" href="{% static 'website/css/custom.css' %}"></head>
<body>{% block content %}{% endblock %}</body></html>
"""


def test_a_backend_without_dirs_is_given_a_dirs_list_after_its_line(tmp_path: Path) -> None:
    """``init`` said to paste the entry "first in DIRS of TEMPLATES", with no line, in a
    backend that has no ``DIRS`` (a Wagtail CRX project: the entry pasted alone is a syntax
    error), and to add ``from pathlib import Path``, which the module has. Now it names the
    line of the backend's ``"BACKEND"`` key and prints the whole ``"DIRS": [...]`` entry to
    paste after it, without the import; pasted so, Django renders the hashed stylesheet."""
    write_tree(
        tmp_path,
        {
            **startproject(SETTINGS),
            "website/__init__.py": "",
            "website/templates/website/base.html": BASE,
            "website/static/website/css/custom.css": ".crx-grid { padding-top: 40px; }\n",
        },
    )
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    head = "and after line 13 of shopsite/settings.py, in TEMPLATES' backend, which has no DIRS"
    assert head in result.out, result.out
    assert "from pathlib import Path` at its top" not in result.out, result.out
    entry = next(line.strip() for line in result.out.splitlines() if '"DIRS": [' in line)
    assert entry == '"DIRS": [str(Path(__file__).resolve().parents[1] / "dist" / "templates")],'
    settings = tmp_path / "shopsite/settings.py"
    lines = settings.read_text().splitlines(keepends=True)
    assert '"BACKEND"' in lines[12], lines
    lines.insert(13, f"        {entry}\n")
    settings.write_text("".join(lines))
    built = run_cli("build", "--strict", cwd=tmp_path)
    assert built.code == 0, built.err + built.out
    html = _render(tmp_path, ["website/base.html"])
    _hashed(tmp_path, html, 1)


def test_a_wsgi_module_that_imports_path_is_not_told_to_import_it(tmp_path: Path) -> None:
    """cookiecutter-django's WSGI module has ``from pathlib import Path`` at its top: ``init``
    printed it again among the lines to paste (a duplicate import its linter flags)."""
    write_tree(
        tmp_path,
        {
            **startproject(SETTINGS),
            "website/__init__.py": "",
            "website/templates/website/base.html": BASE,
            "website/static/website/css/custom.css": ".crx-grid { padding-top: 40px; }\n",
        },
    )
    wsgi = tmp_path / "shopsite/wsgi.py"
    plain = run_cli("init", cwd=tmp_path).out.split("and after line")[0]
    assert "from pathlib import Path" in plain, plain
    wsgi.write_text("from pathlib import Path\n" + wsgi.read_text())
    again = run_cli("init", "--force", cwd=tmp_path).out.split("and after line")[0]
    assert "from pathlib import Path" not in again, again
    assert "from assetpipe.serve import AssetMiddleware, CompressMiddleware" in again
