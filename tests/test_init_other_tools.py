"""``assetpipe init`` in a static folder that holds another asset tool's output.

Met adopting nickjj's docker-flask-example (Flask, esbuild, Tailwind, Flask-Static-Digest): its
image runs ``flask digest compile``, which writes beside every static file an MD5-named copy,
a ``.gz`` of each, and ``cache_manifest.json``. In a checkout where it had run, ``init`` listed
61 files to copy instead of 13 (each copy hashed a second time, each ``.gz`` a file of its own),
counted the copies as a script and a stylesheet "that no tag loads", and its image glob gave
the copies' images variants of their own. Here the real tool makes that output."""

from __future__ import annotations

import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from assetpipe.adopt.othertools import other_output
from assetpipe.config import load_config
from assetpipe.pipeline.sources import globmatch
from tests.conftest import run_cli, write_tree
from tests.real_apps import serve
from tests.rebuild_site import png

pytest.importorskip("flask_static_digest")

APP = """\
from flask import Flask, render_template
from flask_static_digest import FlaskStaticDigest

app = Flask(__name__)
FlaskStaticDigest(app)


@app.get("/")
def index():
    return render_template("index.html")
"""

PAGE = """<!doctype html>
<html><head><title>digest</title>
<link rel="stylesheet" href="{{ static_url_for('static', filename='css/site.css') }}">
<script defer src="{{ static_url_for('static', filename='js/site.js') }}"></script>
</head><body>
<img src="{{ static_url_for('static', filename='img/logo.png') }}" alt="logo">
</body></html>
"""


def test_init_leaves_flask_static_digest_output_out_and_says_so(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "app.py": APP,
            "templates/index.html": PAGE,
            "static/css/site.css": "body { color: rgb(1, 2, 3); }\n" * 30,
            "static/js/site.js": "document.title = 'digest';\n" * 30,
            "static/robots.txt": "User-agent: *\n",
        },
    )
    (tmp_path / "static/img").mkdir()
    (tmp_path / "static/img/logo.png").write_bytes(png(300, 120, (20, 120, 200)))
    sources = sorted(
        p.relative_to(tmp_path / "static").as_posix() for p in (tmp_path / "static").rglob("*")
    )
    sources = [s for s in sources if "." in s.rsplit("/", 1)[-1]]
    # the real tool, as the app's image runs it
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "digest", "compile"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    every = sorted(
        p.relative_to(tmp_path / "static").as_posix()
        for p in (tmp_path / "static").rglob("*")
        if p.is_file()
    )
    assert "cache_manifest.json" in every and len(every) > 3 * len(sources), every

    res = run_cli("init", cwd=tmp_path)
    assert res.code == 0, res.out + res.err
    assert "Flask-Static-Digest's output (cache_manifest.json, 4 hashed copies)" in res.out
    assert "flask digest clean" in res.out
    assert "that no <script src> or <link> tag loads" not in res.out, res.out
    cfg = load_config(tmp_path / "pipeline.yaml")
    # each stage's patterns match the sources, and none of the tool's files
    patterns = [*cfg.static.include, *cfg.images.include]
    claimed = {
        f
        for f in every
        if globmatch(f, patterns) or f in cfg.scripts.entries or f in cfg.styles.entries
    }
    assert claimed == set(sources), claimed ^ set(sources)

    # the build, and the page the app renders from it: static_url_for still works, on the
    # build's names
    res = run_cli("build", "--strict", cwd=tmp_path)
    assert res.code == 0, res.out + res.err
    with serve(tmp_path, "from app import app", adopt=True, log=tmp_path / "serve.log") as base:
        page = urllib.request.urlopen(base + "/").read().decode()
        css = page.split('href="', 1)[1].split('"', 1)[0]
        # the build's name, not the digest copy's (site-<32 hex digits>.css)
        assert re.fullmatch(r"/static/css/site-[A-Z0-9]{8}\.css", css), css
        req = urllib.request.Request(base + css, headers={"Accept-Encoding": "br"})
        with urllib.request.urlopen(req) as r:
            assert r.headers["Content-Encoding"] == "br"
            assert "immutable" in r.headers["Cache-Control"]


def test_precompressed_siblings_and_django_manifest_copies(tmp_path: Path) -> None:
    """Siblings are ``X.gz``/``.br``/``.zst`` beside an ``X`` present (an archive of its own
    stays); Django's ``staticfiles.json`` names its copies under ``paths``; a JSON file that
    maps names to names that are not present names nothing."""
    files: dict[str, str | bytes] = {
        "app.js": "1",
        "app.js.gz": "1",
        "app.js.br": "1",
        "data.tar.gz": "1",
        "css/x.css": "1",
        "css/x.1a2b3c4d5e6f.css": "1",
        "css/x.1a2b3c4d5e6f.css.gz": "1",
        "staticfiles.json": '{"paths": {"css/x.css": "css/x.1a2b3c4d5e6f.css"}, "version": "1.1"}',
        "cache_manifest.json": '{"a.css": "a-0123.css"}',
    }
    write_tree(tmp_path, files)
    found = other_output(tmp_path, sorted(files))
    assert found.left_out == [
        "app.js.br",
        "app.js.gz",
        "css/x.1a2b3c4d5e6f.css",
        "css/x.1a2b3c4d5e6f.css.gz",
        "staticfiles.json",
    ]
    assert (found.copies, found.siblings) == (1, 3)
    assert list(found.manifests) == ["staticfiles.json"]
