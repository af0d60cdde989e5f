"""Project layouts: ``templates.dirs`` relative to the config file's folder (the usual Flask
``app/static`` beside ``app/templates``, ``.``, symlinks, old configs), missing and empty dirs,
and missing-asset errors reported all at once with a hint that fits ``url_for``."""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from assetpipe import build
from assetpipe.config import load_config
from assetpipe.errors import ConfigError, MissingAssetsError
from tests.conftest import run_cli, write_tree

PAGE = """\
<!doctype html>
<link rel="stylesheet" href="{{ url_for('static', filename='css/site.css') }}">
<p>Hello</p>
"""

FLASK_LAYOUT: dict[str, str | bytes] = {
    "app/__init__.py": "",
    "app/static/css/site.css": "body { color: #123456; }\n",
    "app/templates/index.html": PAGE,
    "app/templates/parts/nav.html": (
        "<link rel=\"stylesheet\" href=\"{{ url_for('static', filename='css/site.css') }}\">\n"
    ),
}


def _config(source: str, dirs: str | None, extra: str = "") -> str:
    tpl = f"templates:\n  dirs: {dirs}\n" if dirs is not None else ""
    return f"source: {source}\noutput: dist\n{tpl}static:\n  include: ['css/**', 'img/**']\n{extra}"


def _png() -> bytes:
    from io import BytesIO

    from PIL import Image

    buf = BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def _built_templates(root: Path) -> dict[str, str]:
    base = (root / "dist" / "templates").resolve()
    return {p.relative_to(base).as_posix(): p.read_text() for p in sorted(base.rglob("*.html"))}


def test_flask_layout_templates_beside_static(tmp_path: Path) -> None:
    """source: app/static + dirs: [app/templates]: keys are url_for's filename exactly."""
    write_tree(
        tmp_path, {**FLASK_LAYOUT, "pipeline.yaml": _config("app/static", "[app/templates]")}
    )
    result = build(tmp_path / "pipeline.yaml")
    assert "css/site.css" in result.manifest
    out = _built_templates(tmp_path)
    assert sorted(out) == ["index.html", "parts/nav.html"]
    css = result.manifest.entries["css/site.css"]["file"]
    assert f"filename='{css}'" in out["index.html"]
    report = json.loads((tmp_path / "dist" / "report.json").read_text())
    assert report["templates"]["index.html"]["source"] == "../templates/index.html"
    assert not result.warnings


def test_dot_dir_is_the_config_folder(tmp_path: Path) -> None:
    """A project whose templates sit beside the config (``dirs: ["."]``); the output and
    ``.assetpipe/`` under it are not taken for templates."""
    write_tree(
        tmp_path,
        {
            "static/css/site.css": "body{}\n",
            "index.html": PAGE,
            "pipeline.yaml": _config("static", '["."]'),
        },
    )
    build(tmp_path / "pipeline.yaml")
    build(tmp_path / "pipeline.yaml")  # a second build must not pick up dist/templates
    assert sorted(_built_templates(tmp_path)) == ["index.html"]


def test_symlinked_template_dir_is_followed(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "shared/tpl/index.html": PAGE,
            "app/static/css/site.css": "body{}\n",
            "app/templates/sub/.keep": "",
        },
    )
    os.symlink(tmp_path / "shared" / "tpl", tmp_path / "app" / "templates" / "linked")
    os.symlink(tmp_path / "shared" / "tpl", tmp_path / "app" / "tpl-link")
    (tmp_path / "pipeline.yaml").write_text(_config("app/static", "[app/tpl-link, app/templates]"))
    build(tmp_path / "pipeline.yaml")
    assert sorted(_built_templates(tmp_path)) == ["index.html", "linked/index.html"]


def test_symlinked_dir_inside_source_is_followed(tmp_path: Path) -> None:
    """The old layout (templates under source) with the templates folder a symlink."""
    write_tree(tmp_path, {"elsewhere/index.html": PAGE, "site/css/site.css": "body{}\n"})
    os.symlink(tmp_path / "elsewhere", tmp_path / "site" / "templates")
    (tmp_path / "pipeline.yaml").write_text(_config("site", None))
    build(tmp_path / "pipeline.yaml")
    assert sorted(_built_templates(tmp_path)) == ["index.html"]


def test_old_configs_relative_to_source_still_build(tmp_path: Path) -> None:
    """dirs written relative to source (the old rule) resolve when that is unambiguous."""
    write_tree(
        tmp_path,
        {
            "site/css/site.css": "body{}\n",
            "site/views/index.html": PAGE,
            "pipeline.yaml": _config("site", "[views]"),
        },
    )
    cfg = load_config(tmp_path / "pipeline.yaml")
    assert cfg.templates.dirs == ("views",)
    build(cfg)
    assert sorted(_built_templates(tmp_path)) == ["index.html"]


def test_ambiguous_dir_is_a_config_error_and_dot_slash_pins_it(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "site/css/site.css": "body{}\n",
            "site/views/index.html": PAGE,
            "views/other.html": PAGE,
            "pipeline.yaml": _config("site", "[views]"),
        },
    )
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "pipeline.yaml")
    (problem,) = info.value.problems
    assert "templates.dirs[0]: 'views' is ambiguous" in str(problem)
    assert "'./views' or 'site/views'" in (problem.hint or "")
    (tmp_path / "pipeline.yaml").write_text(_config("site", "[./views]"))
    assert load_config(tmp_path / "pipeline.yaml").templates.dirs == ("../views",)


def test_missing_dir_is_a_located_config_error(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            **FLASK_LAYOUT,
            "pipeline.yaml": _config("app/static", "\n    - app/templates\n    - app/templatez"),
        },
    )
    result = run_cli("build", cwd=tmp_path)
    assert result.code == 2, result.err
    assert (
        "pipeline.yaml:6:7: templates.dirs[1]: directory 'app/templatez' does not exist"
        in result.err
    )
    assert not (tmp_path / "dist").exists()


def test_an_absolute_dir_is_taken_as_written(tmp_path: Path) -> None:
    """An installed package's templates (sqladmin's, in site-packages) named by their absolute
    path, as ``source`` may name its static folder: read in place, rewritten into
    ``dist/templates`` under their names in that folder. It was a config error."""
    elsewhere = tmp_path / "site-packages" / "pkg" / "templates"
    write_tree(elsewhere, {"parts/nav.html": FLASK_LAYOUT["app/templates/parts/nav.html"]})
    project = tmp_path / "project"
    write_tree(
        project,
        {
            "app/static/css/site.css": FLASK_LAYOUT["app/static/css/site.css"],
            "pipeline.yaml": _config("app/static", f"['{elsewhere}']"),
        },
    )
    result = run_cli("build", "--strict", cwd=project)
    assert result.code == 0, result.err
    out = (project / "dist/templates/parts/nav.html").read_text()
    assert re.search(r"filename='css/site-[A-Z0-9]{8}\.css'", out), out


def test_configured_dir_without_templates_warns(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            **FLASK_LAYOUT,
            "app/empty/readme.txt": "no templates here\n",
            "pipeline.yaml": _config("app/static", "[app/templates, app/empty]"),
        },
    )
    result = build(tmp_path / "pipeline.yaml")
    (warning,) = [w for w in result.warnings if "templates.dirs" in w.message]
    assert "no templates matching templates.include in 'app/empty'" in warning.message
    assert warning.location is not None and warning.location.line == 4


def test_missing_assets_all_at_once_with_url_for_hint(tmp_path: Path) -> None:
    """source one level above static: every template's missing reference in one error, and
    the hint says to fix ``source`` (not to edit the templates to ``static/...``)."""
    write_tree(
        tmp_path,
        {
            **FLASK_LAYOUT,
            "app/templates/other.html": "<img src=\"{{ url_for('static', filename='img/a.png') }}\">"
            '\n<script src="/static/js/gone.js"></script>\n',
            "app/static/img/a.png": _png(),
            "pipeline.yaml": "source: app\noutput: dist\ntemplates:\n  dirs: [app/templates]\n"
            "static:\n  include: ['static/**']\n",
        },
    )
    with pytest.raises(MissingAssetsError) as info:
        build(tmp_path / "pipeline.yaml")
    lines = [str(p) for p in info.value.problems]
    assert len(lines) == 4, lines  # index.html:2, nav.html:1, other.html:1 and :2
    assert {line.split(":")[0] for line in lines} == {
        "app/templates/index.html",
        "app/templates/other.html",
        "app/templates/parts/nav.html",
    }
    hint = info.value.problems[0].hint or ""
    assert "the build has 'static/css/site.css'" in hint and "source: app/static" in hint
    result = run_cli("build", cwd=tmp_path)
    assert result.code == 1
    assert result.err.count("which the build did not produce") == 4
    assert not (tmp_path / "dist").exists()


def _wait_for(check: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout  # a large-margin bound, not a speed assertion
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@pytest.mark.parametrize("linked", [False, True], ids=["beside-static", "symlinked"])
def test_watch_rebuilds_templates_outside_source(tmp_path: Path, linked: bool) -> None:
    """``assetpipe watch`` observes template dirs outside ``source`` (and behind a symlink)."""
    from assetpipe.dev.watch import Watcher

    write_tree(
        tmp_path, {**FLASK_LAYOUT, "pipeline.yaml": _config("app/static", "[app/templates]")}
    )
    if linked:
        (tmp_path / "app" / "templates").rename(tmp_path / "real-templates")
        os.symlink(tmp_path / "real-templates", tmp_path / "app" / "templates")
    w = Watcher(tmp_path / "pipeline.yaml", port=0, serve=False, on_line=lambda *a: None)
    w.start()
    try:
        out = tmp_path / "dist" / "templates" / "index.html"
        _wait_for(out.exists, "the first build")
        (tmp_path / "app" / "templates" / "index.html").write_text(PAGE + "<p>edited</p>\n")
        _wait_for(lambda: out.exists() and "edited" in out.read_text(), "the template rebuild")
        (tmp_path / "app" / "templates" / "new.html").write_text("<p>new</p>\n")
        new = tmp_path / "dist" / "templates" / "new.html"
        _wait_for(lambda: new.exists(), "the added template")
    finally:
        w.close()
