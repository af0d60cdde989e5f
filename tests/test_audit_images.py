"""The audit's image checks and per-image hints, with real Chromium on a tiny site built by the
real pipeline and served on 127.0.0.1: a stretched image fails naming its template line, an
image served 3x too wide is reported with the bytes it wastes, an avatar without dimensions is
unsized (and width/height would distort it: ``dimensions_safe`` false in the hints file), a
build output larger than its source is reported, and a page without issues passes."""

from __future__ import annotations

import json
import random
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from assetpipe import build
from assetpipe.audit import AuditOptions, run_audit
from assetpipe.audit.images import distorted, unsized_reason, wasted_bytes
from assetpipe.config import load_config
from assetpipe.rewrite.hints import read_all_hints
from tests.conftest import require_chromium, write_tree

pytestmark = [pytest.mark.chromium, pytest.mark.timeout(300)]


def noise_png(width: int, height: int) -> bytes:
    rnd = random.Random(width * 7 + height)
    img = Image.frombytes("RGB", (width, height), rnd.randbytes(width * height * 3))
    out = BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


CONFIG = """\
source: site
output: dist
static:
  include: ["media/**"]
pages:
  - {path: /stretched, template: pages/stretched.html}
  - {path: /wide, template: pages/wide.html}
  - {path: /clean, template: pages/clean.html}
audit: {profile: desktop, runs: 1}
"""
BASE = (
    '<!doctype html>\n<html><head><meta charset="utf-8"><style>body{margin:0}'
    ".avatar{width:36px}</style></head>\n<body>{% block body %}{% endblock %}"
    "<p>Some text below the images.</p></body></html>\n"
)
FILES: dict[str, str | bytes] = {
    "site/media/banner.png": noise_png(300, 100),
    "site/media/wide.png": noise_png(600, 200),
    "site/media/avatar.png": noise_png(72, 72),
    "site/media/square.png": noise_png(100, 100),
    "site/templates/base.html": BASE,
    "site/templates/pages/stretched.html": (
        '{% extends "base.html" %}\n{% block body %}\n<h1>Stretched</h1>\n'
        '<img src="/static/media/banner.png" alt="banner" width="100" height="100">\n'
        "{% endblock %}\n"
    ),
    "site/templates/pages/wide.html": (
        '{% extends "base.html" %}\n{% block body %}\n<h1>Wide</h1>\n'
        '<img src="/static/media/wide.png" alt="wide" width="600" height="200"\n'
        '     style="width:200px;height:auto">\n'
        '<img class="avatar" src="/static/media/avatar.png" alt="me">\n'
        "{% endblock %}\n"
    ),
    "site/templates/pages/clean.html": (
        '{% extends "base.html" %}\n{% block body %}\n<h1>Clean</h1>\n'
        '<img src="/static/media/square.png" alt="sq" width="100" height="100">\n'
        '<img src="/static/media/avatar.png" alt="padded" width="72" height="72"\n'
        '     style="padding-top:24px;border:2px solid #000">\n'
        "{% endblock %}\n"
    ),
}


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    require_chromium()
    root = tmp_path_factory.mktemp("images")
    write_tree(root, {**FILES, "pipeline.yaml": CONFIG})
    build(load_config(root / "pipeline.yaml"))
    result = run_audit(
        load_config(root / "pipeline.yaml"), AuditOptions(history=False, capture=False)
    )
    return root, {**result.doc, "details": result.details}


def page_of(doc: dict[str, Any], path: str) -> dict[str, Any]:
    return next(p for p in doc["pages"] if p["path"] == path)


def check_of(page: dict[str, Any], check_id: str) -> dict[str, Any]:
    return next(c for c in page["checks"] if c["id"] == check_id)


def test_stretched_image_fails_naming_the_template_line(
    audited: tuple[Path, dict[str, Any]],
) -> None:
    _, doc = audited
    page = page_of(doc, "/stretched")
    check = check_of(page, "images.distorted")
    assert not check["passed"] and check["level"] == "error" and not page["passed"]
    assert (check["template"], check["line"]) == ("pages/stretched.html", 4)
    assert check["items"][0]["url"].endswith(".png") and "300x100" in check["message"]


def test_image_three_times_too_wide_reports_the_bytes_it_wastes(
    audited: tuple[Path, dict[str, Any]],
) -> None:
    _, doc = audited
    page = page_of(doc, "/wide")
    check = check_of(page, "images.oversized")
    assert not check["passed"] and check["level"] == "warn"
    assert page["passed"]  # a warning does not fail the page
    item = check["items"][0]
    assert (item["template"], item["line"]) == ("pages/wide.html", 4)
    # 600x200 shown at 200x66.67 CSS px, DPR 1: 8/9 of its pixels are wasted.
    image = next(r for r in page_network(audited, "/wide") if r["url"] == item["url"])
    assert item["value"] == pytest.approx(image["bytes"] * 8 / 9, rel=1e-4)  # layout units
    assert item["value"] > 300_000
    # The 72-px avatar shown at 36 px is 2x too wide as well: 3/4 of its bytes.
    avatar = check["items"][1]
    assert (avatar["template"], avatar["line"]) == ("pages/wide.html", 6)
    assert check["value"] == item["value"] + avatar["value"]
    assert f"{item['value']} of {image['bytes']} B" in check["message"]


def page_network(audited: tuple[Path, dict[str, Any]], path: str) -> list[dict[str, Any]]:
    return list(audited[1]["details"][path]["first_view_network"])


def test_avatar_without_dimensions_is_unsized_and_width_height_would_distort_it(
    audited: tuple[Path, dict[str, Any]],
) -> None:
    root, doc = audited
    check = check_of(page_of(doc, "/wide"), "images.unsized")
    assert not check["passed"] and check["level"] == "warn"
    assert [(i["template"], i["line"]) for i in check["items"]] == [("pages/wide.html", 6)]
    assert "no width or height attribute and its box depends" in check["message"], check
    records = {(r.template, r.line): r for r in read_all_hints(root / "lcp-hints.json").images}
    avatar = records["pages/wide.html", 6]
    # .avatar sets only the width: height="72" would make it 36x72.
    assert (avatar.width, avatar.height, avatar.natural_width) == (36, 36, 72)
    assert avatar.dimensions_safe is False and avatar.profile == "desktop"
    assert avatar.viewport == 1350 and avatar.dpr == 1 and avatar.src == "media/avatar.png"
    wide = records["pages/wide.html", 4]
    assert wide.dimensions_safe is True and wide.width == 200
    assert records["pages/clean.html", 4].dimensions_safe is True


def test_page_without_issues_passes(audited: tuple[Path, dict[str, Any]]) -> None:
    _, doc = audited
    page = page_of(doc, "/clean")
    for check_id in ("images.distorted", "images.oversized", "images.unsized", "images.grown"):
        assert check_of(page, check_id)["passed"], check_of(page, check_id)
    assert page["passed"]


def test_rules_match_lighthouse() -> None:
    """image-aspect-ratio: 2 px on the implied height; object-fit and SVG are left out.
    uses-responsive-images: waste is bytes x unused pixel share, only past 1.5x."""
    img = {
        "url": "/a.png",
        "width": 100.0,
        "height": 51.0,
        "natural_width": 200,
        "natural_height": 100,
    }
    assert distorted(img) is None  # 1 px off
    assert distorted({**img, "height": 52.0})
    assert distorted({**img, "height": 80.0, "object_fit": "cover"}) is None
    assert distorted({**img, "url": "/a.svg", "height": 80.0}) is None
    # padding and border are outside the picture (the content box keeps the ratio)
    assert (
        distorted({**img, "height": 74.0, "content_width": 100.0, "content_height": 50.0}) is None
    )
    assert distorted({**img, "content_width": 100.0, "content_height": 80.0})
    assert wasted_bytes({**img, "height": 50.0}, 2.0, 1000) == 0  # exactly 1x at DPR 2
    assert wasted_bytes({**img, "height": 50.0}, 1.0, 1000) == 750
    assert wasted_bytes({**img, "width": 140.0, "height": 70.0}, 1.0, 1000) == 0  # 1.43x


def test_grown_output_is_found_from_the_manifest(tmp_path: Path) -> None:
    """A build output larger than its source. The build no longer emits one (images never
    grow), so the manifest here is written by hand, as an older build or another tool left it;
    the sizes are what the Locator reads, the source file is real."""
    from assetpipe.audit.locate import Locator

    write_tree(
        tmp_path,
        {
            "pipeline.yaml": "source: site\noutput: dist\n",
            "site/img/logo.png": b"x" * 3729,
            "dist/public/assets/logo.1234abcd.png": b"y" * 10931,
            "dist/manifest.json": json.dumps(
                {
                    "img/logo.png": {
                        "file": "assets/logo.1234abcd.png",
                        "src": "img/logo.png",
                        "size": 10931,
                        "width": 10,
                        "height": 10,
                        "variants": [
                            {
                                "file": "assets/logo-5w.1234abcd.webp",
                                "width": 5,
                                "height": 5,
                                "format": "webp",
                                "size": 900,
                            }
                        ],
                    }
                }
            ),
        },
    )
    config = load_config(tmp_path / "pipeline.yaml")
    locator = Locator(config)
    base = "http://127.0.0.1:1" + locator.public_path
    assert locator.growth(base + "assets/logo.1234abcd.png") == (10931, 3729)
    assert locator.growth(base + "assets/logo-5w.1234abcd.webp") is None
    assert locator.growth("http://127.0.0.1:1/elsewhere.png") is None


def test_an_unsized_image_is_told_the_attribute_it_lacks() -> None:
    assert unsized_reason({"has_width": False, "has_height": True}) == "no width attribute"
    assert unsized_reason({"has_width": True}) == "no height attribute"
    assert unsized_reason({}) == "no width or height attribute"
