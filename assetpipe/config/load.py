"""``read_config``: pipeline.yaml → a validated ``Config`` (``memo.load_config`` calls it when
it has no valid record of an earlier validation).

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
from .keys import Ctx, abs_path, read_fields
from .model import AuditConfig, Config, ImagesConfig, TemplatesConfig, state_dir_for
from .outside import Outside
from .templatedirs import resolve as resolve_dirs
from .yaml import Reader, parse_yaml


def read_config(
    path: str | Path = "pipeline.yaml",
    *,
    display_name: str | None = None,
    data: bytes | None = None,
) -> tuple[Config, Outside]:
    """Read and validate a pipeline.yaml (its bytes ``data`` when the caller read them), and
    what the validation looked up outside the file.

    Raises ``ConfigError`` (exit 2) listing every problem with ``FILE:LINE:COL: key.path:``.
    ``display_name`` is how messages name the file (default: ``path`` as given).
    """
    name = display_name or str(path)
    config_path = abs_path(Path(path))
    try:
        text = (config_path.read_bytes() if data is None else data).decode("utf-8")
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
    ctx = Ctx(reader, root, state_dir_for(config_path))
    if doc is None or (isinstance(doc, yaml.ScalarNode) and reader.scalar(doc) is None):
        raise ConfigError(
            [AssetpipeError("source: required key missing", location=Location(name, 1, 1))]
        )
    kw = read_fields(ctx, Config, doc, "")  # a document that is not a mapping: one problem
    source: Path | None = kw.pop("source", None)
    if "source" not in ctx.locations and isinstance(doc, yaml.MappingNode):
        reader.error(
            doc,
            "source",
            "required key missing",
            hint="source: names the folder that holds your templates and assets",
        )
    output: Path | None = kw.pop("output") if "output" in ctx.locations else root / "dist"
    if (
        output is not None
        and source is not None
        and (output in (source, root) or source.is_relative_to(output))
    ):
        reader.error(
            _child(doc, "output"),
            "output",
            "the output folder must not contain the "
            "source or the config file's folder (it is replaced on every build)",
        )
    kw.setdefault("templates", TemplatesConfig())
    kw.setdefault("images", ImagesConfig())
    kw.setdefault("audit", AuditConfig())
    if source is not None and reader.outside.is_dir(source):
        dirs_node = _child(_child(doc, "templates"), "dirs")
        dirs = resolve_dirs(reader, dirs_node, root, source)
        if dirs is not None:
            kw["templates"] = replace(kw["templates"], dirs=dirs)
    if kw["audit"].history is None:
        history = ctx.state_dir / "audit-history.sqlite"
        kw["audit"] = replace(kw["audit"], history=history)
    _cross_checks(reader, doc, kw)
    if reader.problems or source is None or output is None:
        raise ConfigError(sorted(reader.problems, key=_position))
    cfg = Config(
        path=config_path,
        display_name=name,
        source=source,
        output=output,
        locations=tuple(sorted(ctx.locations.items())),
        **{k: v for k, v in kw.items() if v is not None},
    )
    return cfg, reader.outside


def _child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    """The value of ``key`` in the mapping ``node`` (``None`` if absent or not a mapping)."""
    if isinstance(node, yaml.MappingNode):
        return next((v for k, v in node.value if k.value == key), None)
    return None


def _position(err: AssetpipeError) -> tuple[int, int]:
    loc = err.location
    return (loc.line or 0, loc.col or 0) if loc else (0, 0)


def _cross_checks(reader: Reader, doc: yaml.Node, kw: dict[str, Any]) -> None:
    """Rules that span keys (each reported at the later key's position)."""
    templates: TemplatesConfig = kw["templates"]
    images: ImagesConfig = kw["images"]
    if images.formats and templates.srcset_format not in images.formats:
        tnode = _child(doc, "templates")
        reader.error(
            _child(tnode, "srcset_format") or tnode or _child(doc, "images"),
            "templates.srcset_format",
            f"'{templates.srcset_format}' is not one of images.formats "
            f"({', '.join(images.formats)})",
            hint="add it to images.formats or choose one of those",
        )
