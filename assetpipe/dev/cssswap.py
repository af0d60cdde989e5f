"""Whether a rebuild of static stylesheets can be shown by swapping them in place.

A ``styles`` entry that changed is swapped in the page without a reload (``DevBuilder``'s CSS
swaps); a stylesheet of the static folder was not, the page reloaded. flask-base's stylesheets
are all static files (its Flask-Assets bundles' outputs, ``styles/app.css``): every CSS save
reloaded the page and lost its state (an open CKEditor). A static stylesheet is swapped the
same way when it is all that changed and the page links it: one that another static
stylesheet ``@import``s (or names by ``url()``) is not in any ``<link>``, so the page reloads,
as before.

What each other static stylesheet names is read once and kept while its file's stat stamp
(size, mtime) stays the same, so a CSS save does not read and scan the whole static folder's
stylesheets again (Bootstrap's 230 KB alone takes milliseconds to scan).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from ..config import Config
from ..manifest import Manifest
from ..stages.cssrefs import rewrite_refs

#: a bare ``@import "x.css"`` (``cssrefs`` reads ``url()`` references only)
_BARE_IMPORT = re.compile(r"""@import\s+(?:"([^"]*)"|'([^']*)')""", re.I)


def static_css_only(
    config: Config,
    changed: Iterable[str],
    static_keys: frozenset[str],
    old: Manifest,
    new: Manifest,
) -> bool:
    """Whether ``changed`` (source keys) are static stylesheets alone, no other manifest entry
    moved between ``old`` and ``new``, and no other static stylesheet names one of them."""
    keys = set(changed)
    if not keys or not all(k.endswith(".css") and k in static_keys for k in keys):
        return False
    moved = {
        k
        for k in old.entries.keys() | new.entries.keys()
        if old.entries.get(k) != new.entries.get(k)
    }
    return moved <= keys and not _named_by_static_css(config, static_keys - keys, keys)


#: (file, public path) -> (its stat stamp when read, the source keys it names)
_Named = dict[tuple[Path, str], tuple[tuple[int, int], frozenset[str]]]
_NAMED: _Named = {}


def _named_by_static_css(config: Config, others: Iterable[str], keys: set[str]) -> bool:
    """Whether a static stylesheet among ``others`` names one of ``keys`` (``@import``,
    ``url()``: ``cssrefs``' reading of a reference)."""
    return any(
        not keys.isdisjoint(names_in(config.source / rel, rel, config.public_path))
        for rel in others
        if rel.endswith(".css")
    )


def names_in(path: Path, rel: str, public_path: str) -> frozenset[str]:
    """The source keys stylesheet ``path`` (source key ``rel``) names, read again only when its
    size or mtime changed; empty when it cannot be read as UTF-8."""
    try:
        st = path.stat()
    except OSError:
        return frozenset()
    stamp = (st.st_size, st.st_mtime_ns)
    known = _NAMED.get((path, public_path))
    if known is not None and known[0] == stamp:
        return known[1]
    named: set[str] = set()

    def collect(key: str) -> str | None:
        named.add(key)
        return None  # read, not rewritten

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    rewrite_refs(text, rel, public_path, collect)
    for m in _BARE_IMPORT.finditer(text):  # resolved as the url() it stands for
        rewrite_refs(f'url("{m.group(1) or m.group(2)}")', rel, public_path, collect)
    _NAMED[(path, public_path)] = (stamp, frozenset(named))
    return frozenset(named)
