"""A Django project with ``ManifestStaticFilesStorage``, adopted with the storage ``init`` names:
with ``DEBUG`` off, a rewritten ``{% static %}`` names the build's hashed file and every other
name keeps the hash ``collectstatic`` gave it (pretix: its django-compressor stylesheets' fonts,
its ``jsi18n`` script)."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_cli, write_tree
from tests.test_django import SETTINGS, _paste, startproject
from tests.test_django_templates import _render

pytestmark = pytest.mark.skipif(importlib.util.find_spec("django") is None, reason="needs Django")

#: a reference the build rewrites, and one it leaves as written (built by an expression, as
#: django-compressor's output names its fonts: at run time)
PAGE = """\
{% load static %}<link rel="stylesheet" href="{% static 'css/site.css' %}">
{% with name='js/site.js' %}<script src="{% static name %}"></script>{% endwith %}
"""

#: the project's page, stylesheet and script, which every test here starts from
FILES = {
    "shopsite/templates/page.html": PAGE,
    "shopsite/static/css/site.css": "body { margin: 0; color: #123; }\n",
    "shopsite/static/js/site.js": "document.body.dataset.ready = 'yes';\n",
    "shop/__init__.py": "",
}


def _collectstatic(root: Path) -> None:
    """``manage.py collectstatic --noinput`` in the project at ``root``; it must pass."""
    collected = subprocess.run(
        [sys.executable, "-m", "django", "collectstatic", "--noinput"],
        cwd=root,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "shopsite.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert collected.returncode == 0, collected.stderr


def _collected_and_built(root: Path) -> str:
    """``collectstatic``, then ``assetpipe build``: the page rendered (``DEBUG`` off), whose
    stylesheet must be the build's file."""
    _collectstatic(root)
    built = run_cli("build", cwd=root)
    assert built.code == 0, built.err + built.out
    html = _render(root, ["page.html"])["page.html"]
    css = re.search(r'href="/static/(css/site-[A-Z0-9]{8}\.css)"', html)
    assert css is not None and (root / "dist/public" / css.group(1)).is_file(), html
    return html


#: Django's manifest storage, and WhiteNoise's (``init`` named its unhashed
#: ``CompressedStaticFilesStorage``: django-wiki's admin files and ``{% static url %}`` scripts
#: lost their hashes, and WhiteNoise answered them ``max-age=60``, not ten years ``immutable``)
STORAGES = [
    "django.contrib.staticfiles.storage.ManifestStaticFilesStorage",
    "whitenoise.storage.CompressedManifestStaticFilesStorage",
]


@pytest.mark.parametrize("storage", STORAGES)
def test_a_manifest_storage_keeps_its_hashes_beside_the_build(tmp_path: Path, storage: str) -> None:
    """``init`` said to replace ``ManifestStaticFilesStorage`` (which failed on the build's
    names) by Django's unhashed ``StaticFilesStorage``: what the build does not rewrite then
    lost its hash (pretix's fonts, answered without ``Cache-Control`` where nginx had sent
    them for a year: a warm visit revalidated them). The storage it names now takes the
    build's hashed names as they are and hashes every other name as Django's does."""
    if storage.startswith("whitenoise."):
        pytest.importorskip("whitenoise")
    write_tree(
        tmp_path,
        {
            **startproject(SETTINGS.replace("DEBUG = True", "DEBUG = False")),
            **FILES,
        },
    )
    django_storage = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
    settings = tmp_path / "shopsite/settings.py"
    settings.write_text(settings.read_text().replace(django_storage, storage))
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    named = re.search(r"ManifestStaticFilesStorage: .*?; use \"([\w.]+)\"", result.out)
    assert named is not None, result.out
    # a computed {% static %} is the storage's to name at run time: not warned about
    assert "django_manifest: true" in (tmp_path / "pipeline.yaml").read_text()
    _paste(tmp_path, result.out)
    settings.write_text(settings.read_text().replace(storage, named.group(1)))
    html = _collected_and_built(tmp_path)
    js = re.search(r'src="/static/(js/site\.[0-9a-f]{12}\.js)"', html)
    assert js is not None and (tmp_path / "collected" / js.group(1)).is_file(), html


#: a manifest storage of the project's own (Weblate's ``WeblateManifestStaticFilesStorage``,
#: which saves some files again under their unhashed names after ``collectstatic``); here it
#: keeps its manifest under a name of its own
SHOP_STORAGE = """\
from django.contrib.staticfiles.storage import ManifestStaticFilesStorage


class ShopManifestStaticFilesStorage(ManifestStaticFilesStorage):
    manifest_name = "shop-manifest.json"
"""


def test_the_projects_own_manifest_storage_is_given_the_build_names_mixin(
    tmp_path: Path,
) -> None:
    """Weblate's settings name its subclass of Django's ``ManifestStaticFilesStorage``:
    ``init`` took it for Django's and said to use assetpipe's storage in its place, which
    drops what the class adds (here its manifest's name). The note names the class, its
    module and line, and the mixin to give it; the class so changed renders the build's
    names and collectstatic's with ``DEBUG`` off, and ``init --force`` names it no more."""
    django_storage = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
    ours = "shopsite.storage.ShopManifestStaticFilesStorage"
    settings_text = SETTINGS.replace("DEBUG = True", "DEBUG = False")
    write_tree(
        tmp_path,
        {
            **startproject(settings_text.replace(django_storage, ours)),
            "shopsite/storage.py": SHOP_STORAGE,
            **FILES,
        },
    )
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    assert f"note: the settings use {ours}, the project's own" in result.out, result.out
    assert "(shopsite/storage.py, line 4)" in result.out, result.out
    mixin = "class ShopManifestStaticFilesStorage(BuildNames, ManifestStaticFilesStorage):"
    assert f"`{mixin}`" in result.out and "assetpipe.django.ManifestStaticFilesStorage" not in (
        result.out
    )
    _paste(tmp_path, result.out)
    storage = tmp_path / "shopsite/storage.py"
    storage.write_text(
        "from assetpipe.django import BuildNames\n"
        + SHOP_STORAGE.replace(
            "class ShopManifestStaticFilesStorage(ManifestStaticFilesStorage):", mixin
        )
    )
    _collectstatic(tmp_path)
    assert (tmp_path / "collected/shop-manifest.json").is_file()  # the class's own, kept
    built = run_cli("build", cwd=tmp_path)
    assert built.code == 0, built.err + built.out
    html = _render(tmp_path, ["page.html"])["page.html"]
    assert re.search(r'href="/static/css/site-[A-Z0-9]{8}\.css"', html), html
    assert re.search(r'src="/static/js/site\.[0-9a-f]{12}\.js"', html), html
    again = run_cli("init", "--force", cwd=tmp_path)
    assert again.code == 0, again.err
    assert "note: the settings use" not in again.out, again.out


#: Label Studio's own storage, cut down: ``manifest_strict = False`` and a file it lacks
#: named ``""`` (its ``collectstatic`` skips the ``url()``s of files it does not have)
OWN_STORAGE = """\
from django.contrib.staticfiles.storage import ManifestStaticFilesStorage


class SkipMissedManifestStaticFilesStorage(ManifestStaticFilesStorage):
    manifest_strict = False

    def hashed_name(self, name, content=None, filename=None):
        if content is None and not self.exists(filename or name):
            return ""
        return super().hashed_name(name, content, filename)
"""


def test_a_projects_own_manifest_storage_keeps_its_ways_with_build_names(tmp_path: Path) -> None:
    """Label Studio names ``core.storage.SkipMissedManifestStaticFilesStorage``: ``init`` called
    it Django's and said to replace it (its own ``collectstatic`` ways lost), and with
    ``BuildNames`` mixed in, the storage answered first: each stylesheet of the build was
    linked as ``/static/``. ``init`` names the class and the mixin now, says nothing once it is
    mixed in, and the page links the build's file."""
    write_tree(
        tmp_path,
        {
            **startproject(SETTINGS.replace("DEBUG = True", "DEBUG = False")),
            **FILES,
            "shop/storage.py": OWN_STORAGE,
        },
    )
    settings = tmp_path / "shopsite/settings.py"
    own = "shop.storage.SkipMissedManifestStaticFilesStorage"
    settings.write_text(
        settings.read_text().replace(
            "django.contrib.staticfiles.storage.ManifestStaticFilesStorage", own
        )
    )
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    assert f"note: the settings use {own}, the project's own" in result.out, result.out
    mixin = "SkipMissedManifestStaticFilesStorage(BuildNames, ManifestStaticFilesStorage)"
    assert mixin in result.out, result.out
    _paste(tmp_path, result.out)
    storage = tmp_path / "shop/storage.py"
    storage.write_text(
        "from assetpipe.django import BuildNames\n"
        + storage.read_text().replace("Storage(Manifest", "Storage(BuildNames, Manifest")
    )
    again = run_cli("init", "--force", cwd=tmp_path)
    assert again.code == 0 and "note: the settings use" not in again.out, again.out
    _collected_and_built(tmp_path)
