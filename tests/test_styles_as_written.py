"""A stylesheet shipped minified goes out as it is when esbuild's output of it is not smaller
once compressed. Met on nickjj's docker-flask-example: its Tailwind stylesheet
(``tailwindcss --minify``), minified again by esbuild, came out 28 bytes smaller raw and 29
bytes larger in brotli: the page loaded more than before adoption. Only a stylesheet that
imports and names no other file is shipped so (the build rewrites ``url()``s and
``@import``s); a hand-written one is still minified. Real esbuild."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assetpipe import build
from tests.conftest import write_tree
from tests.rebuild_site import png

# one line of rules as a minifier writes them: esbuild can make it no smaller
MINIFIED = "".join(f".c{i}{{color:#{i:03x};margin:{i}px}}" for i in range(60)) + "\n"


def _built(root: Path) -> tuple[Path, dict[str, Any]]:
    """Build ``root``'s config: the public folder and the manifest."""
    build(root / "pipeline.yaml")
    return root / "dist/public", json.loads((root / "dist/manifest.json").read_text())


def _as_written(root: Path, manifest: dict[str, Any], *keys: str) -> None:
    """Each of ``keys`` went out as written (``site/KEY``'s bytes) under a content-hashed name,
    with no map for it."""
    for key in keys:
        entry = manifest[key]
        built = (root / "dist/public" / entry["file"]).read_bytes()
        assert built == (root / "site" / key).read_bytes(), (key, built)
        assert entry["file"] != key and "map" not in entry, entry


def test_a_minified_stylesheet_esbuild_cannot_shrink_is_shipped_as_written(
    tmp_path: Path,
) -> None:
    write_tree(
        tmp_path,
        {
            "site/css/vendor.css": MINIFIED,
            "site/css/vendor.min.css": MINIFIED.replace(".c", ".m"),
            "site/css/own.css": ".own {\n  color: rgb(1, 2, 3);\n}\n" * 5,
            "site/css/named.css": MINIFIED.replace(".c0{", ".c0{background:url(../img/a.png);"),
            "site/css/mapped.min.css": MINIFIED + "/*# sourceMappingURL=mapped.min.css.map */\n",
            "pipeline.yaml": (
                "source: site\noutput: dist\nstyles:\n  entries: [css/vendor.css,"
                " css/vendor.min.css, css/own.css, css/named.css, css/mapped.min.css]\n"
            ),
        },
    )
    (tmp_path / "site/img").mkdir()
    (tmp_path / "site/img/a.png").write_bytes(png(8, 8, (200, 40, 40)))
    public, manifest = _built(tmp_path)
    _as_written(tmp_path, manifest, "css/vendor.css", "css/vendor.min.css")
    # a hand-written stylesheet is minified; one naming an image gets the image's built URL;
    # one naming its own source map is esbuild's, with a map (tests/test_init_input_maps.py)
    own = manifest["css/own.css"]
    assert (public / own["file"]).read_text().startswith(".own{"), own
    named = (public / manifest["css/named.css"]["file"]).read_text()
    assert "url(../img/a.png)" not in named and "/img/a-" in named, named
    assert "map" in manifest["css/mapped.min.css"], manifest["css/mapped.min.css"]


def test_a_development_build_keeps_esbuilds_output(tmp_path: Path) -> None:
    """``watch`` builds (the development profile) keep esbuild's output and its source map."""
    write_tree(
        tmp_path,
        {
            "site/css/vendor.css": MINIFIED,
            "pipeline.yaml": "source: site\noutput: dist\nstyles: {entries: [css/vendor.css]}\n",
        },
    )
    build(tmp_path / "pipeline.yaml", profile="development")
    entry = json.loads((tmp_path / "dist/manifest.json").read_text())["css/vendor.css"]
    assert "map" in entry, entry


def test_an_empty_stylesheet_or_script_is_not_given_a_map_comment(tmp_path: Path) -> None:
    """Wagtail CRX's starter ships an empty ``custom.js`` (and a blank ``custom.css``) for the
    user to fill: built, each was nothing but esbuild's source-map comment, 55 and 60 bytes
    where the page had loaded an empty file. They go out as written; a stylesheet of comments
    alone, smaller built, is esbuild's."""
    comments = "/* Your styles go here. Add rules below to restyle the site. */\n" * 3
    write_tree(
        tmp_path,
        {
            "site/css/custom.css": "\n",
            "site/css/notes.css": comments,
            "site/js/custom.js": "",
            "pipeline.yaml": (
                "source: site\noutput: dist\nstyles: {entries: [css/custom.css, css/notes.css]}\n"
                "scripts: {entries: [js/custom.js], classic: [js/custom.js]}\n"
            ),
        },
    )
    public, manifest = _built(tmp_path)
    _as_written(tmp_path, manifest, "css/custom.css", "js/custom.js")
    notes = (public / manifest["css/notes.css"]["file"]).read_bytes()
    assert len(notes) < len(comments), notes
