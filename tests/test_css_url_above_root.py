"""A stylesheet's relative ``url()`` with more ``../`` than its URL has folders (MoinMoin's
``url("../../../static/img/search.png")`` in ``/static/css/common.css``) works in a browser,
which stops at the site's root and fetches ``/static/img/search.png``; on the file system it
leaves the source folder, and esbuild failed the whole build ("Could not resolve"). The build
resolves such a reference as the browser does: against the stylesheet's URL."""

from __future__ import annotations

import io
import posixpath
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urljoin

import pytest
from PIL import Image

from assetpipe import build
from assetpipe.manifest import Manifest

pytestmark = pytest.mark.node


def png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


CONFIG = """\
source: pkg/static
output: dist
public_path: /static/
styles:
  entries: ["css/common.css"]
static:
  include: ["img/**"]
"""
SITE: dict[str, str | bytes] = {
    "pkg/static/img/search.png": png(),
    "pkg/static/img/draft.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>\n",
    "pkg/static/css/common.css": '.q { background-image: url("../../../static/img/search.png"); }\n'
    ".w { background: url(../../static/img/draft.svg?v=1) no-repeat; }\n",
}


def test_a_url_climbing_above_the_site_root_resolves_as_in_the_browser(
    make_site: Callable[..., Path],
) -> None:
    root = make_site(CONFIG, SITE)
    build(root / "pipeline.yaml")
    m = Manifest.read(root / "dist" / "manifest.json")
    name = str(m["css/common.css"]["file"])
    css = (root / "dist" / "public" / name).read_text()
    refs = re.findall(r"""url\(["']?([^"')]+)""", css)
    assert len(refs) == 2, css
    # the browser resolves each against the stylesheet's URL: the hashed files of the build
    page_css = urljoin("http://h/static/", name)
    got = {urljoin(page_css, r).split("?")[0].removeprefix("http://h/static/") for r in refs}
    assert got == {m["img/search.png"]["file"], m["img/draft.svg"]["file"]}
    for ref in got:
        assert (root / "dist" / "public" / posixpath.normpath(ref)).is_file()
