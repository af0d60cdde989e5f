"""What the scripts and styles stages share: esbuild options from the config (built in the light
``esbuild_options``, re-exported here), running a build
through the build's esbuild session (``ctx.esbuild``), writing a build's files and manifest entries, and turning
esbuild's messages into located errors and warnings.

esbuild's output folder (``outdir``) is a fixed scratch folder per project and stage,
``.assetpipe/esbuild/<stage>/``: sourcemaps record sources relative to it, so a fixed folder
keeps the maps (and so the build) byte-identical from build to build. The native binary writes
there and the files are read back; the service writes nothing (``write: false``).
"""

from __future__ import annotations

import json
import os
import posixpath
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ..errors import Location, StageError
from ..esbuild import metafile
from ..esbuild.result import EsbuildError, Message, Result
from ..pipeline.codeprint import code_digest
from . import compress, cssurls, static, vendored
from .base import StageContext
from .builtins import builtin_errors, dynamic_builtins
from .esbuild_options import GLOB_CHARS
from .esbuild_options import LOADERS as LOADERS
from .esbuild_options import SOURCEMAP as SOURCEMAP
from .esbuild_options import OptionSource as OptionSource
from .esbuild_options import Settings as Settings
from .esbuild_options import options as options


def entry_keys(
    ctx: StageContext, patterns: Iterable[str], key: str, exts: tuple[str, ...]
) -> list[str]:
    """The source keys ``patterns`` (``scripts.entries`` / ``styles.entries``) name. A literal
    entry that does not exist, is owned by ``static``, or has the wrong type is a
    ``StageError`` located at the config key."""
    pats = list(patterns)
    where = ctx.config.location_of(key)
    for pat in pats:
        if GLOB_CHARS & set(pat):
            continue
        if pat not in ctx.sources:
            raise StageError(
                f"{key}: no file '{pat}' in the source folder",
                location=where,
                hint=f"paths in {key} are relative to source ({ctx.config.source})",
            )
        if pat in ctx.static_keys:
            raise StageError(
                f"{key}: '{pat}' is also matched by static.include; a file belongs to one stage",
                location=where,
                hint="remove it (or its folder) from static.include",
            )
    # in the order the config lists them (esbuild's output depends on entry order); literal
    # paths are looked up, not globbed (matching every source file per pattern is slow)
    found: list[str] = []
    for pat in pats:
        if GLOB_CHARS & set(pat):
            found += [f.rel for f in ctx.sources.match([pat], exclude=ctx.static_keys)]
        else:
            found.append(pat)
    found = list(dict.fromkeys(found))
    wrong = [k for k in found if not k.endswith(exts)]
    if wrong:
        raise StageError(f"{key}: '{wrong[0]}' is not one of {', '.join(exts)}", location=where)
    return found


def shown(ctx: StageContext) -> Callable[[str], str]:
    """A function: esbuild's file path (relative to the source root) → the path as the user
    names it (relative to the config's folder when inside it)."""

    def show(path: str) -> str:
        full = os.path.normpath(ctx.config.source / path)
        rel = os.path.relpath(full, ctx.config.root)
        return full if rel.startswith("..") else Path(rel).as_posix()

    return show


def build(
    ctx: StageContext,
    opts: dict[str, Any],
    urls: dict[str, Any] | None = None,
    *,
    report: bool = True,
) -> Result:
    """Run one build through the build's esbuild session (``urls``: with the url() plugin).
    esbuild's warnings become build warnings (``report=False``: the caller's to ``warn`` about,
    once it keeps the result); its errors an ``EsbuildError`` naming file:line:col.

    A dynamic ``import()`` of a Node built-in that nothing maps for the browser (pdf.js's
    ``await import("fs")``, taken only under Node) is left as written, as Vite does: the build
    runs again with those modules external, and report.json's ``node_builtins`` lists them. A
    static import of one stays an error: it would fail as the page loads it."""
    try:
        result = ctx.esbuild.build(opts, urls)
    except EsbuildError as err:
        builtins = dynamic_builtins(err)
        if not builtins:
            raise err.relocated(shown(ctx)) from None
        opts = {**opts, "external": sorted({*opts.get("external", ()), *builtins})}
        try:
            result = ctx.esbuild.build(opts, urls)
        except EsbuildError as again:
            raise again.relocated(shown(ctx)) from None
        show = shown(ctx)
        _builtins_left(
            ctx,
            [
                {"file": show(m.file), "line": m.line, "module": name}
                for m, name in builtin_errors(err)
                if m.file
            ],
        )
    if report:
        warn(ctx, result.warnings)
    return result


#: file names of code someone else wrote and shipped minified (``mermaid@12.2.0.min.js``)
_MINIFIED = (".min.js", ".min.mjs", ".min.cjs", ".min.css")


#: a line this long is a minifier's, not a person's
_MINIFIED_LINE = 500
_SHIPPED_ENDINGS = (".js", ".mjs", ".cjs", ".css")


def shipped_minified(name: str, data: bytes) -> bool:
    """Whether ``name`` (its bytes ``data``) is a script or stylesheet someone shipped minified:
    named so (``*.min.js``, ``*.min.css``), or a plain ``.js``/``.css`` written as a minifier
    writes (nine tenths of its bytes on lines of 500 characters or more: archivy ships
    EasyMDE's build as ``editor.js`` and markdown-it's as ``parser.js``; ``tailwindcss
    --minify`` writes ``app.css`` so). TypeScript and JSX never are: they need esbuild."""
    low = name.lower()
    if low.endswith(_MINIFIED):
        return True
    if not low.endswith(_SHIPPED_ENDINGS) or not data:
        return False
    long_lines = sum(len(line) for line in data.split(b"\n") if len(line) >= _MINIFIED_LINE)
    return long_lines * 10 >= len(data) * 9


def third_party(file: str, source: Path | None = None) -> bool:
    """Whether esbuild's warning about ``file`` is about code the user cannot fix: a package
    (esbuild itself hides warnings from ``node_modules``) or a vendored minified file, named so
    or, read from the folder ``source`` (``file`` is relative to it), written so
    (``shipped_minified``: django-helpdesk ships TimelineJS's webpack build as
    ``vendor/timeline3/js/timeline.js``, and esbuild's two ``duplicate-class-member`` warnings
    in it failed ``build --strict``)."""
    if "node_modules/" in file.replace(os.sep, "/") or file.lower().endswith(_MINIFIED):
        return True
    if source is None:
        return False
    try:
        data = (source / file).read_bytes()
    except OSError:
        return False
    return shipped_minified(file, data)


def builtins_seen(ctx: StageContext) -> list[dict[str, Any]]:
    """report.json's ``node_builtins`` so far: each ``import()`` of a Node built-in left as
    written (``[]``, and no section, when there is none yet)."""
    seen: list[dict[str, Any]] = ctx.report.sections.get("node_builtins", [])
    return seen


def _builtins_left(ctx: StageContext, items: list[dict[str, Any]]) -> None:
    if items:
        ctx.report.sections.setdefault("node_builtins", []).extend(items)


#: esbuild's warning on an old IE property hack (``*zoom: 1``): it keeps the declaration as
#: written and browsers since IE 8 ignore it; vendored stylesheets are full of them (selectize's,
#: which healthchecks ships), and ``build --strict`` failed on a file the user did not write
IE_STAR_HACK = 'Expected identifier but found "*"'


def warn(ctx: StageContext, messages: list[Message]) -> None:
    """esbuild's warnings as build warnings, except those about ``third_party`` files and IE
    property hacks (``IE_STAR_HACK``): those go to report.json's ``third_party_warnings``
    (listed, not counted by ``--strict``)."""
    show = shown(ctx)
    theirs: dict[str, bool] = {}  # file -> third_party(): each file read once, not per warning
    for m in messages:
        if m.file and m.file not in theirs:
            theirs[m.file] = third_party(m.file, ctx.config.source)
        if m.file and (theirs[m.file] or m.text == IE_STAR_HACK):
            notes = ctx.report.sections.setdefault("third_party_warnings", [])
            where = {"file": show(m.file), "line": m.line, "col": m.col}
            notes.append({"stage": ctx.stage, **where, "message": m.text})
            continue
        text = m.text
        if m.id:  # what to write to silence it, in this stage's own section
            section = "styles" if ctx.stage == "styles" else "scripts"
            text += f" [{m.id}] ({section}.log_override: {{{m.id}: silent}} silences it)"
        ctx.warn(text, Location(show(m.file), m.line, m.col) if m.file else None)


def url_table(ctx: StageContext) -> dict[str, Any]:
    """The url() plugin's table: ``public_path + K`` resolution, and every file another stage
    already produced (images first of all; ``static`` files by the name static will give them)
    as an external reference to its final URL."""
    cfg = ctx.config
    external: dict[str, str] = {}
    for key in ctx.manifest:
        if key in ctx.sources:
            external[str(cfg.source / key)] = cfg.public_path + ctx.manifest[key]["file"]
    for key in ctx.static_keys:
        external.setdefault(str(cfg.source / key), cfg.public_path + static.output_name(ctx, key))
    return {"sourceRoot": str(cfg.source), "publicPath": cfg.public_path, "external": external}


def cached_build(
    ctx: StageContext, stage: str, opts: dict[str, Any], produce: Callable[[], Result]
) -> Result:
    """``produce()`` unless an identical build is cached, so a rebuild with no change runs no
    esbuild at all.

    esbuild's inputs are known only after a build, so the cache has two levels: an *index*
    entry keyed by (stage, options, esbuild version) lists the files the last build read and the
    other stages' files it points at (url() externals); the *result* entry is keyed by those
    inputs' content hashes and those files' current URLs, and holds the output bytes, the
    metafile, the warnings and the Node built-ins left as imports (both re-reported on a
    hit)."""
    esbuild_version = ctx.esbuild.version
    index_key = ctx.cache.key(f"{stage}.index", code_digest("bundling"), opts, esbuild_version)
    index = ctx.cache.peek(index_key)
    entry = None
    if index is not None:
        content_key = _content_key(ctx, stage, opts, esbuild_version, index.meta)
        entry = ctx.cache.get(content_key, stage) if content_key else None
        if content_key is None:
            ctx.cache.miss(stage)
    else:
        ctx.cache.miss(stage)
    if entry is not None:
        result = Result(
            {name: entry.path(name).read_bytes() for name in entry.files},
            dict(entry.meta["metafile"]),
            [Message(**m) for m in entry.meta["warnings"]],
            {name: entry.path(name) for name in entry.files},
        )
        warn(ctx, result.warnings)
        _builtins_left(ctx, list(entry.meta.get("node_builtins", ())))
        return result
    # brotli 11 of the largest chunk is a production build's longest task: the outputs start
    # compressing now, those the vendor/ renaming leaves alone before it, the others after
    seen = len(builtins_seen(ctx))
    produced = produce()
    public_path = ctx.config.public_path
    try:
        compress.start_outputs(ctx, cssurls.untouched(vendored.untouched(produced), public_path))
        # vendor/ names first: a stylesheet's url()s then name the files where they will be
        result = cssurls.relativize(vendored.relocate(produced), public_path)
        compress.start_outputs(ctx, result.files)
        table = url_table(ctx)["external"]
        used = _external_urls(result)
        doc = {
            "inputs": sorted(result.metafile.get("inputs", {})),
            "externals": sorted(p for p, url in table.items() if url in used),
        }
        content_key = _content_key(ctx, stage, opts, esbuild_version, doc)
        if content_key is not None:
            # esbuild's own files become the entry's (renamed, not written a second time),
            # those the vendor/ renaming left as they are
            moving = {
                name: path
                for name, path in produced.scratch.items()
                if name in produced.files and result.files.get(name) == produced.files[name]
            }
            stored = ctx.cache.put(
                content_key,
                dict(result.files),
                {
                    "metafile": result.metafile,
                    "warnings": [vars(m) for m in result.warnings],
                    "node_builtins": builtins_seen(ctx)[seen:],
                },
                moving=moving,
            )
            ctx.cache.put(index_key, {}, doc, replace=True)
            result.stored = {name: stored.path(name) for name in result.files}
    finally:
        produced.drop_scratch()
    return result


def _external_urls(result: Result) -> set[str]:
    return {
        imp["path"]
        for info in result.metafile.get("inputs", {}).values()
        for imp in info.get("imports", ())
        if imp.get("external")
    }


def _content_key(
    ctx: StageContext, stage: str, opts: dict[str, Any], version: str, doc: Any
) -> str | None:
    """The result key for an index document, or ``None`` when an input is gone."""
    source = ctx.config.source
    hashes = []
    for path in doc.get("inputs", ()):
        key = metafile.source_key(path)
        try:
            if key is not None and key in ctx.sources:
                digest = ctx.sources.sha256(key)
            elif ":" in path.split("/", 1)[0]:  # a namespaced virtual module (no file)
                digest = path
            else:
                digest = ctx.sources.path_sha256(source / path)  # node_modules: stat memo
        except OSError:
            return None
        hashes.append((path, digest))
    table = url_table(ctx)["external"] if doc.get("externals") else {}
    externals = [(p, table.get(p)) for p in doc.get("externals", ())]
    return ctx.cache.key(stage, code_digest("bundling"), opts, version, hashes, externals)


def needs_urls(ctx: StageContext, result: Result) -> bool:
    """Whether a plugin-free build read a CSS url() target that another stage produces (a
    processed image): then it must be redone through the service, pointing at that file."""
    for info in result.metafile.get("inputs", {}).values():
        for imp in info.get("imports", ()):
            if imp.get("kind") in ("url-token", "import-rule") and not imp.get("external"):
                key = metafile.source_key(imp["path"])
                if key is not None and (key in ctx.manifest or key in ctx.static_keys):
                    return True
    return False


def emit(ctx: StageContext, result: Result, requested: set[str]) -> dict[str, dict[str, Any]]:
    """Write every output file into ``public/`` and add the manifest entries (Vite's meaning,
    ``metafile.entries``). An asset another stage already produced under the same key (a
    processed image a script imports) keeps that stage's entry; the copy esbuild made is still
    written (the script points at it) and a warning says so."""
    aliases = metafile.symlinked_entries(str(ctx.config.source), requested)
    entries = metafile.entries(result, requested, aliases)
    for rel in sorted(result.files):
        stored = result.stored.get(rel)
        if stored is not None:
            try:  # the cache's copy, hard-linked: the bytes are not written twice
                ctx.link_public(rel, stored)
                continue
            except OSError:
                pass
        ctx.write_public(rel, result.files[rel])
    for key, entry in sorted(entries.items()):
        existing = ctx.manifest.get(key)
        if existing is None:
            ctx.manifest.add(key, entry)
        elif existing["file"] != entry["file"]:
            ctx.warn(
                f"'{key}' is imported from a script, which bundles its own copy "
                f"({entry['file']}) instead of the {existing['file']} the "
                f"{'images' if 'variants' in existing else 'other'} stage made",
                ctx.source_location(key),
            )
    return entries


def check_module_type(ctx: StageContext, result: Result) -> None:
    """Warn once per ``package.json`` with ``"type": "commonjs"`` above a source esbuild read:
    esbuild takes a file's module type from its nearest package.json, so it would treat ESM
    sources there as CommonJS and wrap them."""
    by_folder: dict[str, str] = {}  # folder -> the first source key in it
    for key in metafile.inputs(result):
        by_folder.setdefault(posixpath.dirname(key), key)
    seen: dict[str, str | None] = {}
    first_key: dict[str, str] = {}
    for folder, key in sorted(by_folder.items()):
        pkg = _nearest_package(os.path.join(ctx.config.source, folder), seen)
        if pkg is not None:
            first_key.setdefault(pkg, key)
    for pkg, key in sorted(first_key.items()):
        try:
            doc = json.loads(Path(pkg).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(doc, dict) and doc.get("type") == "commonjs":
            shown_pkg = shown(ctx)(os.path.relpath(pkg, ctx.config.source))
            ctx.warn(
                f'"type": "commonjs" here makes esbuild treat {key} (and every source '
                'below this folder) as CommonJS, wrapping ES modules; set "type": '
                '"module" or remove the field',
                Location(shown_pkg),
            )


def _nearest_package(folder: str, seen: dict[str, str | None]) -> str | None:
    path = os.path.normpath(folder)
    walked: list[str] = []
    found: str | None = None
    while True:
        if path in seen:
            found = seen[path]
            break
        walked.append(path)
        candidate = os.path.join(path, "package.json")
        if os.path.isfile(candidate):
            found = candidate
            break
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    for p in walked:
        seen[p] = found
    return found
