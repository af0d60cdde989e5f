"""Asset references the rewriter sees but does not rewrite, so that none goes unreported.

A ``url_for('static', filename='K')`` outside the attribute values the rules handled (a
``<script>`` body: Flask Mega-Tutorial's ``'<img src="{{ url_for('static',
filename='loading.gif') }}">'``, a ``data-*`` attribute, a Jinja expression) is still a Jinja call
that renders a URL wherever it stands, and so is Django's ``{% static 'K' %}`` (a ``<style>``
body's ``url()``; ``{% static 'K' as name %}``, whose ``{{ name }}`` the template writes
elsewhere): ``url_for_elsewhere`` finds those whose K the build has, and a ``<script>``
body's string or a ``<style>`` body's ``url()`` that is a whole literal ``public_path + K``
(``body_literals``),
and the rules rewrite their K like an attribute's (to the original-format file of an image: the
consumer is unknown). Not in ``{% raw %}`` blocks (not Jinja) nor HTML comments.

After that, every literal ``public_path + K`` and every ``url_for('static', filename='K')`` left
in the template outside the attribute values the rules handled is a reference that will load
the *source* path at run time: inside ``<noscript>``, ``<template>``, ``<style>`` or
``<script>`` bodies, ``data-*`` attributes, ``{% raw %}`` blocks or Jinja expressions. Each is
reported (``reason: "not_rewritten"``, ``where`` it is, its ``key``, and whether the build has
that asset, ``in_build``), unless the build publishes K under its own name (then the URL works as written).
HTML comments are not requests and are ignored, nor are Jinja's and Django's comments (``{#
#}``, ``{% comment %}``), which render as nothing, and so are django-compressor's ``{% compress
%}`` blocks (it combines their files by their source names), nor is a literal in the page's
text or in an attribute the browser shows rather than loads (``placeholder="/static/img/
logo.png"`` in a settings form, ``title``, ``alt``, ``aria-*``).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from ..lazyre import lazy
from .refs import STATIC_ROUTES, STATIC_TAG_ANY, route_check, url_for_re
from .scanner import OPAQUE, Scan, Tag
from .urllists import style_refs

_RAW = lazy(r"\{%-?\s*raw\s*-?%\}.*?(?:\{%-?\s*endraw\s*-?%\}|\Z)", re.DOTALL)
#: an HTML comment (to its end, or the text's): not requests, for the browser (``init`` too)
HTML_COMMENT = lazy(r"<!--.*?(?:-->|\Z)", re.DOTALL)
#: a Jinja or Django comment, ``{# ... #}``, and Django's ``{% comment %}`` block: rendered as
#: nothing (django-crm's ``{# <script src="/static/admin/js/actions.min.js"> #}`` was reported as
#: a reference in a Jinja expression, and failed ``build --strict``)
_TEMPLATE_COMMENT = lazy(
    r"\{#.*?(?:#\}|\Z)|\{%\s*comment\b.*?(?:\{%\s*endcomment\s*%\}|\Z)", re.DOTALL
)
#: django-compressor's blocks: their references are its to combine (``rules``), left as written
_COMPRESS = lazy(r"\{%\s*compress\b.*?(?:\{%\s*endcompress\s*%\}|\Z)", re.DOTALL)
#: a character after which a ``public_path`` does not start a URL
_MID_URL = lazy(r"[<\w/.~-]")
#: one rooted URL: no Jinja, whitespace, query, fragment or escape
_WHOLE_URL = lazy(r"""/[^\s"'`<>?#\\{}%()]+""")
#: a quoted string that is one rooted URL
_QUOTED_URL = lazy(r"""(?P<q>["'`])(?P<url>/[^\s"'`<>?#\\{}%]+)(?P=q)""")
#: what, before a quoted string, makes it an ES module specifier
_IMPORTED = lazy(r"(?:\bfrom|\bimport)\s*\(?\s*$")
#: attributes whose value the browser shows or reads out, never requests
_TEXT_ATTRS = frozenset({"placeholder", "title", "alt", "label"})


def _spans(rx: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in rx.finditer(text)]


def _inside(spans: list[tuple[int, int]], off: int) -> bool:
    i = bisect.bisect_right(spans, (off, 1 << 62)) - 1
    return i >= 0 and spans[i][0] <= off < spans[i][1]


def url_for_elsewhere(
    sc: Scan,
    handled: list[tuple[int, int]],
    manifest: Mapping[str, Mapping[str, Any]],
    routes: tuple[str, ...] = STATIC_ROUTES,
    public_path: str = "",
) -> list[tuple[int, int, int, int, str]]:
    """``(call start, call end, K start, K end, K)`` of each ``url_for('static',
    filename='K')`` and each Django ``{% static 'K' %}`` (``{% static 'K' as name %}`` too: the
    URL ``{{ name }}`` renders) outside ``handled``, ``{% raw %}`` blocks and HTML comments
    whose K the manifest has under another name (see the module docstring); with
    ``public_path``, each whole ``public_path + K`` of a ``<script>`` or ``<style>`` body
    (``body_literals``) too."""
    text = sc.text
    found = [
        (m.start(), m.end(), m.start("key"), m.end("key"), m.group("key"))
        for rx, word in ((url_for_re(routes), "url_for"), (STATIC_TAG_ANY, "static"))
        if word in text
        for m in rx.finditer(text)
    ]
    if public_path:
        found += body_literals(sc, public_path)
    if not found:
        return []
    done = sorted(handled + _spans(_COMPRESS, text))
    raw = _spans(_RAW, text)
    comments = sorted(_spans(HTML_COMMENT, text) + _spans(_TEMPLATE_COMMENT, text))
    out = []
    for start, end, ks, ke, key in sorted(found):
        if _inside(done, start) or _inside(comments, start) or _inside(raw, start):
            continue
        entry = manifest.get(key)
        if entry is None or entry.get("file") == key:
            continue
        out.append((start, end, ks, ke, key))
    return out


def body_literals(sc: Scan, public_path: str) -> list[tuple[int, int, int, int, str]]:
    """``(URL start, URL end, K start, K end, K)`` of each whole ``public_path + K`` URL, K no
    folder, with no Jinja, query or escape in it, that is a string of a ``<script>`` body (the
    HTML5 Boilerplate fallback ``window.jQuery || document.write('<script
    src="/static/js/libs/jquery-1.11.1.min.js"><\\/script>')``: realpython's
    flask-boilerplate, whose ``--strict`` build failed on it; an import map's URLs) or a
    ``url()`` of a ``<style>`` body (Flask's old website: ``h1 { background-image:
    url(/static/edit-snippet.png); }``). Not the specifier of an ES module's ``import`` (the
    module's source exports, which a bundle need not keep)."""
    text = sc.text
    out: list[tuple[int, int, int, int, str]] = []
    if public_path not in text:
        return out
    for t in sc.tags:
        if t.element_end is None or t.name not in ("script", "style"):
            continue
        if t.name == "script":
            spans = [
                (m.start("url"), m.end("url"))
                for m in _QUOTED_URL.finditer(text, t.end, t.element_end)
                if not _IMPORTED.search(text, max(0, m.start() - 24), m.start())
            ]
        else:
            body = text[t.end : t.element_end]
            spans = [(t.end + s, t.end + e) for s, e in style_refs(body)]
        for start, end in spans:
            url = text[start:end]
            if url.startswith(public_path) and _WHOLE_URL.fullmatch(url) and url[-1] != "/":
                ks = start + len(public_path)
                out.append((start, end, ks, end, url[len(public_path) :]))
    return out


def leftovers(
    sc: Scan,
    handled: list[tuple[int, int]],
    manifest: Mapping[str, Mapping[str, Any]],
    public_path: str,
    routes: tuple[str, ...] = STATIC_ROUTES,
) -> list[dict[str, Any]]:
    """report.json ``unresolved`` items for the references no rule handled (see module doc)."""
    text = sc.text
    if public_path not in text and "url_for" not in text:
        return []
    literal = re.compile(re.escape(public_path) + r"""([^\s"'<>?#,)\\{}]+)""")
    found: list[tuple[int, str, str, bool]] = []  # (offset, key, value, a literal URL)
    names_a_route = route_check(public_path, manifest)
    for m in literal.finditer(text):
        key = unquote(m.group(1))
        if m.start() and _MID_URL.match(text, m.start() - 1):
            continue  # inside a path or a word, or a closing tag (``</label>``)
        if not names_a_route(key):  # a key the build has never names a route
            found.append((m.start(), key, m.group(), True))
    for m in url_for_re(routes).finditer(text):
        found.append((m.start(), m.group("key"), m.group(), False))
    if not found:
        return []
    done = sorted(handled + _spans(_COMPRESS, text))
    raw = _spans(_RAW, text)
    comments = sorted(_spans(HTML_COMMENT, text) + _spans(_TEMPLATE_COMMENT, text))
    out = []
    for off, key, value, is_literal in sorted(found):
        if _inside(done, off) or _inside(comments, off):
            continue
        entry = manifest.get(key)
        if entry is not None and entry.get("file") == key:
            continue
        tag, where, shown = ("", "{% raw %} block", False) if _inside(raw, off) else _where(sc, off)
        if is_literal and shown:
            continue
        line, col = sc.line_col(off)
        out.append(
            {
                "line": line,
                "col": col,
                "tag": tag,
                "attr": "",
                "value": value,
                "reason": "not_rewritten",
                "where": where,
                "in_build": entry is not None,
                "key": key,
            }
        )
    return out


def _where(sc: Scan, off: int) -> tuple[str, str, bool]:
    """(the tag around ``off`` or ``""``, a phrase saying where ``off`` is, whether that is
    text the browser shows rather than a URL it loads: the page's text, or the value of a
    ``_TEXT_ATTRS`` or ``aria-*`` attribute of a tag in the page's own markup)."""
    tags = sc.tags
    i = bisect.bisect_right([t.start for t in tags], off) - 1
    if i >= 0:
        t = tags[i]
        if t.start <= off < t.end:
            inside = f"<{t.opaque}> content, " if t.opaque else ""
            for a in t.attrs:
                if a.start <= off < a.end:
                    name = a.name or ""
                    shown = not t.opaque and (name in _TEXT_ATTRS or name.startswith("aria-"))
                    return t.name, f"{inside}{a.name or 'Jinja-named'} attribute", shown
            return t.name, "Jinja inside the tag", False
        body = _enclosing_body(tags[: i + 1], off, sc.text)
        if body is not None:
            return body.name, f"<{body.name}> content", False
    if _inside(sorted(sc.jinja_spans), off):
        return "", "Jinja expression", False
    return "", "text", True


def _enclosing_body(tags: list[Tag], off: int, text: str) -> Tag | None:
    """The ``<script>``/``<style>`` whose body, or the ``<template>``/``<noscript>`` whose
    content, holds ``off``."""
    for t in reversed(tags):
        if t.element_end is not None and t.end <= off < t.element_end:
            return t
        if t.opaque is not None:
            continue
        if t.name in OPAQUE and not t.self_closing:
            close = re.compile(r"</" + t.name + r"\s*>", re.IGNORECASE).search(text, t.end)
            if close is None or off < close.start():
                return t
    return None
