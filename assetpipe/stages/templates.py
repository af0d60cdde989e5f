"""The templates stage: every template under ``templates.dirs`` matching ``templates.include`` is
rewritten from the manifest the earlier stages built (``assetpipe.rewrite``) and written to
``<output>/templates/`` at its path relative to its dir.

Inputs: the template sources, ``ctx.manifest`` (complete: templates run after every asset
stage), ``templates.*`` options, ``public_path`` and ``lcp-hints.json`` beside the config.
Outputs: the rewritten templates, and report.json's ``templates`` section: per template its
``source``, ``edits``, ``unresolved`` references, ``skipped`` tags (with why) and ``images``
(every ``<img>`` with the asset it shows, its line and whether it loads lazily; the audit uses
it to name the line of a lazy LCP image).

Errors: the same name in two dirs (but with ``templates.first_wins``); a template that is not UTF-8 or whose Jinja cannot be followed
(``StageError`` naming file:line); a literal reference to an asset the build did not produce
(``MissingAssetError`` naming template:line:col, a warning with ``missing_assets: warn``); an
invalid ``templates.eager`` selector (``ConfigError``); a malformed ``lcp-hints.json``.

Cache: per template, keyed by the template's bytes hash, its effective options, its hints and the
manifest entries of every key it could reference (found with a quick pattern pass, a superset of
what the rewrite looks up), so a changed image re-rewrites exactly the templates that show it.
The pattern pass's result is a fact of the source's stat memo (``Sources.fact``) and a hit is
hard-linked from the cache, so a template whose file, options and assets are unchanged is
neither read nor written. The ``templates.eager`` selectors are checked before the first
template that must be rewritten (a hit was rewritten with the same, checked, selectors).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from ..assetspec import spec_of
from ..config.templatedirs import prefix
from ..errors import (
    AssetpipeError,
    ConfigError,
    MissingAssetsError,
    StageError,
)
from ..logs import logger
from ..pipeline.codeprint import code_digest, fact_kind
from ..pipeline.sources import globmatch
from ..rewrite.document import Document
from ..rewrite.foreign import is_font
from ..rewrite.hints import Hint, ImageHint, hints_path, read_all_hints
from ..rewrite.leads import Role
from ..rewrite.model import prefix_map
from ..rewrite.refs import STATIC_TAG_ANY
from ..rewrite.rules import Options, Result, rewrite
from ..rewrite.scanner import ScanError
from ..rewrite.select import check_selector
from ..rewrite.syntax import Syntax
from . import ahead
from .base import StageContext
from .missingassets import missing_errors
from .templatekeys import template_key
from .templatelead import lead_roles, role_options, roles_dropped
from .unresolved import warn_unresolved

log = logger("assetpipe")


_KEYISH = r"""([^\s"'<>?#,)]+)"""
_FILENAME = re.compile(r"""(?:filename|path)\s*=\s*["']/?([^"']+)["']""")
_ASSET_URL = re.compile(r"""asset_url\(\s*["']([^"']+)["']""")
#: any quoted file path (``'css/app.css'``, ``"static/app.js"``, ``'pkg:static/app.css'``):
#: what a call of ``templates.static_functions`` (``urls.static('app.css')``), a Flask-Versioned
#: string or Pyramid's ``request.static_url('pkg:static/K')`` names; its key is one of the
#: path's tails
_QUOTED_FILE = re.compile(r"""["']([^"'\s{}<>()]+\.[A-Za-z0-9]{1,5})["']""")
_PREFIXED = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}/" + _KEYISH, re.DOTALL)


def collect(ctx: StageContext, *, quiet: bool = False, whole: bool = False) -> dict[str, str]:
    """Template name (relative to its dir) → source key. Raises on a name found in two dirs
    (``templates.first_wins``: the first dir's is taken); warns about an empty dir unless
    ``quiet`` (another stage peeking at the templates). ``whole``: the whole tree's, also in a
    narrowed view (``watch``)."""
    out: dict[str, str] = {}
    explicit = "templates.dirs" in dict(ctx.config.locations)
    earlier: list[str] = []  # the prefixes of the dirs before this one
    for d in ctx.config.templates.dirs:
        pre, found = prefix(d), 0
        for rel in sorted(ctx.sources.whole if whole else ctx.sources.files):
            if not rel.startswith(pre):
                continue
            name = rel[len(pre) :]
            if not globmatch(name, ctx.config.templates.include):
                continue
            if ctx.config.templates.first_wins and (
                name in out or any(e + name in ctx.sources.whole for e in earlier)
            ):
                # Django's loaders render the first folder's; a narrowed view (``watch``, one
                # saved template) may lack it: a save of the shadowed one wrote it over
                continue
            if name in out:
                raise StageError(
                    f"template '{name}' is in two template dirs ({out[name]} and {rel})",
                    location=ctx.config.location_of("templates.dirs"),
                    hint="rename one of them: a loader would only ever find the first",
                )
            out[name] = rel
            found += 1
        earlier.append(pre)
        if not found and explicit and not quiet and not _any_template(ctx, pre):
            ctx.warn(
                f"templates.dirs: no templates matching templates.include in "
                f"'{ctx.source_location(d).file}'",
                ctx.config.location_of("templates.dirs"),
            )
    return out


def _any_template(ctx: StageContext, pre: str) -> bool:
    """Whether the whole tree has a template below ``pre``: a stage given a few saved
    templates (``watch``) sees only those in ``ctx.sources.files``, and the other template
    folders are not empty for it (a save under one of a Flask app's blueprint folders warned
    that its layouts' folder had no templates)."""
    include = ctx.config.templates.include
    return any(
        rel.startswith(pre) and globmatch(rel[len(pre) :], include) for rel in ctx.sources.whole
    )


def options(
    ctx: StageContext,
    name: str,
    role: Role | None = None,
    icons: frozenset[str] = frozenset(),
    fonts: frozenset[str] = frozenset(),
) -> Options:
    """The effective rewrite options of template ``name`` (``role``: the page candidates it
    holds; ``icons``: the keys the templates link as the pages' icon; ``templatelead``;
    ``fonts``: ``css_fonts``)."""
    t = ctx.config.templates
    return Options(
        public_path=ctx.config.public_path,
        is_page=globmatch(name, t.pages),
        lazy_images=t.lazy_images,
        lazy_iframes=t.lazy_iframes,
        eager=t.eager,
        sizes=t.sizes,
        sizes_rules=t.sizes_rules,
        dimensions=t.dimensions,
        srcset=t.srcset,
        picture=t.picture,
        srcset_format=t.srcset_format,
        image_formats=ctx.config.images.formats,
        integrity=t.integrity,
        preload_fonts=t.preload_fonts,
        prefixes=t.prefixes,
        static_routes=t.static_routes,
        static_functions=t.static_functions,
        static_spec=spec_of(ctx.config.source),
        django=t.first_wins and not t.jinja,  # Django's language, not a Jinja2 backend's
        syntax=Syntax.of(t.syntax),
        icon_keys=tuple(sorted(icons)),
        css_fonts=tuple(sorted(fonts)),
        **role_options(role),
    )


def css_fonts(ctx: StageContext) -> frozenset[str]:
    """The font keys whose output file a stylesheet of the build names (bundled or copied:
    its ``url()``\\ s give the hashed names), read from the built stylesheets. The answer is
    cached by the stylesheets' stamps (size, time, inode: a replayed file is a link to the same
    inode), so an edit build reads no stylesheet (an app's were megabytes)."""
    entries = ctx.manifest.entries
    fonts = {str(e["file"]).rsplit("/", 1)[-1]: k for k, e in entries.items() if is_font(k)}
    if not fonts:
        return frozenset()
    sheets = {f for e in entries.values() for f in (e["file"], *e.get("css", ()))}
    stamps: list[tuple[str, list[int]]] = []
    for f in sorted(str(s) for s in sheets if str(s).endswith(".css")):
        try:
            st = (ctx.public / f).stat()
        except OSError:
            continue
        stamps.append((f, [st.st_size, st.st_mtime_ns, st.st_ino]))
    key = ctx.cache.key("templates.fonts", code_digest("templates"), sorted(fonts.items()), stamps)
    entry = ctx.cache.peek(key)
    if entry is not None:
        return frozenset(entry.meta["named"])
    named: set[str] = set()
    for f, _ in stamps:
        text = (ctx.public / f).read_text(encoding="utf-8", errors="replace")
        named.update(k for file, k in fonts.items() if file in text)
    ctx.cache.put(key, {}, {"named": sorted(named)}, replace=True)
    return frozenset(named)


def _check_selectors(ctx: StageContext) -> None:
    problems = []
    t = ctx.config.templates
    for where, sels in (("eager", t.eager), ("sizes", tuple(s for s, _ in t.sizes_rules))):
        for i, sel in enumerate(sels):
            msg = check_selector(sel)
            if msg is not None:
                problems.append(
                    AssetpipeError(
                        f"templates.{where}[{i}]: not a CSS selector ({msg}): {sel!r}",
                        location=ctx.config.location_of(f"templates.{where}"),
                    )
                )
    if problems:
        raise ConfigError(problems)


def reference_keys(
    text: str, public_path: str, prefixes: Mapping[str, str] | None = None
) -> set[str]:
    """Every manifest key ``text`` could refer to (a quick pattern pass); ``prefixes``: the
    ``templates.prefixes`` map (``refs.classify``), whose ``{{ EXPR }}/P`` name ``F/P``."""
    pat = re.compile(re.escape(public_path) + _KEYISH)
    keys: set[str] = set()
    for rx in (pat, _FILENAME, _ASSET_URL, STATIC_TAG_ANY):
        for m in rx.finditer(text):
            key = m.group("key") if rx is STATIC_TAG_ANY else m.group(1)
            keys.add(key)
            keys.add(unquote(key))
    for m in _QUOTED_FILE.finditer(text):
        parts = m.group(1).split("/")
        keys.update("/".join(parts[i:]) for i in range(len(parts)))
    if prefixes:
        for m in _PREFIXED.finditer(text):
            folder = prefixes.get(" ".join(m.group(1).split()))
            if folder is not None:
                for path in (m.group(2), unquote(m.group(2))):
                    keys.add(f"{folder}/{path}" if folder else path)
    return keys


def memo_references(ctx: StageContext, rel: str) -> set[str]:
    """``reference_keys`` of the template at source key ``rel``, from the stat memo: the file is
    read only when it changed. Raises ``StageError`` for a template that is not UTF-8."""

    def compute(path: Path) -> list[str]:
        text = _decode(path.read_bytes(), ctx, rel)
        return sorted(reference_keys(text, ctx.config.public_path, prefixes))

    prefixes = prefix_map(ctx.config.templates.prefixes)
    memo = fact_kind(
        "templates.refs", "templates", ctx.config.public_path, sorted(prefixes.items())
    )
    return set(ctx.sources.fact(rel, memo, compute))


def candidate_keys(text: str, ctx: StageContext) -> set[str]:
    """Every manifest key ``text`` could refer to, plus their static imports: a superset of what
    the rewrite looks up, so it can key the cache before the rewrite runs."""
    prefixes = prefix_map(ctx.config.templates.prefixes)
    return with_imports(reference_keys(text, ctx.config.public_path, prefixes), ctx)


def with_imports(refs: set[str], ctx: StageContext) -> set[str]:
    """``refs`` plus the keys their manifest entries import, transitively."""
    keys = set(refs)
    todo = list(keys)
    while todo:
        e = ctx.manifest.get(todo.pop())
        for imp in (e or {}).get("imports", ()):
            if imp not in keys:
                keys.add(imp)
                todo.append(imp)
    return keys


def _decode(data: bytes, ctx: StageContext, rel: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise StageError(
            f"template is not UTF-8 (byte 0x{data[e.start]:02x} at offset {e.start})",
            location=ctx.source_location(rel, line, col),
            hint="save the template as UTF-8",
        ) from e


def _rewrite(
    ctx: StageContext,
    name: str,
    rel: str,
    text: str,
    opts: Options,
    hints: list[Hint],
    images: list[ImageHint],
    doc: Document | None = None,
) -> Result:
    try:
        return rewrite(text, name, ctx.manifest.entries, opts, hints, images, doc)
    except ScanError as e:
        line = text.count("\n", 0, e.offset) + 1
        col = e.offset - (text.rfind("\n", 0, e.offset) + 1) + 1
        raise StageError(
            str(e),
            location=ctx.source_location(rel, line, col),
            hint="the template's Jinja syntax is broken here",
        ) from e


def _record_key(record: dict[str, Any]) -> str:
    return json.dumps(record, sort_keys=True)


def _stale_records(ctx: StageContext, names: dict[str, str], stale: list[ImageHint]) -> None:
    """One warning per template whose hints-file image records match no ``<img>``."""
    by_template: dict[str, list[int]] = {}
    for h in stale:
        by_template.setdefault(h.template, []).append(h.line)
    for name, lines in sorted(by_template.items()):
        at = ", ".join(str(n) for n in sorted(set(lines)))
        ctx.warn(
            f"lcp-hints.json: {len(lines)} image record(s) match no <img> at {name}:{at}"
            " (stale: run `assetpipe audit` again)",
            ctx.source_location(names[name], min(lines)) if name in names else None,
        )


def run(ctx: StageContext) -> None:
    """Rewrite every template into ``<output>/templates/`` (see the module docstring), while the
    compress stage's work on ``public/`` (complete now) runs on the other cores."""
    ahead.start(ctx)
    try:
        _run(ctx)
    except BaseException:
        ahead.cancel(ctx)
        raise


def _run(ctx: StageContext) -> None:
    every = read_all_hints(hints_path(ctx.config.root))
    hints = list(every.lcp)
    names = collect(ctx)
    whole = (
        names if ctx.sources.files is ctx.sources.whole else collect(ctx, quiet=True, whole=True)
    )
    roles, docs, hrefs = lead_roles(
        ctx, whole, lambda path, rel: _decode(path.read_bytes(), ctx, rel)
    )
    refs = map(options(ctx, "").classify, hrefs)  # the icon links' keys
    icons = frozenset(r.key for r in refs if r is not None and r.key is not None)
    dropped = roles_dropped(ctx, roles)
    if whole is not names:  # ``watch``: a saved page may give a partial its role, or take it
        names = {**names, **{n: whole[n] for n in (*roles, *dropped) if n in whole}}
    if not names:
        _check_selectors(ctx)
    checked = not names
    ctx.progress.start("templates", len(names))
    report: dict[str, Any] = {}
    used: set[Hint] = set()
    seen_used: set[str] = set()
    missing: list[AssetpipeError] = []  # every template's, raised at once after the loop
    fonts = css_fonts(ctx)
    for name, rel in names.items():
        opts = options(ctx, name, roles.get(name), icons, fonts)
        mine = [h for h in hints if h.template == name]
        seen = [h for h in every.images if h.template == name]
        deps = {
            k: ctx.manifest.get(k) for k in sorted(with_imports(memo_references(ctx, rel), ctx))
        }
        key = template_key(ctx, rel, opts, mine, seen, deps)
        entry = ctx.cache.get(key, "templates")
        if entry is not None:
            meta = dict(entry.meta)
            ctx.link_template(name, entry.path("out"))
        else:
            if not checked:
                _check_selectors(ctx)
                checked = True
            data = ctx.sources.whole[rel].path.read_bytes()
            text = _decode(data, ctx, rel)
            res = _rewrite(ctx, name, rel, text, opts, mine, seen, docs.pop(rel, None))
            meta = {
                "report": res.report(),
                "missing": [list(m) for m in res.missing],
                "hints": [h.to_json() for h in sorted(res.hints_used)],
                "records": [h.to_json() for h in sorted(res.records_used)],
            }
            out = res.text.encode("utf-8")
            if hashlib.sha256(data).hexdigest() != ctx.sources.sha256(rel):
                log.debug("templates: %s changed while it was built; not cached", name)
            elif res.keys <= deps.keys():
                ctx.cache.put(key, {"out": out}, meta)
            else:  # a key the quick pass missed (an odd URL): never cache on partial deps
                log.debug(
                    "templates: %s looked up %s beyond its cache key; not cached",
                    name,
                    sorted(res.keys - deps.keys()),
                )
            ctx.write_template(name, out)
        missing += missing_errors(ctx, rel, meta["missing"])
        warn_unresolved(ctx, rel, meta["report"]["unresolved"])
        used.update(Hint.from_json(h) for h in meta["hints"])
        seen_used.update(_record_key(r) for r in meta.get("records", ()))
        report[name] = {"source": rel, **meta["report"]}
        ctx.progress.advance("templates")
    for h in hints:
        if h not in used:
            ctx.warn(
                f"lcp-hints.json: no <img> at {h.template}:{h.line}"
                + (f" showing '{h.src}'" if h.src else "")
                + " (a stale hint)",
                ctx.source_location(names[h.template], h.line) if h.template in names else None,
            )
    if missing:
        raise MissingAssetsError(missing)
    _stale_records(
        ctx, names, [h for h in every.images if _record_key(h.to_json()) not in seen_used]
    )
    ctx.report.sections["templates"] = report
    ctx.progress.finish("templates")
