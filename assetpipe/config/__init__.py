"""pipeline.yaml: declaration, reading, validation and the typed model.

Modules, each importing only those above it:

- ``yaml``: the position-keeping YAML reader (``parse_yaml``, ``Reader``: every problem recorded
  as ``FILE:LINE:COL: key.path: message``);
- ``model``: the frozen dataclasses users see (``Config`` and one per section);
- ``sections``: one reader per section (``SectionLoader``);
- ``templatedirs``: resolving ``templates.dirs`` and finding the templates in them;
- ``load``: ``load_config`` (reads the file, runs the readers and the cross-key rules, raises one
  ``ConfigError`` listing every problem).
"""

from __future__ import annotations

from .load import load_config
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
    Config,
    ImagesConfig,
    Page,
    ScriptsConfig,
    ServeConfig,
    StaticConfig,
    StylesConfig,
    TemplatesConfig,
    WatchConfig,
    state_dir_for,
)

__all__ = [
    "IMAGE_FORMATS",
    "LEGAL_COMMENTS",
    "LEVELS",
    "PROFILES",
    "RESOURCE_TYPES",
    "SCORES",
    "SOURCEMAPS",
    "TIMINGS",
    "AuditConfig",
    "Budget",
    "CompressConfig",
    "Config",
    "ImagesConfig",
    "Page",
    "ScriptsConfig",
    "ServeConfig",
    "StaticConfig",
    "StylesConfig",
    "TemplatesConfig",
    "WatchConfig",
    "load_config",
    "state_dir_for",
]
