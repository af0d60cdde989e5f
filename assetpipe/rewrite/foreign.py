"""Stylesheets the build does not serve, and the fonts they name.

Flask-Assets' ``{% assets %}`` tag (webassets) builds a template's stylesheets itself
(OctoPrint's ``packed_libs.css``, served from its own folder): their ``url()``\\ s name the
static folder's fonts by their source names. A ``<link rel="preload" as="font">`` in such a
template hints at those fetches: given the font's hashed name, it fetched a copy the stylesheet
never used, and the stylesheet fetched the font again by its source name (OctoPrint's main page:
three Font Awesome fonts twice, 226 KB more than before adoption). So in such a template a
font keeps the name it is written with: a literal one at build time (``rules``), a computed one
(``url_for('static', filename='webfonts/' + name + '.woff2')``) at run time
(``assetpipe.flasknames.name_static_files``). Beside a stylesheet the app serves itself
(Label Studio's React app, ``/react-app/main.css``), a literal font preload keeps its name
too, unless a stylesheet of the build names that font (``app_font``).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import TYPE_CHECKING

from ..lazyre import lazy
from .model import FONT_TYPES

if TYPE_CHECKING:
    from .model import Options

#: Flask-Assets' block tag: ``{% assets "css_libs" %}...{% endassets %}``
ASSETS_TAG = lazy(r"\{%-?\s*assets\b")
#: the endings of the files a stylesheet's ``@font-face`` loads: the preloadable ones, and EOT
FONT_EXTS = (*FONT_TYPES, ".eot")
#: one ``{{ EXPR }}`` followed by a literal path: a URL the expression gives, then a path, then
#: maybe a query or fragment with expressions of its own (Label Studio's ``?v={{ commit }}``)
EXPR_THEN_PATH = lazy(r"""\s*\{\{[^{}]*\}\}(?P<path>[^{}"'?#]*)(?:[?#].*)?""", re.DOTALL)
#: a ``<link>`` tag, and its ``rel`` and ``href`` (quoted) inside one
_LINK = lazy(r"<link\b(?:[^>{]|\{\{.*?\}\}|\{%.*?%\})*>", re.I | re.S)
_ATTR = r"""\b{}\s*=\s*(?:"([^"]*)"|'([^']*)')"""
#: a URL with a scheme, or one of another host
_ELSEWHERE = lazy(r"[a-zA-Z][\w+.-]*:|//")


def foreign_stylesheets(text: str) -> bool:
    """Whether a template's text loads stylesheets through ``{% assets %}`` (built and named
    by webassets, not by this build)."""
    return ASSETS_TAG.search(text) is not None


def is_font(key: str) -> bool:
    """Whether a static file's key (or URL path) names a font file."""
    return key.split("?", 1)[0].split("#", 1)[0].lower().endswith(FONT_EXTS)


def beyond_the_build(value: str, keys: Collection[str]) -> bool:
    """Whether ``value`` is an expression's URL followed by a path that neither ends a file of
    the build nor lies in one of its folders: a view's URL under the expression, not a static
    file (pretalx's ``{{ request.event.urls.schedule }}widget/messages.js``, a script its event
    views serve). ``build --strict`` failed on it as a request of an unhashed source path, and
    only editing the template could clear it. A path that ends a file of the build
    (``{{ config.ASSETS_ROOT }}/css/app.css``, ``{{ STATIC_URL }}css/app.css``) is still
    warned about: that URL does request the unhashed file."""
    m = EXPR_THEN_PATH.fullmatch(value)
    if m is None:
        return False
    path = m.group("path").split("?", 1)[0].split("#", 1)[0].strip().strip("/")
    if not path:
        return False
    folder = path.rsplit("/", 1)[0] if "/" in path else ""
    for key in keys:
        if key == path or key.endswith("/" + path):
            return False
        if folder and (key.startswith(folder + "/") or f"/{folder}/" in key):
            return False
    return True


def app_stylesheets(text: str, opts: Options, keys: Collection[str]) -> bool:
    """Whether a template's text links a stylesheet its app serves outside the static folder:
    a root path elsewhere (``/react-app/main.css``) or an expression's URL followed by a path
    that is no file of the build (``beyond_the_build``). Another host's is not one."""
    for tag in _LINK.finditer(text):
        rel, href = (re.search(_ATTR.format(a), tag.group(0), re.I) for a in ("rel", "href"))
        if rel is None or href is None or "stylesheet" not in (rel[1] or rel[2] or "").lower():
            continue
        value = (href[1] if href[1] is not None else href[2]).strip()
        ref = opts.classify(value)
        if ref is None or _ELSEWHERE.match(value):
            continue
        if ref.kind == "other" or (ref.kind == "dynamic" and beyond_the_build(value, keys)):
            return True
    return False


def app_font(href: str | None, text: str, opts: Options, keys: Collection[str]) -> bool:
    """Whether a font preload's ``href`` names a font that no stylesheet of the build names
    (``Options.css_fonts``) in a template that links a stylesheet its app serves itself
    (``app_stylesheets``): that stylesheet names the font by its source name. Label Studio's
    layout preloads ``/static/fonts/Figtree-Regular.ttf`` for its React app's
    ``/react-app/main.css``: given the hashed name, the preload fetched a copy nothing used
    and the stylesheet the font again (two fonts twice on every cold page, two more requests
    on every warm one)."""
    ref = opts.classify(href) if href else None
    if ref is None or ref.key is None or ref.key in opts.css_fonts or not is_font(ref.key):
        return False
    return app_stylesheets(text, opts, keys)
