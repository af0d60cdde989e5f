"""Reading each section of pipeline.yaml into its ``config`` dataclass (split from
``config.py``, which holds the model and ``load_config``). Every problem is recorded on the
``Reader`` with its position; nothing raises here."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import yaml

from ..errors import Location
from .model import (
    IMAGE_FORMATS,
    LEGAL_COMMENTS,
    LEVELS,
    PROFILES,
    RESOURCE_TYPES,
    SCORES,
    SOURCEMAPS,
    TIMINGS,
    AuditConfig,
    Budget,
    CompressConfig,
    ImagesConfig,
    Page,
    ScriptsConfig,
    ServeConfig,
    StaticConfig,
    StylesConfig,
    TemplatesConfig,
    WatchConfig,
)
from .yaml import Reader


class SectionLoader:
    """Reads each section; problems collect in ``self.r``."""

    def __init__(self, reader: Reader, root: Path, state_dir: Path) -> None:
        self.r = reader
        self.root = root
        self.state_dir = state_dir
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
        return None if value is None else abs_path(self.root / value)

    def section(
        self, node: yaml.Node | None, path: str, known: tuple[str, ...] | None
    ) -> dict[str, yaml.Node]:
        entries = self.r.mapping(node, path, list(known) if known is not None else None)
        for key, child in entries.items():
            self.locations[f"{path}.{key}" if path else key] = self.r.loc(child)
        return entries

    def number_map(
        self, node: yaml.Node, path: str, keys: tuple[str, ...]
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
        s = self.section(
            node,
            "templates",
            (
                "dirs",
                "include",
                "pages",
                "lazy",
                "eager",
                "sizes",
                "picture",
                "srcset_format",
                "integrity",
                "preload",
                "missing_assets",
                "dimensions",
                "srcset",
            ),
        )
        kw: dict[str, Any] = {}  # dirs: resolved by load_config once source is known
        for key in ("include", "pages"):
            if key in s:
                kw[key] = self.globs(s[key], f"templates.{key}")
        if "lazy" in s:
            for key, child in self.section(
                s["lazy"], "templates.lazy", ("images", "iframes")
            ).items():
                kw[f"lazy_{key}"] = self.r.boolean(child, f"templates.lazy.{key}")
        if "eager" in s:
            kw["eager"] = self.strs(s["eager"], "templates.eager")
        if "sizes" in s:
            kw.update(self.sizes(s["sizes"]))
        if "dimensions" in s:
            kw["dimensions"] = self.r.choice(
                s["dimensions"], "templates.dimensions", ("always", "auto", "never")
            )
        if "srcset" in s:
            kw["srcset"] = self.r.choice(s["srcset"], "templates.srcset", ("auto", "never"))
        for key in ("picture", "integrity"):
            if key in s:
                kw[key] = self.r.boolean(s[key], f"templates.{key}")
        if "srcset_format" in s:
            kw["srcset_format"] = self.r.choice(
                s["srcset_format"], "templates.srcset_format", IMAGE_FORMATS
            )
        if "preload" in s:
            for key, child in self.section(s["preload"], "templates.preload", ("fonts",)).items():
                kw[f"preload_{key}"] = self.r.boolean(child, f"templates.preload.{key}")
        if "missing_assets" in s:
            kw["missing_assets"] = self.r.choice(
                s["missing_assets"], "templates.missing_assets", ("error", "warn")
            )
        return _replace(d, kw)

    def sizes(self, node: yaml.Node) -> dict[str, Any]:
        """``templates.sizes``: a string (the default), or a list of ``{selector, sizes}``
        rules with at most one ``{default: SIZES}`` item."""
        if not isinstance(node, yaml.SequenceNode):
            return {"sizes": self.r.string(node, "templates.sizes")}
        rules: list[tuple[str, str]] = []
        out: dict[str, Any] = {}
        for i, item in enumerate(node.value):
            p = f"templates.sizes[{i}]"
            s = self.section(item, p, ("selector", "sizes", "default"))
            if set(s) == {"default"}:
                if "sizes" in out:
                    self.r.error(item, p, "a second default (one is allowed)")
                out["sizes"] = self.r.string(s["default"], f"{p}.default")
            elif set(s) == {"selector", "sizes"}:
                sel = self.r.string(s["selector"], f"{p}.selector")
                val = self.r.string(s["sizes"], f"{p}.sizes")
                if sel is not None and val is not None:
                    rules.append((sel, val))
            elif s:
                self.r.error(item, p, "expected {selector: CSS, sizes: SIZES} or {default: SIZES}")
        out["sizes_rules"] = tuple(rules)
        return out

    def images(self, node: yaml.Node | None) -> ImagesConfig:
        d = ImagesConfig()
        s = self.section(
            node,
            "images",
            (
                "include",
                "widths",
                "formats",
                "quality",
                "avif_speed",
                "colour",
                "max_pixels",
                "on_error",
            ),
        )
        kw: dict[str, Any] = {}
        if "include" in s:
            kw["include"] = self.globs(s["include"], "images.include")
        if "widths" in s:
            widths = self.r.list_of(s["widths"], "images.widths", self.r.integer)
            if not widths and isinstance(s["widths"], yaml.SequenceNode) and not s["widths"].value:
                self.r.error(s["widths"], "images.widths", "expected at least one width")
            kw["widths"] = tuple(sorted(set(widths)))
        if "formats" in s:
            formats = self.r.list_of(
                s["formats"], "images.formats", lambda n, p: self.r.choice(n, p, IMAGE_FORMATS)
            )
            if isinstance(s["formats"], yaml.SequenceNode) and not s["formats"].value:
                self.r.error(s["formats"], "images.formats", "expected at least one format")
            kw["formats"] = tuple(dict.fromkeys(formats))
        if "quality" in s:
            q = dict(d.quality)
            for key, child in self.section(
                s["quality"], "images.quality", ("jpeg", "webp", "avif")
            ).items():
                value = self.r.integer(child, f"images.quality.{key}", maximum=100)
                if value is not None:
                    q[key] = value
            kw["quality"] = tuple(sorted(q.items()))
        if "avif_speed" in s:
            kw["avif_speed"] = self.r.integer(
                s["avif_speed"], "images.avif_speed", minimum=0, maximum=10
            )
        if "colour" in s:
            kw["colour"] = self.r.choice(s["colour"], "images.colour", ("srgb", "keep"))
        if "max_pixels" in s:
            kw["max_pixels"] = self.r.integer(s["max_pixels"], "images.max_pixels")
        if "on_error" in s:
            kw["on_error"] = self.r.choice(s["on_error"], "images.on_error", ("fail", "skip"))
        return _replace(d, kw)

    def scripts(self, node: yaml.Node | None) -> ScriptsConfig:
        d = ScriptsConfig()
        s = self.section(
            node,
            "scripts",
            ("entries", "classic", "splitting", "target", "sourcemap", "legal_comments", "define"),
        )
        kw: dict[str, Any] = {}
        for key in ("entries", "classic"):
            if key in s:
                kw[key] = self.globs(s[key], f"scripts.{key}")
        if "splitting" in s:
            kw["splitting"] = self.r.boolean(s["splitting"], "scripts.splitting")
        if "target" in s:
            kw["target"] = self.strs(s["target"], "scripts.target")
        if "sourcemap" in s:
            kw["sourcemap"] = self.r.choice(s["sourcemap"], "scripts.sourcemap", SOURCEMAPS)
        if "legal_comments" in s:
            kw["legal_comments"] = self.r.choice(
                s["legal_comments"], "scripts.legal_comments", LEGAL_COMMENTS
            )
        if "define" in s:
            defines = []
            for key, child in self.section(s["define"], "scripts.define", None).items():
                if isinstance(child, yaml.ScalarNode):
                    value = self.r.scalar(child)
                    defines.append((key, value if isinstance(value, str) else json.dumps(value)))
                else:
                    self.r.error(
                        child,
                        f"scripts.define.{key}",
                        "expected a string (a JS expression) or a scalar",
                    )
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
        s = self.section(node, "compress", ("brotli", "gzip", "zstd", "min_ratio", "sourcemaps"))
        kw: dict[str, Any] = {}
        for key in ("brotli", "gzip", "zstd"):
            if key in s:
                kw[key] = self.r.boolean(s[key], f"compress.{key}")
        if "min_ratio" in s:
            kw["min_ratio"] = self.r.number(
                s["min_ratio"], "compress.min_ratio", minimum=0.0, maximum=1.0
            )
        if "sourcemaps" in s:
            kw["sourcemaps"] = self.r.choice(
                s["sourcemaps"], "compress.sourcemaps", ("fast", "none", "full")
            )
        return _replace(CompressConfig(), kw)

    def pages(self, node: yaml.Node) -> tuple[Page, ...]:
        out = []
        for i, item in enumerate(self.r.seq(node, "pages")):
            p = f"pages[{i}]"
            s = self.section(item, p, ("path", "template", "context"))
            if "path" not in s and isinstance(item, yaml.MappingNode):
                self.r.error(item, f"{p}.path", "required key missing")
            url = self.r.string(s["path"], f"{p}.path") if "path" in s else None
            if url is not None and not url.startswith("/"):
                self.r.error(
                    s["path"], f"{p}.path", f"expected a URL path starting with '/', got {url!r}"
                )
            template = self.r.string(s["template"], f"{p}.template") if "template" in s else None
            context = (
                self.path(s["context"], f"{p}.context", nullable=True) if "context" in s else None
            )
            if context is not None and not context.is_file():
                self.r.error(s["context"], f"{p}.context", f"file '{context}' does not exist")
            if url:  # without template, the user's app renders it (--app; pages.py checks)
                out.append(Page(url, template, context))
        return tuple(out)

    def budgets(self, node: yaml.Node) -> tuple[Budget, ...]:
        out = []
        for i, item in enumerate(self.r.seq(node, "budgets")):
            p = f"budgets[{i}]"
            s = self.section(
                item,
                p,
                (
                    "path",
                    "profile",
                    "timings",
                    "resource_sizes",
                    "resource_counts",
                    "repeat_view",
                    "min_score",
                    "level",
                ),
            )
            kw: dict[str, Any] = {"location": self.r.loc(item)}
            if "path" in s:
                kw["path"] = self.r.string(s["path"], f"{p}.path")
            if "profile" in s:
                kw["profile"] = self.r.choice(s["profile"], f"{p}.profile", PROFILES)
            for key, keys in (
                ("timings", TIMINGS),
                ("resource_sizes", RESOURCE_TYPES),
                ("resource_counts", RESOURCE_TYPES),
                ("repeat_view", ("total", "hashed")),
                ("min_score", SCORES),
            ):
                if key in s:
                    kw[key] = self.number_map(s[key], f"{p}.{key}", keys)
            for key, score in kw.get("min_score", ()):
                if score > 1:
                    self.r.error(
                        s["min_score"],
                        f"{p}.min_score.{key}",
                        f"expected a score from 0 to 1, got {score:g}",
                    )
            if "level" in s:
                levels = []
                for key, child in self.section(
                    s["level"],
                    f"{p}.level",
                    (
                        "timings",
                        "resource_sizes",
                        "resource_counts",
                        "repeat_view",
                        "min_score",
                        "images_distorted",
                        "images_oversized",
                        "images_unsized",
                        "images_grown",
                    ),
                ).items():
                    value = self.r.choice(child, f"{p}.level.{key}", LEVELS)
                    if value:
                        levels.append((key, value))
                kw["level"] = tuple(levels)
            out.append(_replace(Budget(), kw))
        return tuple(out)

    def audit(self, node: yaml.Node | None) -> AuditConfig:
        s = self.section(
            node,
            "audit",
            ("profile", "runs", "chromium", "app", "headers", "history", "regression_tolerance"),
        )
        kw: dict[str, Any] = {"history": self.state_dir / "audit-history.sqlite"}
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
            kw["regression_tolerance"] = self.r.number(
                s["regression_tolerance"], "audit.regression_tolerance"
            )
        return _replace(AuditConfig(), kw)

    def watch(self, node: yaml.Node | None) -> WatchConfig:
        s = self.section(node, "watch", ("debounce_ms", "poll"))
        kw: dict[str, Any] = {}
        if "debounce_ms" in s:
            kw["debounce_ms"] = self.r.integer(s["debounce_ms"], "watch.debounce_ms", minimum=0)
        if "poll" in s:
            kw["poll"] = self.r.boolean(s["poll"], "watch.poll")
        return _replace(WatchConfig(), kw)

    def serve(self, node: yaml.Node | None) -> ServeConfig:
        s = self.section(node, "serve", ("source_paths",))
        kw: dict[str, Any] = {}
        if "source_paths" in s:
            kw["source_paths"] = self.r.boolean(s["source_paths"], "serve.source_paths")
        return _replace(ServeConfig(), kw)


def abs_path(path: Path) -> Path:
    """An absolute, normalised path that does not resolve symlinks (``output`` is one)."""
    return Path(os.path.normpath(path.absolute()))


_T = TypeVar("_T")


def _replace(default: _T, kw: dict[str, Any]) -> _T:
    """``default`` with the keys of ``kw`` that validated (``None`` means: keep the default)."""
    return replace(default, **{k: v for k, v in kw.items() if v is not None})  # type: ignore[type-var]
