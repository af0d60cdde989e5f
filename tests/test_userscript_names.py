"""A userscript keeps its ``.user.js`` ending when hashed.

pyLoad's pages link its captcha userscript for the user to install
(``<a href="{{ url_for('static', filename='js/captcha-interactive.user.js') }}">``). Hashed as
``captcha-interactive.user-HASH.js`` the URL no longer ended in ``.user.js``, the one thing a
userscript manager (Tampermonkey, Violentmonkey) looks for to offer the install: the link showed
the script's text. The hash now goes before the whole ``.user.js``.
"""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path

import pytest

from assetpipe.hashing import hashed_name, unhashed
from tests.conftest import adopt_and_build, write_tree

DIGEST = "ab" * 32

APP = """\
from flask import Flask, render_template

app = Flask(__name__)
app.add_url_rule("/", "index", lambda: render_template("pages/index.html"))
"""


def test_the_hash_goes_before_a_user_js_suffix() -> None:
    named = hashed_name("js/grab.user.js", DIGEST)
    assert re.fullmatch(r"js/grab-[A-Z2-7]{8}\.user\.js", named), named
    assert unhashed(named) == "js/grab.user.js"
    assert re.fullmatch(
        r"css/dark-[A-Z2-7]{8}\.user\.css", hashed_name("css/dark.user.css", DIGEST)
    )
    # any other double suffix keeps the rule of the last dot
    assert re.fullmatch(r"js/jquery\.min-[A-Z2-7]{8}\.js", hashed_name("js/jquery.min.js", DIGEST))
    assert re.fullmatch(r"js/\.user-[A-Z2-7]{8}\.js", hashed_name("js/.user.js", DIGEST))


@pytest.mark.node
def test_a_linked_userscript_is_served_under_a_user_js_url(tmp_path: Path) -> None:
    from tests.real_apps import serve

    write_tree(
        tmp_path,
        {
            "app.py": APP,
            "static/js/grab.user.js": "// ==UserScript==\n// @name grab\n// ==/UserScript==\n",
            "templates/pages/index.html": (
                '<!doctype html><title>x</title><link rel="icon" href="data:,">\n'
                "<a href=\"{{ url_for('static', filename='js/grab.user.js') }}\">install</a>\n"
            ),
        },
    )
    adopt_and_build(tmp_path)
    with serve(tmp_path, "from app import app\n", adopt=True, log=tmp_path / "app.log") as base:
        page = urllib.request.urlopen(base + "/").read().decode()
        href = re.search(r'href="(/static/js/grab-[A-Z2-7]{8}\.user\.js)"', page)
        assert href, page
        with urllib.request.urlopen(base + href.group(1)) as got:
            assert "immutable" in got.headers["Cache-Control"]
            assert got.read().startswith(b"// ==UserScript==")
