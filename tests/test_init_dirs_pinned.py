"""A template folder whose name the static folder has too is written ``./NAME`` by ``init``.

Label Studio's Django settings list ``templates/`` beside its apps (``DIRS``) and keep a
folder of template preview images in ``core/static/templates/``: ``init`` wrote
``dirs: ["templates"]``, which the config reader refuses as ambiguous (beside the config, or
under ``source``?), so ``init`` stopped on its own config and ``assetpipe build`` could not
start. The folder is now pinned with ``./``, which the reader takes as the one beside the
config."""

from __future__ import annotations

from pathlib import Path

from assetpipe.config import load_config
from tests.conftest import run_cli, write_tree
from tests.test_django import SETTINGS_HEAD, _png, startproject

SETTINGS = (
    SETTINGS_HEAD
    + """\
INSTALLED_APPS = ["django.contrib.staticfiles"]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [os.path.join(BASE_DIR, "templates")],
    },
]
STATICFILES_DIRS = [os.path.join(BASE_DIR, "shopsite", "static")]
STATIC_URL = "/static/"
"""
)
PAGE = """\
{% load static %}<!doctype html>
<html><head><link rel="stylesheet" href="{% static 'css/site.css' %}"></head>
<body><img alt="" src="{% static 'templates/preview.png' %}"></body></html>
"""


def test_a_templates_folder_named_like_a_static_folder_is_pinned(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            **startproject(SETTINGS),
            "templates/page.html": PAGE,
            "shopsite/static/css/site.css": "body { margin: 0; color: #123; }\n",
            "shopsite/static/templates/preview.png": _png(),
        },
    )
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    assert 'dirs: ["./templates"]' in (tmp_path / "pipeline.yaml").read_text()
    cfg = load_config(tmp_path / "pipeline.yaml")
    assert cfg.templates.dirs == ("../../templates",)
    built = run_cli("build", "--strict", cwd=tmp_path)
    assert built.code == 0, built.err + built.out
    out = (tmp_path / "dist/templates/page.html").read_text()
    assert "{% static 'css/site.css' %}" not in out and "preview" in out
