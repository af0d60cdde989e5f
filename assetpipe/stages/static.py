"""The static stage: exactly the files ``static.include`` lists, copied to ``public/`` under
content-hashed names (``icons/logo.svg`` → ``icons/logo-HASH.svg``); files in ``keep_names`` keep
their name and get ``"immutable": false`` (they are linked from outside, so they revalidate).

Work per file is a copy into the cache plus its SRI hash, keyed by content; the output is a hard
link to the cache blob. Never a link to the source itself: editors and ``write_text`` rewrite a
file in place, which would change the published (immutable!) output through the shared inode.
"""

from __future__ import annotations

from ..hashing import hashed_name, sri_file
from ..sources import globmatch
from .base import StageContext

VERSION = 1


def select(ctx: StageContext) -> list[str]:
    """The source keys this stage owns."""
    return [f.rel for f in ctx.sources.match(ctx.config.static.include)]


def run(ctx: StageContext) -> None:
    cfg = ctx.config.static
    files = ctx.sources.match(cfg.include)
    ctx.progress.start("static", len(files))
    for f in files:
        digest = ctx.sources.sha256(f.rel)
        key = ctx.cache.key("static", VERSION, digest)
        entry = ctx.cache.get(key, "static")
        if entry is None:
            entry = ctx.cache.put(key, {"file": f.path}, {"integrity": sri_file(f.path)})
        integrity = str(entry.meta["integrity"])
        keep = globmatch(f.rel, cfg.keep_names)
        out = f.rel if keep else hashed_name(f.rel, digest)
        ctx.link_public(out, entry.path("file"))
        item = {"file": out, "src": f.rel, "size": f.size, "integrity": integrity}
        if keep:
            item["immutable"] = False
        ctx.manifest.add(f.rel, item)
        ctx.progress.advance("static")
    ctx.progress.finish("static")
