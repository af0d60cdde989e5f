"""Classic scripts: ``scripts.entries`` that a page loads with a plain ``<script src>`` (no
``type="module"``), or that ``scripts.classic`` lists.

A classic script's top-level ``function``/``var`` declarations are globals that inline handlers
(``onclick="sidebarColor(this)"``) and other scripts call. Bundled as an ES module they would be
module-scoped and, unused inside the bundle, tree-shaken away. So these entries are built
differently from the module entries:

- **not bundled**: esbuild minifies each file on its own (no ``--bundle``, no ``--format``),
  which keeps every top-level name as written: the globals survive, and a UMD library
  (``bootstrap.min.js``, ``jquery.min.js``) still finds ``window``. When esbuild's output of a
  library that ships minified (a ``*.min.js``, or a ``.js`` written on minified lines:
  ``bundling.shipped_minified``) is not smaller than the file once compressed, the file is
  shipped as it is, under a content-hashed name, so adoption never makes a page heavier;
- **bundled as an IIFE** when the file is an ES module (esbuild's metafile says ``format:
  esm``: it has ``import``/``export``) or CommonJS (it calls ``require("x")`` with nothing
  testing for a module system first, as a UMD wrapper does, and esbuild's import records say
  the call is a real one): what it imports is bundled in and it runs from a classic tag (as
  written, ``require is not defined`` stopped it on its first line), but its top-level names
  are not globals (an ES module's never are); a warning names each classic tag that loads it
  (``add type="module"``).

- **shipped as written** when esbuild calls the file an ES module only because the nearest
  ``package.json`` says ``"type": "module"`` (no ``import``/``export`` in it: Baby Buddy's
  gulp-built ``vendor.js``): bundled as an IIFE, its UMD wrappers' guarded ``require()`` calls
  stopped the build, and minified as a module its top-level ``this`` would be rewritten. The
  page loads it with a classic tag, which runs it as a script, as before;
- **shipped as written** on pages that run **AngularJS 1** (a classic entry calls
  ``angular.module(``): AngularJS finds what a function wants injected by reading its
  parameter names (``function ($scope, $http)``), and esbuild renames parameters, minifying or
  not (``function ($q, inform)`` inside ``function (inform)`` became ``inform2``: it renames a
  name that shadows another). Minified, privacyIDEA's whole UI stopped at its first
  controller (``Unknown provider: rProvider <- r <- $http``). Each classic entry (not an ES
  module or CommonJS file) is then the file as it is under a content-hashed name, still
  compressed and immutable.

Which entries are classic comes from the templates, scanned before the stage bundles
(``rewrite.scripttags``), memoised by the templates' content hashes; report.json's
``scripts.script_tags`` records, per template, the entries it loads and how, so that an edit
build or ``watch`` reruns this stage when a template edit changes it (``dev.plan``). A module
entry that some template loads with a classic tag is built classic, and each
``type="module"`` tag loading a classic entry is a warning naming template:line.
"""

from __future__ import annotations

import re
from dataclasses import field
from pathlib import Path
from typing import Any

from ..errors import AssetpipeError
from ..esbuild.result import Result
from ..pipeline.codeprint import fact_kind
from ..pipeline.sources import globmatch
from ..records import dataclass
from ..rewrite.scripttags import ScriptUse, how_loaded, tags_of
from . import bundling, templates
from .aswritten import as_written, entry_outputs, keep_smaller
from .base import StageContext
from .unparsed import build_parsable


@dataclass
class Plan:
    """The entries split by how they are built, and where templates load each one."""

    modules: list[str] = field(default_factory=list)
    classic: list[str] = field(default_factory=list)
    #: entry key -> (template source key, use), in template order
    uses: dict[str, list[tuple[str, ScriptUse]]] = field(default_factory=dict)


def template_uses(ctx: StageContext) -> list[tuple[str, ScriptUse]]:
    """Every ``<script src>`` of every template (source key, use), each template's a fact of the
    sources' stat memo (``tags_of``): an unchanged template is not read again, an edited one
    alone is scanned. A template that cannot be read or scanned is skipped here: the
    templates stage reports it, located."""
    if not ctx.config.templates.dirs:
        return []
    try:
        names = templates.collect(ctx, quiet=True)
    except AssetpipeError:  # a layout error is the templates stage's to report
        return []
    found: list[tuple[str, ScriptUse]] = []
    for rel in sorted(set(names.values())):
        found += [(rel, use) for use in tags_of(ctx.config, ctx.sources, rel)]
    return found


def plan(ctx: StageContext, keys: list[str]) -> Plan:
    """Split the entry keys into module and classic ones, warning about each
    ``type="module"`` tag that loads a classic entry."""
    wanted = set(keys)
    out = Plan()
    by_template: dict[str, list[ScriptUse]] = {}
    for rel, use in template_uses(ctx):
        by_template.setdefault(rel, []).append(use)
        if use.key in wanted:
            out.uses.setdefault(use.key, []).append((rel, use))
    tags = {rel: how_loaded(uses, wanted.__contains__) for rel, uses in by_template.items()}
    ctx.report.sections["scripts"] = {"script_tags": {rel: t for rel, t in tags.items() if t}}
    listed = ctx.config.scripts.classic
    for key in keys:
        uses = out.uses.get(key, [])
        classic_tags = [(rel, u) for rel, u in uses if not u.module]
        configured = bool(listed) and globmatch(key, listed)
        if not (configured or classic_tags):
            out.modules.append(key)
            continue
        out.classic.append(key)
        why = (
            "scripts.classic lists it"
            if configured
            else f'{_where(ctx, *classic_tags[0])} loads it without type="module"'
        )
        for rel, use in uses:
            if use.module:
                ctx.warn(
                    f"{key} is built as a classic script ({why}) but is loaded here with "
                    'type="module": its top-level declarations are module-scoped there, '
                    "not globals; load it the same way everywhere",
                    ctx.source_location(rel, use.line),
                )
    return out


def _where(ctx: StageContext, rel: str, use: ScriptUse) -> str:
    loc = ctx.source_location(rel, use.line)
    return f"{loc.file}:{loc.line}"


def options(ctx: StageContext, entries: list[str], *, iife: bool) -> dict[str, Any]:
    """esbuild options for classic entries: one file each, unbundled, or an IIFE bundle."""
    cfg = ctx.config.scripts
    opts = bundling.options(ctx, entries, "scripts-iife" if iife else "scripts-classic")
    opts.update(platform="browser", bundle=iife)
    if iife:
        opts["format"] = "iife"
    if cfg.define:
        opts["define"] = dict(cfg.define)
    if cfg.log_override:
        opts["logOverride"] = dict(cfg.log_override)
    return opts


def build(ctx: StageContext, the_plan: Plan) -> Result:
    """Build the classic entries (see the module doc); warns about each classic tag that
    loads an ES module or a CommonJS file."""

    def minified(entries: list[str]) -> Result:
        opts = options(ctx, entries, iife=False)
        return bundling.cached_build(
            ctx, "scripts.classic", opts, lambda: keep_smaller(ctx, bundling.build(ctx, opts))
        )

    result, unparsed = build_parsable(ctx, the_plan.classic, minified)
    keys = [k for k in the_plan.classic if k not in unparsed]
    if uses_angularjs(ctx, keys):
        result = as_written(ctx, result, lambda *_: True)
    inputs = result.metafile.get("inputs", {})
    flagged = [k for k in keys if (inputs.get(k) or {}).get("format") == "esm"]
    typed = {k for k in flagged if not _module_syntax(ctx, k)}
    if typed:  # ESM by package.json's "type" alone: the file as it is (module doc)
        result = as_written(ctx, _scripts(result, typed), lambda key, *_: key in typed)
    esm = [k for k in flagged if k not in typed]
    cjs = [k for k in keys if k not in esm and _may_require(ctx, k)]
    if not esm and not cjs:
        return result
    iife_opts = options(ctx, esm + cjs, iife=True)
    bundled = bundling.cached_build(
        ctx, "scripts.iife", iife_opts, lambda: bundling.build(ctx, iife_opts)
    )
    # esbuild's import records say whether a require() really is one (not in a comment, a
    # string, or a function whose own parameter is called require, as in browserify bundles)
    found = bundled.metafile.get("inputs", {})
    requiring = [
        k
        for k in cjs
        if any(i.get("kind") == "require-call" for i in (found.get(k) or {}).get("imports", ()))
    ]
    bundled = _without_entries(bundled, set(cjs) - set(requiring))
    for key in esm:
        _warn(ctx, the_plan, key, "an ES module (it uses import/export)")
    for key in requiring:
        _warn(ctx, the_plan, key, "CommonJS (it calls require(), which browsers lack)")
    return _merge(_without_entries(result, set(esm) | set(requiring)), bundled)


#: ``import``/``export`` as keywords (not ``exports``, ``.import``, ``"import"``): what makes a
#: file an ES module by its own text
_MODULE_SYNTAX = re.compile(r"""(?<![\w$.'"`])(?:import|export)(?![\w$:'"`])""")


def _module_syntax(ctx: StageContext, key: str) -> bool:
    """Whether a classic entry that esbuild calls an ES module has a module's syntax of its
    own: not one that is ESM only because the nearest ``package.json`` says ``"type":
    "module"`` (Baby Buddy's, for its gulpfile: its gulp-built ``vendor.js``, five UMD
    libraries concatenated and minified, was bundled as an IIFE and the build stopped on
    masonry's guarded ``require("./item")``; unbundled, esbuild would rewrite its top-level
    ``this``). A fact of the sources' stat memo, as ``_may_require``'s scan."""
    if key not in ctx.sources:
        return True

    def scan(path: Path) -> bool:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return True
        return bool(_MODULE_SYNTAX.search(text))

    return bool(ctx.sources.fact(key, fact_kind("scripts.module_syntax", "bundling"), scan))


def _scripts(result: Result, keys: set[str]) -> Result:
    """``result`` with ``keys`` no longer marked ES modules in its metafile's inputs."""
    inputs = {
        k: ({n: v for n, v in i.items() if n != "format"} if k in keys else i)
        for k, i in result.metafile.get("inputs", {}).items()
    }
    return Result(result.files, {**result.metafile, "inputs": inputs}, result.warnings)


#: ``require("x")``: a CommonJS import, or code that only looks like one (see ``_may_require``)
_REQUIRE = re.compile(r"""(?<![\w$.])require\s*\(\s*["'`]""")
#: what a UMD wrapper or a guarded require tests before it calls require(): such a file runs
#: from a classic tag as it is
_UMD = re.compile(r"typeof\s+(?:module|exports|define|require)\b|\bdefine\.amd\b")


def _may_require(ctx: StageContext, key: str) -> bool:
    """Whether a classic entry may call ``require()`` unguarded: it names a module with a
    string, and nothing in it tests for a module system first (a UMD library does). esbuild's
    import records confirm it (``build``). A ``*.min.js`` (a vendor's browser build) never.
    A fact of the sources' stat memo: an unchanged file is not read again."""
    if key.endswith(".min.js") or key not in ctx.sources:
        return False

    def scan(path: Path) -> bool:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return False
        return bool(_REQUIRE.search(text)) and not _UMD.search(text)

    return bool(ctx.sources.fact(key, fact_kind("scripts.requires", "bundling"), scan))


#: an AngularJS 1 module being declared or looked up: the page injects by parameter names
_ANGULARJS = re.compile(r"(?<![\w$.])angular\s*\.\s*module\s*\(")


def uses_angularjs(ctx: StageContext, keys: list[str]) -> bool:
    """Whether any classic entry calls ``angular.module(``: the pages run AngularJS 1, whose
    implicit injection reads parameter names, so no classic entry may go through esbuild (a
    controller in one file, registered on a module another file declares). A fact of the
    sources' stat memo, as ``_may_require``'s scan."""

    def scan(path: Path) -> bool:
        try:
            return bool(_ANGULARJS.search(path.read_text(encoding="utf-8", errors="replace")))
        except OSError:
            return False

    kind = fact_kind("scripts.angularjs", "bundling")
    return any(k in ctx.sources and ctx.sources.fact(k, kind, scan) for k in keys)


def _warn(ctx: StageContext, the_plan: Plan, key: str, what: str) -> None:
    """Warn at each classic tag loading ``key``, which was bundled as an IIFE (``what`` it is)."""
    tags = [(rel, u) for rel, u in the_plan.uses.get(key, []) if not u.module]
    for rel, u in tags:
        ctx.warn(
            f"{key} is {what} loaded as a classic script: bundled as an IIFE so it runs, but "
            'its top-level names are not globals; add type="module" to the tag (or assign '
            "what pages call to window)",
            ctx.source_location(rel, u.line),
        )
    if not tags:
        ctx.warn(
            f"{key} is {what} and scripts.classic lists it: bundled as an IIFE, its top-level "
            'names are not globals; load it with type="module" instead (or assign what pages '
            "call to window)",
            ctx.config.location_of("scripts.classic"),
        )


def _without_entries(result: Result, drop: set[str]) -> Result:
    gone = {p for p, k in entry_outputs(result).items() if k in drop}
    gone |= {p + ".map" for p in gone} | {p + ".LEGAL.txt" for p in gone}
    outputs = {p: i for p, i in result.metafile["outputs"].items() if p not in gone}
    return Result(
        {p: b for p, b in result.files.items() if p not in gone},
        {**result.metafile, "outputs": outputs},
        result.warnings,
    )


def _merge(a: Result, b: Result) -> Result:
    return Result(
        {**a.files, **b.files},
        {
            "inputs": {**a.metafile.get("inputs", {}), **b.metafile.get("inputs", {})},
            "outputs": {**a.metafile["outputs"], **b.metafile["outputs"]},
        },
        [*a.warnings, *b.warnings],
    )
