"""Declaring a config key once: ``opt(default, check, doc)`` on a model dataclass field.

A key's declaration is its field in ``model``: the field name (or ``key=`` for a nested YAML
path such as ``lazy.images``), its Python type, its default, a ``Check`` (how the YAML value is
read and validated, and how the reference names its type) and a one-line doc. Everything else
derives from it: the known keys and did-you-mean hints (``known_keys``), the section readers
(``sections.read_fields``) and the reference page (``reference``).

A ``Check`` reads one YAML node with a ``Ctx`` and returns the value, or ``None`` after
recording a located problem (``None`` keeps the field's default).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from ..errors import Location
from ..records import dataclass

if TYPE_CHECKING:
    import yaml  # imported where a node is read: a reused config never reads YAML

    from .yaml import Reader

T = TypeVar("T")

SPEC = "assetpipe.config"  #: the field-metadata key holding a ``Spec``


class Ctx:
    """What checks read with: the problem-collecting ``Reader``, the config file's folder (the base
    of paths), the state folder, and the position of every key seen (``locations``)."""

    def __init__(self, reader: Reader, root: Path, state_dir: Path) -> None:
        self.r = reader
        self.root = root
        self.state_dir = state_dir
        self.locations: dict[str, Location] = {}

    def section(
        self, node: yaml.Node | None, path: str, known: tuple[str, ...] | None
    ) -> dict[str, yaml.Node]:
        """A mapping's entries (unknown keys reported unless ``known`` is ``None``); records
        where each key was written."""
        entries = self.r.mapping(node, path, list(known) if known is not None else None)
        for key, child in entries.items():
            self.locations[f"{path}.{key}" if path else key] = self.r.loc(child)
        return entries

    def glob(self, node: yaml.Node, path: str) -> str | None:
        value = self.r.string(node, path)
        if value is None:
            return None
        bare = value.removeprefix("!")  # an excluding glob: the rule is its pattern's
        if bare.startswith(("/", "../")) or "/../" in bare:
            self.r.error(node, path, f"globs are relative to source, got {value!r}")
            return None
        return value

    def path(self, node: yaml.Node, key: str, *, nullable: bool = False) -> Path | None:
        value = self.r.string(node, key, nullable=nullable)
        return None if value is None else abs_path(self.root / value)


def abs_path(path: Path) -> Path:
    """An absolute, normalised path that does not resolve symlinks (``output`` is one)."""
    return Path(os.path.normpath(path.absolute()))


class Check:
    """How one key's YAML value is read (``read``) and how the reference names its type
    (``type_doc``: ``TYPE`` unless the check's parameters change it)."""

    TYPE: ClassVar[str] = ""

    def type_doc(self) -> str:
        return self.TYPE

    def read(self, ctx: Ctx, node: yaml.Node, path: str, default: Any) -> Any:
        raise NotImplementedError


@dataclass(frozen=True)
class Spec:
    """A key's declaration (see the module docstring). ``default_doc`` replaces the rendered
    default where the field's default is not what the user sees (a path under the state
    folder, a value derived at load time)."""

    check: Check
    doc: str
    key: str | None = None
    default_doc: str | None = None
    required: bool = False


def opt(
    default: T,
    check: Check,
    doc: str,
    *,
    key: str | None = None,
    default_doc: str | None = None,
    compare: bool = True,
) -> T:
    """Declare a key: a dataclass field with ``default`` and its ``Spec`` in the metadata."""
    spec = Spec(check, doc, key, default_doc)
    made: T = dataclasses.field(default=default, compare=compare, metadata={SPEC: spec})
    return made


def required(check: Check, doc: str) -> Any:
    """Declare a key that must be written (``source``, a page's ``path``): no default."""
    return dataclasses.field(metadata={SPEC: Spec(check, doc, None, "(required)", True)})


def derived(check: Check, doc: str, *, default_doc: str) -> Any:
    """Declare an optional key whose default ``load`` derives from the config file's folder
    (``output``): no dataclass default; ``default_doc`` tells the reference what it is."""
    return dataclasses.field(metadata={SPEC: Spec(check, doc, None, default_doc)})


def specs(cls: type) -> Iterator[tuple[str, str, Spec]]:
    """(field name, YAML key, spec) of every declared key of dataclass ``cls``, in order."""
    for f in dataclasses.fields(cls):
        spec = f.metadata.get(SPEC)
        if isinstance(spec, Spec):
            yield f.name, spec.key or f.name, spec


def known_keys(cls: type, group: str | None = None) -> tuple[str, ...]:
    """The YAML keys of ``cls``'s mapping (``group``: of its nested mapping ``group``)."""
    out: dict[str, None] = {}
    for _, key, _ in specs(cls):
        head, _, rest = key.partition(".")
        if group is None:
            out[head] = None
        elif head == group and rest:
            out[rest] = None
    return tuple(out)


@dataclass(frozen=True)
class Spread:
    """What a check returns when one key sets several fields (``templates.sizes``)."""

    values: dict[str, Any]


def read_fields(ctx: Ctx, cls: type, node: yaml.Node | None, path: str) -> dict[str, Any]:
    """Read the mapping ``node`` at ``path`` with ``cls``'s declarations: unknown keys are
    reported (did-you-mean), each present key is read by its check, nested keys (``lazy.images``)
    through their own mapping. Returns field name → value (``None``: keep the default)."""
    s = ctx.section(node, path, known_keys(cls))
    groups: dict[str, dict[str, yaml.Node]] = {}
    defaults = {f.name: f.default for f in dataclasses.fields(cls)}
    kw: dict[str, Any] = {}
    for name, key, spec in specs(cls):
        head, _, rest = key.partition(".")
        if head not in s:
            continue
        child: yaml.Node | None = s[head]
        if rest:
            if head not in groups:
                sub = f"{path}.{head}" if path else head
                groups[head] = ctx.section(s[head], sub, known_keys(cls, head))
            child = groups[head].get(rest)
        if child is not None:
            value = spec.check.read(ctx, child, f"{path}.{key}" if path else key, defaults[name])
            if isinstance(value, Spread):
                kw.update(value.values)
            else:
                kw[name] = value
    return kw


def build(cls: type[T], kw: dict[str, Any], default: T | None = None) -> T:
    """``cls(**kw)`` (or ``default`` replaced) with the keys of ``kw`` that validated."""
    values = {k: v for k, v in kw.items() if v is not None}
    if default is not None:
        return dataclasses.replace(default, **values)  # type: ignore[type-var]
    return cls(**values)


@dataclass(frozen=True)
class Section(Check):
    """A nested section (``images:``): a mapping read with its dataclass's declarations."""

    TYPE = "mapping"

    def read(self, ctx: Ctx, node: yaml.Node, path: str, default: Any) -> Any:
        return build(type(default), read_fields(ctx, type(default), node, path), default)


@dataclass(frozen=True)
class Items(Check):
    """A list of mappings, each read with ``cls``'s declarations. An item missing a key declared
    with ``required`` is reported (when it is a mapping) and dropped; a ``location`` field gets
    the item's position."""

    cls: type

    TYPE = "list of mappings"

    def read(self, ctx: Ctx, node: yaml.Node, path: str, default: Any) -> tuple[Any, ...]:
        import yaml

        names = {f.name for f in dataclasses.fields(self.cls)}
        needed = [(name, key) for name, key, spec in specs(self.cls) if spec.required]
        out: list[Any] = []
        for i, item in enumerate(ctx.r.seq(node, path)):
            p = f"{path}[{i}]"
            kw = read_fields(ctx, self.cls, item, p)
            complete = True
            for name, key in needed:
                if name not in kw and isinstance(item, yaml.MappingNode):
                    ctx.r.error(item, f"{p}.{key}", "required key missing")
                complete = complete and kw.get(name) is not None
            if "location" in names:
                kw["location"] = ctx.r.loc(item)
            if complete:
                out.append(build(self.cls, kw))
        return tuple(out)
