"""The references of a stylesheet the static stage copies as it is, to hashed names.

A stylesheet no ``styles.entries`` bundles (a vendored Font Awesome, one whose ``url()``s name
files that exist nowhere, which esbuild would refuse) is copied by the static stage. Its
``url()`` references to files the static stage publishes under hashed names (its fonts, icons;
not another stylesheet, whose name could depend on this one's) are rewritten to those names,
as Django's ``ManifestStaticFilesStorage`` does: they load immutable files instead of
revalidating the unhashed ones on every visit.

Only the path of each such reference changes, in its own form: a relative one stays relative to
the stylesheet (``../webfonts/fa-solid-900-HASH.woff2``), one under ``public_path`` stays under
it, a query or fragment after it (``?#iefix``) stays. Anything else is left byte for byte: a
``data:`` URI, another host, a root path outside ``public_path``, a file the build does not
have (it 404s today too), one another stage owns, except an image: it gets its original-format
output (the bytes its unhashed URL answers with), never a WebP or AVIF variant.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from urllib.parse import quote, unquote

from ..lazyre import lazy

#: ``url(...)`` in its three forms: double-quoted, single-quoted, bare (the groups ``dq``, ``sq``,
#: ``bare``). A bare ``@import "x.css"`` names a stylesheet, never rewritten here.
_REF = lazy(r"""url\(\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^)'"\s]*))\s*\)""", re.I)
_SCHEME = lazy(r"[a-zA-Z][\w+.-]*:")


def rewrite_refs(
    text: str, rel: str, public_path: str, name_of: Callable[[str], str | None]
) -> str:
    """``text`` (stylesheet ``rel``, a source key) with each reference to a key that
    ``name_of`` names (its output file, relative to ``public/``) rewritten to it; see the module
    docstring. ``name_of`` returns ``None`` for a key to leave as written."""
    out: list[str] = []
    done = 0
    for m in _REF.finditer(text):
        group = next(g for g in ("dq", "sq", "bare") if m.group(g) is not None)
        url, start, end = m.group(group), m.start(group), m.end(group)
        new = _rewritten(url, rel, public_path, name_of)
        if new is not None:
            out += [text[done:start], new]
            done = end
    return "".join(out) + text[done:] if out else text


def _rewritten(
    url: str, rel: str, public_path: str, name_of: Callable[[str], str | None]
) -> str | None:
    """The new text of reference ``url``, or ``None`` to leave it."""
    cut = min((i for i in (url.find("?"), url.find("#")) if i >= 0), default=len(url))
    path, tail = url[:cut], url[cut:]
    if not path or path.startswith("//") or _SCHEME.match(path):
        return None
    rooted = path.startswith("/")
    if rooted and not path.startswith(public_path):
        return None
    folder = posixpath.dirname(rel)
    key = (
        unquote(path[len(public_path) :])
        if rooted
        else posixpath.normpath(posixpath.join(folder, unquote(path)))
    )
    if key.startswith("../") or key == "..":
        return None
    name = name_of(key)
    if name is None or name == key:
        return None
    shown = public_path + name if rooted else posixpath.relpath(name, folder or ".")
    return quote(shown, safe="/:@!$&*+,;=-._~") + tail
