"""The static stage: exactly the files ``static.include`` lists, copied to ``public/`` under
content-hashed names (``icons/logo.svg`` → ``icons/logo-HASH.svg``); files in ``keep_names`` keep
their name and get ``"immutable": false`` (they are linked from outside, so they revalidate).

Work per file is a copy into the cache plus its SRI hash, keyed by content; the output is a hard
link to the cache blob. Never a link to the source itself: editors and ``write_text`` rewrite a
file in place, which would change the published (immutable!) output through the shared inode.
"""

from __future__ import annotations

from ..hashing import hashed_name, sri_file
from ..pipeline.codeprint import code_digest
from ..pipeline.sources import globmatch
from .base import StageContext


def output_name(ctx: StageContext, rel: str) -> str:
    """The public name static gives a source key: its own for ``keep_names``, else hashed."""
    if globmatch(rel, ctx.config.static.keep_names):
        return rel
    return hashed_name(rel, ctx.sources.sha256(rel))


def select(ctx: StageContext) -> list[str]:
    """The source keys this stage owns."""
    return [f.rel for f in ctx.sources.match(ctx.config.static.include)]


def run(ctx: StageContext) -> None:
    files = ctx.sources.match(ctx.config.static.include)
    ctx.progress.start("static", len(files))
    for f in files:
        digest = ctx.sources.sha256(f.rel)
        key = ctx.cache.key("static", code_digest("static"), digest)
        entry = ctx.cache.get(key, "static")
        if entry is None or "file" not in entry.files:
            entry = ctx.cache.put(key, {"file": f.path}, {"integrity": sri_file(f.path)})
        integrity = str(entry.meta["integrity"])
        out = output_name(ctx, f.rel)
        ctx.link_public(out, entry.path("file"))
        item = {"file": out, "src": f.rel, "size": f.size, "integrity": integrity}
        if out == f.rel:
            item["immutable"] = False
        ctx.manifest.add(f.rel, item)
        ctx.progress.advance("static")
    ctx.progress.finish("static")
