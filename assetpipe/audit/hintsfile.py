"""Updating ``lcp-hints.json`` from what an audit measured (the format: ``rewrite/hints.py``).

Each measured page's LCP ``<img>`` that was lazy becomes a hint (the next build makes it
eager); a hinted tag that some measured page rendered while its LCP was something else is
marked ``some_pages`` (the next build keeps it eager without ``fetchpriority="high"``): wger's
footer badge, the largest image of its short login page at 390 px only, was raised on every
page its layout renders, above those pages' own LCP images. The per-tag render records
(``images``) of the profile measured now replace that profile's earlier ones.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..config import Config
from ..rewrite.hints import Hint, ImageHint, hints_path, read_all_hints, write_hints

log = logging.getLogger("assetpipe.audit")

#: a template ``<img>`` tag: (template name, source line)
TagAt = tuple[str, int]


def merge_records(images: list[ImageHint]) -> list[ImageHint]:
    """One record per tag and profile: a template tag rendered on several pages (a partial, a
    base template) keeps its widest box, and is ``dimensions_safe`` only where every page found
    it safe."""
    by_key: dict[tuple[str, int, str | None, str], list[ImageHint]] = {}
    for i in images:
        by_key.setdefault((i.template, i.line, i.src, i.profile), []).append(i)
    out = []
    for group in by_key.values():
        widest = max(group, key=lambda i: (i.width, i.height))
        out.append(
            dataclasses.replace(widest, dimensions_safe=all(i.dimensions_safe for i in group))
        )
    return sorted(out)


def record_hints(
    config: Config,
    pages: list[dict[str, Any]],
    images: list[ImageHint] | None = None,
    profile: str | None = None,
    rendered: Mapping[str, set[TagAt]] | None = None,
) -> Path | None:
    """Update the hints file beside the config (``lcp-hints.json``): add the template:line of
    each measured page's LCP ``<img>`` that was lazy-loaded (the next build makes it eager; an
    image that is already eager needs no hint; existing hints are kept), and replace the
    ``images`` records of ``profile`` for the tags measured now by ``images`` (records of other
    tags and profiles are kept). ``rendered``: page path → the template tags it rendered
    (``images``' tags, page by page), for ``some_pages``. The file is rewritten only when
    something changed. Returns its path when written."""
    path = hints_path(config.root)
    found = []
    lcp_of: dict[str, TagAt | None] = {}
    for page in pages:
        el = page.get("lcp_element") or {}
        at = None
        if el.get("tag") == "img" and el.get("template") and el.get("line"):
            at = (str(el["template"]), int(el["line"]))
            if el.get("lazy"):
                found.append(Hint(*at, el.get("key")))
        lcp_of[page["path"]] = at
    existing = read_all_hints(path)
    merged = merge_hints([*existing.lcp, *found], lcp_of, rendered or {})
    records = list(existing.images)
    if images:
        images = merge_records(images)
        fresh = {(i.template, i.line, i.src, i.profile) for i in images}
        records = [i for i in records if (i.template, i.line, i.src, i.profile) not in fresh]
        records = sorted(set(records) | set(images))
    if merged == list(existing.lcp) and records == list(existing.images):
        return None
    write_hints(path, merged, records)
    log.info(
        "recorded %d LCP image hint(s) and %d image record(s) (%s) in %s",
        len(found),
        len(images or ()),
        profile or "-",
        path.name,
    )
    return path


def merge_hints(
    hints: Iterable[Hint], lcp_of: Mapping[str, TagAt | None], rendered: Mapping[str, set[TagAt]]
) -> list[Hint]:
    """One hint per tag (sorted), ``some_pages`` where an earlier audit said so or where a page
    of this one (``lcp_of``: page path → its LCP tag) rendered the tag (``rendered``) while its
    LCP was something else."""
    by_tag: dict[tuple[str, int, str | None], bool] = {}
    for h in hints:
        by_tag[h.tag] = by_tag.get(h.tag, False) or h.some_pages
    for (template, line, src), some in list(by_tag.items()):
        at = (template, line)
        elsewhere = any(at in tags and lcp_of.get(p) != at for p, tags in rendered.items())
        by_tag[(template, line, src)] = some or elsewhere
    return sorted(Hint(t, n, s, some) for (t, n, s), some in by_tag.items())
