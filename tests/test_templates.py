"""The templates stage: real builds of tiny sites (CLI and API), report.json, the cache, hints,
and every class of bad input (non-UTF-8, missing asset, broken Jinja, bad selector, bad hints)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from assetpipe import build, load_config
from assetpipe.manifest import Manifest
from assetpipe.pipeline.cache import Cache
from assetpipe.pipeline.sources import Sources
from assetpipe.progress import NullProgress
from assetpipe.rewrite.hints import Hint, Hints, ImageHint, read_all_hints, read_hints, write_hints
from assetpipe.stages import templates
from assetpipe.stages.base import Report, StageContext
from tests.conftest import build_warnings, run_cli, write_tree
from tests.test_rewrite_cases import MANIFEST

CONFIG = """\
source: site
output: dist
templates:
  eager: [".hero img"]
static:
  include: ["icons/**", "img/**", "css/**"]
"""

SITE: dict[str, str | bytes] = {
    "site/icons/logo.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>\n',
    "site/img/a.png": b"\x89PNG not really, but static copies bytes",
    "site/css/app.css": "body { color: red }\n",
    "site/templates/base.html": (
        '<html><head><link rel="stylesheet" href="/static/css/app.css"></head>\n'
        '<body><img src="/static/icons/logo.svg" alt="">{% block body %}{% endblock %}'
        "</body></html>\n"
    ),
    "site/templates/pages/index.html": (
        '{% extends "base.html" %}{% block body %}\n'
        "<div class=\"hero\"><img src=\"{{ url_for('static', filename='img/a.png') }}\"></div>\n"
        '<img src="/static/img/a.png" alt="second">\n{% endblock %}'
    ),
}


#: width/height and a default sizes everywhere (the opt-ins): these cases are about the stage
ALWAYS = CONFIG.replace(
    "templates:\n", "templates:\n  dimensions: always\n  sizes: '(max-width: 960px) 100vw, 960px'\n"
)


def _site(
    tmp_path: Path, extra: Mapping[str, str | bytes] | None = None, config: str = CONFIG
) -> Path:
    write_tree(tmp_path, {**SITE, **(extra or {}), "pipeline.yaml": config})
    return tmp_path


def test_build_rewrites_templates_and_reports(tmp_path: Path) -> None:
    root = _site(tmp_path)
    result = run_cli("build", cwd=root)
    assert result.code == 0, result.err
    dist = root / "dist"
    man = json.loads((dist / "manifest.json").read_text())
    css, logo, img = (man[k] for k in ("css/app.css", "icons/logo.svg", "img/a.png"))
    base = (dist / "templates/base.html").read_text()
    # the layout's image before the block its pages fill renders first on every page: eager
    assert base == (
        f'<html><head><link rel="stylesheet" href="/static/{css["file"]}"></head>\n'
        f'<body><img src="/static/{logo["file"]}" alt="">'
        "{% block body %}{% endblock %}</body></html>\n"
    )
    page = (dist / "templates/pages/index.html").read_text()
    assert page == (
        '{% extends "base.html" %}{% block body %}\n'
        f"<div class=\"hero\"><img src=\"{{{{ url_for('static', filename='{img['file']}') }}}}\""
        ' fetchpriority="high"></div>\n'
        f'<img src="/static/{img["file"]}" alt="second" loading="lazy" decoding="async">\n'
        "{% endblock %}"
    )
    report = json.loads((dist / "report.json").read_text())["templates"]
    assert sorted(report) == ["base.html", "pages/index.html"]
    imgs = report["pages/index.html"]["images"]
    assert [(i["line"], i["col"], i["asset"], i["loading"]) for i in imgs] == [
        (2, 19, "img/a.png", "eager"),
        (3, 1, "img/a.png", "lazy"),
    ]
    assert imgs[0]["why"] == "selector .hero img" and imgs[0]["files"] == [img["file"]]
    assert report["pages/index.html"]["source"] == "templates/pages/index.html"
    assert report["base.html"]["edits"][0] == {
        "line": 1,
        "col": 13,
        "tag": "link",
        "kind": "url",
        "text": css["file"],
        "replaces": "css/app.css",
    }


def _ctx(root: Path, manifest: dict[str, dict[str, Any]]) -> StageContext:
    cfg = load_config(root / "pipeline.yaml")
    out = root / "out"
    (out / "public").mkdir(parents=True, exist_ok=True)
    return StageContext(
        config=cfg,
        sources=Sources.scan(cfg.source),
        public=out / "public",
        templates_out=out / "templates",
        cache=Cache(root / "cache"),
        manifest=Manifest({k: dict(v) for k, v in manifest.items()}),
        report=Report(),
        progress=NullProgress(),
        stage="templates",
    )


GALLERY = {
    "site/templates/pages/gallery.html": (
        '<section class="hero"><img src="/static/img/hero.jpg" alt=""></section>\n'
        "{% for p in photos %}<img src=\"{{ url_for('static', filename=p) }}\">{% endfor %}\n"
        '<img src="/static/img/a.png" alt="">\n'
    ),
    "site/templates/partials/logo.html": '<img src="/static/icons/logo.svg" alt="">\n',
}


def test_stage_against_a_full_manifest_and_its_cache(tmp_path: Path) -> None:
    root = _site(tmp_path, GALLERY, ALWAYS)
    ctx = _ctx(root, MANIFEST)
    templates.run(ctx)
    out = (root / "out/templates/pages/gallery.html").read_text()
    assert 'fetchpriority="high" width="1600" height="900" srcset="/static/img/hero-480w-' in out
    assert (
        '<img src="/static/img/a-800w-HHHHHHHH.webp" alt="" loading="lazy"'
        ' decoding="async" width="800" height="600" srcset='
    ) in out
    first = {p.name: p.read_bytes() for p in (root / "out/templates").rglob("*.html")}
    assert ctx.cache.stats.misses == 4 and ctx.cache.stats.hits == 0
    # same inputs: every template is a cache hit, same bytes
    ctx2 = _ctx(root, MANIFEST)
    templates.run(ctx2)
    assert ctx2.cache.stats.hits == 4 and ctx2.cache.stats.misses == 0
    assert {p.name: p.read_bytes() for p in (root / "out/templates").rglob("*.html")} == first
    assert ctx2.report.sections == ctx.report.sections
    # a changed image entry re-rewrites exactly the templates that show it
    changed = {**MANIFEST, "img/a.png": {**MANIFEST["img/a.png"], "width": 400, "height": 300}}
    ctx3 = _ctx(root, changed)
    templates.run(ctx3)
    assert ctx3.cache.stats.misses == 2  # pages/index.html and pages/gallery.html
    assert 'width="400" height="300"' in (root / "out/templates/pages/gallery.html").read_text()


def test_lcp_hints_are_read_and_stale_ones_warned(tmp_path: Path) -> None:
    root = _site(tmp_path, GALLERY, ALWAYS)
    write_hints(
        root / "lcp-hints.json",
        [Hint("pages/gallery.html", 3, "img/a.png"), Hint("pages/gallery.html", 1, "img/nope.png")],
    )
    ctx = _ctx(root, MANIFEST)
    templates.run(ctx)
    out = (root / "out/templates/pages/gallery.html").read_text().splitlines()
    assert out[2].startswith(
        '<img src="/static/img/a-800w-HHHHHHHH.webp" alt="" fetchpriority="high" width="800"'
    )
    imgs = ctx.report.sections["templates"]["pages/gallery.html"]["images"]
    assert imgs[2]["why"] == "lcp-hints.json"
    assert [w.message for w in ctx.report.warnings] == [
        "'{{ url_for('static', filename=p) }}' left as written (built by an expression):"
        " AssetPipe(app) names its default output at run time, without the srcset, sizes and"
        " modern formats a literal file name gets",
        "lcp-hints.json: no <img> at pages/gallery.html:1 showing 'img/nope.png' (a stale hint)",
    ]


def test_hints_round_trip_and_format(tmp_path: Path) -> None:
    path = tmp_path / "lcp-hints.json"
    assert read_hints(path) == []
    write_hints(path, [Hint("b.html", 2), Hint("a.html", 9, "img/x.jpg"), Hint("b.html", 2)])
    assert json.loads(path.read_text()) == {
        "version": 2,
        "images": [],
        "hints": [
            {"template": "a.html", "line": 9, "src": "img/x.jpg"},
            {"template": "b.html", "line": 2},
        ],
    }
    assert read_hints(path) == [Hint("a.html", 9, "img/x.jpg"), Hint("b.html", 2)]
    img = ImageHint("a.html", 9, "img/x.jpg", "mobile", 412, 1.75, 36.0, 36.0, 800, 800, True)
    write_hints(path, read_hints(path), [img, img])
    assert json.loads(path.read_text())["images"] == [
        {
            "template": "a.html",
            "line": 9,
            "src": "img/x.jpg",
            "profile": "mobile",
            "viewport": 412,
            "dpr": 1.75,
            "width": 36.0,
            "height": 36.0,
            "natural_width": 800,
            "natural_height": 800,
            "dimensions_safe": True,
        }
    ]
    write_hints(path, [Hint("c.html", 1)])  # images=None keeps the image records
    assert read_all_hints(path) == Hints((Hint("c.html", 1),), (img,))
    path.write_text('{"version": 1, "hints": [{"template": "a.html", "line": 3}]}')
    assert read_all_hints(path) == Hints((Hint("a.html", 3),), ())
    write_hints(path, [Hint("a.html", 3, some_pages=True)], [])
    assert json.loads(path.read_text())["hints"] == [
        {"template": "a.html", "line": 3, "some_pages": True}
    ]
    assert read_all_hints(path) == Hints((Hint("a.html", 3, None, True),), ())


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"version": 1, "hints": [', "LCP hints are not valid JSON"),
        ('{"version": 3, "hints": []}', "LCP hints: expected"),
        (
            '{"version": 2, "hints": [], "images": [{"template": "a.html", "line": 3}]}',
            "images[0]: expected",
        ),
        ('{"version": 1, "hints": [{"template": "a.html", "line": "3"}]}', "hints[0]: expected"),
        (
            '{"version": 2, "hints": [{"template": "a.html", "line": 3, "some_pages": "yes"}]}',
            "hints[0]: expected",
        ),
    ],
)
def test_bad_hints_file_fails_naming_it(tmp_path: Path, content: str, message: str) -> None:
    root = _site(tmp_path, {"lcp-hints.json": content})
    result = run_cli("build", cwd=root)
    assert result.code == 1
    assert "lcp-hints.json" in result.err and message in result.err


def test_non_utf8_template_fails_naming_the_file_and_keeps_previous_output(tmp_path: Path) -> None:
    root = _site(tmp_path)
    assert run_cli("build", cwd=root).code == 0
    before = (root / "dist").resolve()
    (root / "site/templates/pages/latin1.html").write_bytes(b"<p>ok</p>\n<p>caf\xe9</p>\n")
    result = run_cli("build", cwd=root)
    assert result.code == 1
    assert "error: site/templates/pages/latin1.html:2:7: template is not UTF-8" in result.err
    assert (root / "dist").resolve() == before


def test_missing_asset_is_an_error_naming_template_line(tmp_path: Path) -> None:
    root = _site(
        tmp_path, {"site/templates/pages/x.html": '<p>\n  <img src="/static/img/hero.jpg">\n'}
    )
    result = run_cli("build", cwd=root)
    assert result.code == 1
    assert (
        "error: site/templates/pages/x.html:2:13: '/static/img/hero.jpg' refers to "
        "'img/hero.jpg', which the build did not produce"
    ) in result.err
    assert not (root / "dist").exists()


def test_a_reference_to_a_source_file_no_stage_takes_says_so(tmp_path: Path) -> None:
    """A favicon in the source folder that no stage lists: the error says to add it to
    ``static.include``, not that manifest keys are relative to source (they are, and it is)."""
    root = _site(
        tmp_path,
        {
            "site/favicon.ico": b"\x00\x00\x01\x00",
            "site/templates/pages/x.html": '<link rel="icon" href="/static/favicon.ico">\n',
        },
    )
    result = run_cli("build", cwd=root)
    assert result.code == 1
    assert "favicon.ico is in the source folder, but no stage takes it: add it to " in result.err
    assert "static.include" in result.err


def test_missing_asset_warns_with_missing_assets_warn(tmp_path: Path) -> None:
    config = CONFIG.replace("templates:\n", "templates:\n  missing_assets: warn\n")
    root = _site(tmp_path, {"site/templates/x.html": '<img src="/static/img/b.png">'}, config)
    result = run_cli("build", cwd=root)
    assert result.code == 0, result.err
    assert "site/templates/x.html:1:11: '/static/img/b.png' refers to 'img/b.png'" in result.err
    assert "did you mean 'img/a.png'?" in result.err
    # the warning is replayed from the cache, and --strict fails on it
    again = run_cli("build", "--strict", cwd=root)
    assert again.code == 1 and "refers to 'img/b.png'" in again.err


def test_broken_jinja_fails_with_its_line(tmp_path: Path) -> None:
    root = _site(tmp_path, {"site/templates/x.html": "<p>\n{{ 'unclosed }}\n"})
    result = run_cli("build", cwd=root)
    assert result.code == 1
    assert "error: site/templates/x.html:2:1: unterminated string" in result.err


def test_invalid_eager_selector_is_a_config_error(tmp_path: Path) -> None:
    root = _site(tmp_path, config=CONFIG.replace('[".hero img"]', '[".hero img", "img[["]'))
    result = run_cli("build", cwd=root)
    assert result.code == 2
    assert "error: pipeline.yaml:4:" in result.err and "templates.eager[1]" in result.err


def test_same_template_name_in_two_dirs_is_an_error(tmp_path: Path) -> None:
    config = CONFIG.replace("templates:\n", "templates:\n  dirs: [templates, more]\n")
    root = _site(tmp_path, {"site/more/base.html": "<p>x</p>"}, config)
    result = run_cli("build", cwd=root)
    assert result.code == 1 and "'base.html' is in two template dirs" in result.err


def test_build_is_deterministic(tmp_path: Path) -> None:
    root = _site(
        tmp_path, GALLERY, CONFIG.replace("templates:\n", "templates:\n  missing_assets: warn\n")
    )
    r1 = build(load_config(root / "pipeline.yaml"), clean=True)
    a = {
        p.relative_to(r1.build_dir): p.read_bytes()
        for p in r1.build_dir.rglob("*")
        if p.is_file() and "templates" in p.parts
    }
    rep1 = (r1.build_dir / "report.json").read_bytes()
    r2 = build(load_config(root / "pipeline.yaml"), clean=True)
    b = {
        p.relative_to(r2.build_dir): p.read_bytes()
        for p in r2.build_dir.rglob("*")
        if p.is_file() and "templates" in p.parts
    }
    assert a == b and (r2.build_dir / "report.json").read_bytes() == rep1


def test_srcset_original_lists_the_images_stage_output_format(tmp_path: Path) -> None:
    """``original`` is the format the images stage writes for the source: PNG for a still GIF
    (not the .gif extension), so the srcset lists those files."""
    from PIL import Image

    from tests.conftest import write_tree

    write_tree(
        tmp_path,
        {
            "pipeline.yaml": "source: site\nimages: {widths: [10, 20], formats: [original]}\n"
            "templates: {srcset_format: original, sizes: 100vw}\n",
            "site/templates/pages/index.html": '<p>x</p>\n<img src="/static/img/dot.gif" alt="">\n',
        },
    )
    (tmp_path / "site/img").mkdir()
    Image.new("P", (40, 30), 3).save(tmp_path / "site/img/dot.gif")
    result = build(load_config(tmp_path / "pipeline.yaml"))
    entry = result.manifest["img/dot.gif"]
    files = [v["file"] for v in entry["variants"]]
    # the two widths and the source's own 40 px encoded as PNG (a flat PNG is smaller than the
    # GIF's own bytes, which would serve that width otherwise)
    assert [v["width"] for v in entry["variants"]] == [10, 20, 40]
    assert [f.rsplit(".", 1)[1] for f in files] == ["png", "png", "png"], files
    html = (tmp_path / "dist/templates/pages/index.html").read_text()
    assert (
        f'srcset="/static/{files[0]} 10w, /static/{files[1]} 20w, /static/{files[2]} 40w"' in html
    )


#: a hints-file image record as `assetpipe audit` writes it: the gallery's a.png at line 3,
#: measured 300x225 CSS px on desktop
GALLERY_IMAGE_RECORD: dict[str, object] = {
    "template": "pages/gallery.html",
    "line": 3,
    "src": "img/a.png",
    "profile": "desktop",
    "viewport": 1350,
    "dpr": 1.0,
    "width": 300.0,
    "height": 225.0,
    "natural_width": 800,
    "natural_height": 600,
    "dimensions_safe": True,
}


def test_hand_written_hints_file_drives_sizes_and_dimensions(tmp_path: Path) -> None:
    """The build reads the hints file's ``images`` records (as `assetpipe audit` writes them):
    sizes and width/height appear where they were measured, and a changed record re-rewrites
    the template (its cache key holds them)."""
    root = _site(tmp_path, GALLERY)
    rec = dict(GALLERY_IMAGE_RECORD)
    (root / "lcp-hints.json").write_text(json.dumps({"version": 2, "hints": [], "images": [rec]}))
    templates.run(_ctx(root, MANIFEST))
    out = (root / "out/templates/pages/gallery.html").read_text().splitlines()
    # one viewport measured: beyond it, the same share of the viewport (a wider screen may show
    # it wider), so no variant is dropped
    assert out[2] == (
        '<img src="/static/img/a-800w-HHHHHHHH.webp" alt="" loading="lazy"'
        ' decoding="async" width="800" height="600"'
        ' srcset="/static/img/a-480w-HHHHHHHH.webp 480w, /static/img/a-800w-HHHHHHHH.webp 800w"'
        ' sizes="(max-width: 1350px) 300px, 23vw">'
    )
    (root / "lcp-hints.json").write_text(
        json.dumps(
            {
                "version": 2,
                "hints": [],
                "images": [{**rec, "width": 600.0, "height": 450.0, "dimensions_safe": False}],
            }
        )
    )
    ctx = _ctx(root, MANIFEST)
    templates.run(ctx)
    out = (root / "out/templates/pages/gallery.html").read_text().splitlines()
    assert out[2] == (
        '<img src="/static/img/a-800w-HHHHHHHH.webp" alt="" loading="lazy"'
        ' decoding="async" srcset="/static/img/a-480w-HHHHHHHH.webp 480w,'
        ' /static/img/a-800w-HHHHHHHH.webp 800w" sizes="(max-width: 1350px) 600px, 45vw">'
    )
    assert ctx.cache.stats.misses == 1  # only the template the records name


def _built_with(tmp_path: Path, name: str, text: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Build the site with template ``name`` added: report.json, and that template's section."""
    _site(tmp_path, {f"site/templates/{name}": text})
    result = run_cli("build", cwd=tmp_path)
    assert result.code == 0, result.err
    report = json.loads((tmp_path / "dist/report.json").read_text())
    return report, report["templates"][name]


def test_unrewritten_references_warn_with_template_line(tmp_path: Path) -> None:
    report, card = _built_with(
        tmp_path,
        "partials/card.html",
        "<div style=\"background: url('{{ url_for('static', filename='img/a.png') }}')\">\n"
        '<noscript><img src="/static/img/a.png"></noscript>\n'
        '<div style="background: url(../img/a.png)"></div></div>\n',
    )
    root = tmp_path
    assert [(u["line"], u["reason"]) for u in card["unresolved"]] == [
        (2, "not_rewritten"),
        (3, "relative"),
    ]
    assert [
        (w["file"], w["line"], w["col"], w["message"])
        for w in report["warnings"]
        if w["file"].endswith("card.html")
    ] == [
        (
            "site/templates/partials/card.html",
            2,
            21,
            "'/static/img/a.png' left as written (in <noscript> content, src attribute): it"
            " requests the unhashed source path; 1 more asset reference(s) left as written"
            " at line(s) 3 (report.json: templates.*.unresolved)",
        )
    ]
    man = json.loads((root / "dist/manifest.json").read_text())
    assert (
        f"filename='{man['img/a.png']['file']}'"
        in (root / "dist/templates/partials/card.html").read_text()
    )


def test_relative_url_naming_no_file_of_the_build_is_not_warned_about(tmp_path: Path) -> None:
    """A page-relative URL that ends in no file of the build names another route's file
    (Airflow's webpack copy of connexion's Swagger UI page, ``./swagger-ui.css``, served from
    the page's own folder at ``/api/v1/ui/``): listed as unresolved, never warned about
    (``build --strict`` failed on it, and only editing the app's templates cleared it). One
    that ends in a file of the build (``../img/a.png``) is still warned about."""
    report, page = _built_with(
        tmp_path,
        "swagger-ui/index.j2",
        '<link rel="stylesheet" href="./swagger-ui.css">\n'
        '<link rel="icon" href="./favicon-32x32.png?v=2">\n'
        '<script src="swagger-ui-bundle.js"></script>\n',
    )
    assert [(u["line"], u["reason"]) for u in page["unresolved"]] == [
        (1, "relative"),
        (2, "relative"),
        (3, "relative"),
    ]
    assert not [w for w in report["warnings"] if w["file"].endswith("index.j2")]
    report, _ = _built_with(
        tmp_path,
        "card.html",
        '<img src="../img/a.png" alt="">\n<img src="./a.png" alt="">\n<img src="img/a.png?v=1">\n',
    )
    assert [
        (w["line"], w["message"]) for w in report["warnings"] if w["file"].endswith("card.html")
    ] == [
        (
            1,
            "'../img/a.png' left as written (a relative URL): resolved against each page's URL,"
            " it names no file the build can tell; written /static/img/a.png (or"
            " url_for('static', filename='img/a.png'), {% static 'img/a.png' %}) it is hashed;"
            " 1 more asset reference(s) left as written at line(s) 3 (report.json:"
            " templates.*.unresolved)",
        )
    ]


def test_only_expressions_that_build_a_static_path_are_warned_about(tmp_path: Path) -> None:
    """An avatar URL from a model method (Flasky's ``{{ user.gravatar(size=40) }}``) may be any
    URL: listed as unresolved, never warned about (``--strict`` would fail the release over
    it). Expressions that build a path into the static folder still warn."""
    report, users = _built_with(
        tmp_path,
        "users.html",
        '<img src="{{ user.gravatar(size=40) }}" alt="">\n'
        '<img src="{{ post.cover_url }}?w=200" alt="">\n'
        '<img src="https://cdn.example.com/{{ user.id }}.jpg" alt="">\n'
        '<img src="/media/{{ user.id }}.png" alt="">\n'
        '<div style="background-image: url({{ post.banner }})"></div>\n'
        "<img src=\"{{ url_for('static', filename='img/' ~ name) }}\" alt=\"\">\n"
        '<img src="/static/img/{{ name }}.png" alt="">\n'
        '<link rel="stylesheet" href="{{ config.ASSETS_ROOT }}/css/app.css">\n',
    )
    assert [u["line"] for u in users["unresolved"] if u["reason"] == "dynamic"] == list(range(1, 9))
    assert [
        (w["line"], w["message"]) for w in report["warnings"] if w["file"].endswith("users.html")
    ] == [
        (
            6,
            "'{{ url_for('static', filename='img/' ~ name) }}' left as written (built by an"
            " expression): AssetPipe(app) names its default output at run time, without the"
            " srcset, sizes and modern formats a literal file name gets; 2 more asset"
            " reference(s) left as written at line(s) 7, 8 (report.json: templates.*.unresolved)",
        )
    ]


def test_a_path_after_a_config_expression_names_templates_prefixes(tmp_path: Path) -> None:
    """A project configured by hand (or before ``init`` knew the pattern) that names its assets
    ``{{ config.ASSETS_ROOT }}/...``: the warning says which key rewrites them."""
    report, _ = _built_with(
        tmp_path,
        "base2.html",
        '<link rel="stylesheet" href="{{ config.ASSETS_ROOT }}/css/app.css">\n',
    )
    assert [w["message"] for w in report["warnings"] if w["file"].endswith("base2.html")] == [
        "'{{ config.ASSETS_ROOT }}/css/app.css' left as written (built by an expression; if"
        " config.ASSETS_ROOT stands for a folder of the static folder, name it in"
        " templates.prefixes): it requests the unhashed source path"
    ]


def test_stale_image_records_warn_once_per_template(tmp_path: Path) -> None:
    root = _site(tmp_path, GALLERY)
    rec = dict(GALLERY_IMAGE_RECORD)
    (root / "lcp-hints.json").write_text(
        json.dumps(
            {
                "version": 2,
                "hints": [],
                "images": [
                    rec,
                    {**rec, "line": 9},
                    {**rec, "line": 2, "src": "img/other.png"},
                    {**rec, "template": "gone.html"},
                ],
            }
        )
    )
    for _ in range(2):  # the second run is from the cache: same warnings
        ctx = _ctx(root, MANIFEST)
        templates.run(ctx)
        assert [w.message for w in ctx.report.warnings if "image record" in w.message] == [
            "lcp-hints.json: 1 image record(s) match no <img> at gone.html:3 (stale: run"
            " `assetpipe audit` again)",
            "lcp-hints.json: 2 image record(s) match no <img> at pages/gallery.html:2, 9 (stale:"
            " run `assetpipe audit` again)",
        ]


def test_bad_dimensions_srcset_and_sizes_rules_are_config_errors(tmp_path: Path) -> None:
    config = CONFIG.replace(
        "templates:\n",
        "templates:\n  dimensions: sometimes\n"
        "  srcset: yes\n  sizes:\n    - {selector: .avatar}\n"
        "    - {default: 100vw}\n    - {default: 50vw}\n",
    )
    result = run_cli("build", cwd=_site(tmp_path, config=config))
    assert result.code == 2
    for expected in (
        "pipeline.yaml:4:15: templates.dimensions: expected one of always, auto,"
        " never, got 'sometimes'",
        "pipeline.yaml:5:11: templates.srcset: expected one of auto, never",
        "pipeline.yaml:7:7: templates.sizes[0]: expected {selector: CSS, sizes:"
        " SIZES} or {default: SIZES}",
        "pipeline.yaml:9:7: templates.sizes[2]: a second default",
    ):
        assert expected in result.err, result.err
    # a rule's selector is checked like templates.eager
    config = CONFIG.replace(
        "templates:\n", "templates:\n  sizes:\n    - {selector: 'img[[', sizes: 36px}\n"
    )
    result = run_cli("build", cwd=_site(tmp_path, config=config))
    assert result.code == 2 and "templates.sizes[0]: not a CSS selector" in result.err


def test_a_file_picked_at_run_time_in_a_folder_kept_by_name_is_not_warned(
    tmp_path: Path,
) -> None:
    """calibre-web loads the datepicker's locale for the user: ``url_for('static',
    filename='js/libs/bootstrap-datepicker/locales/bootstrap-datepicker.' + current_user.locale
    + '.min.js')``. That folder is in ``static.keep_names`` (published under its own names), so
    the URL works: no warning (``--strict`` failed on three). The same in a hashed folder still
    warns, where ``AssetPipe(app)`` does not name it at run time (a ``<script>`` or ``<link>``
    it does: tests/test_flask_computed_static.py; here an ``<img>``)."""
    call = "{{ url_for('static', filename='%s/locale.' + current_user.locale + '.js') }}"
    write_tree(
        tmp_path,
        {
            "pipeline.yaml": (
                "source: site\noutput: dist\ntemplates:\n  dirs: [templates]\n"
                'static:\n  include: ["js/**"]\n  keep_names: ["js/datepicker/**"]\n'
            ),
            "site/js/datepicker/locales/locale.fr.js": "var fr = 1;\n",
            "site/js/select/locale.fr.js": "var fr = 2;\n",
            "site/templates/edit.html": (
                f'<img src="{call % "js/datepicker/locales"}" alt="">\n'
                f'<img src="{call % "js/select"}" alt="">\n'
            ),
        },
    )
    warnings = build_warnings(tmp_path)
    assert [(w["line"], "js/select/" in w["message"]) for w in warnings] == [(2, True)]


def test_a_url_for_of_another_route_naming_a_built_file_warns_until_static_routes_names_it(
    tmp_path: Path,
) -> None:
    """sqladmin names its own files ``url_for('admin:statics', path=...)``: the build left them
    as written without a word (``--strict`` passed with nothing hashed). Now it warns, naming
    ``templates.static_routes``; with the route named there they are rewritten. A Flask
    blueprint's ``NAME.static`` serves its own folder (hashed at run time): no warning."""
    write_tree(
        tmp_path,
        {
            "pipeline.yaml": "source: statics\noutput: dist\npublic_path: /admin/statics/\n"
            "templates: {dirs: [templates]}\nstatic: {include: ['css/**']}\n",
            "statics/css/main.css": "body { color: #123456; }\n",
            "templates/base.html": (
                "<link rel=\"stylesheet\" href=\"{{ url_for('admin:statics', path='/css/main.css')"
                ' }}">\n<link rel="stylesheet" href="{{ url_for(\'shop.static\','
                " filename='css/main.css') }}\">\n"
            ),
        },
    )
    result = run_cli("build", "--strict", cwd=tmp_path)
    assert result.code != 0, result.err
    assert "base.html:1:" in result.err and "route 'admin:statics'" in result.err, result.err
    assert "add it to templates.static_routes" in result.err and "shop.static" not in result.err
    cfg = tmp_path / "pipeline.yaml"
    cfg.write_text(
        cfg.read_text().replace(
            "dirs: [templates]", "dirs: [templates], static_routes: [static, 'admin:statics']"
        )
    )
    result = run_cli("build", "--strict", cwd=tmp_path)
    assert result.code == 0, result.err
    out = (tmp_path / "dist/templates/base.html").read_text()
    file = json.loads((tmp_path / "dist/manifest.json").read_text())["css/main.css"]["file"]
    assert f"url_for('admin:statics', path='/{file}')" in out, out


def test_template_comments_are_no_references_and_a_static_tags_leading_slash_is_dropped(
    tmp_path: Path,
) -> None:
    """django-crm: ``{# <script src="/static/admin/js/actions.min.js"></script> #}`` was reported
    as a reference left as written "in Jinja expression" (``build --strict`` failed on a
    comment, which renders as nothing; so does ``{% comment %}``), and ``{% static
    "/css/app.css" %}``, which Django's storage serves as ``css/app.css`` (it drops the leading
    slash), as a file the build did not produce: its K is hashed now, the slash kept."""
    report, page = _built_with(
        tmp_path,
        "partials/crm.html",
        "{% load static %}\n"
        '<link rel="stylesheet" href="{% static "/css/app.css" %}">\n'
        '{# <script src="/static/img/a.png"></script> #}\n'
        "{% comment %}<img src=\"{{ url_for('static', filename='img/a.png') }}\">"
        "{% endcomment %}\n",
    )
    assert page["unresolved"] == [], page
    assert not [w for w in report["warnings"] if w["file"].endswith("crm.html")], report
    man = json.loads((tmp_path / "dist/manifest.json").read_text())
    out = (tmp_path / "dist/templates/partials/crm.html").read_text()
    assert f'{{% static "/{man["css/app.css"]["file"]}" %}}' in out, out
