"""pipeline.yaml → a frozen, typed ``Config``.

``load_config(path)`` reads the file, validates every key (types, ranges, unknown keys with a
did-you-mean, duplicate keys, cross-field rules) and raises one ``ConfigError`` carrying *all*
problems, each located ``FILE:LINE:COL: key.path: message``. Paths of files and folders are
resolved against the config file's folder; globs, ``entries`` and ``templates.dirs`` stay relative
to ``source`` (DESIGN §3.3).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml

from ._schema import Reader, parse_yaml
from .errors import AssetpipeError, ConfigError, Location

IMAGE_FORMATS = ("webp", "avif", "original")
SOURCEMAPS = ("linked", "hidden", "inline", "none")
LEGAL_COMMENTS = ("none", "inline", "eof", "linked", "external")
PROFILES = ("mobile", "desktop")
LEVELS = ("error", "warn", "off")
RESOURCE_TYPES = ("total", "document", "script", "stylesheet", "image", "font", "media", "other",
                  "third-party")
TIMINGS = ("fcp", "lcp", "cls", "tbt", "ttfb", "load")
SCORES = ("performance", "accessibility", "best-practices", "seo")


@dataclass(frozen=True)
class TemplatesConfig:
    """The templates stage (rewriting rules: DESIGN §3.5)."""

    dirs: tuple[str, ...] = ("templates",)
    include: tuple[str, ...] = ("**/*.html", "**/*.j2", "**/*.jinja")
    pages: tuple[str, ...] = ("pages/**",)
    lazy_images: bool = True
    lazy_iframes: bool = True
    eager: tuple[str, ...] = (".hero img", "img[fetchpriority=high]")
    sizes: str = "(max-width: 960px) 100vw, 960px"
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


@dataclass(frozen=True)
class Page:
    """A page the audit visits and the dev server renders (DESIGN §3.6)."""

    path: str
    template: str
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
    locations: tuple[tuple[str, Location], ...] = ()

    @property
    def root(self) -> Path:
        """The config file's folder: the base of relative paths and of ``.assetpipe/``."""
        return self.path.parent

    @property
    def state_dir(self) -> Path:
        """``.assetpipe/`` beside the config: cache, builds, lock, audit history."""
        return self.root / ".assetpipe"

    def location_of(self, key: str) -> Location:
        """Where ``key`` (a dotted path such as ``images.widths``) was written, else the file."""
        return dict(self.locations).get(key, Location(self.display_name))


_TOP = ("source", "output", "public_path", "retain_builds", "cache_max_mb", "lock_timeout",
        "templates", "images", "scripts", "styles", "static", "compress", "pages", "budgets",
        "budget_file", "audit", "watch")


class _Loader:
    """Reads each section; problems collect in ``self.r``."""

    def __init__(self, reader: Reader, root: Path) -> None:
        self.r = reader
        self.root = root
        self.locations: dict[str, Location] = {}

    def strs(self, node: yaml.Node, path: str) -> tuple[str, ...]:
        return tuple(self.r.list_of(node, path, self.r.string, allow_scalar=True))

    def glob(self, node: yaml.Node, path: str) -> str | None:
        value = self.r.string(node, path)
        if value is None:
            return None
        if value.startswith(("/", "../")) or "/../" in value:
            self.r.error(node, path, f"globs are relative to source, got {value!r}")
            return None
        return value

    def globs(self, node: yaml.Node, path: str) -> tuple[str, ...]:
        return tuple(self.r.list_of(node, path, self.glob, allow_scalar=True))

    def path(self, node: yaml.Node, key: str, *, nullable: bool = False) -> Path | None:
        value = self.r.string(node, key, nullable=nullable)
        return None if value is None else _abs(self.root / value)

    def section(self, node: yaml.Node | None, path: str, known: tuple[str, ...] | None
                ) -> dict[str, yaml.Node]:
        entries = self.r.mapping(node, path, list(known) if known is not None else None)
        for key, child in entries.items():
            self.locations[f"{path}.{key}" if path else key] = self.r.loc(child)
        return entries

    def number_map(self, node: yaml.Node, path: str, keys: tuple[str, ...]
                   ) -> tuple[tuple[str, float], ...]:
        out = []
        for key, child in self.section(node, path, keys).items():
            value = self.r.number(child, f"{path}.{key}")
            if value is not None:
                out.append((key, value))
        return tuple(out)

    # --- sections ---------------------------------------------------------------------------

    def templates(self, node: yaml.Node | None) -> TemplatesConfig:
        d = TemplatesConfig()
        s = self.section(node, "templates", ("dirs", "include", "pages", "lazy", "eager", "sizes",
                                             "picture", "srcset_format", "integrity", "preload",
                                             "missing_assets"))
        kw: dict[str, Any] = {}
        if "dirs" in s:
            kw["dirs"] = self.globs(s["dirs"], "templates.dirs")
        for key in ("include", "pages"):
            if key in s:
                kw[key] = self.globs(s[key], f"templates.{key}")
        if "lazy" in s:
            for key, child in self.section(s["lazy"], "templates.lazy",
                                           ("images", "iframes")).items():
                kw[f"lazy_{key}"] = self.r.boolean(child, f"templates.lazy.{key}")
        if "eager" in s:
            kw["eager"] = self.strs(s["eager"], "templates.eager")
        if "sizes" in s:
            kw["sizes"] = self.r.string(s["sizes"], "templates.sizes")
        for key in ("picture", "integrity"):
            if key in s:
                kw[key] = self.r.boolean(s[key], f"templates.{key}")
        if "srcset_format" in s:
            kw["srcset_format"] = self.r.choice(s["srcset_format"], "templates.srcset_format",
                                                IMAGE_FORMATS)
        if "preload" in s:
            for key, child in self.section(s["preload"], "templates.preload", ("fonts",)).items():
                kw[f"preload_{key}"] = self.r.boolean(child, f"templates.preload.{key}")
        if "missing_assets" in s:
            kw["missing_assets"] = self.r.choice(s["missing_assets"], "templates.missing_assets",
                                                 ("error", "warn"))
        return _replace(d, kw)

    def images(self, node: yaml.Node | None) -> ImagesConfig:
        d = ImagesConfig()
        s = self.section(node, "images", ("include", "widths", "formats", "quality", "avif_speed",
                                          "colour", "max_pixels", "on_error"))
        kw: dict[str, Any] = {}
        if "include" in s:
            kw["include"] = self.globs(s["include"], "images.include")
        if "widths" in s:
            widths = self.r.list_of(s["widths"], "images.widths",
                                    self.r.integer)
            if not widths and isinstance(s["widths"], yaml.SequenceNode) and not s["widths"].value:
                self.r.error(s["widths"], "images.widths", "expected at least one width")
            kw["widths"] = tuple(sorted(set(widths)))
        if "formats" in s:
            formats = self.r.list_of(s["formats"], "images.formats",
                                     lambda n, p: self.r.choice(n, p, IMAGE_FORMATS))
            if isinstance(s["formats"], yaml.SequenceNode) and not s["formats"].value:
                self.r.error(s["formats"], "images.formats", "expected at least one format")
            kw["formats"] = tuple(dict.fromkeys(formats))
        if "quality" in s:
            q = dict(d.quality)
            for key, child in self.section(s["quality"], "images.quality",
                                           ("jpeg", "webp", "avif")).items():
                value = self.r.integer(child, f"images.quality.{key}", maximum=100)
                if value is not None:
                    q[key] = value
            kw["quality"] = tuple(sorted(q.items()))
        if "avif_speed" in s:
            kw["avif_speed"] = self.r.integer(s["avif_speed"], "images.avif_speed", minimum=0,
                                              maximum=10)
        if "colour" in s:
            kw["colour"] = self.r.choice(s["colour"], "images.colour", ("srgb", "keep"))
        if "max_pixels" in s:
            kw["max_pixels"] = self.r.integer(s["max_pixels"], "images.max_pixels")
        if "on_error" in s:
            kw["on_error"] = self.r.choice(s["on_error"], "images.on_error", ("fail", "skip"))
        return _replace(d, kw)

    def scripts(self, node: yaml.Node | None) -> ScriptsConfig:
        d = ScriptsConfig()
        s = self.section(node, "scripts", ("entries", "splitting", "target", "sourcemap",
                                           "legal_comments", "define"))
        kw: dict[str, Any] = {}
        if "entries" in s:
            kw["entries"] = self.globs(s["entries"], "scripts.entries")
        if "splitting" in s:
            kw["splitting"] = self.r.boolean(s["splitting"], "scripts.splitting")
        if "target" in s:
            kw["target"] = self.strs(s["target"], "scripts.target")
        if "sourcemap" in s:
            kw["sourcemap"] = self.r.choice(s["sourcemap"], "scripts.sourcemap", SOURCEMAPS)
        if "legal_comments" in s:
            kw["legal_comments"] = self.r.choice(s["legal_comments"], "scripts.legal_comments",
                                                 LEGAL_COMMENTS)
        if "define" in s:
            defines = []
            for key, child in self.section(s["define"], "scripts.define", None).items():
                if isinstance(child, yaml.ScalarNode):
                    value = self.r.scalar(child)
                    defines.append((key, value if isinstance(value, str) else json.dumps(value)))
                else:
                    self.r.error(child, f"scripts.define.{key}",
                                 "expected a string (a JS expression) or a scalar")
            kw["define"] = tuple(sorted(defines))
        return _replace(d, kw)

    def styles(self, node: yaml.Node | None) -> StylesConfig:
        s = self.section(node, "styles", ("entries",))
        if "entries" in s:
            return StylesConfig(entries=self.globs(s["entries"], "styles.entries"))
        return StylesConfig()

    def static(self, node: yaml.Node | None) -> StaticConfig:
        s = self.section(node, "static", ("include", "keep_names"))
        kw: dict[str, Any] = {}
        for key in ("include", "keep_names"):
            if key in s:
                kw[key] = self.globs(s[key], f"static.{key}")
        return _replace(StaticConfig(), kw)

    def compress(self, node: yaml.Node | None) -> CompressConfig:
        s = self.section(node, "compress", ("brotli", "gzip", "zstd", "min_ratio"))
        kw: dict[str, Any] = {}
        for key in ("brotli", "gzip", "zstd"):
            if key in s:
                kw[key] = self.r.boolean(s[key], f"compress.{key}")
        if "min_ratio" in s:
            kw["min_ratio"] = self.r.number(s["min_ratio"], "compress.min_ratio", minimum=0.0,
                                            maximum=1.0)
        return _replace(CompressConfig(), kw)

    def pages(self, node: yaml.Node) -> tuple[Page, ...]:
        out = []
        for i, item in enumerate(self.r.seq(node, "pages")):
            p = f"pages[{i}]"
            s = self.section(item, p, ("path", "template", "context"))
            for req in ("path", "template"):
                if req not in s and isinstance(item, yaml.MappingNode):
                    self.r.error(item, f"{p}.{req}", "required key missing")
            url = self.r.string(s["path"], f"{p}.path") if "path" in s else None
            if url is not None and not url.startswith("/"):
                self.r.error(s["path"], f"{p}.path", f"expected a URL path starting with '/', "
                             f"got {url!r}")
            template = self.r.string(s["template"], f"{p}.template") if "template" in s else None
            context = self.path(s["context"], f"{p}.context", nullable=True) if "context" in s \
                else None
            if context is not None and not context.is_file():
                self.r.error(s["context"], f"{p}.context", f"file '{context}' does not exist")
            if url and template:
                out.append(Page(url, template, context))
        return tuple(out)

    def budgets(self, node: yaml.Node) -> tuple[Budget, ...]:
        out = []
        for i, item in enumerate(self.r.seq(node, "budgets")):
            p = f"budgets[{i}]"
            s = self.section(item, p, ("path", "profile", "timings", "resource_sizes",
                                       "resource_counts", "repeat_view", "min_score", "level"))
            kw: dict[str, Any] = {"location": self.r.loc(item)}
            if "path" in s:
                kw["path"] = self.r.string(s["path"], f"{p}.path")
            if "profile" in s:
                kw["profile"] = self.r.choice(s["profile"], f"{p}.profile", PROFILES)
            for key, keys in (("timings", TIMINGS), ("resource_sizes", RESOURCE_TYPES),
                              ("resource_counts", RESOURCE_TYPES),
                              ("repeat_view", ("total", "hashed")), ("min_score", SCORES)):
                if key in s:
                    kw[key] = self.number_map(s[key], f"{p}.{key}", keys)
            for key, score in kw.get("min_score", ()):
                if score > 1:
                    self.r.error(s["min_score"], f"{p}.min_score.{key}",
                                 f"expected a score from 0 to 1, got {score:g}")
            if "level" in s:
                levels = []
                for key, child in self.section(s["level"], f"{p}.level", (
                        "timings", "resource_sizes", "resource_counts", "repeat_view",
                        "min_score")).items():
                    value = self.r.choice(child, f"{p}.level.{key}", LEVELS)
                    if value:
                        levels.append((key, value))
                kw["level"] = tuple(levels)
            out.append(_replace(Budget(), kw))
        return tuple(out)

    def audit(self, node: yaml.Node | None) -> AuditConfig:
        s = self.section(node, "audit", ("profile", "runs", "chromium", "app", "headers",
                                         "history", "regression_tolerance"))
        kw: dict[str, Any] = {"history": self.root / ".assetpipe" / "audit-history.sqlite"}
        if "profile" in s:
            kw["profile"] = self.r.choice(s["profile"], "audit.profile", PROFILES)
        if "runs" in s:
            kw["runs"] = self.r.integer(s["runs"], "audit.runs", maximum=100)
        if "chromium" in s:
            kw["chromium"] = self.path(s["chromium"], "audit.chromium", nullable=True)
        if "app" in s:
            app = self.r.string(s["app"], "audit.app", nullable=True)
            if app is not None and ":" not in app:
                self.r.error(s["app"], "audit.app", f"expected 'module:attribute', got {app!r}")
            kw["app"] = app
        if "headers" in s:
            headers = []
            for key, child in self.section(s["headers"], "audit.headers", None).items():
                value = self.r.string(child, f"audit.headers.{key}")
                if value is not None:
                    headers.append((key, value))
            kw["headers"] = tuple(headers)
        if "history" in s:
            kw["history"] = self.path(s["history"], "audit.history")
        if "regression_tolerance" in s:
            kw["regression_tolerance"] = self.r.number(s["regression_tolerance"],
                                                       "audit.regression_tolerance")
        return _replace(AuditConfig(), kw)

    def watch(self, node: yaml.Node | None) -> WatchConfig:
        s = self.section(node, "watch", ("debounce_ms", "poll"))
        kw: dict[str, Any] = {}
        if "debounce_ms" in s:
            kw["debounce_ms"] = self.r.integer(s["debounce_ms"], "watch.debounce_ms", minimum=0)
        if "poll" in s:
            kw["poll"] = self.r.boolean(s["poll"], "watch.poll")
        return _replace(WatchConfig(), kw)


def _abs(path: Path) -> Path:
    """An absolute, normalised path that does not resolve symlinks (``output`` is one)."""
    return Path(os.path.normpath(path.absolute()))


_T = TypeVar("_T")


def _replace(default: _T, kw: dict[str, Any]) -> _T:
    """``default`` with the keys of ``kw`` that validated (``None`` means: keep the default)."""
    from dataclasses import replace

    return replace(default, **{k: v for k, v in kw.items() if v is not None})  # type: ignore[type-var]


def load_config(path: str | Path = "pipeline.yaml", *, display_name: str | None = None) -> Config:
    """Read and validate a pipeline.yaml.

    Raises ``ConfigError`` (exit 2) listing every problem with ``FILE:LINE:COL: key.path:``.
    ``display_name`` is how messages name the file (default: ``path`` as given).
    """
    name = display_name or str(path)
    config_path = _abs(Path(path))
    try:
        text = config_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([AssetpipeError("config file not found", location=Location(name),
                                          hint="pass --config PATH or create pipeline.yaml")]
                          ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([AssetpipeError(f"cannot read config: {exc}",
                                          location=Location(name))]) from None
    try:
        doc = parse_yaml(text, name)
    except AssetpipeError as exc:
        raise ConfigError([exc]) from None
    reader = Reader(name)
    root = config_path.parent
    ld = _Loader(reader, root)
    if doc is None or (isinstance(doc, yaml.ScalarNode) and reader.scalar(doc) is None):
        raise ConfigError([AssetpipeError("source: required key missing",
                                          location=Location(name, 1, 1))])
    top = ld.section(doc, "", _TOP)
    if not reader.problems and not isinstance(doc, yaml.MappingNode):
        raise ConfigError(reader.problems)
    kw: dict[str, Any] = {}
    source: Path | None = None
    if "source" not in top and isinstance(doc, yaml.MappingNode):
        reader.error(doc, "source", "required key missing",
                     hint="source: names the folder that holds your templates and assets")
    elif "source" in top:
        source = ld.path(top["source"], "source")
        if source is not None and not source.is_dir():
            reader.error(top["source"], "source",
                         f"directory '{reader.scalar(top['source'])}' does not exist")
    output = ld.path(top["output"], "output") if "output" in top else root / "dist"
    if output is not None and source is not None and (
            output in (source, root) or source.is_relative_to(output)):
        reader.error(top.get("output"), "output", "the output folder must not contain the "
                     "source or the config file's folder (it is replaced on every build)")
    if "public_path" in top:
        pp = reader.string(top["public_path"], "public_path")
        if pp is not None:
            if not (pp.startswith(("/", "http://", "https://", "//"))):
                reader.error(top["public_path"], "public_path",
                             f"expected a path starting with '/' or an absolute URL, got {pp!r}")
            kw["public_path"] = pp if pp.endswith("/") else pp + "/"
    if "retain_builds" in top:
        kw["retain_builds"] = reader.integer(top["retain_builds"], "retain_builds", maximum=100)
    if "cache_max_mb" in top:
        kw["cache_max_mb"] = reader.integer(top["cache_max_mb"], "cache_max_mb", minimum=0)
    if "lock_timeout" in top:
        kw["lock_timeout"] = reader.number(top["lock_timeout"], "lock_timeout")
    kw["templates"] = ld.templates(top.get("templates"))
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
            reader.error(top["budget_file"], "budget_file",
                         f"file '{reader.scalar(top['budget_file'])}' does not exist")
    kw["audit"] = ld.audit(top.get("audit"))
    kw["watch"] = ld.watch(top.get("watch"))
    _cross_checks(reader, top, kw)
    if reader.problems or source is None or output is None:
        raise ConfigError(sorted(reader.problems, key=_position))
    return Config(path=config_path, display_name=name, source=source, output=output,
                  locations=tuple(sorted(ld.locations.items())),
                  **{k: v for k, v in kw.items() if v is not None})


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
        reader.error(node or tnode or top.get("images"), "templates.srcset_format",
                     f"'{templates.srcset_format}' is not one of images.formats "
                     f"({', '.join(images.formats)})",
                     hint="add it to images.formats or choose one of those")
