"""report.json's ``images`` item for one ``<img>``/``<iframe>`` the rewrite looked at."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .document import Document
from .tags import Tag

#: the LCP rule's modes (``rules._Rewriter.decide``) reported as ``loading`` values
_REPORTED = {"lazy": "lazy", "lazy-if": "lazy where an earlier image is drawn"}


def image_item(
    doc: Document,
    tag: Tag,
    key: str | None,
    entry: Mapping[str, Any] | None,
    mode: str,
    why: str,
    info: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Where the tag is, what it shows (``files``: the asset's and its variants'), how it
    loads (``loading``: what the tag says, else the rule's decision), and why width/height
    (``dimensions``) and srcset (``sizes``) were written (``null``: not)."""
    files = (
        []
        if entry is None or key is None
        else [entry["file"], *(v["file"] for v in entry.get("variants", ()))]
    )
    line, col = doc.loc(tag.start)
    written = doc.enum(tag, "loading")
    return {
        "line": line,
        "col": col,
        "asset": key,
        "src": doc.raw(tag, "src"),
        "files": sorted(set(files)),
        "loading": written if written else _REPORTED.get(mode, "eager"),
        "why": "loading attribute" if written else why,
        "dimensions": (info or {}).get("dimensions"),
        "sizes": (info or {}).get("sizes"),
    }
