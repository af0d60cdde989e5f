"""Byte-preserving template rewriting (the templates stage's engine).

- ``scanner``: the position-aware HTML + Jinja2 tag scanner (exact offsets, Jinja context);
- ``refs``: which attribute values reference an asset and how each is rewritten (DESIGN §3.5);
- ``base``: options, result, attribute insertion and reference resolution every rule uses;
- ``rules``: the LCP rule, lazy/eager, integrity, modulepreload and font preload; ``rewrite()``
  is the entry point;
- ``sizing``: width/height, srcset/sizes and ``<picture>``, only where they cannot distort;
- ``leftovers``: asset references no rule handled, reported;
- ``select``: CSS selectors (BeautifulSoup + soupsieve);
- ``edits``: splicing edits into the original text;
- ``hints``: the ``lcp-hints.json`` format (``read_all_hints``/``write_hints``).
"""

from __future__ import annotations

from .hints import Hint, read_hints, write_hints
from .rules import Options, Result, rewrite

__all__ = ["Hint", "Options", "Result", "read_hints", "rewrite", "write_hints"]
