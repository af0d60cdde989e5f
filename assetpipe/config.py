"""pipeline.yaml → a frozen, typed ``Config``.

``load_config(path)`` reads the file, validates every key (types, ranges, unknown keys with a
did-you-mean, duplicate keys, cross-field rules) and raises one ``ConfigError`` carrying *all*
problems, each located ``FILE:LINE:COL: key.path: message``. Paths of files and folders are
resolved against the config file's folder, ``templates.dirs`` too (``templatedirs``: stored
relative to ``source``); globs and ``entries`` are relative to ``source``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from ._schema import Reader, parse_yaml
from .errors import AssetpipeError, ConfigError, Location

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
    """The templates stage (rewriting rules: DESIGN §3.5)."""

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
    """A page the audit visits and the dev server renders (DESIGN §3.6)."""

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
        from .state import state_dir_for

        return state_dir_for(self.path)

    def location_of(self, key: str) -> Location:
        """Where ``key`` (a dotted path such as ``images.widths``) was written, else the file."""
        return dict(self.locations).get(key, Location(self.display_name))


_TOP = (
    "source",
    "output",
    "public_path",
    "retain_builds",
    "cache_max_mb",
    "lock_timeout",
    "templates",
    "images",
    "scripts",
    "styles",
    "static",
    "compress",
    "pages",
    "budgets",
    "budget_file",
    "audit",
    "watch",
    "serve",
)


def load_config(path: str | Path = "pipeline.yaml", *, display_name: str | None = None) -> Config:
    """Read and validate a pipeline.yaml.

    Raises ``ConfigError`` (exit 2) listing every problem with ``FILE:LINE:COL: key.path:``.
    ``display_name`` is how messages name the file (default: ``path`` as given).
    """
    from ._config_sections import SectionLoader, abs_path
    from .state import state_dir_for
    from .templatedirs import resolve as resolve_dirs

    name = display_name or str(path)
    config_path = abs_path(Path(path))
    try:
        text = config_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            [
                AssetpipeError(
                    "config file not found",
                    location=Location(name),
                    hint="pass --config PATH or create pipeline.yaml",
                )
            ]
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            [AssetpipeError(f"cannot read config: {exc}", location=Location(name))]
        ) from None
    try:
        doc = parse_yaml(text, name)
    except AssetpipeError as exc:
        raise ConfigError([exc]) from None
    reader = Reader(name)
    root = config_path.parent
    ld = SectionLoader(reader, root, state_dir_for(config_path))
    if doc is None or (isinstance(doc, yaml.ScalarNode) and reader.scalar(doc) is None):
        raise ConfigError(
            [AssetpipeError("source: required key missing", location=Location(name, 1, 1))]
        )
    top = ld.section(doc, "", _TOP)
    if not reader.problems and not isinstance(doc, yaml.MappingNode):
        raise ConfigError(reader.problems)
    kw: dict[str, Any] = {}
    source: Path | None = None
    if "source" not in top and isinstance(doc, yaml.MappingNode):
        reader.error(
            doc,
            "source",
            "required key missing",
            hint="source: names the folder that holds your templates and assets",
        )
    elif "source" in top:
        source = ld.path(top["source"], "source")
        if source is not None and not source.is_dir():
            reader.error(
                top["source"],
                "source",
                f"directory '{reader.scalar(top['source'])}' does not exist",
            )
    output = ld.path(top["output"], "output") if "output" in top else root / "dist"
    if (
        output is not None
        and source is not None
        and (output in (source, root) or source.is_relative_to(output))
    ):
        reader.error(
            top.get("output"),
            "output",
            "the output folder must not contain the "
            "source or the config file's folder (it is replaced on every build)",
        )
    if "public_path" in top:
        pp = reader.string(top["public_path"], "public_path")
        if pp is not None:
            if not (pp.startswith(("/", "http://", "https://", "//"))):
                reader.error(
                    top["public_path"],
                    "public_path",
                    f"expected a path starting with '/' or an absolute URL, got {pp!r}",
                )
            kw["public_path"] = pp if pp.endswith("/") else pp + "/"
    if "retain_builds" in top:
        kw["retain_builds"] = reader.integer(top["retain_builds"], "retain_builds", maximum=100)
    if "cache_max_mb" in top:
        kw["cache_max_mb"] = reader.integer(top["cache_max_mb"], "cache_max_mb", minimum=0)
    if "lock_timeout" in top:
        kw["lock_timeout"] = reader.number(top["lock_timeout"], "lock_timeout")
    kw["templates"] = ld.templates(top.get("templates"))
    if source is not None and source.is_dir():
        tnode = top.get("templates")
        dirs_node = (
            next((v for k, v in tnode.value if k.value == "dirs"), None)
            if isinstance(tnode, yaml.MappingNode)
            else None
        )
        dirs = resolve_dirs(reader, dirs_node, root, source)
        if dirs is not None:
            kw["templates"] = replace(kw["templates"], dirs=dirs)
    kw["images"] = ld.images(top.get("images"))
    kw["scripts"] = ld.scripts(top.get("scripts"))
    kw["styles"] = ld.styles(top.get("styles"))
    kw["static"] = ld.static(top.get("static"))
    kw["compress"] = ld.compress(top.get("compress"))
    kw["pages"] = ld.pages(top["pages"]) if "pages" in top else ()
    kw["budgets"] = ld.budgets(top["budgets"]) if "budgets" in top else ()
    if "budget_file" in top:
        kw["budget_file"] = ld.path(top["budget_file"], "budget_file", nullable=True)
        if kw["budget_file"] is not None and not kw["budget_file"].is_file():
            reader.error(
                top["budget_file"],
                "budget_file",
                f"file '{reader.scalar(top['budget_file'])}' does not exist",
            )
    kw["audit"] = ld.audit(top.get("audit"))
    kw["watch"] = ld.watch(top.get("watch"))
    kw["serve"] = ld.serve(top.get("serve"))
    _cross_checks(reader, top, kw)
    if reader.problems or source is None or output is None:
        raise ConfigError(sorted(reader.problems, key=_position))
    return Config(
        path=config_path,
        display_name=name,
        source=source,
        output=output,
        locations=tuple(sorted(ld.locations.items())),
        **{k: v for k, v in kw.items() if v is not None},
    )


def _position(err: AssetpipeError) -> tuple[int, int]:
    loc = err.location
    return (loc.line or 0, loc.col or 0) if loc else (0, 0)


def _cross_checks(reader: Reader, top: dict[str, yaml.Node], kw: dict[str, Any]) -> None:
    """Rules that span keys (each reported at the later key's position)."""
    templates: TemplatesConfig = kw["templates"]
    images: ImagesConfig = kw["images"]
    if templates.srcset_format not in images.formats:
        node = None
        tnode = top.get("templates")
        if isinstance(tnode, yaml.MappingNode):
            node = next((v for k, v in tnode.value if k.value == "srcset_format"), None)
        reader.error(
            node or tnode or top.get("images"),
            "templates.srcset_format",
            f"'{templates.srcset_format}' is not one of images.formats "
            f"({', '.join(images.formats)})",
            hint="add it to images.formats or choose one of those",
        )
