"""The frozen, typed configuration users see: ``Config`` and one dataclass per section.

Each pipeline.yaml key is declared once, here, as its field: ``opt(default, check, doc)``
(``keys``). The readers, the known-keys lists and the reference page (``reference``) derive from
these declarations. Paths are absolute (resolved against the config file's folder); globs and
``entries`` stay relative to ``source``; ``templates.dirs`` are stored relative to ``source``
(``templatedirs``). Positions of keys (``locations``, ``Budget.location``) serve error messages
and take no part in equality: a comment edit leaves a config equal to the one before.
"""

from __future__ import annotations

from dataclasses import field
from pathlib import Path

from ..errors import Location
from ..records import dataclass
from . import vocab
from .checks import (
    AppRef,
    Bool,
    Choice,
    ChoiceMap,
    ContextFile,
    Defines,
    Formats,
    Globs,
    Int,
    JinjaSyntax,
    Number,
    NumberMap,
    PathTo,
    Prefixes,
    PublicPath,
    Quality,
    Scores,
    Sizes,
    Str,
    StrMap,
    Strs,
    TemplateDirs,
    UrlPath,
    Widths,
)
from .keys import Items, Section, derived, opt, required
from .statedir import DEFAULT_NAME as DEFAULT_NAME  # re-exported (their home: statedir)
from .statedir import state_dir_for as state_dir_for
from .staticmodel import StaticConfig as StaticConfig  # re-exported (its home: staticmodel)
from .steps import Step, Steps


@dataclass(frozen=True)
class TemplatesConfig:
    """``templates``: which files are templates and how their asset references are rewritten
    (docs/templates.md). ``dirs`` are folders relative to the config file's folder, anywhere in
    the project (``.`` is that folder; symlinks are followed); a dir found only under ``source``
    is taken from there (the rule of older configs), one that exists in both places must be
    written explicitly (``./views`` beside the config, ``site/views`` under ``source: site``)."""

    dirs: tuple[str, ...] = opt(
        ("templates",),
        TemplateDirs(),
        "template folders, relative to the config file's folder, or absolute (a name found in two"
        " is an error, but with `first_wins`)",
    )
    include: tuple[str, ...] = opt(
        ("**/*.html", "**/*.j2", "**/*.jinja"), Globs(), "which files in them are templates"
    )
    first_wins: bool = opt(False, Bool(), "a name in two `dirs` is built from the first (Django's)")
    jinja: bool = opt(False, Bool(), "Django renders them with a Jinja2 backend (`loop.first`)")
    django_manifest: bool = opt(
        False, Bool(), "Django's manifest storage hashes a computed `{% static EXPR %}`: no warning"
    )
    pages: tuple[str, ...] = opt(
        ("pages/**",), Globs(), "page templates (the LCP rule's first-image clause applies)"
    )
    lazy_images: bool = opt(True, Bool(), "lazy-load images not eager", key="lazy.images")
    lazy_iframes: bool = opt(True, Bool(), "lazy-load iframes", key="lazy.iframes")
    eager: tuple[str, ...] = opt(
        (".hero img", "img[fetchpriority=high]"), Strs(), "CSS selectors never lazy"
    )
    sizes: str | None = opt(
        None,
        Sizes(),
        "`sizes` where nothing else tells the displayed width (a default string, or "
        "`{selector, sizes}` rules, first match wins, and one `{default}`); none: no srcset there",
    )
    #: ``(selector, sizes)`` rules from ``templates.sizes``, first match wins
    sizes_rules: tuple[tuple[str, str], ...] = ()
    dimensions: str = opt(
        "auto",
        Choice(("always", "auto", "never")),
        "intrinsic width/height: always, where safe (auto), never",
    )
    srcset: str = opt(
        "auto", Choice(("auto", "never")), "`srcset` + `sizes` where the displayed width is known"
    )
    picture: bool = opt(False, Bool(), "wrap processed images in `<picture>`: AVIF/WebP sources")
    srcset_format: str = opt(
        "webp",
        Choice(vocab.IMAGE_FORMATS),
        "the one format an `<img srcset>` lists (in images.formats)",
    )
    integrity: bool = opt(
        False,
        Bool(),
        'SRI (`integrity` + `crossorigin="anonymous"`) on scripts, stylesheets and modulepreload'
        " links; off by default: ~80 bytes a tag on every HTML response, and a CORS request that"
        " a CDN without CORS headers, or a proxy that rewrites the files, makes fail",
    )
    preload_fonts: bool = opt(
        False,
        Bool(),
        "preload the fonts of entry stylesheets (only the WOFF2 files when there are some),"
        " on every page that links the stylesheet: for fonts every page shows",
        key="preload.fonts",
    )
    missing_assets: str = opt(
        "error", Choice(("error", "warn")), "a literal reference to a missing asset fails or warns"
    )
    app_routes: tuple[str, ...] = opt(
        (),
        Globs(),
        "paths under `public_path` a view of the app answers, not a file (archivy's `custom.css`):"
        " their references are left as written, neither an error nor a warning",
    )
    static_routes: tuple[str, ...] = opt(
        ("static",),
        Strs(),
        "routes whose `url_for(NAME, filename=K)` or `url_for(NAME, path=K)` names file K of"
        " `source`: Flask's and Starlette's `static`, an admin's mount (sqladmin's `admin:statics`)",
    )
    static_functions: tuple[str, ...] = opt(
        (),
        Strs(),
        "functions F whose `F('K')` gives file K's URL (Datasette's `urls.static`), and Django"
        " tags of the project's own written `{% F 'K' %}` (NetBox's `static_with_params`)",
    )
    partial_tags: tuple[tuple[str, str], ...] = opt(
        (), StrMap("a tag's name"), "Django tags → the template each renders (`init` finds them)"
    )
    prefixes: tuple[tuple[str, str], ...] = opt(
        (),
        Prefixes(),
        "Jinja expressions that stand for a folder of `source` (`config.ASSETS_ROOT: assets`):"
        " `{{ config.ASSETS_ROOT }}/css/app.css` names `assets/css/app.css` and is rewritten",
    )
    syntax: tuple[tuple[str, str], ...] = opt(
        (),
        JinjaSyntax(),
        "the app's own Jinja delimiters, named as `jinja2.Environment`'s arguments (Trac's"
        " `variable_start_string: ${`, `variable_end_string: }`, `line_statement_prefix: '#'`,"
        " `line_comment_prefix: '##'`): its templates are read with them, rewritten alike",
    )


@dataclass(frozen=True)
class ImagesConfig:
    """``images``: responsive variants per width and format, never upscaled nor larger."""

    include: tuple[str, ...] = opt(
        ("img/**/*.{jpg,jpeg,png,webp,gif,avif}",), Globs(), "the images processed"
    )
    widths: tuple[int, ...] = opt(
        (480, 960, 1600),
        Widths(),
        "variant widths (never upscaled; every source also gets its own width)",
    )
    formats: tuple[str, ...] = opt(
        ("webp", "original"), Formats(vocab.IMAGE_FORMATS), "variant formats"
    )
    quality: tuple[tuple[str, int], ...] = opt(
        (("avif", 55), ("jpeg", 80), ("webp", 80)),
        Quality(("jpeg", "webp", "avif")),
        "encoder quality per format",
    )
    avif_speed: int = opt(6, Int(0, 10), "AVIF encoder speed (higher: faster, larger)")
    colour: str = opt(
        "srgb", Choice(("srgb", "keep")), "convert embedded colour profiles to sRGB, or keep them"
    )
    max_pixels: int = opt(50_000_000, Int(), "larger images are an error (decompression bombs)")
    on_error: str = opt(
        "fail", Choice(("fail", "skip")), "an unreadable image fails the build or is skipped"
    )

    def quality_for(self, fmt: str) -> int:
        return dict(self.quality).get(fmt, 80)


@dataclass(frozen=True)
class ScriptsConfig:
    """``scripts``: JavaScript/TypeScript entries bundled, minified and code-split by esbuild
    (docs/scripts-styles.md)."""

    entries: tuple[str, ...] = opt((), Globs(), "entry scripts (.js .mjs .ts .tsx .jsx), in order")
    classic: tuple[str, ...] = opt(
        (), Globs(), "entries built as classic scripts even when no template loads them"
    )
    splitting: bool = opt(True, Bool(), "shared chunks and dynamic-import chunks")
    target: tuple[str, ...] = opt(("es2020",), Strs(), "esbuild targets (also lower CSS)")
    sourcemap: str = opt("linked", Choice(vocab.SOURCEMAPS), "source maps (hidden: no comment)")
    legal_comments: str = opt("eof", Choice(vocab.LEGAL_COMMENTS), "where license comments go")
    define: tuple[tuple[str, str], ...] = opt((), Defines(), "esbuild `--define`")
    log_override: tuple[tuple[str, str], ...] = opt(
        (),
        ChoiceMap(None, vocab.ESBUILD_LOG_LEVELS, "esbuild message id"),
        "esbuild's `logOverride` for scripts: a message id (the `[id]` a warning ends with,"
        " `impossible-typeof`) → its level; `silent` drops a warning about code you do not own"
        " (a vendored library), so `build --strict` can pass; `error` fails the build on one",
    )


@dataclass(frozen=True)
class StylesConfig:
    """``styles``: CSS entries bundled and minified by esbuild (docs/scripts-styles.md)."""

    entries: tuple[str, ...] = opt(
        (), Globs(), "entry stylesheets; `@import` and `url()` resolved and bundled"
    )
    log_override: tuple[tuple[str, str], ...] = opt(
        (),
        ChoiceMap(None, vocab.ESBUILD_LOG_LEVELS, "esbuild message id"),
        "esbuild's `logOverride` for stylesheets: a message id (the `[id]` a warning ends with,"
        " `impossible-typeof`) → its level; `silent` drops a warning about code you do not own"
        " (a vendored library), so `build --strict` can pass; `error` fails the build on one",
    )


@dataclass(frozen=True)
class CompressConfig:
    """``compress``: precompressed siblings (``X.br``, ``X.gz``, ``X.zst``) (docs/serving.md)."""

    brotli: bool = opt(True, Bool(), "write `X.br`")
    brotli_quality: int = opt(
        11,
        Int(1, 11),
        "brotli quality of what pages fetch: 11 the smallest bytes; 10 ~2 % more for ~0.4x the CPU",
    )
    gzip: bool = opt(True, Bool(), "write `X.gz`")
    zstd: bool = opt(False, Bool(), "write `X.zst`")
    min_ratio: float = opt(0.95, Number(0.0, 1.0), "keep a sibling at most this share of the size")
    sourcemaps: str = opt(
        "fast",
        Choice(("fast", "none", "full")),
        "source maps, *.LEGAL.txt, *.LICENSE.txt: fast levels, no siblings, or full levels",
    )


@dataclass(frozen=True)
class Page:
    """``pages[]``: a page the audit visits and the dev server renders (docs/audit.md)."""

    path: str = required(UrlPath(), "the page's URL path")
    template: str | None = opt(None, Str(), "the template rendering it (none: the user's app)")
    context: Path | None = opt(None, ContextFile(), "a JSON file: the template's context")


@dataclass(frozen=True)
class Budget:
    """``budgets[]``: what ``assetpipe audit`` checks, with Lighthouse budget.json semantics; the
    last budget whose ``path`` matches a page wins (docs/audit.md)."""

    path: str = opt("/*", Str(), "the pages it applies to (a glob)")
    profile: str | None = opt(None, Choice(vocab.PROFILES), "only for this profile (none: both)")
    timings: tuple[tuple[str, float], ...] = opt(
        (), NumberMap(vocab.TIMINGS), "median ≤ budget, in ms (CLS unitless)"
    )
    resource_sizes: tuple[tuple[str, float], ...] = opt(
        (), NumberMap(vocab.RESOURCE_TYPES), "KiB transferred ≤ budget"
    )
    resource_counts: tuple[tuple[str, float], ...] = opt(
        (), NumberMap(vocab.RESOURCE_TYPES), "requests ≤ budget"
    )
    repeat_view: tuple[tuple[str, float], ...] = opt(
        (), NumberMap(("total", "hashed")), "KiB transferred on the warm visit ≤ budget"
    )
    min_score: tuple[tuple[str, float], ...] = opt(
        (), Scores(vocab.SCORES), "Lighthouse score ≥ budget (with `--lighthouse`)"
    )
    insights: tuple[tuple[str, float], ...] = opt(
        (),
        NumberMap(vocab.INSIGHTS),
        "Lighthouse-style checks ≤ limit: render-blocking requests (count), unused "
        "JavaScript/CSS and total byte weight (KiB transferred), third-party blocking (ms)",
    )
    level: tuple[tuple[str, str], ...] = opt(
        (),
        ChoiceMap(vocab.LEVEL_GROUPS, vocab.LEVELS),
        "how a failed check counts, per group (error)",
    )
    location: Location | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Flow:
    """``flows[]``: steps the audit runs in the browser (``--runs`` times, like the pages), with
    the pages' throttling and the login's cookies; it measures each interaction's latency (Event
    Timing), the flow's INP (the slowest interaction) and CLS, aggregated over the runs
    (docs/audit.md)."""

    name: str = required(Str(), "the flow's name in the report")
    steps: tuple[Step, ...] = required(Steps(), "what the user does, starting with `goto`")
    budgets: tuple[tuple[str, float], ...] = opt(
        (), NumberMap(vocab.FLOW_METRICS), "INP (ms) and CLS during the flow ≤ budget"
    )
    level: str = opt("error", Choice(vocab.LEVELS), "how a failed budget or step counts")
    location: Location | None = field(default=None, compare=False)


@dataclass(frozen=True)
class AuditConfig:
    """``audit``: ``assetpipe audit`` defaults; its command-line options win (docs/audit.md)."""

    profile: str = opt("mobile", Choice(vocab.PROFILES), "the throttling and device profile")
    runs: int = opt(3, Int(1, 100), "runs per page; the medians are reported")
    metrics: str = opt(
        "observed",
        Choice(vocab.AUDIT_MODES),
        "the metrics' mode, as `--metrics`: `cpu` takes TBT from thread CPU time (steadier on a "
        "busy CI host)",
    )
    chromium: Path | None = opt(None, PathTo(nullable=True), "the browser (none: found)")
    app: str | None = opt(None, AppRef(), "the app serving the pages (as `--app`)")
    headers: tuple[tuple[str, str], ...] = opt((), StrMap(), "request headers sent")
    history: Path | None = opt(
        None,
        PathTo(),
        "the SQLite file of past audits",
        default_doc="`.assetpipe/audit-history.sqlite`",
    )
    regression_tolerance: float = opt(
        10.0,
        Number(),
        "with `--fail-on-regression`: how much worse (%) than the median of the last audits fails",
    )


@dataclass(frozen=True)
class ServeConfig:
    """``serve``: how the serving middleware answers, in ``assetpipe serve``, the audit, watch
    and ``AssetPipe`` (docs/serving.md)."""

    source_paths: bool = opt(
        True, Bool(), "answer unhashed source paths with their output, `no-cache`"
    )


@dataclass(frozen=True)
class WatchConfig:
    """``watch``: ``assetpipe watch`` settings; ``--poll`` turns polling on too (docs/watch.md)."""

    debounce_ms: int = opt(30, Int(0), "ms without an event before a batch is built")
    poll: bool = opt(
        False, Bool(), "poll the files (Docker bind mounts, network drives) instead of OS events"
    )


@dataclass(frozen=True)
class Config:
    """A validated pipeline.yaml (top-level keys). Paths are absolute; see the module docstring."""

    path: Path
    display_name: str
    source: Path = required(
        PathTo(exists="dir"), "the source root; manifest keys are paths relative to it"
    )
    output: Path = derived(
        PathTo(), "the output link, replaced on every build", default_doc="`dist`"
    )
    public_path: str = opt(
        "/static/", PublicPath(), "URL prefix of `public/`: a path or an absolute CDN URL"
    )
    retain_builds: int = opt(
        2, Int(1, 100), "builds whose hashed files stay in `public/` (this one included)"
    )
    cache_max_mb: int = opt(1024, Int(0), "cache size before LRU pruning")
    lock_timeout: float = opt(60.0, Number(), "seconds a build waits for another to finish")
    templates: TemplatesConfig = opt(TemplatesConfig(), Section(), "the templates stage")
    images: ImagesConfig = opt(ImagesConfig(), Section(), "the images stage")
    scripts: ScriptsConfig = opt(ScriptsConfig(), Section(), "the scripts stage")
    styles: StylesConfig = opt(StylesConfig(), Section(), "the styles stage")
    static: StaticConfig = opt(StaticConfig(), Section(), "the static stage")
    compress: CompressConfig = opt(CompressConfig(), Section(), "precompression")
    pages: tuple[Page, ...] = opt((), Items(Page), "the pages the audit and dev server visit")
    budgets: tuple[Budget, ...] = opt((), Items(Budget), "audit budgets")
    flows: tuple[Flow, ...] = opt((), Items(Flow), "user flows the audit runs and measures")
    login: tuple[Step, ...] = opt(
        (),
        Steps(),
        "steps run once per audit before the pages and flows; its cookies apply to both",
    )
    budget_file: Path | None = opt(
        None, PathTo(nullable=True, exists="file"), "a Lighthouse budget.json"
    )
    audit: AuditConfig = opt(AuditConfig(), Section(), "`assetpipe audit` defaults")
    watch: WatchConfig = opt(WatchConfig(), Section(), "`assetpipe watch` settings")
    serve: ServeConfig = opt(ServeConfig(), Section(), "the serving middleware")
    locations: tuple[tuple[str, Location], ...] = field(default=(), compare=False)

    @property
    def root(self) -> Path:
        """The config file's folder: the base of relative paths and of ``.assetpipe/``."""
        return self.path.parent

    @property
    def state_dir(self) -> Path:
        """The config's state folder (``state_dir_for``)."""
        return state_dir_for(self.path)

    def location_of(self, key: str) -> Location:
        """Where ``key`` (a dotted path such as ``images.widths``) was written, else the file."""
        return dict(self.locations).get(key, Location(self.display_name))
