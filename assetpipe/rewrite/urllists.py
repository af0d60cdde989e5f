"""The URL positions inside two attribute values that hold several: a ``srcset``'s candidates
(with their ``Nw`` widths) and an inline ``style``'s ``url(...)`` arguments. ``resolve``
classifies each URL found (``refs.classify``)."""

from __future__ import annotations

import re

from ..lazyre import lazy
from .refs import STATIC_TAG

_SRCSET_ITEM = lazy(r"\s*([^\s,]+)([^,]*)(?:,|$)")


def srcset_items(value: str) -> list[tuple[int, int, int | None]]:
    """(start, end, width) of each candidate URL in a ``srcset`` value; ``width`` is its
    ``Nw`` descriptor (``None`` for ``2x`` or none). A candidate's URL may be one Jinja
    expression (``{{ url_for('static', filename='a@2x.png') }} 2x``: the commas inside it do
    not split the list), and so may Django's ``{% static 'K' %}`` (healthchecks' ``{% static
    'img/a.png' %} 1x, {% static 'img/a@2x.png' %} 2x``); a value with another ``{% %}``
    statement or an expression in a descriptor gives ``[]``, to be taken as a whole."""
    if "{%" in value and value.count("{%") != len(STATIC_TAG.findall(value)):
        return []
    if "{{" in value or "{%" in value:
        return _jinja_srcset_items(value)
    out = []
    for m in _SRCSET_ITEM.finditer(value):
        if m.group(1):
            d = _WIDTH.fullmatch(m.group(2).strip())
            out.append((m.start(1), m.end(1), int(d.group(1)) if d else None))
        if m.end() == len(value):
            break
    return out


def _jinja_srcset_items(value: str) -> list[tuple[int, int, int | None]]:
    """``srcset_items`` for a list whose URLs hold ``{{ }}`` expressions (or ``{% static %}``
    tags): a URL runs to the first space or comma outside one, its descriptor to the next
    comma."""
    out: list[tuple[int, int, int | None]] = []
    i, n = 0, len(value)
    while i < n:
        while i < n and (value[i].isspace() or value[i] == ","):
            i += 1
        start = i
        while i < n and not value[i].isspace() and value[i] != ",":
            if value.startswith(("{{", "{%"), i):
                close = value.find("}}" if value[i + 1] == "{" else "%}", i + 2)
                if close < 0:
                    return []
                i = close + 2
            else:
                i += 1
        if i == start:
            break
        end = i
        comma = value.find(",", i)
        desc = value[i : n if comma < 0 else comma].strip()
        if "{{" in desc or "{%" in desc:
            return []
        d = _WIDTH.fullmatch(desc)
        out.append((start, end, int(d.group(1)) if d else None))
        i = n if comma < 0 else comma + 1
    return out


_URL_OPEN = lazy(r"url\(\s*", re.IGNORECASE)
_WIDTH = lazy(r"(\d+)w")
#: how a quote inside a ``style`` value may be written (``&quot;`` in a double-quoted one)
_QUOTES = ('"', "'", "&quot;", "&#34;", "&#39;", "&apos;")


def style_refs(value: str) -> list[tuple[int, int]]:
    """(start, end) of each ``url(...)`` argument in a CSS declaration list (an inline
    ``style``), without its quotes: ``url('/static/x.jpg')``, ``url(/static/x.jpg)``,
    ``url('{{ url_for('static', filename='x.jpg') }}')`` (the whole ``{{ }}``)."""
    out = []
    for m in _URL_OPEN.finditer(value):
        i = m.end()
        q = next((c for c in _QUOTES if value.startswith(c, i)), "")
        i += len(q)
        if value.startswith("{{", i):
            j = value.find("}}", i)
            if j < 0:
                continue
            end = j + 2
        else:
            ends = [k for k in (value.find(q, i) if q else -1, value.find(")", i)) if k >= 0]
            if not ends:
                continue
            end = min(ends)
        s, e = i, end
        while s < e and value[s].isspace():
            s += 1
        while e > s and value[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out
