"""The bundled example, built by the real pipeline (images, esbuild, styles, static, templates):
the LCP rule, srcset, integrity, modulepreload and font preload as the templates come out."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jinja2
import pytest
from bs4 import BeautifulSoup, Tag

from assetpipe import build, load_config
from tests.conftest import REPO

pytestmark = pytest.mark.node


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("example")
    shutil.copytree(REPO / "examples", root / "examples")
    shutil.copy(REPO / "pipeline.yaml", root / "pipeline.yaml")
    build(load_config(root / "pipeline.yaml"))
    return root / "dist"


def _soup(dist: Path, name: str) -> BeautifulSoup:
    return BeautifulSoup((dist / "templates" / name).read_text(), "html.parser")


def _find(soup: BeautifulSoup | Tag, name: str, **attrs: Any) -> Tag:
    """The first ``name`` element with ``attrs`` (the test fails if there is none)."""
    found = soup.find(name, attrs=attrs)
    assert isinstance(found, Tag), f"no <{name} {attrs}>"
    return found


def _attr(tag: Tag, name: str) -> str:
    """A single-valued attribute (``class`` and other list-valued ones are not asked for)."""
    value = tag[name]
    assert isinstance(value, str), (name, value)
    return value


def test_hero_is_eager_and_gallery_lazy_with_srcset(example: Path) -> None:
    man = json.loads((example / "manifest.json").read_text())
    for page in ("pages/index.html", "pages/gallery.html"):
        imgs = _soup(example, page).find_all("img")
        hero, rest = imgs[0], imgs[1:]
        assert hero.find_parent(class_="hero") is not None
        assert hero["fetchpriority"] == "high" and "loading" not in hero.attrs
        assert _attr(hero, "src").startswith("/static/img/") and hero["srcset"] and hero["sizes"]
        assert hero["width"] and hero["height"]
        for img in rest:
            assert img["loading"] == "lazy" and img["decoding"] == "async"
            assert "fetchpriority" not in img.attrs
    gallery = _soup(example, "pages/gallery.html").select(".gallery img")
    featured = gallery[:4]
    for img in featured:
        assert img["srcset"].count("w, ") >= 1 and img["sizes"], img
        assert int(_attr(img, "width")) > 0 and int(_attr(img, "height")) > 0
    astro = man["img/gallery/astronaut.png"]
    assert featured[0]["src"] == "/static/" + astro["file"]
    assert (featured[0]["width"], featured[0]["height"]) == (
        str(astro["width"]),
        str(astro["height"]),
    )
    webp = sorted((v for v in astro["variants"] if v["format"] == "webp"), key=lambda v: v["width"])
    assert featured[0]["srcset"] == ", ".join(f"/static/{v['file']} {v['width']}w" for v in webp)
    # the url_for form keeps its call, with the hashed file as the literal
    rocket = man["img/gallery/rocket.jpg"]["file"]
    assert featured[3]["src"] == f"{{{{ url_for('static', filename='{rocket}') }}}}"


def test_scripts_have_modulepreload_and_font_is_preloaded(example: Path) -> None:
    """The example keeps the default ``templates.integrity: false``: no SRI attributes."""
    man = json.loads((example / "manifest.json").read_text())
    entry = man["js/dashboard.js"]
    soup = _soup(example, "pages/index.html")
    script = _find(soup, "script", type="module")
    assert script["src"] == "/static/" + entry["file"]
    assert "integrity" not in script.attrs and entry["integrity"].startswith("sha384-")
    pre = [link["href"] for link in soup.find_all("link", rel="modulepreload")]
    assert pre == ["/static/" + man[k]["file"] for k in entry["imports"]]
    base = _soup(example, "base.html")
    css = man["css/app.css"]
    sheet = _find(base, "link", rel="stylesheet")
    assert sheet["href"] == "/static/" + css["file"] and "integrity" not in sheet.attrs
    font = _find(base, "link", rel="preload")
    assert font["href"] == "/static/" + man["fonts/dash-icons.woff2"]["file"]
    assert font["as"] == "font" and "crossorigin" in font.attrs
    assert sheet.find_next("link") is font  # right after its stylesheet


def test_example_templates_compile_and_report_names_every_img(example: Path) -> None:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(example / "templates"),
        extensions=["jinja2.ext.i18n", "jinja2.ext.do", "jinja2.ext.loopcontrols"],
    )
    report = json.loads((example / "report.json").read_text())["templates"]
    for name in report:
        env.get_template(name)
        src = (REPO / "examples/dashboard/templates" / name).read_text().splitlines()
        for img in report[name]["images"]:
            assert "<img" in src[img["line"] - 1][img["col"] - 1 : img["col"] + 3]
    eager = [i for i in report["pages/index.html"]["images"] if i["loading"] == "eager"]
    assert [(i["asset"], i["why"]) for i in eager] == [("img/hero.jpg", "selector .hero img")]
