"""The copy of a blueprint folder's stylesheet that ``BlueprintStatic`` serves under its hashed
name: its relative ``url()``s and ``@import``s named by hashed names.

- A reference to a file of the same folder names that file's hashed name (``hashed_name``), and
  the file's version is a dependency of the stylesheet's: a changed image or font renames it.
- A reference that leaves the folder but whose URL, resolved as a browser resolves it against the
  stylesheet's own URL, lies under the app's static URL names the build's hashed file of that
  key, written relative to the stylesheet's URL. MoinMoin's topside theme, served at
  ``/_themes/topside/css/theme.css``, says ``url("../../../static/img/icons/moin-search.png")``:
  a browser fetches ``/static/img/icons/moin-search.png``, which stayed unhashed and was
  revalidated on every visit. The build's manifest is then a dependency: a new build renames
  the stylesheet.
- Anything else (a missing file, a URL elsewhere, a stylesheet in a cycle) stays as written.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin

from .adopt.imports import CSS_REF
from .hashing import hashed_name

#: a file of the folder → its version (``None``: not one to name; ``digest`` its SHA-256)
Versions = Callable[[str], Any]
#: a URL path under the app's static URL → (the build's URL path of it, a dependency) or None
Built = Callable[[str], "tuple[str, tuple[str, Any]] | None"]


def named_refs(
    data: bytes, path: str, folder: str, url: str, version: Versions, built: Built
) -> tuple[bytes, tuple[tuple[str, Any], ...]]:
    """``data`` (the stylesheet at ``path`` in ``folder``, served at ``url``) with its relative
    references named as the module doc says, and the (path, version) dependencies they name."""
    lowered = data.lower()
    if b"url(" not in lowered and b"@import" not in lowered:
        return data, ()
    text = data.decode("utf-8", "surrogateescape")
    deps: list[tuple[str, Any]] = []
    out, last = [], 0
    for m in CSS_REF.finditer(text):
        group = 2 if m.group(2) is not None else 4
        ref = m.group(group).strip()
        plain = re.split(r"[?#]", ref, maxsplit=1)[0]
        if not plain or plain.startswith("/") or re.match(r"[a-zA-Z][\w+.-]*:", plain):
            continue
        if "\\" in plain or "\x00" in plain:
            continue
        joined = os.path.normpath(os.path.join(os.path.dirname(path), plain))
        if joined.startswith(folder + os.sep):
            target = _file(joined, folder)
            named = version(target) if target is not None else None
            if target is None or named is None:
                continue
            deps.append((target, named))
            new = hashed_name(plain, named.digest)
        else:
            found = built(posixpath.normpath(urljoin(url, plain)))
            if found is None:
                continue
            file, dep = found
            deps.append(dep)
            new = posixpath.relpath(file, posixpath.dirname(url))
        start = m.start(group) + m.group(group).index(plain)
        out += [text[last:start], new]
        last = start + len(plain)
    if not deps:
        return data, ()
    out.append(text[last:])
    return "".join(out).encode("utf-8", "surrogateescape"), tuple(deps)


def _file(joined: str, folder: str) -> str | None:
    """The real path of the file ``joined`` names inside ``folder`` (``None``: none there)."""
    real = os.path.realpath(joined)
    return real if real.startswith(folder + os.sep) and os.path.isfile(real) else None
