"""The static files a template's text names: in ``<script src>`` and ``<link rel=stylesheet>``
tags (``tag_refs``), anywhere as ``url_for('static', filename=K)`` (``path=K``: Starlette;
``file_path=K``: Litestar), Django's ``{% static 'K' %}`` or a literal URL
(``named_refs``), and of those the ones the static folder lacks (``missing_refs``). Read by
``discover`` after ``prefixes.unprefixed`` has written other forms as these."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..rewrite.leftovers import HTML_COMMENT
from ..rewrite.refs import STATIC_TAG, STATIC_TAG_ANY

_TAG = re.compile(r"<(script|link)\b(?:[^>{]|\{\{.*?\}\}|\{%.*?%\})*>", re.I | re.S)
_URL_FOR = re.compile(
    r"""url_for\(\s*["']static["']\s*,\s*(?:filename|path|file_path)\s*=\s*["']/?([^"'{}]+)["']"""
)
_MODULE = re.compile(r"""\btype\s*=\s*["']?module""", re.I)
_STYLESHEET = re.compile(r"""\brel\s*=\s*["']?[^"'>]*\bstylesheet""", re.I)


def _static_url(public_path: str) -> str:
    """A pattern for the static URL at the start of an attribute value: ``public_path``, or it
    without its leading slash (Glances' ``src="static/glances.js"``, relative to a page at the
    app's root: ``prefixes.unrooted``)."""
    if len(public_path) > 1 and public_path.startswith("/"):
        return "/?" + re.escape(public_path[1:])
    return re.escape(public_path)


def tag_refs(text: str, public_path: str) -> Iterator[tuple[str, str, bool]]:
    """(kind ``script``/``style``, key, loaded as a module) of each static reference in a
    template's ``<script src>`` and ``<link rel=stylesheet>`` tags."""
    literal = re.compile(r"""["']?\s*""" + _static_url(public_path) + r"""([^"'\s>{}?#]+)""")
    for kind, value, tag in _tags(text):
        u = _URL_FOR.search(value) or literal.match(value)
        key = u.group(1) if u is not None else _static_tag_key(value)
        if key is not None:
            yield ("script" if kind == "script" else "style", key, bool(_MODULE.search(tag)))


def tag_values(text: str) -> Iterator[str]:
    """The ``src`` of each ``<script>`` and the ``href`` of each ``<link rel=stylesheet>`` tag
    of a template's text, from the attribute's value to the tag's end."""
    return (value for _, value, _ in _tags(text))


def _tags(text: str) -> Iterator[tuple[str, str, str]]:
    """(``script`` or ``link``, its ``src``/``href`` value to the tag's end, the whole tag) of
    each ``<script src>`` and ``<link rel=stylesheet>`` tag."""
    for m in _TAG.finditer(text):
        tag = m.group(0)
        kind = m.group(1).lower()
        if kind == "link" and not _STYLESHEET.search(tag):
            continue
        attr = "src" if kind == "script" else "href"
        value = re.search(rf"""\b{attr}\s*=\s*(.+)""", tag, re.S)
        if value is not None:
            yield kind, value.group(1), tag


def _static_tag_key(value: str) -> str | None:
    """K of a Django ``{% static 'K' %}`` at the start of an attribute value (after its
    quote, if any)."""
    m = STATIC_TAG.match(value, len(value) - len(value.lstrip("\"' \t\n")))
    return m.group("key") if m else None


_URL_FOR_ANY = re.compile(
    r"""url_for\(\s*["']static["']\s*,\s*(?:filename|path|file_path)\s*=\s*["']/?([^"'{}]+)["']\s*\)"""
)


def named_refs(text: str, public_path: str) -> Iterator[str]:
    """Keys of the static files a template names literally: ``url_for('static', filename='K')``,
    Django's ``{% static 'K' %}`` (``as name`` too) or ``public_path + K`` in an attribute."""
    literal = re.compile(
        r"""=\s*["']""" + _static_url(public_path) + r"""([^"'\s>{}?#]+\.\w+)(?:[?#][^"']*)?["']"""
    )
    for rx in (_URL_FOR_ANY, STATIC_TAG_ANY, literal):
        for m in rx.finditer(text):
            key = m.group(rx.groups).lstrip("/")
            if "." in key.rsplit("/", 1)[-1]:
                yield key


def missing_refs(text: str, public_path: str, present: set[str]) -> Iterator[str]:
    """Keys of the static files a template names literally (``named_refs``) that are not in the
    folder: the build reports those as missing assets, an error by default. A RequireJS path
    (a name whose ``.js`` is there: pgAdmin's ``js/generated/security.pages``) is none, and so
    is a name inside an HTML comment, which the build ignores too (Evennia's webclient keeps
    the plugins it no longer ships commented out: ``init`` said they "404 today too")."""
    return (
        key
        for key in named_refs(HTML_COMMENT.sub("", text), public_path)
        if key not in present and f"{key}.js" not in present
    )
