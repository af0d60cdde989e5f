"""A site whose favicon is also the logo its navbar shows (Evennia's ``evennia_logo.png``: the
layout's ``<link rel="icon">`` and the menu partial's ``<img>``): the icon keeps the PNG, as
icons do, and the ``<img>`` got a WebP with a srcset: two downloads of one picture, 1.19-1.21x
the bytes of the plain site's pages. The ``<img>`` now names the icon's file, without a srcset:
one download, as before the build. Real ``init``, ``build --strict``, Flask over HTTP, and
Chromium counting the requests."""

from __future__ import annotations

import io
import random
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import adopt_and_build, write_tree
from tests.real_apps import serve, view


def _logo() -> bytes:
    """A 256 px PNG of noise: its WebP is smaller, so the build makes one."""
    from PIL import Image

    rnd = random.Random(3)
    img = Image.frombytes("RGB", (256, 256), rnd.randbytes(256 * 256 * 3))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


APP: dict[str, str | bytes] = {
    "app.py": (
        "from flask import Flask, render_template\n\napp = Flask(__name__)\n"
        "app.add_url_rule('/', 'index', lambda: render_template('index.html'))\n"
    ),
    "static/img/logo.png": _logo(),
    "static/img/photo.png": _logo(),
    "templates/base.html": (
        "<!doctype html><html><head><title>Game</title>\n"
        '<link rel="icon" type="image/png" href="{{ url_for(\'static\', filename=\'img/logo.png\') }}">\n'
        "</head><body>{% include '_menu.html' %}{% block content %}{% endblock %}</body></html>\n"
    ),
    "templates/_menu.html": (
        "<nav><img src=\"{{ url_for('static', filename='img/logo.png') }}\" alt=\"Game\""
        ' width="256" height="256" style="width:64px;height:64px"></nav>\n'
    ),
    "templates/index.html": (
        '{% extends "base.html" %}{% block content %}<h1>Welcome</h1>'
        "<img src=\"{{ url_for('static', filename='img/photo.png') }}\" alt=\"photo\">"
        "{% endblock %}\n"
    ),
}


@pytest.mark.node
def test_an_img_of_the_favicon_shares_its_file(tmp_path: Path, browser: Any) -> None:
    write_tree(tmp_path, APP)
    adopt_and_build(tmp_path)
    built = tmp_path / "dist/templates"
    menu, base = (built / "_menu.html").read_text(), (built / "base.html").read_text()
    icon = base.split("filename='")[1].split("'")[0]
    assert icon.startswith("img/logo") and icon.endswith(".png"), base
    assert f"filename='{icon}'" in menu and "srcset" not in menu, menu
    page = (built / "index.html").read_text()
    assert ".webp" in page, page  # another image still gets its WebP
    with serve(tmp_path, "from app import app\n", adopt=True, log=tmp_path / "app.log") as base_url:
        pv = view(browser, base_url, "/", ())
    logos = [u for u in pv.requested if "/static/img/logo" in u]
    assert len(set(logos)) == 1, pv.requested
    assert pv.bad_responses == [] and pv.console_errors == [], pv
