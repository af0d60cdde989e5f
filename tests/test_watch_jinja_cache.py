"""``assetpipe watch --app`` on an app with a Jinja2 environment of its own that never looks at
its templates again (``auto_reload=False``), met adopting Trac 1.6: ``Chrome.jenv`` renders the
build's templates (``[inherit] templates_dir``) and keeps each one it compiled. After a template
save the watch rebuilt it and reloaded the page, which still showed the old text; after a
stylesheet save every reload linked the old hashed stylesheet. The watch empties such an
environment's cache after each build now (``userapp.forget_templates``), as it does Django's.

A real build, a real Jinja2 environment made as Trac makes it."""

from __future__ import annotations

import gc
from pathlib import Path

import jinja2

from assetpipe import build
from assetpipe.config import load_config
from assetpipe.serve.userapp import forget_templates
from tests.conftest import write_tree


def test_a_rebuilt_template_renders_after_the_build(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pipeline.yaml": 'source: static\noutput: dist\nstatic:\n  include: ["site.css"]\n',
            "static/site.css": "body{color:red}\n",
            "templates/site_header.html": (
                '<link rel="stylesheet" href="/static/site.css"><p>first</p>\n'
            ),
        },
    )
    cfg = load_config(tmp_path / "pipeline.yaml")
    build(cfg)
    app_env = jinja2.Environment(  # Trac's Chrome.jenv: auto_reload off by default
        loader=jinja2.FileSystemLoader(str(tmp_path / "dist" / "templates")), auto_reload=False
    )
    looks_itself = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(tmp_path / "dist" / "templates")), auto_reload=True
    )
    first = app_env.get_template("site_header.html").render()
    assert "first" in first and "site-" in first
    looks_itself.get_template("site_header.html")
    (tmp_path / "templates/site_header.html").write_text(
        '<link rel="stylesheet" href="/static/site.css"><p>second</p>\n', encoding="utf-8"
    )
    (tmp_path / "static/site.css").write_text("body{color:blue}\n", encoding="utf-8")
    build(cfg)
    assert app_env.get_template("site_header.html").render() == first  # what the page showed
    forget_templates()
    again = app_env.get_template("site_header.html").render()
    assert "second" in again and again != first.replace("first", "second")  # a new stylesheet
    assert "second" in looks_itself.get_template("site_header.html").render()


class _Lazy:
    """A lazy proxy as Django's ``settings`` is before it is configured: reading its
    ``__class__`` (what ``isinstance`` does for a type it does not match) raises."""

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        raise RuntimeError("Requested settings, but settings are not configured")


def test_a_lazy_proxy_in_the_process_is_left_alone() -> None:
    """Found by the suite: after a test had imported Django, the watch's first build stopped
    on its unconfigured ``settings``, which the look for Jinja environments touched."""
    proxy = _Lazy()
    forget_templates()
    assert proxy is not None


def _site(tmp_path: Path, text: str) -> None:
    write_tree(
        tmp_path,
        {
            "pipeline.yaml": "source: static\noutput: dist\n",
            "static/.keep": "",
            "templates/page.html": f"<p>{text}</p>\n",
        },
    )


def test_environments_made_after_the_first_look_are_emptied_too(tmp_path: Path) -> None:
    """Environments the app makes later (Flask's and Trac's are made at their first request;
    ``overlay`` makes one with its own cache) are found without another walk of the process's
    objects: a walk per save cost ~0.35 s per million objects."""
    forget_templates()  # the process's environments are known from here on
    _site(tmp_path, "first")
    cfg = load_config(tmp_path / "pipeline.yaml")
    build(cfg)
    loader = jinja2.FileSystemLoader(str(tmp_path / "dist" / "templates"))
    later = jinja2.Environment(loader=loader, auto_reload=False)
    overlaid = later.overlay(autoescape=True)
    assert "first" in later.get_template("page.html").render()
    assert "first" in overlaid.get_template("page.html").render()
    _site(tmp_path, "second")
    build(cfg)
    walks: list[int] = []
    real = gc.get_objects

    def counted(generation: int | None = None) -> list[object]:
        walks.append(1)
        return real(generation)

    gc.get_objects = counted
    try:
        forget_templates()
    finally:
        gc.get_objects = real
    assert walks == []
    assert "second" in later.get_template("page.html").render()
    assert "second" in overlaid.get_template("page.html").render()
