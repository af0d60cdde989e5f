"""The styles stage: real esbuild (native binary and the Node service) and the real images
stage, on tiny real sites; assertions on output bytes and the manifest."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from assetpipe import build
from assetpipe.esbuild.result import Result
from assetpipe.manifest import Manifest
from assetpipe.stages.cssurls import relativize
from tests.conftest import run_cli, tree_bytes

pytestmark = pytest.mark.node

CONFIG = """\
source: site
output: dist
images:
  include: ["img/**/*.png"]
  widths: [32]
  formats: [webp, original]
styles:
  entries: ["css/app.css"]
"""


def png(colour: tuple[int, int, int], size: tuple[int, int] = (48, 24)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, "PNG")
    return buf.getvalue()


FONT = b"wOF2\x00\x01\x00\x00fake-but-real-bytes-of-a-font-file"

SITE: dict[str, str | bytes] = {
    "site/img/hero.png": png((200, 30, 30)),
    "site/fonts/icons.woff2": FONT,
    "site/css/parts.css": ".part { color: red; }\n",
    "site/css/app.css": """\
        /* a comment: url(../img/not-there.png) is never touched */
        @import "./parts.css";
        @font-face { font-family: Icons; src: url("../fonts/icons.woff2") format("woff2"); }
        .hero { background-image: url(../img/hero.png); }
        .dot { background: url(data:image/gif;base64,R0lGODlhAQABAAAAACw=); }
        .cdn { background: url(https://cdn.example.com/x.png); }
        """,
}


def built(root: Path) -> tuple[Manifest, Path]:
    return Manifest.read(root / "dist" / "manifest.json"), root / "dist" / "public"


def css_of(root: Path, key: str = "css/app.css") -> str:
    m, public = built(root)
    return (public / str(m[key]["file"])).read_text()


def test_url_to_a_processed_image_points_at_its_file_and_no_raw_copy(
    make_site: Callable[..., Path],
) -> None:
    root = make_site(CONFIG, SITE)
    build(root / "pipeline.yaml")
    m, public = built(root)
    hero = m["img/hero.png"]
    assert "variants" in hero and hero["width"] == 48  # the images stage's entry
    assert f"url(../{hero['file']})" in css_of(root)
    # no raw copy by esbuild's file loader: the source's bytes are only the images stage's
    # own full-size output (the source is wider than every configured width)
    source = (root / "site/img/hero.png").read_bytes()
    own = {v["file"] for v in hero["variants"]}
    raw = [p for p in public.rglob("*.png") if p.read_bytes() == source]
    assert [
        p.relative_to(public).as_posix() for p in raw if p.relative_to(public).as_posix() not in own
    ] == []
    assert hero["file"] not in m["css/app.css"].get("assets", [])


def test_changing_only_the_image_changes_the_stylesheets_hashed_name(
    make_site: Callable[..., Path],
) -> None:
    root = make_site(CONFIG, SITE)
    build(root / "pipeline.yaml")
    m1, _ = built(root)
    (root / "site/img/hero.png").write_bytes(png((30, 200, 30)))
    build(root / "pipeline.yaml")
    m2, _ = built(root)
    assert m1["img/hero.png"]["file"] != m2["img/hero.png"]["file"]
    assert m1["css/app.css"]["file"] != m2["css/app.css"]["file"]
    assert m1["fonts/icons.woff2"] == m2["fonts/icons.woff2"]
    assert f"url(../{m2['img/hero.png']['file']})" in css_of(root)


def test_font_is_emitted_hashed_and_listed_in_the_stylesheets_assets(
    make_site: Callable[..., Path],
) -> None:
    root = make_site(CONFIG, SITE)
    build(root / "pipeline.yaml")
    m, public = built(root)
    font = m["fonts/icons.woff2"]
    assert re.fullmatch(r"fonts/icons-[A-Z2-7]{8}\.woff2", font["file"])
    assert font["src"] == "fonts/icons.woff2" and font["size"] == len(FONT)
    assert (public / font["file"]).read_bytes() == FONT
    app = m["css/app.css"]
    assert app["assets"] == [font["file"]]
    assert app["isEntry"] is True and app["src"] == "css/app.css"
    assert f'url("../{font["file"]}")' in css_of(root)


def test_data_uri_external_url_and_comment_are_left_alone(make_site: Callable[..., Path]) -> None:
    root = make_site(CONFIG, SITE)
    build(root / "pipeline.yaml")
    css = css_of(root)
    assert "url(data:image/gif;base64,R0lGODlhAQABAAAAACw=)" in css
    assert "url(https://cdn.example.com/x.png)" in css
    assert "not-there" not in css  # the comment was dropped, never resolved
    assert ".part{color:red}" in css  # @import bundled


def test_url_in_a_legal_comment_is_kept_verbatim(make_site: Callable[..., Path]) -> None:
    root = make_site(
        CONFIG,
        {
            **SITE,
            "site/css/app.css": "/*! Theme (c) 2026; see url(../img/hero.png) */\n"
            ".a { color: blue; }\n",
        },
    )
    build(root / "pipeline.yaml")
    assert "/*! Theme (c) 2026; see url(../img/hero.png) */" in css_of(root)


def test_public_path_urls_resolve_to_their_keys(make_site: Callable[..., Path]) -> None:
    root = make_site(
        CONFIG,
        {
            **SITE,
            "site/css/app.css": '.h { background: url("/static/img/hero.png"); }\n'
            "@font-face { font-family: I; src: url(/static/fonts/icons.woff2); }"
            "\n",
        },
    )
    build(root / "pipeline.yaml")
    m, _ = built(root)
    css = css_of(root)
    assert f"url(../{m['img/hero.png']['file']})" in css
    assert f'url("../{m["fonts/icons.woff2"]["file"]}")' in css


def test_url_to_a_static_file_points_at_the_static_stages_copy(
    make_site: Callable[..., Path],
) -> None:
    root = make_site(
        CONFIG + 'static:\n  include: ["icons/**"]\n',
        {
            **SITE,
            "site/icons/logo.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>\n",
            "site/css/app.css": ".l { background: url(../icons/logo.svg); }\n",
        },
    )
    build(root / "pipeline.yaml")
    m, public = built(root)
    logo = m["icons/logo.svg"]
    assert f"url(../{logo['file']})" in css_of(root)
    assert (public / logo["file"]).is_file()


def test_two_stylesheets_sharing_a_font_give_one_entry(make_site: Callable[..., Path]) -> None:
    font_face = "@font-face { font-family: I; src: url(../fonts/icons.woff2); }\n"
    root = make_site(
        CONFIG.replace('["css/app.css"]', '["css/*.css"]'),
        {
            "site/fonts/icons.woff2": FONT,
            "site/css/a.css": font_face,
            "site/css/b.css": font_face + ".b { color: green; }\n",
        },
    )
    build(root / "pipeline.yaml")
    m, _ = built(root)
    font = m["fonts/icons.woff2"]["file"]
    assert m["css/a.css"]["assets"] == [font] == m["css/b.css"]["assets"]


def test_missing_url_target_is_an_error_naming_the_css_file_and_line(
    make_site: Callable[..., Path],
) -> None:
    root = make_site(CONFIG, SITE)
    assert run_cli("build", cwd=root).code == 0
    before = tree_bytes(root / "dist")
    (root / "site/css/parts.css").write_text(
        ".p { color: red; }\n\n.q { background: url(../img/gone.png); }\n"
    )
    res = run_cli("build", cwd=root)
    assert res.code == 1
    assert 'error: site/css/parts.css:3:18: Could not resolve "../img/gone.png"' in res.err
    assert ".q { background: url(../img/gone.png); }" in res.err
    assert tree_bytes(root / "dist") == before


def test_missing_public_path_target_is_an_error_naming_the_line(
    make_site: Callable[..., Path],
) -> None:
    root = make_site(
        CONFIG,
        {
            **SITE,
            "site/css/app.css": ".ok { color: red; }\n.x { background: url(/static/img/no.png); }\n",
        },
    )
    res = run_cli("build", cwd=root)
    assert res.code == 1
    assert "error: site/css/app.css:2:18: " in res.err
    assert 'Could not resolve "/static/img/no.png"' in res.err


def test_css_syntax_warning_becomes_a_build_warning(make_site: Callable[..., Path]) -> None:
    root = make_site(CONFIG, {**SITE, "site/css/app.css": ".a { color: red;; }\n.b { colr }\n"})
    result = build(root / "pipeline.yaml")
    assert result.warnings
    assert result.warnings[0].location is not None
    assert result.warnings[0].location.file == "site/css/app.css"


def test_a_css_warning_is_said_once_when_the_stylesheet_needs_the_url_plugin(
    make_site: Callable[..., Path],
) -> None:
    """calibre-web's vendored bootstrap-editable.css warns and its stylesheets point at
    processed images: each esbuild warning was printed twice (once by the plain build dropped
    for the url() plugin's, once by that one). (Its warnings were IE's ``*zoom: 1`` hacks,
    reported in report.json since; a declaration without a colon warns here.)"""
    css = ".hero { background-image: url(../img/hero.png); }\n.b { colr }\n"
    root = make_site(CONFIG, {**SITE, "site/css/app.css": css})
    result = build(root / "pipeline.yaml")
    assert [(w.location.file, w.location.line) for w in result.warnings if w.location] == [
        ("site/css/app.css", 2)
    ], result.warnings
    hero = built(root)[0]["img/hero.png"]["file"]
    assert f"url(../{hero})" in css_of(root)  # the plugin's build is the one kept


def test_stylesheet_a_script_imports_is_listed_in_css_and_points_at_processed_images(
    make_site: Callable[..., Path],
) -> None:
    root = make_site(
        CONFIG + 'scripts:\n  entries: ["js/app.js"]\n',
        {
            **SITE,
            "site/js/app.js": 'import "./app.css";\nwindow.x = 1;\n',
            "site/js/app.css": ".j { background: url(../img/hero.png); }\n",
        },
    )
    build(root / "pipeline.yaml")
    m, public = built(root)
    entry = m["js/app.js"]
    assert len(entry["css"]) == 1 and entry["css"][0].startswith("js/app-")
    css = (public / entry["css"][0]).read_text()
    assert f"url(../{m['img/hero.png']['file']})" in css


def test_plugin_free_stylesheet_equals_esbuilds_own_cli_output(
    make_site: Callable[..., Path],
) -> None:
    import subprocess

    from assetpipe.esbuild.install import Esbuild

    root = make_site(
        'source: site\noutput: dist\nstyles:\n  entries: ["css/app.css"]\n',
        {
            "site/fonts/icons.woff2": FONT,
            "site/css/parts.css": ".part { color: red; }\n",
            "site/css/app.css": '@import "./parts.css";\n'
            "@font-face { font-family: I; src: url(../fonts/icons.woff2); }\n",
        },
    )
    build(root / "pipeline.yaml")
    m, public = built(root)
    outdir = root / ".assetpipe" / "esbuild" / "styles"
    subprocess.run(
        [
            str(Esbuild.locate().binary),
            "css/app.css",
            "--bundle",
            "--minify",
            "--target=es2020",
            "--outbase=.",
            f"--outdir={outdir}",
            "--entry-names=[dir]/[name]-[hash]",
            "--asset-names=[dir]/[name]-[hash]",
            "--public-path=/static/",
            "--legal-comments=eof",
            "--sourcemap=linked",
            "--loader:.woff2=file",
            "--log-level=error",
        ],
        cwd=root / "site",
        check=True,
    )
    files = [m["css/app.css"]["file"], m["css/app.css"]["map"], m["fonts/icons.woff2"]["file"]]
    # esbuild's own output, with the url()s made relative to the stylesheet (and so renamed
    # for its new bytes) as the stage does
    made = {p.relative_to(outdir).as_posix(): p.read_bytes() for p in outdir.rglob("*.*")}
    cli = relativize(Result(made, {}), "/static/")
    assert sorted(cli.files) == sorted(files)
    for f in files:
        assert (public / f).read_bytes() == cli.files[f], f


def test_an_ie_star_hack_is_kept_and_does_not_fail_strict(make_site: Callable[..., Path]) -> None:
    """selectize's stylesheet (healthchecks ships it) has ``*zoom: 1``, an IE 7 hack: esbuild
    warns and keeps it as written, browsers ignore it, and ``build --strict`` failed on a file
    the user did not write. The warning goes to report.json; another CSS warning still counts."""
    css = ".selectize { *zoom: 1; color: red; }\n"
    root = make_site(CONFIG, {"site/css/app.css": css})
    strict = run_cli("build", "--strict", cwd=root)
    assert strict.code == 0, strict.err
    assert "*zoom: 1" in css_of(root)
    report = json.loads((root / "dist" / "report.json").read_text())
    [note] = report["third_party_warnings"]
    assert note["file"] == "site/css/app.css" and note["stage"] == "styles", note
    own = make_site(CONFIG, {"site/css/app.css": css + ".x { color: red; }; }\n"})
    assert run_cli("build", "--strict", cwd=own).code == 1
