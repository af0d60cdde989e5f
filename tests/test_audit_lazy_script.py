"""``lcp.not_lazy`` on a lazy LCP ``<img>`` that a script makes (LNbits' home page: Quasar's
``<q-img>`` renders its wallet-provider logos ``loading="lazy"``): no template of the build has
the tag, so lcp-hints.json records nothing for it and a rebuild cannot make it eager. The check
said "at an unknown template ... or rebuild with lcp-hints.json"; it says to fix it where the
tag is made. Real Chromium over a tiny built site."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import require_chromium
from tests.test_audit_browser import audit, check_of, make_project, page_of

pytestmark = [pytest.mark.chromium, pytest.mark.timeout(240)]

SCRIPTED = """\
{% extends "base.html" %}
{% block body %}
<h1>Photo</h1>
<div id="hero"></div>
<script>
const img = document.createElement("img");
img.loading = "lazy"; img.width = 640; img.height = 640; img.alt = "noise";
img.src = "/static/media/photo.png";
document.getElementById("hero").append(img);
</script>
{% endblock %}
"""


def test_a_scripts_lazy_lcp_image_is_not_sent_to_lcp_hints(tmp_path: Path) -> None:
    require_chromium()
    root = make_project(tmp_path, files={"site/templates/pages/index.html": SCRIPTED})
    page = page_of(audit(root, pages=("/",), hints=False).doc, "/")
    assert page["lcp_element"]["tag"] == "img" and page["lcp_element"]["lazy"]
    assert not page["lcp_element"].get("template")
    check = check_of(page, "lcp.not_lazy")
    assert not check["passed"]
    assert "lcp-hints.json cannot record it" in check["message"], check["message"]
    assert "make it eager where it is made" in check["message"]
    assert "rebuild with lcp-hints.json" not in check["message"]
