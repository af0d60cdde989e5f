"""What a template's cache entry is keyed by (the templates stage's ``Cache`` section): the
stage's code, the tools the rewrite's result depends on, the template's bytes, its effective
options, its hints, and the manifest entry of every key it could reference.

The options are keyed by a digest made once per distinct options: the same few (a page's, a
partial's) come back for every template, and their fields were most of each key's encoding.
(The entries are not: most of a template's are its own images, and a digest per entry cost more
in calls than it saved in bytes.)
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from ..pipeline.cache import Cache
from ..pipeline.codeprint import code_digest
from ..rewrite.hints import Hint, ImageHint
from ..rewrite.rules import Options
from ..rewrite.select import fast_selector
from .base import StageContext


def template_key(
    ctx: StageContext,
    rel: str,
    opts: Options,
    hints: list[Hint],
    records: list[ImageHint],
    entries: Mapping[str, Any],
) -> str:
    """The key of template ``rel`` rewritten with ``opts``, its LCP ``hints`` and image
    ``records``, and ``entries``: each key it could reference → its manifest entry."""
    return ctx.cache.key(
        "templates",
        code_digest("templates"),
        _tools((*opts.eager, *(s for s, _ in opts.sizes_rules))),
        ctx.sources.sha256(rel),
        _options_digest(opts),
        [h.to_json() for h in hints],
        [h.to_json() for h in records],
        entries,
    )


@functools.lru_cache(maxsize=64)
def _options_digest(opts: Options) -> str:
    return Cache.key("templates.options", asdict(opts))


@functools.cache
def _tools(selectors: tuple[str, ...]) -> tuple[str, ...]:
    """What the rewrite's result depends on besides its inputs and its code: Python's version
    (``rewrite.cssmatch`` uses the standard library's HTML tokenizer), and bs4's and soupsieve's
    when a configured selector is outside cssmatch's subset (they match it then). Their versions
    are read only in that case: ``importlib.metadata`` costs ~20 ms to import."""
    tools = (f"{sys.version_info[0]}.{sys.version_info[1]}",)
    if all(fast_selector(s) for s in selectors):
        return tools
    from importlib import metadata

    return (*tools, metadata.version("beautifulsoup4"), metadata.version("soupsieve"))
