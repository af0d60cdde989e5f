"""Which pages this audit (and this shard of it) measures."""

from __future__ import annotations

from ..config import Config
from ..errors import UsageError
from .options import AuditOptions


def parse_shard(text: str) -> tuple[int, int]:
    """``I/N`` (1-based, like Playwright) → (I, N); ``UsageError`` otherwise."""
    try:
        i, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise UsageError(f"--shard: expected I/N such as 1/4, got {text!r}") from None
    if n < 1 or not 1 <= i <= n:
        raise UsageError(f"--shard: expected 1 <= I <= N, got {text!r}")
    return i, n


def shard_pages(paths: list[str], shard: tuple[int, int]) -> list[str]:
    """Contiguous, balanced slices in the pages' order (Playwright's way)."""
    i, n = shard
    size, extra = divmod(len(paths), n)
    start = (i - 1) * size + min(i - 1, extra)
    return paths[start : start + size + (1 if i <= extra else 0)]


def select_pages(config: Config, opts: AuditOptions) -> list[tuple[str, str | None]]:
    """(path, template) of the pages to audit in this shard."""
    known = {p.path: p.template for p in config.pages}
    if opts.pages:
        unknown = [p for p in opts.pages if p not in known]
        if unknown and not (opts.base_url or opts.app or config.audit.app):
            raise UsageError(
                f"--page {unknown[0]}: not one of the config's pages "
                f"({', '.join(known) or 'none'})",
                hint="add it to pages: in pipeline.yaml, or audit your own app "
                "with --app or --base-url",
            )
        for p in opts.pages:
            if not p.startswith("/"):
                raise UsageError(f"--page {p}: expected a URL path starting with '/'")
        paths = list(dict.fromkeys(opts.pages))
    else:
        paths = [p.path for p in config.pages]
    if not paths:
        raise UsageError(
            "no pages to audit",
            location=config.location_of("pages"),
            hint="list them under pages: in pipeline.yaml or pass --page PATH",
        )
    return [(p, known.get(p)) for p in shard_pages(paths, opts.shard)]
