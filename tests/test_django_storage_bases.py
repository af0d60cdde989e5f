"""A staticfiles storage that is a manifest storage by its bases: an installed package's class.

Review Board's settings name ``djblets.pipeline.storage.PipelineStorage``, djblets' subclass
(``manifest_strict = False``) of django-pipeline's ``PipelineManifestStorage``, itself a
subclass of Django's ``ManifestStaticFilesStorage``. ``init`` looked for a manifest storage by
its class name and said nothing; the adopted site answered every page 500 with ``DEBUG`` off
(``ValueError: The file 'rb/images/favicon_notify-HASH.ico' could not be found``), and ``build
--strict`` failed on a computed ``{% static icon %}`` that the storage names at run time. Here
the two packages are real ones on ``PYTHONPATH``, cut down, read by ``init`` without importing
them; the page is rendered by Django."""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path

import pytest

from tests.conftest import run_cli, write_tree
from tests.test_django import SETTINGS, _paste, startproject
from tests.test_django_storage import FILES, _collected_and_built

pytestmark = pytest.mark.skipif(importlib.util.find_spec("django") is None, reason="needs Django")

#: django-pipeline's storage module, cut down
PIPEKIT = """\
from django.contrib.staticfiles.storage import ManifestStaticFilesStorage, StaticFilesStorage


class PipeMixin:
    packing = True


class PipeStorage(PipeMixin, StaticFilesStorage):
    pass


class PipeManifestStorage(PipeMixin, ManifestStaticFilesStorage):
    pass
"""

#: djblets' storage module, cut down
SITEKIT = """\
from pipekit.storage import PipeManifestStorage


class SiteStorage(PipeManifestStorage):
    manifest_strict = False
"""

#: the module of the project's own the note asks for, as written from it
BUILD_STORAGE = """\
from assetpipe.django import BuildNames
from sitekit.storage import SiteStorage


class BuildSiteStorage(BuildNames, SiteStorage):
    pass
"""


def test_an_installed_manifest_storage_by_its_bases_is_named_with_a_subclass_to_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = tmp_path / "lib"
    write_tree(
        lib,
        {
            "pipekit/__init__.py": "",
            "pipekit/storage.py": PIPEKIT,
            "sitekit/__init__.py": "",
            "sitekit/storage.py": SITEKIT,
        },
    )
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(lib), os.environ.get("PYTHONPATH", "")]))
    root = tmp_path / "project"
    django_storage = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
    settings_text = SETTINGS.replace("DEBUG = True", "DEBUG = False")
    write_tree(
        root,
        {
            **startproject(settings_text.replace(django_storage, "sitekit.storage.SiteStorage")),
            **FILES,
        },
    )
    result = run_cli("init", cwd=root)
    assert result.code == 0, result.err
    assert (
        "note: the settings use sitekit.storage.SiteStorage, an installed package's manifest"
        " storage (a manifest storage by its bases, sitekit/storage.py line 4)"
    ) in result.out, result.out
    assert "`class BuildSiteStorage(BuildNames, SiteStorage): pass`" in result.out, result.out
    _paste(root, result.out)
    (root / "shop/buildstorage.py").write_text(BUILD_STORAGE)
    settings = root / "shopsite/settings.py"
    settings.write_text(
        settings.read_text().replace(
            "sitekit.storage.SiteStorage", "shop.buildstorage.BuildSiteStorage"
        )
    )
    again = run_cli("init", "--force", cwd=root)
    assert again.code == 0 and "note: the settings use" not in again.out, again.out
    # the computed {% static name %} is the storage's to name at run time: no warning
    strict = run_cli("build", "--strict", cwd=root)
    assert strict.code == 0, strict.err + strict.out
    html = _collected_and_built(root)
    assert re.search(r'src="/static/js/site\.[0-9a-f]{12}\.js"', html), html
