"""The ``Check`` of each kind of key: how a YAML value is read, validated and named in the
reference (``type_doc``). Problems are recorded on the ``Ctx``'s reader, located at the value.

Each check is a frozen dataclass without a generated ``__eq__`` or ``__repr__`` (``eq=False,
repr=False``): nothing compares or prints a check, and every ``assetpipe`` process imports this
module, where generating those two methods for each class was a third of its import time."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..records import dataclass
from .keys import Check, Ctx, Spread

if TYPE_CHECKING:
    import yaml  # imported where a node is read: a reused config never reads YAML


#: a free mapping key (an esbuild message id); compiled when first used, not at import
_NAME = r"[A-Za-z0-9][\w@-]*"


@dataclass(frozen=True, eq=False, repr=False)
class Bool(Check):
    TYPE = "boolean"

    def read(self, ctx: Ctx, node: yaml.Node, path: str, default: Any) -> bool | None:
        return ctx.r.boolean(node, path)


@dataclass(frozen=True, eq=False, repr=False)
class Int(Check):
    minimum: int = 1
    maximum: int | None = None

    def type_doc(self) -> str:
        if self.maximum is not None:
            return f"integer {self.minimum}–{self.maximum}"
        return f"integer ≥ {self.minimum}"

    def read(self, ctx: Ctx, node: yaml.Node, path: str, default: Any) -> int | None:
        return ctx.r.integer(node, path, minimum=self.minimum, maximum=self.maximum)


@dataclass(frozen=True, eq=False, repr=False)
class Number(Check):
    minimum: float = 0.0
    maximum: float | None = None

    def type_doc(self) -> str:
        if self.maximum is not None:
            return f"number {self.minimum:g}–{self.maximum:g}"
        return f"number ≥ {self.minimum:g}"

    def read(self, ctx: Ctx, node: yaml.Node, path: str, default: Any) -> float | None:
        return ctx.r.number(node, path, minimum=self.minimum, maximum=self.maximum)


@dataclass(frozen=True, eq=False, repr=False)
class Choice(Check):
    choices: tuple[str, ...]

    def type_doc(self) -> str:
        return "one of " + ", ".join(f"`{c}`" for c in self.choices)

    def read(self, ctx: Ctx, node: yaml.Node, path: str, default: Any) -> str | None:
        return ctx.r.choice(node, path, self.choices)


@dataclass(frozen=True, eq=False, repr=False)
class Str(Check):
    nullable: bool = False

    def type_doc(self) -> str:
        return "string or null" if self.nullable else "string"

    def read(self, ctx: Ctx, node: yaml.Node, path: str, default: Any) -> str | None:
        return ctx.r.string(node, path, nullable=self.nullable)


@dataclass(frozen=True, eq=False, repr=False)
class Strs(Check):
    """A list of non-empty strings; a single string reads as a one-item list."""

    TYPE = "list of strings"

    def read(self, ctx: Ctx, node: yaml.Node, path: str, default: Any) -> tuple[str, ...]:
        return tuple(ctx.r.list_of(node, path, ctx.r.string, allow_scalar=True))


@dataclass(frozen=True, eq=False, repr=False)
class Globs(Check):
    """A list of globs relative to ``source`` (one glob reads as a one-item list); one with a
    leading ``!`` excludes what it matches from the others': such globs alone are an error."""

    TYPE = "list of globs"

    def read(self, ctx: Ctx, node: yaml.Node, path: str, default: Any) -> tuple[str, ...] | None:
        globs = tuple(ctx.r.list_of(node, path, ctx.glob, allow_scalar=True))
        if globs and all(g.startswith("!") for g in globs):
            why = "only excluding globs ('!...'), which match nothing alone: add a glob of the"
            ctx.r.error(node, path, f"{why} files to take first (['**', {globs[0]!r}])")
            return None
        return globs


@dataclass(frozen=True, eq=False, repr=False)
class PathTo(Check):
    """A path relative to the config file's folder; ``exists``: ``dir`` or ``file`` must exist
    (the message quotes the value as written)."""

    nullable: bool = False
    exists: str | None = None

    def type_doc(self) -> str:
        what = {"dir": "folder", "file": "file"}.get(self.exists or "", "path")
        return f"{what} or null" if self.nullable else what

    def read(self, ctx: Ctx, node: yaml.Node, path: str, default: Any) -> Path | None:
        value = ctx.path(node, path, nullable=self.nullable)
        if value is None or self.exists is None:
            return value
        if ctx.r.outside.kind(value) != self.exists:
            what = "directory" if self.exists == "dir" else "file"
            ctx.r.error(node, path, f"{what} '{ctx.r.scalar(node)}' does not exist")
        return value


@dataclass(frozen=True, eq=False, repr=False)
class Folders(Check):
    """A list of folders relative to the config file's folder, each of which must exist; a
    single folder reads as a one-item list."""

    TYPE = "list of folders"

    def read(self, ctx: Ctx, node: yaml.Node, path: str, default: Any) -> tuple[Path, ...]:
        one = PathTo(exists="dir")
        items = ctx.r.seq(node, path, allow_scalar=True)
        found = (one.read(ctx, item, f"{path}[{i}]", None) for i, item in enumerate(items))
        return tuple(f for f in found if f is not None)


@dataclass(frozen=True, eq=False, repr=False)
class NumberMap(Check):
    """A mapping of the given keys to numbers ≥ 0, as ``((key, value), ...)``."""

    keys: tuple[str, ...]

    def type_doc(self) -> str:
        return "mapping of " + ", ".join(f"`{k}`" for k in self.keys) + " → number"

    def read(self, ctx: Ctx, node: yaml.Node, path: str, default: Any) -> tuple[Any, ...]:
        out = []
        for key, child in ctx.section(node, path, self.keys).items():
            value = ctx.r.number(child, f"{path}.{key}")
            if value is not None:
                out.append((key, value))
        return tuple(out)


@dataclass(frozen=True, eq=False, repr=False)
class ChoiceMap(Check):
    """A mapping of the given keys (``None``: any name, ``key_doc`` saying what it is) to one
    of ``choices``, as ``((key, value), ...)``."""

    keys: tuple[str, ...] | None
    choices: tuple[str, ...]
    key_doc: str = "name"

    def type_doc(self) -> str:
        keys = ", ".join(f"`{k}`" for k in self.keys) if self.keys else self.key_doc
        return f"mapping of {keys} → " + ", ".join(f"`{c}`" for c in self.choices)

    def read(self, ctx: Ctx, node: yaml.Node, path: str, default: Any) -> tuple[Any, ...]:
        out = []
        for key, child in ctx.section(node, path, self.keys).items():
            if self.keys is None and not re.fullmatch(_NAME, key):
                ctx.r.error(
                    child, f"{path}.{key}", f"expected an {self.key_doc} (letters, digits, -, @)"
                )
                continue
            value = ctx.r.choice(child, f"{path}.{key}", self.choices)
            if value:
                out.append((key, value))
        return tuple(out)


@dataclass(frozen=True, eq=False, repr=False)
class StrMap(Check):
    """A mapping of names to non-empty strings (``audit.headers``); ``names``: what each name
    must be, a Python identifier (``templates.partial_tags``' tag names), when set."""

    names: str = ""
    TYPE = "mapping of name → string"

    def type_doc(self) -> str:
        return f"mapping of {self.names or 'name'} → string"

    def read(self, ctx: Ctx, node: yaml.Node, path: str, default: Any) -> tuple[Any, ...]:
        out = []
        for key, child in ctx.section(node, path, None).items():
            if self.names and not key.isidentifier():
                ctx.r.error(child, f"{path}.{key}", f"expected {self.names}")
                continue
            value = ctx.r.string(child, f"{path}.{key}")
            if value is not None:
                out.append((key, value))
        return tuple(out)


@dataclass(frozen=True, eq=False, repr=False)
class Prefixes(Check):
    """``templates.prefixes``: a Jinja expression (as written inside ``{{ }}``) → a folder of
    ``source``, relative (``""`` or ``.``: the static folder itself)."""

    TYPE = "mapping of Jinja expression → folder of source"

    def read(self, ctx: Ctx, node: yaml.Node, path: str, default: Any) -> tuple[Any, ...]:
        import yaml

        out = []
        for key, child in ctx.section(node, path, None).items():
            where = f"{path}.{key}"
            if "{" in key or "}" in key or not key.strip():
                ctx.r.error(child, where, "expected the expression without its {{ }}")
                continue
            value = ctx.r.scalar(child) if isinstance(child, yaml.ScalarNode) else None
            if not isinstance(value, str):
                ctx.r.error(child, where, "expected a folder of source (a string)")
                continue
            folder = value.strip().strip("/")
            folder = "" if folder == "." else folder
            if value.strip().startswith("/") or ".." in folder.split("/"):
                ctx.r.error(child, where, f"expected a folder inside source, got {value!r}")
                continue
            out.append((key, folder))
        return tuple(out)


@dataclass(frozen=True, eq=False, repr=False)
class Defines(Check):
    """esbuild ``define``: names → JS expressions; a non-string scalar is JSON-encoded."""

    TYPE = "mapping of name → JS expression"

    def read(self, ctx: Ctx, node: yaml.Node, path: str, default: Any) -> tuple[Any, ...]:
        import yaml

        out = []
        for key, child in ctx.section(node, path, None).items():
            if isinstance(child, yaml.ScalarNode):
                value = ctx.r.scalar(child)
                out.append((key, value if isinstance(value, str) else json.dumps(value)))
            else:
                ctx.r.error(
                    child, f"{path}.{key}", "expected a string (a JS expression) or a scalar"
                )
        return tuple(sorted(out))


# --- checks of one key ----------------------------------------------------------------------


@dataclass(frozen=True, eq=False, repr=False)
class PublicPath(Check):
    """``public_path``: a path from ``/`` or an absolute URL; a final ``/`` is added."""

    TYPE = "URL path or absolute URL"

    def read(self, ctx: Ctx, node: yaml.Node, path: str, default: Any) -> str | None:
        pp = ctx.r.string(node, path)
        if pp is None:
            return None
        if not pp.startswith(("/", "http://", "https://", "//")):
            ctx.r.error(
                node, path, f"expected a path starting with '/' or an absolute URL, got {pp!r}"
            )
        return pp if pp.endswith("/") else pp + "/"


@dataclass(frozen=True, eq=False, repr=False)
class TemplateDirs(Check):
    """``templates.dirs``: resolved by ``load`` once ``source`` is known (``templatedirs``)."""

    TYPE = "list of folders"

    def read(self, ctx: Ctx, node: yaml.Node, path: str, default: Any) -> None:
        return None


@dataclass(frozen=True, eq=False, repr=False)
class Sizes(Check):
    """``templates.sizes``: a string (the default), or a list of ``{selector, sizes}`` rules with
    at most one ``{default: SIZES}`` item; sets ``sizes`` and ``sizes_rules``."""

    TYPE = "string, or list of `{selector, sizes}` / `{default}`"

    def read(self, ctx: Ctx, node: yaml.Node, path: str, default: Any) -> Spread:
        import yaml

        if not isinstance(node, yaml.SequenceNode):
            return Spread({"sizes": ctx.r.string(node, path)})
        rules: list[tuple[str, str]] = []
        out: dict[str, Any] = {}
        for i, item in enumerate(node.value):
            p = f"{path}[{i}]"
            s = ctx.section(item, p, ("selector", "sizes", "default"))
            if set(s) == {"default"}:
                if "sizes" in out:
                    ctx.r.error(item, p, "a second default (one is allowed)")
                out["sizes"] = ctx.r.string(s["default"], f"{p}.default")
            elif set(s) == {"selector", "sizes"}:
                sel = ctx.r.string(s["selector"], f"{p}.selector")
                val = ctx.r.string(s["sizes"], f"{p}.sizes")
                if sel is not None and val is not None:
                    rules.append((sel, val))
            elif s:
                ctx.r.error(item, p, "expected {selector: CSS, sizes: SIZES} or {default: SIZES}")
        out["sizes_rules"] = tuple(rules)
        return Spread(out)


@dataclass(frozen=True, eq=False, repr=False)
class Widths(Check):
    """``images.widths``: positive integers, at least one; sorted, each once."""

    TYPE = "list of integers ≥ 1"

    def read(self, ctx: Ctx, node: yaml.Node, path: str, default: Any) -> tuple[int, ...]:
        import yaml

        widths = ctx.r.list_of(node, path, ctx.r.integer)
        if not widths and isinstance(node, yaml.SequenceNode) and not node.value:
            ctx.r.error(node, path, "expected at least one width")
        return tuple(sorted(set(widths)))


@dataclass(frozen=True, eq=False, repr=False)
class Formats(Check):
    """A non-empty list of ``choices``, each kept once in the order written."""

    choices: tuple[str, ...]

    def type_doc(self) -> str:
        return "list of " + ", ".join(f"`{c}`" for c in self.choices)

    def read(self, ctx: Ctx, node: yaml.Node, path: str, default: Any) -> tuple[str, ...]:
        import yaml

        formats = ctx.r.list_of(node, path, lambda n, p: ctx.r.choice(n, p, self.choices))
        if isinstance(node, yaml.SequenceNode) and not node.value:
            ctx.r.error(node, path, "expected at least one format")
        return tuple(dict.fromkeys(formats))


@dataclass(frozen=True, eq=False, repr=False)
class Quality(Check):
    """Per-format quality from 1 to 100; the formats not written keep their default."""

    keys: tuple[str, ...]

    def type_doc(self) -> str:
        return "mapping of " + ", ".join(f"`{k}`" for k in self.keys) + " → integer 1–100"

    def read(self, ctx: Ctx, node: yaml.Node, path: str, default: Any) -> tuple[Any, ...]:
        q = dict(default)
        for key, child in ctx.section(node, path, self.keys).items():
            value = ctx.r.integer(child, f"{path}.{key}", maximum=100)
            if value is not None:
                q[key] = value
        return tuple(sorted(q.items()))


@dataclass(frozen=True, eq=False, repr=False)
class AppRef(Check):
    """``module:attribute`` naming a WSGI/ASGI app (or a factory, called with no arguments or
    with the literal ones written: ``module:factory("literal", ...)``), or null."""

    TYPE = '`module:attribute`, `module:factory("literal", ...)` or null'

    def read(self, ctx: Ctx, node: yaml.Node, path: str, default: Any) -> str | None:
        app = ctx.r.string(node, path, nullable=True)
        if app is not None and ":" not in app:
            ctx.r.error(node, path, f"expected 'module:attribute', got {app!r}")
        return app


@dataclass(frozen=True, eq=False, repr=False)
class UrlPath(Check):
    """A URL path starting with ``/``."""

    TYPE = "URL path"

    def read(self, ctx: Ctx, node: yaml.Node, path: str, default: Any) -> str | None:
        url = ctx.r.string(node, path)
        if url is not None and not url.startswith("/"):
            ctx.r.error(node, path, f"expected a URL path starting with '/', got {url!r}")
        return url


@dataclass(frozen=True, eq=False, repr=False)
class ContextFile(Check):
    """A JSON file relative to the config file's folder that must exist, or null."""

    TYPE = "file or null"

    def read(self, ctx: Ctx, node: yaml.Node, path: str, default: Any) -> Path | None:
        context = ctx.path(node, path, nullable=True)
        if context is not None and not ctx.r.outside.is_file(context):
            ctx.r.error(node, path, f"file '{context}' does not exist")
        return context


@dataclass(frozen=True, eq=False, repr=False)
class Scores(NumberMap):
    """Lighthouse category scores from 0 to 1."""

    def type_doc(self) -> str:
        return "mapping of " + ", ".join(f"`{k}`" for k in self.keys) + " → score 0–1"

    def read(self, ctx: Ctx, node: yaml.Node, path: str, default: Any) -> tuple[Any, ...]:
        out = super().read(ctx, node, path, default)
        for key, score in out:
            if score > 1:
                ctx.r.error(node, f"{path}.{key}", f"expected a score from 0 to 1, got {score:g}")
        return out


@dataclass(frozen=True, eq=False, repr=False)
class JinjaSyntax(Check):
    """``templates.syntax``: Jinja ``Environment`` lexer settings (``rewrite.syntax.KEYS``) →
    their non-empty strings."""

    TYPE = "mapping of Jinja lexer setting → string"

    def read(self, ctx: Ctx, node: yaml.Node, path: str, default: Any) -> tuple[Any, ...]:
        from ..rewrite.syntax import KEYS

        out = []
        for key, child in ctx.section(node, path, None).items():
            value = ctx.r.string(child, f"{path}.{key}")
            if key not in KEYS:
                ctx.r.error(child, f"{path}.{key}", f"expected one of {', '.join(KEYS)}")
            elif value is not None:
                out.append((key, value))
        return tuple(out)
