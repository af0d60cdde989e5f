"""Stylesheets the build does not serve, and the fonts they name.

Flask-Assets' ``{% assets %}`` tag (webassets) builds a template's stylesheets itself
(OctoPrint's ``packed_libs.css``, served from its own folder): their ``url()``\\ s name the
static folder's fonts by their source names. A ``<link rel="preload" as="font">`` in such a
template hints at those fetches: given the font's hashed name, it fetched a copy the stylesheet
never used, and the stylesheet fetched the font again by its source name (OctoPrint's main page:
three Font Awesome fonts twice, 226 KB more than before adoption). So in such a template a
font keeps the name it is written with: a literal one at build time (``rules``), a computed one
(``url_for('static', filename='webfonts/' + name + '.woff2')``) at run time
(``assetpipe.flasknames.name_static_files``).
"""

from __future__ import annotations

from ..lazyre import lazy
from .model import FONT_TYPES

#: Flask-Assets' block tag: ``{% assets "css_libs" %}...{% endassets %}``
ASSETS_TAG = lazy(r"\{%-?\s*assets\b")
#: the endings of the files a stylesheet's ``@font-face`` loads: the preloadable ones, and EOT
FONT_EXTS = (*FONT_TYPES, ".eot")


def foreign_stylesheets(text: str) -> bool:
    """Whether a template's text loads stylesheets through ``{% assets %}`` (built and named
    by webassets, not by this build)."""
    return ASSETS_TAG.search(text) is not None


def is_font(key: str) -> bool:
    """Whether a static file's key (or URL path) names a font file."""
    return key.split("?", 1)[0].split("#", 1)[0].lower().endswith(FONT_EXTS)
