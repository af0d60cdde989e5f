"""Globs matched from translations recorded in an earlier process (``pipeline.sources``:
``translate_globs``, ``know_globs``) decide exactly as wcmatch's own matcher, and the config
record carries them, so a build from a recorded config does not import wcmatch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from wcmatch import glob as wglob

from assetpipe.config import load_config, memo, outside
from assetpipe.pipeline import sources
from tests.conftest import run_cli, write_tree

PATTERNS = [
    "**/*.html",
    "**/*.j2",
    "pages/**",
    "img/**/*.{jpg,jpeg,png,webp,gif,avif}",
    "js/main.js",
    "*.js",
    "**",
    "**/*",
    "a/**/b/*.css",
    "{a,b}/*.{png,jpg}",
    "[!x]*.js",
    "[a-c]?.txt",
    "**/.hidden",
    ".*",
    "a/**",
    "!neg/*.js",
    "\\!neg/*.js",
    "a\\*b",
    "js/*.{ts,tsx}",
    "**/pages/**/*.html",
    "img/{icons,photos/**}/*.svg",
    "x/{a,b{c,d}}.js",
    "*",
    "dir/",
    "a//b.js",
    "ü/*.css",
]
PATHS = [
    "index.html",
    "pages/a.html",
    "pages/sub/b.html",
    "pages",
    "pages/.x.html",
    ".hidden",
    "a/.hidden",
    "a/b/.hidden",
    "img/a.jpg",
    "img/x/y/z.webp",
    "img/.x/a.png",
    "img/a.JPG",
    "main.js",
    "js/main.js",
    "js/x/main.js",
    "x.js",
    "xa.js",
    "ab.txt",
    "d1.txt",
    "a/b/c.css",
    "a/x/y/b/c.css",
    "a/b.png",
    "b/c.jpg",
    "c/d.png",
    ".eslintrc",
    "a",
    "a/",
    "a/b",
    "neg/x.js",
    "!neg/x.js",
    "a*b",
    "axb",
    "js/a.ts",
    "js/a.tsx",
    "x/pages/y/z.html",
    "img/icons/a.svg",
    "img/photos/p/q/a.svg",
    "x/a.js",
    "x/bc.js",
    "x/bd.js",
    "x/b.js",
    "dir",
    "dir/",
    "a//b.js",
    "a/b.js",
    "ü/x.css",
    "deep/er/file.txt",
    "t.j2",
    "t/t.j2",
]


def _ours(translated: dict[str, list[str]], patterns: list[str]) -> sources._Translated:
    return sources._Translated(
        [r for p in patterns if not sources.excluding(p) for r in translated[p]],
        [r for p in patterns if sources.excluding(p) for r in translated[p]],
    )


#: lists with excluding globs (a leading ``!``; ``\\!`` is a literal one)
LISTS = [
    ["*.js", "pages/**", "{a,b}/*.{png,jpg}"],
    ["**", "!neg/*.js", "!**/*.html"],
    ["js/**", "!js/x/**", "*.js"],
    ["**", "!a/**", "a/b.js"],
    ["\\!neg/*.js", "neg/*.js"],
    ["!neg/*.js"],
]


def test_translations_decide_as_wcmatch_does() -> None:
    translated = sources.translate_globs([*PATTERNS, *(p for ps in LISTS for p in ps)])
    flags = wglob.GLOBSTAR | wglob.BRACE | wglob.NEGATE
    for patterns in [*([p] for p in PATTERNS), *LISTS]:
        ours = _ours(translated, patterns)
        theirs = wglob.compile(patterns, flags=flags)
        assert [ours.match(p) for p in PATHS] == [theirs.match(p) for p in PATHS], patterns
    assert sources.globmatch("js/main.js", ["**", "!js/x/**"])
    assert not sources.globmatch("js/x/main.js", ["**", "!js/x/**"])
    assert sources.globmatch("!neg/x.js", ["\\!neg/*.js"])  # escaped: a literal "!"


def test_globmatch_uses_known_translations() -> None:
    sources._matcher.cache_clear()
    pattern = "zz/**/*.{q1,q2}"
    assert sources.globmatch("zz/a/b.q2", [pattern])
    assert not isinstance(sources._matcher((pattern,)), sources._Translated)
    sources._matcher.cache_clear()
    sources.know_globs(sources.translate_globs([pattern]))
    try:
        assert isinstance(sources._matcher((pattern,)), sources._Translated)
        assert sources.globmatch("zz/a/b.q2", [pattern])
        assert not sources.globmatch("zz/a/.b.q2", [pattern])
    finally:
        sources._TRANSLATED.pop(pattern)
        sources._matcher.cache_clear()


def test_the_config_record_carries_every_glob_and_a_build_skips_wcmatch(tmp_path: Path) -> None:
    (tmp_path / "site" / "templates").mkdir(parents=True)
    (tmp_path / "site" / "templates" / "index.html").write_text("<p>hi</p>\n")
    (tmp_path / ".assetpipe").mkdir()
    config = tmp_path / "pipeline.yaml"
    config.write_text("source: site\nscripts:\n  entries: [js/*.js]\npages: [{path: /}]\n")
    cfg = load_config(config)
    record = json.loads((tmp_path / ".assetpipe" / memo.RECORD).read_text())
    wanted = {*cfg.templates.include, *cfg.templates.pages, *cfg.images.include, "js/*.js"}
    assert wanted <= set(record["globs"])
    assert any(f[0] == "stamp" and "wcmatch" in f[1] for f in record["facts"])
    code = (
        "import sys; from assetpipe.config import load_config; from assetpipe.pipeline.sources "
        f"import globmatch; cfg = load_config({str(config)!r}); "
        "print(globmatch('index.html', cfg.templates.include), 'wcmatch' in sys.modules)"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert out.stdout.split() == ["True", "False"], out.stderr


def test_a_changed_wcmatch_file_is_a_changed_fact(tmp_path: Path) -> None:
    """The record names wcmatch's and bracex's files by their stamps: an upgrade (another size
    or time) makes the next load validate and translate again."""
    module = tmp_path / "module.py"
    module.write_text("x = 1\n")
    seen = outside.Outside()
    seen.stamp(str(module))
    assert outside.still(seen.facts)
    module.write_text("x = 22\n")
    assert not outside.still(seen.facts)


@pytest.fixture(autouse=True)
def _no_leftover_translations() -> Iterator[None]:
    before = dict(sources._TRANSLATED)
    yield
    sources._TRANSLATED.clear()
    sources._TRANSLATED.update(before)
    sources._matcher.cache_clear()


def test_an_excluding_glob_leaves_a_file_out_of_the_build(tmp_path: Path) -> None:
    """Radicale's web UI: `static.include: ["**"]` copied `js/config.js`, which the app writes at
    run time, and the build's copy answered in its place; a leading `!` leaves it out."""
    write_tree(
        tmp_path,
        {
            "pipeline.yaml": 'source: site\nstatic:\n  include: ["**", "!js/config.js"]\n',
            "site/js/main.js": "console.log(1);\n",
            "site/js/config.js": "export const FROM_APP = false;\n",
        },
    )
    built = run_cli("build", "--strict", cwd=tmp_path)
    assert built.code == 0, built.err + built.out
    manifest = json.loads((tmp_path / "dist/manifest.json").read_text())
    keys = set(manifest.get("entries", manifest))
    assert "js/main.js" in keys and "js/config.js" not in keys, keys


@pytest.mark.parametrize(
    ("globs", "message"),
    [
        ('["!js/config.js"]', "3:12: static.include: only excluding globs ('!...'), which match"),
        ('["**", "!../x.js"]', "3:19: static.include[1]: globs are relative to source, got"),
    ],
)
def test_excluding_globs_alone_or_outside_source_are_errors(
    tmp_path: Path, globs: str, message: str
) -> None:
    write_tree(
        tmp_path,
        {"pipeline.yaml": f"source: site\nstatic:\n  include: {globs}\n", "site/a.js": "0;\n"},
    )
    result = run_cli("build", cwd=tmp_path)
    assert result.code == 2, result.out
    assert f"pipeline.yaml:{message}" in result.err, result.err
    assert not (tmp_path / "dist").exists()
