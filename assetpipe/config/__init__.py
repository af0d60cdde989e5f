"""pipeline.yaml: key declarations, reading, validation and the typed model.

Modules, each importing only those above it (``memo`` imports ``load`` when it validates):

- ``memo``: ``load_config``, the public entry: the last validated ``Config`` again when the file's
  bytes and everything validation looked up outside it (``Outside``) are unchanged, else
  ``load.read_config``; PyYAML is imported only to validate;
- ``yaml``: the position-keeping YAML reader (``parse_yaml``, ``Reader``: every problem recorded
  as ``FILE:LINE:COL: key.path: message``, reading goes on);
- ``keys``: how a key is declared (``opt``/``required``: a dataclass field carrying a ``Spec`` of
  check and doc), the reading context and the generic reader of a declared mapping
  (``read_fields``: unknown keys with a did-you-mean, nested keys, sections, lists of items);
- ``checks``: the ``Check`` of each kind of value (types, ranges, choices, globs, paths, and the
  few keys with rules of their own);
- ``vocab``: the values keys accept (formats, levels, budget groups, metrics);
- ``model``: the frozen dataclasses users see (``Config`` and one per section), where every key
  is declared once;
- ``steps``: the steps of user flows (``flows[].steps``, ``login``);
- ``templatedirs``: resolving ``templates.dirs`` and finding the templates in them;
- ``load``: ``read_config`` (reads the file with the declarations, applies the rules that need
  more than one key, raises one ``ConfigError`` listing every problem);
- ``reference``: renders docs/configuration.md from the declarations
  (``python -m assetpipe.config.reference > docs/configuration.md``).
"""

from __future__ import annotations

from .memo import load_config
from .model import (
    AuditConfig,
    Budget,
    CompressConfig,
    Config,
    Flow,
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
from .vocab import (
    IMAGE_FORMATS,
    LEGAL_COMMENTS,
    LEVELS,
    PROFILES,
    RESOURCE_TYPES,
    SCORES,
    SOURCEMAPS,
    TIMINGS,
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
    "Flow",
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
