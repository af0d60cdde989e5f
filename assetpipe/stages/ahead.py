"""Compression ahead of the compress stage: the build queues what ``public/`` holds after each
stage (and the templates stage before it rewrites), so brotli and gzip overlap the stages that
follow (``compress.start``).

With nothing written to ``public/`` yet there is nothing to queue, and the compress stage
(brotli, gzip, its worker pool) is not even imported: an edit build that replays every stage
writing ``public/`` never loads it.
"""

from __future__ import annotations

from .base import StageContext


def start(ctx: StageContext) -> None:
    """``compress.start``, when ``public/`` got anything."""
    if ctx.public_written:
        from . import compress

        compress.start(ctx)


def cancel(ctx: StageContext) -> None:
    """``compress.cancel``: drop the work ``start`` queued (the build failed)."""
    if ctx.compressor is not None:
        from . import compress

        compress.cancel(ctx)
