"""The templates stage: templates under ``templates.dirs`` that match ``templates.include`` are
written to ``<output>/templates/`` at their path relative to their dir.

The same relative path in two dirs is an error (which one a loader finds would depend on order).
This foundation copies templates unchanged; the rewriting arrives with the templates issue.
"""

from __future__ import annotations

from ..errors import StageError
from ..sources import globmatch
from .base import StageContext


def collect(ctx: StageContext) -> dict[str, str]:
    """Template name (relative to its dir) → source key. Raises on a name found in two dirs."""
    out: dict[str, str] = {}
    for d in ctx.config.templates.dirs:
        prefix = d.rstrip("/") + "/"
        for rel in sorted(ctx.sources.files):
            if not rel.startswith(prefix):
                continue
            name = rel[len(prefix):]
            if not globmatch(name, ctx.config.templates.include):
                continue
            if name in out:
                raise StageError(
                    f"template '{name}' is in two template dirs ({out[name]} and {rel})",
                    location=ctx.config.location_of("templates.dirs"),
                    hint="rename one of them: a loader would only ever find the first")
            out[name] = rel
    return out


def run(ctx: StageContext) -> None:
    names = collect(ctx)
    ctx.progress.start("templates", len(names))
    for name, rel in names.items():
        ctx.templates_out.joinpath(name).parent.mkdir(parents=True, exist_ok=True)
        ctx.write_template(name, ctx.sources.files[rel].path.read_bytes())
        ctx.progress.advance("templates")
    ctx.report.sections["templates"] = {name: {"source": rel} for name, rel in names.items()}
    ctx.progress.finish("templates")
