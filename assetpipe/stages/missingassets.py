"""The templates stage's missing assets: each literal reference to a key the build lacks is an
error (``templates.missing_assets: error``) or a warning, with a hint at why it may be missing."""

from __future__ import annotations

from typing import Any

from ..errors import AssetpipeError, MissingAssetError
from ..pipeline.sources import globmatch
from ..scriptsource import script_source
from .base import StageContext


def missing_hint(ctx: StageContext, key: str) -> str:
    """Why ``key`` may be missing: the asset is in the build under a folder (``source`` is one
    level too high for ``url_for``'s ``filename``), a source file no stage takes, a near name,
    or the rule."""
    if key in ctx.sources.files and script_source(key, ctx.config.source / key):
        return (
            f"{key} is a TypeScript or JSX source, which no browser runs and the build does not "
            "copy: name the script it compiles to, or list it in scripts.entries"
        )
    if key in ctx.sources.files:
        return (
            f"{key} is in the source folder, but no stage takes it: add it to static.include "
            "(copied with a hashed name), or to images.include or the entries if it is one"
        )
    under = sorted(k for k in ctx.manifest if k.endswith("/" + key))
    if under:
        folder = under[0][: -len(key) - 1]
        src = ctx.source_location(folder).file
        return (
            f"the build has '{under[0]}': manifest keys are relative to source, and "
            f"url_for('static', filename=...) is relative to the static folder; set "
            f"source: {src} in the config rather than editing the template"
        )
    import difflib  # only for an error's hint

    close = difflib.get_close_matches(key, list(ctx.manifest), n=1)
    if close:
        return f"did you mean '{close[0]}'?"
    return "manifest keys are paths relative to source; or set templates.missing_assets: warn"


def missing_errors(ctx: StageContext, rel: str, missing: list[list[Any]]) -> list[AssetpipeError]:
    """The errors (``missing_assets: error``) for each literal reference to a missing key that
    is not one of ``templates.app_routes``; with ``warn``, each is a warning and the list is
    empty."""
    errors: list[AssetpipeError] = []
    for line, col, key, value in missing:
        if globmatch(key, ctx.config.templates.app_routes):
            continue  # a view of the app answers it
        hint = missing_hint(ctx, key)
        msg = f"'{value}' refers to '{key}', which the build did not produce"
        loc = ctx.source_location(rel, line, col)
        if ctx.config.templates.missing_assets == "error":
            errors.append(MissingAssetError(msg, location=loc, hint=hint))
        else:
            ctx.warn(f"{msg} ({hint})", loc)
    return errors
