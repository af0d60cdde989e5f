"""Templates that name their assets through a config value (``templates.prefixes``), met adopting
Black Dashboard Flask (Creative Tim / AppSeed; the whole family writes
``{{ config.ASSETS_ROOT }}/css/black-dashboard.css`` with ``ASSETS_ROOT = '/static/assets'``).

Before the fix every such reference was a Jinja expression to the rewriter: ``init`` found no
script or stylesheet, nothing was rewritten, and every page kept requesting unhashed source
paths (revalidated on each visit). ``init`` now finds the expression and the folder it stands
for, and the rewriter rewrites the path after it (the expression stays). The app here is written
for the test in the same shape; a stylesheet whose url() names a file the static folder lacks
(Black Dashboard's ``../img/bg.gif``) is copied rather than bundled, so the first build does not
fail on breakage the app already has."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path

import pytest

from assetpipe import ConfigError, load_config
from assetpipe.adopt import discover, init
from assetpipe.rewrite.rules import Options, rewrite
from tests.conftest import adopt_and_build, write_tree
from tests.real_apps import run_cli, serve, view
from tests.test_rewrite_cases import MANIFEST, SIZES, H


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 32), (30, 160, 90)).save(buf, "PNG")
    return buf.getvalue()


APP: dict[str, str | bytes] = {
    "app.py": """\
        from flask import Flask, render_template

        app = Flask(__name__)
        app.config["ASSETS_ROOT"] = "/static/assets"


        @app.get("/")
        def index():
            return render_template("home/index.html")
        """,
    "static/assets/css/dashboard.css": (
        ".card { background: url('../img/card.png') no-repeat; min-height: 40px; }\n"
    ),
    "static/assets/css/icons.css": (
        ".icon { color: #333; }\n.never-used { background: url(../img/gone.gif); }\n"
    ),
    "static/assets/js/core/jquery-ish.js": "var $lib = { ready: true };\n",
    "static/assets/js/dashboard.js": "function dashboardReady() { return $lib.ready; }\n",
    "static/assets/img/card.png": _png(),
    "static/assets/img/logo.png": _png(),
    "templates/layouts/base.html": """\
        <!DOCTYPE html><html><head>
        <link rel="icon" type="image/png" href="{{ config.ASSETS_ROOT }}/img/logo.png">
        <link href="{{ config.ASSETS_ROOT }}/css/dashboard.css?v=1.0.0" rel="stylesheet">
        <link href="{{ config.ASSETS_ROOT }}/css/icons.css" rel="stylesheet">
        </head><body>{% block content %}{% endblock %}
        <script src="{{ config.ASSETS_ROOT }}/js/core/jquery-ish.js"></script>
        <script src="{{ config.ASSETS_ROOT }}/js/dashboard.js"></script>
        <script>window.siteReady = dashboardReady();</script>
        </body></html>
        """,
    "templates/home/index.html": """\
        {% extends "layouts/base.html" %}{% block content %}
        <div class="card"><img src="{{ config.ASSETS_ROOT }}/img/logo.png" alt="logo"></div>
        {% endblock %}
        """,
}


def test_init_finds_the_expression_and_the_folder_it_stands_for(tmp_path: Path) -> None:
    write_tree(tmp_path, APP)
    p = discover(tmp_path)
    assert p.prefixes == {"config.ASSETS_ROOT": "assets"}
    assert p.scripts == ["assets/js/core/jquery-ish.js", "assets/js/dashboard.js"]
    assert p.classic == p.scripts
    assert p.styles == ["assets/css/dashboard.css"]
    assert p.unbundled == {"assets/css/icons.css": ["assets/img/gone.gif"]}
    result = init(tmp_path)
    assert '  prefixes: {"config.ASSETS_ROOT": "assets"}' in result.text
    assert "# assets/css/icons.css is copied, not bundled" in result.text
    cfg = load_config(result.path)
    assert cfg.templates.prefixes == (("config.ASSETS_ROOT", "assets"),)
    assert cfg.static.include and cfg.styles.entries == ("assets/css/dashboard.css",)


@pytest.mark.node
def test_adopted_app_loads_hashed_assets_through_the_expression(
    tmp_path: Path, browser: object
) -> None:
    write_tree(tmp_path, APP)
    adopt_and_build(tmp_path)
    base_html = (tmp_path / "dist/templates/layouts/base.html").read_text()
    assert '<script src="{{ config.ASSETS_ROOT }}/js/dashboard-' in base_html
    with serve(tmp_path, "from app import app\n", adopt=True, log=tmp_path / "app.log") as base:
        pv = view(browser, base, "/", ("siteReady", "$lib"))
    assert pv.bad_responses == [] and pv.console_errors == [] and pv.missing_globals == []
    hashed = (
        "/static/assets/js/dashboard-",
        "/static/assets/css/dashboard-",
        "/static/assets/css/icons-",
    )
    for prefix in hashed:
        assert any(u.startswith(base + prefix) for u in pv.requested), (prefix, pv.requested)
    assert not any(u.endswith(("/dashboard.js", "/dashboard.css?v=1.0.0")) for u in pv.requested)


@pytest.mark.node
def test_an_edited_asset_rewrites_the_templates_that_name_it_through_the_expression(
    tmp_path: Path,
) -> None:
    """The templates stage's cache entry depends on the manifest entries the template names:
    through the expression too, else an edited stylesheet's template kept the old hashed name."""
    write_tree(tmp_path, APP)
    init(tmp_path)
    names = []
    for color in ("#111", "#222"):
        (tmp_path / "static/assets/css/dashboard.css").write_text(f".card {{ color: {color}; }}\n")
        done = run_cli("build", cwd=tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
        manifest = json.loads((tmp_path / "dist/manifest.json").read_text())
        file = manifest["assets/css/dashboard.css"]["file"]
        html = (tmp_path / "dist/templates/layouts/base.html").read_text()
        assert "{{ config.ASSETS_ROOT }}/" + file.removeprefix("assets/") + "?v=1.0.0" in html
        names.append(file)
    assert names[0] != names[1]


PREFIXED = Options(dimensions="always", sizes=SIZES, prefixes=(("config.ASSETS_ROOT", "static"),))


def test_the_path_after_the_expression_is_rewritten_and_inserted_urls_keep_its_form() -> None:
    manifest = copy.deepcopy({f"static/{k}": v for k, v in MANIFEST.items()})
    for v in manifest.values():  # the same entries, with every file one folder down
        v["file"] = f"static/{v['file']}"
        for variant in v.get("variants", ()):
            variant["file"] = f"static/{variant['file']}"
    res = rewrite(
        '<img src="{{config.ASSETS_ROOT}}/img/a.png">\n'
        '<link rel="stylesheet" href="{{ config.ASSETS_ROOT }}/css/app.css?v=2">\n'
        '<img src="{{ config.OTHER }}/img/a.png">\n',
        "x.html",
        manifest,
        PREFIXED,
    )
    r = "{{config.ASSETS_ROOT}}/"
    assert res.text.splitlines()[0] == (
        f'<img src="{r}img/a-800w-{H}.webp" loading="lazy" decoding="async" width="800"'
        f' height="600" srcset="{r}img/a-480w-{H}.webp 480w, {r}img/a-800w-{H}.webp 800w"'
        f' sizes="{SIZES}">'
    )
    assert res.text.splitlines()[1].startswith(
        '<link rel="stylesheet" href="{{ config.ASSETS_ROOT }}/css/app-CCCCCCCC.css?v=2"'
    )
    assert [u["reason"] for u in res.unresolved] == ["dynamic"]  # another expression


def test_an_output_outside_the_folder_is_left_and_reported() -> None:
    manifest = {"static/js/app.js": {"file": "js/app-JJJJJJJJ.js", "integrity": "sha384-x"}}
    src = '<script src="{{ config.ASSETS_ROOT }}/js/app.js"></script>'
    res = rewrite(src, "x.html", manifest, PREFIXED)
    assert res.text.startswith('<script src="{{ config.ASSETS_ROOT }}/js/app.js"></script>')
    assert [(u["reason"], u["value"]) for u in res.unresolved] == [
        ("prefix", "{{ config.ASSETS_ROOT }}/js/app.js")
    ]


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        (
            '{"{{ config.X }}": assets}',
            "pipeline.yaml:3:32: templates.prefixes.{{ config.X }}: expected the expression"
            " without its {{ }}",
        ),
        (
            "{config.X: /static}",
            "pipeline.yaml:3:24: templates.prefixes.config.X: expected a"
            " folder inside source, got '/static'",
        ),
        (
            "{config.X: a/../..}",
            "pipeline.yaml:3:24: templates.prefixes.config.X: expected a"
            " folder inside source, got 'a/../..'",
        ),
        (
            "{config.X: [a]}",
            "pipeline.yaml:3:24: templates.prefixes.config.X: expected a folder"
            " of source (a string)",
        ),
    ],
)
def test_bad_prefixes_are_located_config_errors(
    tmp_path: Path, yaml_text: str, message: str
) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "pipeline.yaml").write_text(f"source: site\ntemplates:\n  prefixes: {yaml_text}\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "pipeline.yaml", display_name="pipeline.yaml")
    assert [str(p) for p in info.value.problems] == [message]
