"""The styles stage: ``styles.entries`` (CSS) bundled and minified by esbuild: ``@import`` and
``url()`` resolved, relative ones and ``public_path + K`` ones (``url(/static/img/a.png)``
with ``public_path: /static/`` is the source's ``img/a.png``).

A ``url()`` to a file another stage already produced (an image the images stage processed: it
runs first) becomes an external reference to that file's final URL (``public_path`` + its
manifest ``file``), so no raw copy is emitted and esbuild's hash of the stylesheet changes when
the image does. Other targets (fonts, images nobody processes) are emitted and hashed by esbuild
here (``[dir]/[name]-[hash]``): they are this stage's manifest entries, keyed by source path and
listed in the stylesheet's ``assets``. ``data:`` URIs and external URLs stay as written; a
``url()`` inside a comment is never touched (esbuild parses CSS; it does not regex it). A
missing target is an ``EsbuildError`` naming the CSS file and line.

Those two rules need a resolve plugin, which only the esbuild service (Node) runs. So the
stage first builds with the native binary (no Node start-up); when that build read a file
another stage produced, or failed (a ``public_path`` URL is unresolvable without the plugin), it
builds again through the service, whose result (or located errors) is final. When other stages
already made files, the scripts stage starts the service early so its start-up overlaps the
script build. Sourcemaps and legal comments follow ``scripts.sourcemap`` /
``scripts.legal_comments``. A stylesheet shipped minified that imports and names no other file
goes out as it is when esbuild's output is not smaller once compressed, unless it names its
own source map (``aswritten``).
"""

from __future__ import annotations

from ..esbuild.result import EsbuildError, Result
from . import bundling
from .aswritten import heavier_unmapped, keep_smaller, stands_alone
from .base import StageContext
from .esbuild_options import STYLE_EXTS
from .esbuild_options import styles as options

__all__ = ["EXTS", "options", "run"]

EXTS = STYLE_EXTS


def run(ctx: StageContext) -> None:
    """Bundle the stylesheet entries into ``public/`` and add their manifest entries."""
    keys = bundling.entry_keys(ctx, ctx.config.styles.entries, "styles.entries", EXTS)
    if not keys:
        return
    ctx.progress.start("styles", 1)
    opts = options(ctx, keys)

    def produce() -> Result:
        result = None
        if not ctx.esbuild.styles_need_urls:
            try:
                # its warnings said once it is kept: a build dropped for the plugin's warns again
                result = bundling.build(ctx, opts, report=False)
                if bundling.needs_urls(ctx, result):
                    result.drop_scratch()
                    result = None
                else:
                    bundling.warn(ctx, result.warnings)
            except EsbuildError:
                pass  # e.g. a public_path url(): the plugin resolves it, or reports it precisely
        if result is None:
            # remembered where the session outlives a build (watch): later rebuilds go straight here
            ctx.esbuild.styles_need_urls = True
            result = bundling.build(ctx, opts, urls=bundling.url_table(ctx))
        return result

    result = bundling.cached_build(
        ctx, "styles", opts, lambda: keep_smaller(ctx, produce(), stands_alone, heavier_unmapped)
    )
    bundling.emit(ctx, result, set(keys))
    ctx.progress.advance("styles")
    ctx.progress.finish("styles")
