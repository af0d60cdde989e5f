"""Which templates hold a page's LCP candidate (``rewrite.leads``): every template's lead fact,
memoised with its content (``Sources.fact``, so a no-op rebuild reads no template), read
together into each template's role, which its rewrite options carry (and its cache key)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from ..fsutil import atomic_write
from ..pipeline.codeprint import fact_kind
from ..pipeline.sources import globmatch
from ..rewrite.document import Document
from ..rewrite.leads import Role, fact, roles
from ..rewrite.scanner import ScanError
from ..rewrite.syntax import Syntax
from .base import StageContext

#: the fact of a template whose Jinja cannot be followed (its rewrite reports where)
_NONE: dict[str, Any] = {
    "page": False,
    "layout": False,
    "at": None,
    "chrome": False,
    "sites": [],
    "macros": [],
    "dialect": "",
    "named": [],
    "icons": [],
}


def lead_roles(
    ctx: StageContext, names: Mapping[str, str], read: Callable[[Path, str], str]
) -> tuple[dict[str, Role], dict[str, Document], frozenset[str]]:
    """Template name → its ``Role``, over ``names`` (every template of the tree: name → source
    key); ``read(path, rel)`` decodes a template (raising the stage's error). Also the templates
    scanned to learn their facts (changed since the last build), by source key: their rewrite
    takes the scan over; and the ``href`` values, as written, of every template's icon links
    (``leads.icon_hrefs``: ``Options.icon_keys`` are their keys)."""
    pairs = ctx.config.templates.syntax
    kind = fact_kind("templates.lead", "templates", *([pairs] if pairs else []))
    syntax = Syntax.of(pairs)
    facts: dict[str, Any] = {}
    docs: dict[str, Document] = {}
    for name, rel in names.items():

        def compute(path: Path, name: str = name, rel: str = rel) -> dict[str, Any]:
            try:
                text = read(path, rel)
                doc = docs[rel] = Document(text, name, syntax)
            except ScanError:
                return _NONE
            return fact(doc)

        facts[name] = ctx.sources.fact(rel, kind, compute)
    pages = {n for n in names if globmatch(n, ctx.config.templates.pages)}
    tags = dict(ctx.config.templates.partial_tags)
    icons = frozenset(h for f in facts.values() for h in f.get("icons", ()))
    return roles(facts, pages, ctx.config.templates.first_wins, tags), docs, icons


#: the templates that held a role in the last build (``roles_dropped``), in the state folder
_HELD = "lead-roles.json"


def roles_dropped(ctx: StageContext, held: Iterable[str]) -> set[str]:
    """The templates that held a role in the last build and hold none now (``held``: those
    that do), recording ``held`` for the next build. ``watch`` rebuilds them with the saved
    page: a save that took a partial's role away (the page's grid drawn by its own markup
    again) left the partial eager until the next full build."""
    path = ctx.config.state_dir / _HELD
    now = sorted(held)
    try:
        before = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        before = []
    if before != now:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, json.dumps(now).encode())
    return set(before) - set(now) if isinstance(before, list) else set()


def role_options(role: Role | None) -> dict[str, Any]:
    """``Options``' lead fields for ``role``: a partial included once anywhere stays eager
    everywhere (``once`` wins over ``loop``; ``both`` says it is also included in a loop)."""
    if role is None:
        return {}
    if "once" in role.partial:
        partial = "both" if "loop" in role.partial else "once"
    else:
        partial = "loop" if role.partial else ""
    return {
        "lead_partial": partial,
        "lead_macros": tuple(sorted(role.macros)),
        "lead_sites": tuple(sorted(role.sites)),
        "lead_tag_loop": role.tag_loop,
    }
