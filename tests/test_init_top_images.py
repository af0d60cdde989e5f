"""Photos at the top of a Flask app's static folder (``static/hero.jpg`` beside ``static/css/``)
that a template shows: ``init`` copied them as they are, as it must its icons, so a 1600 px
hero went to every phone at its own size and format. Now such a file, named by a template, not
named like an icon and not tiny, goes to the images stage: resized WebP variants and a srcset.
Icons (``favicon.png``, ``apple-touch-icon.png``), tiny files and files no template names stay
copied. Real ``init`` and ``build`` through the CLI, real Pillow images."""

from __future__ import annotations

import io
import re
from pathlib import Path

from PIL import Image

from tests.conftest import run_cli, write_tree

APP = """\
from flask import Flask, render_template

app = Flask(__name__)


@app.route("/")
def index():
    return render_template("index.html")
"""
PAGE = """\
<!doctype html><html><head><link rel="icon" href="{{ url_for('static', filename='favicon.png') }}">
<link rel="stylesheet" href="{{ url_for('static', filename='css/site.css') }}"></head>
<body><img src="{{ url_for('static', filename='hero.jpg') }}" alt="hero" width="800">
<img src="{{ url_for('static', filename='dot.png') }}" alt=""></body></html>
"""


def _photo(w: int, h: int, fmt: str) -> bytes:
    im = Image.effect_noise((w, h), 60).convert("RGB")
    out = io.BytesIO()
    im.save(out, fmt, quality=90) if fmt == "JPEG" else im.save(out, fmt)
    return out.getvalue()


def test_a_photo_at_the_static_folder_top_gets_variants(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "app.py": APP,
            "templates/index.html": PAGE,
            "static/css/site.css": "body { margin: 0; }\n",
            "static/hero.jpg": _photo(1600, 600, "JPEG"),
            "static/unused.jpg": _photo(1200, 400, "JPEG"),
            "static/favicon.png": _photo(64, 64, "PNG"),
            "static/dot.png": _photo(8, 8, "PNG"),
        },
    )
    done = run_cli("init", cwd=tmp_path)
    assert done.code == 0, done.out + done.err
    assert "0 image folder(s) and 1 image(s) at its top" in done.out, done.out
    yaml = (tmp_path / "pipeline.yaml").read_text()
    images = re.search(r"^images:\n  include: (.*)$", yaml, re.M)
    assert images and images.group(1) == '["hero.jpg"]', yaml
    built = run_cli("build", "--strict", cwd=tmp_path)
    assert built.code == 0, built.out + built.err
    page = (tmp_path / "dist/templates/index.html").read_text()
    hero = re.search(r"<img [^>]*alt=\"hero\"[^>]*>", page)
    assert hero and "srcset=" in hero.group(0) and "hero-480w-" in hero.group(0), page
    # the icon and the tiny image: copied as they are, hashed
    assert re.search(r"favicon-[A-Z0-9]{8}\.png", page) and re.search(r"dot-[A-Z0-9]{8}\.png", page)
