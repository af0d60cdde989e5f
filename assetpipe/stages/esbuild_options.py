"""The esbuild options of the scripts and styles stages, from a config alone.

A light module (it imports nothing of the stages): a cold build computes the scripts and styles
stages' options and starts their esbuild (``early``) before the stages are imported, and each
stage, computing the same options, takes that build's result (``EsbuildSession.prestart``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from ..records import dataclass

if TYPE_CHECKING:
    from ..config import Config

#: File types esbuild copies and hashes when a stylesheet or script refers to them.
LOADERS = dict.fromkeys(
    (
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".webp",
        ".avif",
        ".svg",
        ".ico",
        ".bmp",
        ".woff",
        ".woff2",
        ".ttf",
        ".otf",
        ".eot",
        ".mp4",
        ".webm",
        ".mp3",
        ".ogg",
        ".wav",
        ".pdf",
        ".txt",
    ),
    "file",
)
SOURCEMAP = {"linked": "linked", "hidden": "external", "inline": "inline", "none": None}


class OptionSource(Protocol):
    """What the esbuild option builders read: a build's config and profile (a ``StageContext``
    is one)."""

    @property
    def config(self) -> Config: ...

    @property
    def profile(self) -> str: ...


@dataclass(frozen=True)
class Settings:
    """An ``OptionSource`` without a build: a stage's esbuild options from a config alone (to
    run the raw CLI with them, ``esbuild.native.command``)."""

    config: Config
    profile: str = "production"


def options(ctx: OptionSource, entries: list[str], stage: str) -> dict[str, Any]:
    """The esbuild options both stages share (the JS API's names; ``esbuild.native.cli_args`` turns
    them into the native CLI's flags)."""
    cfg = ctx.config
    opts: dict[str, Any] = {
        "entryPoints": entries,
        "absWorkingDir": str(cfg.source),
        "outdir": str(cfg.state_dir / "esbuild" / stage),
        "outbase": ".",
        "bundle": True,
        "minify": ctx.profile == "production",
        "target": list(cfg.scripts.target),
        "entryNames": "[dir]/[name]-[hash]",
        "assetNames": "[dir]/[name]-[hash]",
        "publicPath": cfg.public_path,
        "legalComments": cfg.scripts.legal_comments,
        "loader": dict(LOADERS),
    }
    sourcemap = SOURCEMAP[cfg.scripts.sourcemap]
    if sourcemap:
        opts["sourcemap"] = sourcemap
    modules = cfg.root / "node_modules"
    if modules.is_dir():
        opts["nodePaths"] = [str(modules)]
    return opts


SCRIPT_EXTS = (".js", ".mjs", ".ts", ".tsx", ".jsx")
STYLE_EXTS = (".css",)
GLOB_CHARS = set("*?[]{}!")


def scripts(ctx: OptionSource, entries: list[str]) -> dict[str, Any]:
    """The scripts stage's esbuild options for its module entries (also what watch's context
    uses)."""
    cfg = ctx.config.scripts
    opts = options(ctx, entries, "scripts")
    opts.update(
        format="esm",
        splitting=cfg.splitting,
        platform="browser",
        chunkNames="js/chunks/[name]-[hash]",
    )
    if cfg.define:
        opts["define"] = dict(cfg.define)
    if cfg.log_override:
        opts["logOverride"] = dict(cfg.log_override)
    return opts


def styles(ctx: OptionSource, entries: list[str]) -> dict[str, Any]:
    """The styles stage's esbuild options (also what watch's context uses)."""
    opts = options(ctx, entries, "styles")
    if ctx.config.styles.log_override:
        opts["logOverride"] = dict(ctx.config.styles.log_override)
    return opts


def early(config: Config, profile: str) -> list[dict[str, Any]]:
    """The scripts and styles stages' options when the config alone can tell them: every entry
    a literal path (no glob: those need the source scan) to an existing file of the stage's
    types, and for scripts no ``scripts.classic`` list. A stage's own options may still differ
    (a template loading an entry as a classic script), or its build need the url() plugin (a
    ``url()`` to a processed image): then the build started with these is stopped or
    dropped, not used."""
    found = []
    for stage, entries, exts in (
        ("scripts", () if config.scripts.classic else config.scripts.entries, SCRIPT_EXTS),
        ("styles", config.styles.entries, STYLE_EXTS),
    ):
        keys = list(dict.fromkeys(entries))
        if keys and all(
            not GLOB_CHARS & set(k) and k.endswith(exts) and (config.source / k).is_file()
            for k in keys
        ):
            settings = Settings(config, profile)
            found.append(scripts(settings, keys) if stage == "scripts" else styles(settings, keys))
    return found
