"""The frozen, typed configuration users see: ``Config`` and one dataclass per section.

Paths are absolute (resolved against the config file's folder); globs and ``entries`` stay
relative to ``source``; ``templates.dirs`` are stored relative to ``source`` (``templatedirs``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Location

IMAGE_FORMATS = ("webp", "avif", "original")
SOURCEMAPS = ("linked", "hidden", "inline", "none")
LEGAL_COMMENTS = ("none", "inline", "eof", "linked", "external")
PROFILES = ("mobile", "desktop")
LEVELS = ("error", "warn", "off")
RESOURCE_TYPES = (
    "total",
    "document",
    "script",
    "stylesheet",
    "image",
    "font",
    "media",
    "other",
    "third-party",
)
TIMINGS = ("fcp", "lcp", "cls", "tbt", "ttfb", "server", "load")
SCORES = ("performance", "accessibility", "best-practices", "seo")


@dataclass(frozen=True)
class TemplatesConfig:
    """The templates stage: which files are templates and how their asset references are rewritten
    (docs/templates.md)."""

    #: resolved, relative to ``source`` (``templates``, ``../templates``, ``.``); see templatedirs
    dirs: tuple[str, ...] = ("templates",)
    include: tuple[str, ...] = ("**/*.html", "**/*.j2", "**/*.jinja")
    pages: tuple[str, ...] = ("pages/**",)
    lazy_images: bool = True
    lazy_iframes: bool = True
    eager: tuple[str, ...] = (".hero img", "img[fetchpriority=high]")
    #: ``sizes`` where nothing else tells the displayed width (``None``: no srcset there)
    sizes: str | None = None
    #: ``(selector, sizes)`` rules, first match wins
    sizes_rules: tuple[tuple[str, str], ...] = ()
    dimensions: str = "auto"
    srcset: str = "auto"
    picture: bool = False
    srcset_format: str = "webp"
    integrity: bool = True
    preload_fonts: bool = True
    missing_assets: str = "error"


@dataclass(frozen=True)
class ImagesConfig:
    """The images stage: variants per width and format."""

    include: tuple[str, ...] = ("img/**/*.{jpg,jpeg,png,webp,gif,avif}",)
    widths: tuple[int, ...] = (480, 960, 1600)
    formats: tuple[str, ...] = ("webp", "original")
    quality: tuple[tuple[str, int], ...] = (("avif", 55), ("jpeg", 80), ("webp", 80))
    avif_speed: int = 6
    colour: str = "srgb"
    max_pixels: int = 50_000_000
    on_error: str = "fail"

    def quality_for(self, fmt: str) -> int:
        return dict(self.quality).get(fmt, 80)


@dataclass(frozen=True)
class ScriptsConfig:
    """The scripts stage (esbuild)."""

    entries: tuple[str, ...] = ()
    #: entries built as classic scripts even when no template loads them (globs)
    classic: tuple[str, ...] = ()
    splitting: bool = True
    target: tuple[str, ...] = ("es2020",)
    sourcemap: str = "linked"
    legal_comments: str = "eof"
    define: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class StylesConfig:
    """The styles stage (esbuild)."""

    entries: tuple[str, ...] = ()


@dataclass(frozen=True)
class StaticConfig:
    """The static stage: exactly the files listed, hashed unless in ``keep_names``."""

    include: tuple[str, ...] = ()
    keep_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class CompressConfig:
    """Precompression of text outputs."""

    brotli: bool = True
    gzip: bool = True
    zstd: bool = False
    min_ratio: float = 0.95
    #: developer-only files (source maps, *.LEGAL.txt): fast levels, none, or full (browser's)
    sourcemaps: str = "fast"


@dataclass(frozen=True)
class Page:
    """A page the audit visits and the dev server renders: ``template`` rendered with the JSON
    ``context``, or (no template) the user's app answers ``path``."""

    path: str
    template: str | None = None  # None: rendered by the user's app (--app)
    context: Path | None = None


@dataclass(frozen=True)
class Budget:
    """A budget (Lighthouse budget.json semantics); the last matching ``path`` wins."""

    path: str = "/*"
    profile: str | None = None
    timings: tuple[tuple[str, float], ...] = ()
    resource_sizes: tuple[tuple[str, float], ...] = ()
    resource_counts: tuple[tuple[str, float], ...] = ()
    repeat_view: tuple[tuple[str, float], ...] = ()
    min_score: tuple[tuple[str, float], ...] = ()
    level: tuple[tuple[str, str], ...] = ()
    location: Location | None = None


@dataclass(frozen=True)
class AuditConfig:
    """``assetpipe audit`` defaults."""

    profile: str = "mobile"
    runs: int = 3
    chromium: Path | None = None
    app: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    history: Path | None = None
    regression_tolerance: float = 10.0


@dataclass(frozen=True)
class ServeConfig:
    """How the serving middleware answers (``assetpipe serve``, the audit, watch, ``AssetPipe``)."""

    source_paths: bool = True  # unhashed source paths answered with their output, no-cache


@dataclass(frozen=True)
class WatchConfig:
    """``assetpipe watch`` settings."""

    debounce_ms: int = 30
    poll: bool = False


@dataclass(frozen=True)
class Config:
    """A validated pipeline.yaml. Paths are absolute; see the module docstring."""

    path: Path
    display_name: str
    source: Path
    output: Path
    public_path: str = "/static/"
    retain_builds: int = 2
    cache_max_mb: int = 1024
    lock_timeout: float = 60.0
    templates: TemplatesConfig = field(default_factory=TemplatesConfig)
    images: ImagesConfig = field(default_factory=ImagesConfig)
    scripts: ScriptsConfig = field(default_factory=ScriptsConfig)
    styles: StylesConfig = field(default_factory=StylesConfig)
    static: StaticConfig = field(default_factory=StaticConfig)
    compress: CompressConfig = field(default_factory=CompressConfig)
    pages: tuple[Page, ...] = ()
    budgets: tuple[Budget, ...] = ()
    budget_file: Path | None = None
    audit: AuditConfig = field(default_factory=AuditConfig)
    watch: WatchConfig = field(default_factory=WatchConfig)
    serve: ServeConfig = field(default_factory=ServeConfig)
    locations: tuple[tuple[str, Location], ...] = ()

    @property
    def root(self) -> Path:
        """The config file's folder: the base of relative paths and of ``.assetpipe/``."""
        return self.path.parent

    @property
    def state_dir(self) -> Path:
        """``.assetpipe/`` beside the config (``.assetpipe/<name>/`` for a config not named
        pipeline.yaml): cache, builds, lock, audit history (``assetpipe.state``)."""
        from ..state import state_dir_for

        return state_dir_for(self.path)

    def location_of(self, key: str) -> Location:
        """Where ``key`` (a dotted path such as ``images.widths``) was written, else the file."""
        return dict(self.locations).get(key, Location(self.display_name))
