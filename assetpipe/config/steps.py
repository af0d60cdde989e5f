"""The steps of a user flow (``flows[].steps``, ``login``): how they are written and read.

A step is a one-key mapping: ``{goto: PATH}``, ``{click: SELECTOR}``, ``{fill: {selector,
value}}``, ``{press: {selector, key}}`` or ``{wait_for: SELECTOR}``. A list of steps must start
with ``goto`` (a flow starts on a page of the site). A ``fill`` value may name environment
variables as ``${NAME}`` (secrets such as a password): each must be set when the audit runs
(``unset_variables``, a config error then), not for every reader of the config: ``assetpipe
build`` and ``AssetPipe(app)`` never type the value, and a deploy that builds or serves without
the audit's secret must work. The value is kept as written and substituted when the step runs
(``substitute``), so the secret never enters the config object or the audit's JSON.
"""

from __future__ import annotations

import os
from dataclasses import field
from typing import TYPE_CHECKING, Any

from ..errors import AssetpipeError, Location
from ..lazyre import lazy
from ..records import dataclass
from .keys import Check, Ctx

if TYPE_CHECKING:
    import yaml  # imported where a node is read: a reused config never reads YAML

KINDS = ("goto", "click", "fill", "press", "wait_for")
#: Kinds whose value is a mapping, and its keys (the first is the selector).
MAPPED = {"fill": ("selector", "value"), "press": ("selector", "key")}
ENV_VAR = lazy(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Step:
    """One step: ``kind``, its ``target`` (the URL path of ``goto``, else a CSS selector) and
    ``value`` (``fill``'s text as written, ``press``'s key; else ``None``)."""

    kind: str
    target: str
    value: str | None = None
    location: Location | None = field(default=None, compare=False)
    #: the ``${NAME}``s of a ``fill`` value not set when the config was read, the value's key
    #: path and location: a config error for the audit only (``unset_variables``)
    unset: tuple[str, ...] = field(default=(), compare=False)
    value_path: str = field(default="", compare=False)
    value_location: Location | None = field(default=None, compare=False)


def unset_variables(steps: tuple[Step, ...] | list[Step]) -> list[AssetpipeError]:
    """One error per ``${NAME}`` of the steps' ``fill`` values that was not set, at the value's
    ``FILE:LINE:COL`` and key path (the audit raises them as a ``ConfigError``)."""
    return [
        AssetpipeError(
            f"{step.value_path}: environment variable {name} is not set",
            location=step.value_location,
        )
        for step in steps
        for name in step.unset
    ]


def substitute(text: str, env: dict[str, str] | None = None) -> str:
    """``text`` with each ``${NAME}`` replaced by the environment variable's value; ``KeyError``
    names a variable that is not set."""
    source = os.environ if env is None else env
    return ENV_VAR.sub(lambda m: source[m.group(1)], text)


@dataclass(frozen=True)
class Steps(Check):
    """A non-empty list of steps starting with ``goto`` (see the module docstring)."""

    TYPE = "list of steps (`goto`, `click`, `fill`, `press`, `wait_for`)"

    def read(self, ctx: Ctx, node: yaml.Node, path: str, default: Any) -> tuple[Step, ...] | None:
        import yaml

        items = ctx.r.seq(node, path)
        if isinstance(node, yaml.SequenceNode) and not items:
            ctx.r.error(node, path, "expected at least one step")
        out: list[Step] = []
        ok = bool(items)
        for i, item in enumerate(items):
            step = _step(ctx, item, f"{path}[{i}]")
            ok = ok and step is not None
            if step is not None:
                out.append(step)
        if out and out[0].kind != "goto":
            ctx.r.error(items[0], f"{path}[0]", "a flow's first step must be `goto: PATH`")
            ok = False
        return tuple(out) if ok else None


def _step(ctx: Ctx, node: yaml.Node, path: str) -> Step | None:
    import yaml

    entries = ctx.section(node, path, KINDS)
    if not isinstance(node, yaml.MappingNode):
        return None  # reported by ``section``
    if not node.value:
        ctx.r.error(node, path, "expected a step: one of " + ", ".join(KINDS))
        return None
    if len(node.value) != 1:
        ctx.r.error(node, path, "a step is one key: " + ", ".join(KINDS))
        return None
    if not entries:
        return None  # an unknown kind, reported by ``section``
    kind, child = next(iter(entries.items()))
    where = ctx.r.loc(node)
    sub = f"{path}.{kind}"
    if kind not in MAPPED:
        target = ctx.r.string(child, sub)
        if target is None:
            return None
        if kind == "goto" and not target.startswith("/"):
            ctx.r.error(child, sub, f"expected a URL path starting with '/', got {target!r}")
            return None
        return Step(kind, target, None, where)
    keys = MAPPED[kind]
    fields = ctx.section(child, sub, keys)
    values: list[str] = []
    for key in keys:
        if key not in fields:
            if isinstance(child, yaml.MappingNode):
                ctx.r.error(child, f"{sub}.{key}", "required key missing")
            continue
        value = ctx.r.string(fields[key], f"{sub}.{key}")
        if value is not None:
            values.append(value)
    if len(values) != len(keys):
        return None
    if kind == "fill":
        # checked (and recorded as a fact of the config, so a reused config sees a change), but
        # an error only where the value is typed: the audit
        unset = tuple(n for n in ENV_VAR.findall(values[1]) if not ctx.r.outside.env_set(n))
        if unset:
            return Step(
                kind, values[0], values[1], where, unset, f"{sub}.value", ctx.r.loc(fields["value"])
            )
    return Step(kind, values[0], values[1], where)
