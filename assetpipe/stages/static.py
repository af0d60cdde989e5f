"""The static stage: exactly the files ``static.include`` lists (and every file of
``static.folders``: ``pipeline.staticfolders``), copied to ``public/`` under
content-hashed names (``icons/logo.svg`` → ``icons/logo-HASH.svg``); files in ``keep_names`` keep
their name and get ``"immutable": false`` (they are linked from outside, so they revalidate), and
so do, in a development build, the scripts another copied script imports by relative specifier
(``jsrefs``: a prebuilt module graph's entry and chunks). A production build rewrites those
specifiers to the imported modules' hashed names instead (``jsrefs.rewrite_imports``), so a
module is named by its bytes with its imports' names in them; only the modules ``jsrefs``
pins (on an import cycle, or named in text that is not an import) keep their names.

A file named like a secret (``secretfiles``: a private key, ``.env``) is published with a
warning: ``static.include`` lists it, but the static folder is seldom where one belongs.

TypeScript and JSX sources a glob matches (``js/**`` over webpack's ``.tsx``) are not copied:
no browser runs them (``scriptsource``).

A bundler's content-hashed file (``static.bundler_manifests``: a manifest in the source folder
lists it and its name carries the bundler's hash, ``hashing.bundler_hashed``) keeps its name too,
as the bundle's runtime loads it by that name, is published as it is and stays ``immutable`` (not
in a development build: a save under ``watch`` keeps the name, which a browser would keep); its
text is never read for imports (on MLflow's 300 webpack chunks, reading and scanning them all
took most of the stage's 5 s on a cached build).

Work per file is a copy into the cache plus its SRI hash, keyed by content; the output is a hard
link to the cache blob. Never a link to the source itself: editors and ``write_text`` rewrite a
file in place, which would change the published (immutable!) output through the shared inode.

In a production build, a stylesheet among them has its references to the other files
published here (not to another stylesheet), and to the images the images stage published (their
original-format output), rewritten to their hashed names (``cssrefs``), and
its own name hashes the rewritten bytes: a font that changes renames the stylesheet that loads
it too.
"""

from __future__ import annotations

import hashlib

from ..bundler_manifest import manifest_named
from ..hashing import bundler_hashed, hashed_name, sri, sri_file
from ..imaging.formats import RASTER, widest_original
from ..pipeline.codeprint import code_digest
from ..pipeline.sources import SourceFile, globmatch
from ..pipeline.staticfolders import folder_keys, shadowed
from ..scriptsource import script_source
from ..secretfiles import secret_like
from .base import StageContext
from .cssrefs import rewrite_refs
from .jsrefs import SCRIPT_EXTS, imported_modules, pinned_modules, rewrite_imports


def output_name(ctx: StageContext, rel: str) -> str:
    """The public name static gives a source key: its own for ``keep_names``, else hashed (a
    stylesheet's from its bytes with its references rewritten, ``rewritten``)."""
    return _name(ctx, rel, rewritten(ctx, rel))


def _name(ctx: StageContext, rel: str, data: bytes | None) -> str:
    """``output_name`` of ``rel`` whose published bytes are ``data`` (``None``: its source's).
    A script ``jsrefs`` pins keeps its name too: hashed, it would be fetched and run a second
    time under the name written in another script."""
    if _kept(ctx, rel):
        return rel
    digest = ctx.sources.sha256(rel) if data is None else hashlib.sha256(data).hexdigest()
    return hashed_name(rel, digest)


def bundler_kept(ctx: StageContext, rel: str) -> bool:
    """Whether ``rel`` is a bundler's content-hashed file (``hashing.bundler_hashed``, listed by
    one of ``static.bundler_manifests``): it keeps its name, published as it is, ``immutable``.
    The manifests are read once per build (``ctx.static_bundled``)."""
    if not ctx.config.static.bundler_manifests:
        return False
    if ctx.static_bundled is None:
        keys = ctx.static_keys or frozenset(select(ctx))
        named = manifest_named(ctx.config.source, keys, ctx.config.static.bundler_manifests)
        ctx.static_bundled = frozenset(k for k in named if bundler_hashed(k, named))
    return rel in ctx.static_bundled


def _kept(ctx: StageContext, rel: str) -> bool:
    """Whether ``rel`` keeps its name: ``keep_names``, or a script ``jsrefs`` pins (every script
    another imports in a development build, which rewrites no specifier; in a production build
    ``pinned_modules``). The pinned set is ``ctx.static_imported``, computed on first use."""
    if bundler_kept(ctx, rel):
        return True
    if ctx.static_imported is None:
        keys = ctx.static_keys or frozenset(select(ctx))
        stamps = [
            (k, ctx.sources.sha256(k))
            for k in keys
            if k.endswith(SCRIPT_EXTS) and not bundler_kept(ctx, k)
        ]
        find = imported_modules if ctx.profile == "development" else pinned_modules
        ctx.static_imported = find(ctx.config.source, stamps)
    return globmatch(rel, ctx.config.static.keep_names) or rel in ctx.static_imported


def rewritten(ctx: StageContext, rel: str) -> bytes | None:
    """For a stylesheet among the static files, its bytes with its references to the others
    rewritten to their output names (``cssrefs``); ``None`` for any other file, one that is not
    UTF-8, or one no reference of which changes. A reference to another stylesheet is left as
    written: its name would depend on this one's through an ``@import`` cycle. Production
    builds only: a development build (``watch``) serves every file ``no-cache`` and rebuilds
    only the files that changed, which would leave a stylesheet naming a font's old name."""
    if ctx.profile == "development" or rel not in ctx.static_keys or bundler_kept(ctx, rel):
        return None
    if rel.endswith(SCRIPT_EXTS):
        return _module(ctx, rel)
    if not rel.endswith(".css"):
        return None
    try:
        text = ctx.source_path(rel).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None

    def name_of(key: str) -> str | None:
        if key in ctx.static_keys:
            return None if key.endswith(".css") else _name(ctx, key, None)
        return _image_output(ctx, key)

    out = rewrite_refs(text, rel, ctx.config.public_path, name_of)
    return None if out == text else out.encode("utf-8")


def _module(ctx: StageContext, rel: str) -> bytes | None:
    """For a script among the static files, its bytes with its relative import specifiers
    naming the hashed files of the modules imported (``jsrefs.rewrite_imports``; a pinned one's
    as written), or ``None`` when none changes or it is not UTF-8. Each import is named first
    (leaves first: the pinned modules hold every cycle); memoised per build in
    ``ctx.static_modules``, as every importer asks again."""
    if rel not in ctx.static_modules:
        try:
            text = ctx.source_path(rel).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            text = None

        def name_of(key: str) -> str | None:
            if key == rel or key not in ctx.static_keys or not key.endswith(SCRIPT_EXTS):
                return None
            return None if _kept(ctx, key) else output_name(ctx, key)

        out = None if text is None else rewrite_imports(text, rel, name_of)
        ctx.static_modules[rel] = None if out is None or out == text else out.encode("utf-8")
    return ctx.static_modules[rel]


def _image_output(ctx: StageContext, key: str) -> str | None:
    """For an image the images stage published (it runs first), its original-format output of
    the largest width: the bytes its unhashed URL answers with (``serve``'s source paths),
    under a hashed, immutable name and in the format the stylesheet named (a CSS background
    keeps its PNG, never becomes WebP). ``None`` for any other key."""
    entry = ctx.manifest.get(key)
    return None if entry is None else widest_original(entry, ctx.config.images.formats)


def select(ctx: StageContext) -> list[str]:
    """The source keys this stage owns."""
    return [f.rel for f in _files(ctx)]


def _files(ctx: StageContext) -> list[SourceFile]:
    """The source files ``static.include`` matches, less the TypeScript and JSX sources no
    browser runs (``scriptsource``)."""
    matched = ctx.sources.match(ctx.config.static.include)
    if ctx.config.static.folders:  # every file of theirs (``staticfolders``)
        taken = {f.rel for f in matched}
        more = folder_keys(ctx.sources.whole, ctx.config.static.folders, ctx.config.source)
        matched += [ctx.sources.files[k] for k in more if k in ctx.sources.files and k not in taken]
        matched.sort(key=lambda f: f.rel)
    return [f for f in matched if not script_source(f.rel, f.path)]


def _dimensions(f: SourceFile) -> list[int] | None:
    """A raster image's displayed [width, height] (its EXIF orientation applied), read from its
    header; ``None`` for any other file or one that will not open. A copied image (a logo at
    the static folder's root, which the images stage leaves to this one) then has them in the
    manifest, so the rewriter can write ``width``/``height`` where they cannot distort (an
    audit's ``dimensions_safe``: the audit's ``images.unsized`` named such a logo and no build
    could act on it) and knows its natural width (``fetchpriority`` on a large one)."""
    if not f.rel.lower().endswith(RASTER):
        return None
    import warnings

    from PIL import Image

    from ..imaging.probe import displayed_size, read_orientation

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(f.path) as im:  # the header only: no frame is decoded
                w, h = displayed_size(*im.size, read_orientation(im))
    except Exception:  # not an image after all, or a broken one: copied without them
        return None
    return [w, h]


def run(ctx: StageContext) -> None:
    files = _files(ctx)
    for key, path, taken in shadowed(ctx.sources.whole, ctx.config.static.folders):
        ctx.warn(
            f"static.folders: '{path}' is not copied: '{taken}' is the file of key {key}"
            " (Django's finders answer with the first folder's)",
            ctx.config.location_of("static.folders"),
        )
    ctx.progress.start("static", len(files))
    for f in files:
        data = rewritten(ctx, f.rel)
        out = _name(ctx, f.rel, data)
        if data is not None:  # a stylesheet or script whose references now name hashed files
            ctx.write_public(out, data)
            item = {"file": out, "src": f.rel, "size": len(data), "integrity": sri(data)}
        else:
            digest = ctx.sources.sha256(f.rel)
            key = ctx.cache.key("static", code_digest("static"), digest)
            entry = ctx.cache.get(key, "static")
            if entry is None or "file" not in entry.files:
                meta = {"integrity": sri_file(f.path), "dimensions": _dimensions(f)}
                entry = ctx.cache.put(key, {"file": f.path}, meta)
            ctx.link_public(out, entry.path("file"))
            integrity = str(entry.meta["integrity"])
            item = {"file": out, "src": f.rel, "size": f.size, "integrity": integrity}
            dims = entry.meta.get("dimensions")
            if isinstance(dims, list) and len(dims) == 2:
                item["width"], item["height"] = int(dims[0]), int(dims[1])
        if out == f.rel and (ctx.profile == "development" or not bundler_kept(ctx, f.rel)):
            item["immutable"] = False  # a watch build's save keeps a bundler's name: revalidate
        ctx.manifest.add(f.rel, item)
        if (pattern := secret_like(f.rel)) is not None:
            ctx.warn(
                f"published {ctx.config.public_path}{out}, named like a secret ({pattern}):"
                " anyone can fetch it wherever the build is deployed; take it out of"
                " static.include (and out of the static folder, if the app keeps it there)",
                ctx.source_location(f.rel),
            )
        ctx.progress.advance("static")
    ctx.progress.finish("static")
