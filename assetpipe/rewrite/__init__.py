"""Byte-preserving template rewriting (the templates stage's engine).

- ``scanner``: the position-aware HTML + Jinja2 tag scanner (exact offsets, Jinja context);
  ``tags``: what it returns (tags, attributes, line lookup, ``ScanError``);
- ``document``: one scanned template as the rules read it (literal attribute values, lines);
- ``writer``: every change as an edit against the original text, and the tags skipped on purpose;
- ``refs``: which attribute values reference an asset and how each is rewritten (the three
  forms: literal, ``url_for``, ``asset_url``);
- ``resolve``: a tag's references looked up in the manifest and rewritten (or reported);
- ``model``: the rewrite's ``Options`` and ``Result``;
- ``rules``: the LCP rule, lazy/eager, integrity, modulepreload and font preload; ``rewrite()``
  is the entry point; ``lcp``: what the LCP rule reads from the markup;
- ``sizing``: width/height, srcset/sizes and ``<picture>``, only where they cannot distort;
- ``leftovers``: asset references no rule handled, reported;
- ``select``: CSS selectors (BeautifulSoup + soupsieve);
- ``edits``: splicing edits into the original text;
- ``hints``: the ``lcp-hints.json`` format (``read_all_hints``/``write_hints``);
- ``scripttags``: the ``<script src>`` uses of a template (for the classic-scripts scan).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .hints import Hint, read_hints, write_hints
    from .rules import Options, Result, rewrite

__all__ = ["Hint", "Options", "Result", "read_hints", "rewrite", "write_hints"]

#: where each public name lives: imported on first use, so importing one module of the package
#: (the scanner for the classic-scripts scan, ``hints`` for its file name) does not import the
#: whole engine
_HOME = {
    "Hint": "hints",
    "read_hints": "hints",
    "write_hints": "hints",
    "Options": "rules",
    "Result": "rules",
    "rewrite": "rules",
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value
