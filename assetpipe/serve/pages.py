"""Rendering the ``pages:`` of pipeline.yaml, for the audit, ``assetpipe serve`` and the dev server.

A Jinja2 environment over ``<output>/templates/`` with the i18n (null translations), do and
loopcontrols extensions, the globals ``asset_url`` and ``asset_tags`` (``assetpipe.jinja``), and a
``url_for`` that knows only the ``static`` endpoint (others render ``#``). Each page's context
file (YAML or JSON) is its template context. ``PagesApp`` is a WSGI app serving them (404 for
other paths); wrap it in ``assetpipe.serve.AssetMiddleware`` to serve ``public/`` too.

A page without ``template`` is rendered by the user's app (``--app MODULE:APP``,
``assetpipe.serve.userapp``); ``require_templates`` is the check for when there is none. A page that
fails to render answers 500 with the error and a hint, logged once per page.
"""

from __future__ import annotations

import json
import logging
import threading
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import jinja2
import yaml

from ..config import Config, Page
from ..errors import AssetpipeError, ConfigError, StageError
from ..jinja import install
from .userapp import TEMPLATE_HINT

log = logging.getLogger("assetpipe")
NO_TEMPLATE = (
    "has no template: it is rendered by your app; pass --app MODULE:APP "
    "(or set audit.app), or give it a template"
)


def require_templates(config: Config) -> None:
    """``ConfigError`` naming every page without a ``template`` (pages rendered here need one)."""
    problems = [
        AssetpipeError(
            f"pages[{i}].template: page {p.path} {NO_TEMPLATE}",
            location=config.location_of(f"pages[{i}].path"),
        )
        for i, p in enumerate(config.pages)
        if p.template is None
    ]
    if problems:
        raise ConfigError(problems)


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
    """The Jinja2 environment over the built templates (re-reads changed templates), with the
    templates' own delimiters (``templates.syntax``: Trac's ``${x}`` and ``# if`` lines)."""
    out = output or config.output
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(out / "templates")),
        autoescape=jinja2.select_autoescape(("html", "htm", "xml", "j2", "jinja")),
        extensions=["jinja2.ext.i18n", "jinja2.ext.do", "jinja2.ext.loopcontrols"],
        auto_reload=True,
        **dict(config.templates.syntax),  # type: ignore[arg-type]
    )
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    public_path = config.public_path

    def url_for(endpoint: str, **values: Any) -> str:
        if endpoint == "static" and "filename" in values:
            return public_path + str(values["filename"]).lstrip("/")
        return "#"

    env.globals["url_for"] = url_for
    install(env, out / "manifest.json", public_path, integrity=config.templates.integrity)
    return env


class PagesApp:
    """WSGI app rendering ``config.pages`` from the built templates."""

    def __init__(self, config: Config, output: Path | None = None) -> None:
        self.config = config
        self.env = make_environment(config, output)
        self.pages = {p.path: p for p in config.pages}
        self._failed: set[str] = set()
        self._lock = threading.Lock()

    def find(self, path: str) -> Page | None:
        page = self.pages.get(path)
        if page is None and path.endswith("/") and len(path) > 1:
            page = self.pages.get(path.rstrip("/"))
        return page

    def render(self, page: Page) -> str:
        if page.template is None:
            raise StageError(f"page {page.path} {NO_TEMPLATE}")
        return self.env.get_template(page.template).render(load_context(page.context))

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        page = self.find(environ.get("PATH_INFO", "/") or "/")
        if page is None:
            body = b"Not Found\n"
            start_response(
                "404 Not Found",
                [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))],
            )
            return [body]
        try:
            html = self.render(page).encode("utf-8")
        except Exception as exc:  # a broken page is the page's error, not the server's crash
            text = (
                f"{page.path}: rendering {page.template} failed: {exc}"
                if page.template
                else str(exc)
            )
            hint = TEMPLATE_HINT if page.template else None
            with self._lock:
                first = page.path not in self._failed
                self._failed.add(page.path)
            if first:
                log.warning("%s%s", text, f"\nhint: {hint}" if hint else "")
            tb = "".join(traceback.format_exception(exc)[-4:])
            body = (f"{text}\n\n{tb}" + (f"\nhint: {hint}\n" if hint else "")).encode()
            start_response(
                "500 Internal Server Error",
                [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))],
            )
            return [body]
        start_response(
            "200 OK",
            [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Length", str(len(html))),
                ("Cache-Control", "no-cache"),
            ],
        )
        return [html] if environ.get("REQUEST_METHOD") != "HEAD" else []
