"""A Django project adopted as ``init`` says, then run with ``manage.py runserver`` (linkding's
README: ``make serve``). With ``DEBUG`` on, ``django.contrib.staticfiles`` wraps the WSGI
application in its own handler, which answers every ``STATIC_URL`` request from the
staticfiles finders, ahead of the middleware: every hashed file 404ed. ``init`` now names
``assetpipe.django.BuildFinder`` for ``STATICFILES_FINDERS``, and the page's files answer."""

from __future__ import annotations

import importlib.util
import re
import sys
import time
import urllib.error
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.test_django import _free_port, _get, _paste, _project, _started

pytestmark = pytest.mark.skipif(importlib.util.find_spec("django") is None, reason="needs Django")

MANAGE = """\
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopsite.settings")
from django.core.management import execute_from_command_line

execute_from_command_line(sys.argv)
"""


def _paste_finders(root: Path, out: str) -> None:
    """Paste the ``STATICFILES_FINDERS`` lines ``init`` printed at the settings' end."""
    part = out.split("and at the end of shopsite/settings.py", 1)[1]
    lines = [line[6:] for line in part.splitlines()[1:] if line.startswith("      ")]
    settings = root / "shopsite/settings.py"
    settings.write_text(settings.read_text() + "\n" + "\n".join(lines) + "\n")


def _status(url: str) -> int:
    try:
        return _get(url)[0]
    except urllib.error.HTTPError as e:
        return e.code


def test_runserver_answers_the_builds_hashed_files(tmp_path: Path) -> None:
    _project(tmp_path)
    (tmp_path / "manage.py").write_text(MANAGE)
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    assert '"assetpipe.django.BuildFinder",' in result.out, result.out
    _paste(tmp_path, result.out)
    _paste_finders(tmp_path, result.out)
    built = run_cli("build", "--strict", cwd=tmp_path)
    assert built.code == 0, built.err + built.out
    port = _free_port()
    log = tmp_path / "runserver.log"
    args = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]
    server = _started(args, log)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(150):
            try:
                html = _get(base + "/")[2].decode()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail(f"runserver did not answer: {log.read_text()[-3000:]}")
        urls = set(re.findall(r'"(/static/[^"]+-[A-Z0-9]{8}\.\w+)"', html))
        assert len(urls) == 3, html  # the stylesheet, the logo, the script
        for url in urls:
            assert _status(base + url) == 200, log.read_text()[-3000:]
        # every other name stays the other finders': the source's, an installed app's
        assert _get(base + "/static/css/site.css")[2] == b"body { margin: 0; color: #123; }\n"
        assert _status(base + "/static/shop/app.css") == 200
    finally:
        server.terminate()
        server.wait(10)


def test_init_names_the_finder_last_in_the_settings_own_list(tmp_path: Path) -> None:
    """Settings that set ``STATICFILES_FINDERS`` (healthchecks' compressor finder) get the one
    line, for their list: a second list at the end would drop theirs."""
    _project(tmp_path)
    settings = tmp_path / "shopsite/settings.py"
    finders = 'STATICFILES_FINDERS = [\n    "compressor.finders.CompressorFinder",\n]\n'
    settings.write_text(settings.read_text() + finders)
    line = settings.read_text().splitlines().index("STATICFILES_FINDERS = [") + 1
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    want = f"and last in the STATICFILES_FINDERS list at line {line} of shopsite/settings.py"
    assert want in result.out, result.out
    assert "STATICFILES_FINDERS = [" not in result.out
