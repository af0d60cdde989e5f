"""``load_config``: pipeline.yaml → a validated ``Config``.

Reads the file, validates every key (types, ranges, unknown keys with a did-you-mean, duplicate
keys, cross-field rules) and raises one ``ConfigError`` carrying *all* problems, each located
``FILE:LINE:COL: key.path: message``, sorted by position.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from ..errors import AssetpipeError, ConfigError, Location
from ..state import state_dir_for
from .model import Config, ImagesConfig, TemplatesConfig
from .sections import SectionLoader, abs_path
from .templatedirs import resolve as resolve_dirs
from .yaml import Reader, parse_yaml

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
