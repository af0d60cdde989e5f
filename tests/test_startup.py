"""What a build's process imports before it does any work: BeautifulSoup and soupsieve
(~0.1 s of regex compilation) only when ``templates.eager`` selectors are matched."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def test_a_build_does_not_import_beautifulsoup_until_a_selector_is_matched() -> None:
    code = (
        "import sys, assetpipe.cli, assetpipe.pipeline.run\n"
        "from assetpipe.stages import templates, scripts, compress\n"
        "print(sorted(m for m in ('bs4', 'soupsieve') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[]"


def test_rewriting_with_the_default_selectors_does_not_import_beautifulsoup() -> None:
    """The default ``templates.eager`` and above-the-fold selectors are matched without bs4 or
    soupsieve (``rewrite.cssmatch``); they are checked without soupsieve too."""
    code = (
        "import sys\n"
        "from assetpipe.config import TemplatesConfig\n"
        "from assetpipe.rewrite.rules import Options, rewrite\n"
        "from assetpipe.rewrite.select import check_selector\n"
        "eager = TemplatesConfig().eager\n"
        "assert all(check_selector(s) is None for s in eager)\n"
        "html = '<header><img src=a.png></header><div class=hero><img src=b.png></div>'\n"
        "res = rewrite(html, 'layout.html', {}, Options(eager=eager))\n"
        "print(sorted(i['why'] for i in res.images))\n"
        "print(sorted(m for m in ('bs4', 'soupsieve') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out[1] == "[]"
    assert "selector .hero img" in out[0] and "likely above the fold" in out[0], out


def test_a_build_with_templates_imports_neither_beautifulsoup_nor_metadata(
    tiny_site: Path,
) -> None:
    """A CLI build rewriting templates with images, default selectors: no bs4, no soupsieve, and
    no ``importlib.metadata`` for their versions (the cache key names them only when a selector
    outside ``cssmatch``'s subset makes them match)."""
    (tiny_site / "site/templates/base.html").write_text(
        '<html><header><img src="/static/icons/logo.svg"></header>'
        '<div class="hero"><img src="/static/icons/sub/arrow.svg"></div>'
        "{% block body %}{% endblock %}</html>\n"
    )
    code = (
        "import atexit, sys\n"
        "from assetpipe.cli import main\n"
        "sys.argv = ['assetpipe', 'build']\n"
        "mods = ('bs4', 'soupsieve', 'importlib.metadata')\n"
        "atexit.register(lambda: print(sorted(m for m in mods if m in sys.modules), "
        "file=sys.stderr))\n"
        "main()\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tiny_site,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert res.returncode == 0, res.stderr
    assert res.stderr.strip().splitlines()[-1] == "[]", res.stderr
    assert 'loading="lazy"' not in (tiny_site / "dist/templates/base.html").read_text()
