"""An audit hint on a layout's image that is the LCP of some pages only: a short page whose
largest image is the footer badge every page renders (wger's login page at 390 px), a long
page whose hero is its LCP and whose footer is far below the fold. The hint keeps the badge
eager, as the short page needs, without ``fetchpriority="high"``: raised on every page the
layout renders, it competed with the long pages' own LCP images. Audited alone, the short
page's hint still raises it. Real build, real Chromium, the audit's own server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assetpipe import build
from assetpipe.config import load_config
from tests.conftest import require_chromium
from tests.test_audit_browser import audit, make_project, noise_png

pytestmark = [pytest.mark.chromium, pytest.mark.timeout(240)]

BASE = (
    '<!doctype html>\n<html><head><meta charset="utf-8">\n'
    '<link rel="stylesheet" href="/static/css/site.css">\n</head>\n'
    "<body>{% block body %}{% endblock %}\n"
    '<footer><img src="/static/media/badge.png" alt="Get it" width="240" height="240"></footer>\n'
    "</body></html>\n"
)
SHORT = '{% extends "base.html" %}\n{% block body %}<p>Sign in</p>{% endblock %}\n'
LONG = """\
{% extends "base.html" %}
{% block body %}
<img src="/static/media/photo.png" alt="hero" width="640" height="640">
<div style="height: 3000px">News</div>
{% endblock %}
"""
PAGES = """\
  - {path: /short, template: pages/short.html}
  - {path: /long, template: pages/long.html}"""


def _project(root: Path) -> Path:
    return make_project(
        root,
        extra=PAGES,
        files={
            "site/templates/base.html": BASE,
            "site/templates/pages/short.html": SHORT,
            "site/templates/pages/long.html": LONG,
            "site/media/badge.png": noise_png(240),
        },
    )


def _badge(root: Path) -> str:
    line = next(ln for ln in BASE.splitlines() if "badge.png" in ln)
    built = (root / "dist/templates/base.html").read_text().splitlines()
    return built[BASE.splitlines().index(line)]


def test_a_layout_image_that_is_the_lcp_of_one_page_only_stays_eager_unraised(
    tmp_path: Path,
) -> None:
    require_chromium()
    root, alone = (_project(tmp_path / name) for name in ("site", "alone"))
    assert 'loading="lazy"' in _badge(root)  # a layout's image after its pages' block
    result = audit(root, pages=("/short", "/long"), history=False)
    pages = {p["path"]: p for p in result.doc["pages"]}
    assert pages["/short"]["lcp_element"]["url"].endswith(".png"), pages["/short"]
    assert "badge" in pages["/short"]["lcp_element"]["url"], pages["/short"]["lcp_element"]
    assert "photo" in pages["/long"]["lcp_element"]["url"], pages["/long"]["lcp_element"]
    hints = json.loads((root / "lcp-hints.json").read_text())["hints"]
    line = BASE.splitlines().index(next(ln for ln in BASE.splitlines() if "badge" in ln)) + 1
    assert hints == [
        {"template": "base.html", "line": line, "src": "media/badge.png", "some_pages": True}
    ], hints
    build(load_config(root / "pipeline.yaml"))
    badge = _badge(root)
    assert "loading=" not in badge and "fetchpriority" not in badge, badge
    # the short page alone: the badge is the LCP of every page audited, raised
    audit(alone, pages=("/short",), history=False)
    hints = json.loads((alone / "lcp-hints.json").read_text())["hints"]
    assert hints == [{"template": "base.html", "line": line, "src": "media/badge.png"}], hints
    build(load_config(alone / "pipeline.yaml"))
    badge = _badge(alone)
    assert "loading=" not in badge and 'fetchpriority="high"' in badge, badge
