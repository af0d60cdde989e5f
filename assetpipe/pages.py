"""Rendering the ``pages:`` of pipeline.yaml (DESIGN §3.6), for the audit and the dev server.

A Jinja2 environment over ``<output>/templates/`` with the i18n (null translations), do and
loopcontrols extensions, the globals ``asset_url`` and ``asset_tags`` (``assetpipe.jinja``), and a
``url_for`` that knows only the ``static`` endpoint (others render ``#``). Each page's context
file (YAML or JSON) is its template context. ``PagesApp`` is a WSGI app serving them (404 for
other paths); wrap it in ``assetpipe.serve.AssetMiddleware`` to serve ``public/`` too.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import jinja2
import yaml

from .config import Config, Page
from .errors import StageError
from .jinja import install


def load_context(path: Path | None) -> dict[str, Any]:
    """A page's context from a YAML or JSON file (``None`` → empty)."""
    if path is None:
        return {}
    text = path.read_text(encoding="utf-8")
    data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise StageError(f"{path}: a page context must be a mapping")
    return data


def make_environment(config: Config, output: Path | None = None) -> jinja2.Environment:
    """The Jinja2 environment over the built templates (re-reads changed templates)."""
    out = output or config.output
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(out / "templates")),
        autoescape=jinja2.select_autoescape(("html", "htm", "xml", "j2", "jinja")),
        extensions=["jinja2.ext.i18n", "jinja2.ext.do", "jinja2.ext.loopcontrols"],
        auto_reload=True,
    )
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    public_path = config.public_path

    def url_for(endpoint: str, **values: Any) -> str:
        if endpoint == "static" and "filename" in values:
            return public_path + str(values["filename"]).lstrip("/")
        return "#"

    env.globals["url_for"] = url_for
    install(env, out / "manifest.json", public_path)
    return env


class PagesApp:
    """WSGI app rendering ``config.pages`` from the built templates."""

    def __init__(self, config: Config, output: Path | None = None) -> None:
        self.config = config
        self.env = make_environment(config, output)
        self.pages = {p.path: p for p in config.pages}

    def find(self, path: str) -> Page | None:
        page = self.pages.get(path)
        if page is None and path.endswith("/") and len(path) > 1:
            page = self.pages.get(path.rstrip("/"))
        return page

    def render(self, page: Page) -> str:
        return self.env.get_template(page.template).render(load_context(page.context))

    def __call__(self, environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> Iterable[bytes]:
        page = self.find(environ.get("PATH_INFO", "/") or "/")
        if page is None:
            body = b"Not Found\n"
            start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8"),
                                             ("Content-Length", str(len(body)))])
            return [body]
        try:
            html = self.render(page).encode("utf-8")
        except Exception as exc:  # a broken page is the page's error, not the server's crash
            body = f"error rendering {page.template}: {exc}\n".encode()
            start_response("500 Internal Server Error",
                           [("Content-Type", "text/plain; charset=utf-8"),
                            ("Content-Length", str(len(body)))])
            return [body]
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                  ("Content-Length", str(len(html))),
                                  ("Cache-Control", "no-cache")])
        return [html] if environ.get("REQUEST_METHOD") != "HEAD" else []
