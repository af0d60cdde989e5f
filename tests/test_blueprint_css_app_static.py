"""A blueprint folder's stylesheet that names a file of the app's own static folder by a
relative ``url()`` climbing out of its folder (MoinMoin's topside theme, served at
``/_themes/topside/css/theme.css``, says ``url("../../../static/img/icons/moin-search.png")``):
the copy served under the stylesheet's hashed name now names the build's hashed file, so the
image is ``immutable`` too (it was the one file a warm visit revalidated), and a new build that
changes the image renames the stylesheet. Real Flask, a real build, the test client."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from urllib.parse import urljoin

from flask import Blueprint, Flask, render_template_string

from assetpipe import build
from assetpipe.flask import AssetPipe
from tests.conftest import write_tree

CSS = (
    '.q { background: url("../../../static/img/search.svg") no-repeat; }\n'
    + ".k b { color: #123456; }\n" * 30
)
PAGE = "<link rel=\"stylesheet\" href=\"{{ url_for('kit.static', filename='css/kit.css') }}\">"


def make(root: Path) -> Flask:
    write_tree(
        root,
        {
            "pipeline.yaml": 'source: app/static\noutput: dist\nstatic: {include: ["img/**"]}\n',
            "app/static/img/search.svg": "<svg xmlns='http://www.w3.org/2000/svg' id='a'/>\n",
            "kit/static/css/kit.css": CSS,
        },
    )
    build(root / "pipeline.yaml")
    app = Flask("app", root_path=str(root / "app"))
    kit = Blueprint("kit", __name__, static_folder=str(root / "kit" / "static"))
    app.register_blueprint(kit, url_prefix="/kit")
    AssetPipe(app)
    app.add_url_rule("/", "index", lambda: render_template_string(PAGE))
    return app


def served_css(app: Flask) -> tuple[str, str]:
    client = app.test_client()
    page = client.get("/").get_data(as_text=True)
    css = re.search(r'href="(/kit/static/css/kit-[A-Z2-7]{8}\.css)"', page)
    assert css, page
    with client.get(css.group(1)) as got:
        assert got.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        return css.group(1), got.get_data(as_text=True)


def test_a_url_into_the_app_static_folder_names_the_built_file(tmp_path: Path) -> None:
    app = make(tmp_path)
    url, css = served_css(app)
    ref = re.search(r'url\("([^"]+)"\)', css)
    assert ref and ref.group(1).startswith("../../../static/img/search-"), css
    target = posixpath.normpath(urljoin(url, ref.group(1)))
    with app.test_client().get(target) as img:
        assert img.status_code == 200, target
        assert img.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    # a new build with another image: the stylesheet's name and its reference follow it
    (tmp_path / "app/static/img/search.svg").write_text(
        "<svg xmlns='http://www.w3.org/2000/svg' id='b'/>\n"
    )
    build(tmp_path / "pipeline.yaml")
    url2, css2 = served_css(app)
    assert url2 != url and css2 != css
