"""The scripts stage: ``scripts.entries`` (.js .mjs .ts .tsx .jsx) bundled by esbuild as ES
modules (except classic scripts: entries a page loads with a plain ``<script src>``, built by
``classic.py`` so their globals survive) with code splitting (shared chunks and
dynamic-import chunks under ``js/chunks/``), minified (production profile), with ``target``,
``define``, ``sourcemap`` and ``legal_comments``. Names are esbuild's ``[dir]/[name]-[hash]``,
never hashed again.

It is a plugin-free build, so it runs esbuild's native binary once (no Node start-up); only when
a stylesheet a script imports has a ``url()`` to a file another stage produced (a processed
image) is it redone through the service, so that url() points at that file. A user's own npm
packages resolve from their project's ``node_modules`` (esbuild's usual lookup from each file,
plus the config folder's ``node_modules``).

Manifest: entries with Vite's meaning, computed from esbuild's metafile
(``assetpipe/esbuild/metafile.py``).
Errors: esbuild's (syntax, unresolved import) as ``FILE:LINE:COL: message`` + the source line,
exit 1 (``EsbuildError``). Warnings: esbuild's, and sources under a ``"type": "commonjs"``
package.json.
"""

from __future__ import annotations

import contextlib

from ..errors import ExternalToolError
from ..esbuild.result import Result
from . import bundling, classic
from .base import StageContext
from .esbuild_options import SCRIPT_EXTS
from .esbuild_options import scripts as options

__all__ = ["EXTS", "options", "run"]

EXTS = SCRIPT_EXTS


def run(ctx: StageContext) -> None:
    """Bundle the script entries into ``public/`` and add their manifest entries. Entries a
    page loads as classic scripts are built apart (``classic.py``)."""
    keys = bundling.entry_keys(ctx, ctx.config.scripts.entries, "scripts.entries", EXTS)
    if not keys:
        return
    ctx.progress.start("scripts", 1)
    the_plan = classic.plan(ctx, keys)
    if the_plan.classic:
        bundling.emit(ctx, classic.build(ctx, the_plan), set(the_plan.classic))
    if the_plan.modules:
        _modules(ctx, the_plan.modules)
    ctx.progress.advance("scripts")
    ctx.progress.finish("scripts")


def _modules(ctx: StageContext, keys: list[str]) -> None:
    opts = options(ctx, keys)

    def produce() -> Result:
        if ctx.config.styles.entries and (len(ctx.manifest) or ctx.static_keys):
            _prestart_service(ctx)  # stylesheets may point at those files: they need it
        result = bundling.build(ctx, opts)
        if bundling.needs_urls(ctx, result):
            result.drop_scratch()
            result = bundling.build(ctx, opts, urls=bundling.url_table(ctx))
        return result

    result = bundling.cached_build(ctx, "scripts", opts, produce)
    bundling.check_module_type(ctx, result)
    bundling.emit(ctx, result, set(keys))


def _prestart_service(ctx: StageContext) -> None:
    """Start the Node service now so its start-up overlaps this stage's build (styles uses it).
    A failure here is left for the styles stage to report."""
    with contextlib.suppress(ExternalToolError):
        ctx.esbuild.service()
