"""A small validating reader over PyYAML's node tree, so every value keeps its line and column.

``parse_yaml`` composes a document into nodes (rejecting duplicate keys); ``Reader`` walks those
nodes with typed accessors that record every problem (with ``file:line:col: key.path:``) instead of
stopping at the first, so ``load_config`` can report all errors at once.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any, TypeVar

import yaml

from ..errors import AssetpipeError, Location
from .outside import Outside

T = TypeVar("T")

_constructor = yaml.SafeLoader("")


def describe(node: yaml.Node) -> str:
    """How a value reads in a message: ``'large'``, ``3``, ``a mapping``, ``a list``."""
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if node.tag == "tag:yaml.org,2002:null":
        return "null"
    if node.tag == "tag:yaml.org,2002:str":
        return repr(node.value)
    return str(node.value)


class Reader:
    """Collects problems while reading a YAML node tree for one file."""

    def __init__(self, display_name: str) -> None:
        self.display_name = display_name
        self.problems: list[AssetpipeError] = []
        #: what reading looked up outside the file (paths, environment variables)
        self.outside = Outside()

    def loc(self, node: yaml.Node | None) -> Location:
        if node is None:
            return Location(self.display_name, 1, 1)
        mark = node.start_mark
        return Location(self.display_name, mark.line + 1, mark.column + 1)

    def error(
        self, node: yaml.Node | None, path: str, message: str, hint: str | None = None
    ) -> None:
        text = f"{path}: {message}" if path else message
        self.problems.append(AssetpipeError(text, location=self.loc(node), hint=hint))

    def scalar(self, node: yaml.Node) -> Any:
        """The Python value of a scalar node (int, float, bool, str or None)."""
        return _constructor.construct_object(node, deep=True)

    # --- containers -------------------------------------------------------------------------

    def mapping(
        self, node: yaml.Node | None, path: str, known: list[str] | None = None
    ) -> dict[str, yaml.Node]:
        """A mapping's entries by key. Unknown keys (when ``known`` is given) are errors with a
        did-you-mean; null reads as an empty mapping."""
        if node is None or (isinstance(node, yaml.ScalarNode) and self.scalar(node) is None):
            return {}
        if not isinstance(node, yaml.MappingNode):
            self.error(node, path, f"expected a mapping, got {describe(node)}")
            return {}
        known_list = list(known) if known is not None else None
        out: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                self.error(key_node, path, f"keys must be strings, got {describe(key_node)}")
                continue
            sub = f"{path}.{key}" if path else key
            if known_list is not None and key not in known_list:
                close = difflib.get_close_matches(key, known_list, n=1, cutoff=0.6)
                suffix = f" (did you mean '{close[0]}'?)" if close else ""
                hint = None if close else "valid keys here: " + ", ".join(sorted(known_list))
                self.error(key_node, sub, f"unknown key{suffix}", hint=hint)
                continue
            out[key] = value_node
        return out

    def seq(self, node: yaml.Node, path: str, *, allow_scalar: bool = False) -> list[yaml.Node]:
        """A list's items; with ``allow_scalar`` a single scalar reads as a one-item list."""
        if isinstance(node, yaml.SequenceNode):
            return list(node.value)
        if allow_scalar and isinstance(node, yaml.ScalarNode) and self.scalar(node) is not None:
            return [node]
        self.error(node, path, f"expected a list, got {describe(node)}")
        return []

    # --- scalars ----------------------------------------------------------------------------

    def string(self, node: yaml.Node, path: str, *, nullable: bool = False) -> str | None:
        if isinstance(node, yaml.ScalarNode):
            value = self.scalar(node)
            if value is None and nullable:
                return None
            if isinstance(value, str) and value:
                return value
        self.error(node, path, f"expected a non-empty string, got {describe(node)}")
        return None

    def boolean(self, node: yaml.Node, path: str) -> bool | None:
        if isinstance(node, yaml.ScalarNode):
            value = self.scalar(node)
            if isinstance(value, bool):
                return value
        self.error(node, path, f"expected true or false, got {describe(node)}")
        return None

    def integer(
        self, node: yaml.Node, path: str, *, minimum: int = 1, maximum: int | None = None
    ) -> int | None:
        if isinstance(node, yaml.ScalarNode):
            value = self.scalar(node)
            if (
                isinstance(value, int)
                and not isinstance(value, bool)
                and value >= minimum
                and (maximum is None or value <= maximum)
            ):
                return value
        if maximum is not None:
            what = f"an integer from {minimum} to {maximum}"
        else:
            what = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        self.error(node, path, f"expected {what}, got {describe(node)}")
        return None

    def number(
        self, node: yaml.Node, path: str, *, minimum: float = 0.0, maximum: float | None = None
    ) -> float | None:
        if isinstance(node, yaml.ScalarNode):
            value = self.scalar(node)
            if (
                isinstance(value, int | float)
                and not isinstance(value, bool)
                and value >= minimum
                and (maximum is None or value <= maximum)
            ):
                return float(value)
        rng = f" from {minimum:g} to {maximum:g}" if maximum is not None else f" >= {minimum:g}"
        self.error(node, path, f"expected a number{rng}, got {describe(node)}")
        return None

    def choice(self, node: yaml.Node, path: str, choices: tuple[str, ...]) -> str | None:
        """One of ``choices``. YAML 1.1 reads an unquoted ``off``/``no``/``on``/``yes`` as a
        boolean: a choice spelled that way (``level: {timings: off}``) is taken as written."""
        if isinstance(node, yaml.ScalarNode):
            value = self.scalar(node)
            if isinstance(value, bool) and node.value in choices:
                return str(node.value)
            if isinstance(value, bool) and "false" in choices and not value:
                return "false"
            if isinstance(value, str) and value in choices:
                return value
        options = ", ".join(choices)
        self.error(node, path, f"expected one of {options}, got {describe(node)}")
        return None

    def list_of(
        self,
        node: yaml.Node,
        path: str,
        item: Callable[[yaml.Node, str], T | None],
        *,
        allow_scalar: bool = False,
    ) -> list[T]:
        out: list[T] = []
        for i, child in enumerate(self.seq(node, path, allow_scalar=allow_scalar)):
            value = item(child, f"{path}[{i}]")
            if value is not None:
                out.append(value)
        return out


class _NoDuplicatesLoader(yaml.SafeLoader):
    """Composes nodes and rejects a key that appears twice in one mapping."""

    def compose_mapping_node(self, anchor: Any) -> yaml.MappingNode:
        node: yaml.MappingNode = super().compose_mapping_node(anchor)
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in seen:
                    first = seen[key_node.value].start_mark
                    raise yaml.constructor.ConstructorError(
                        None,
                        None,
                        f"duplicate key '{key_node.value}' (first at line {first.line + 1})",
                        key_node.start_mark,
                    )
                seen[key_node.value] = key_node
        return node


def parse_yaml(text: str, display_name: str) -> yaml.Node | None:
    """Compose ``text`` into a node tree; malformed YAML or a duplicate key raises an
    ``AssetpipeError`` located at the problem."""
    try:
        node: yaml.Node | None = _NoDuplicatesLoader(text).get_single_node()
        return node
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = (
            Location(display_name, mark.line + 1, mark.column + 1)
            if mark
            else Location(display_name)
        )
        problem = exc.problem or exc.context or "malformed YAML"
        if not problem.startswith("duplicate key"):
            problem = f"invalid YAML: {problem}"
        raise AssetpipeError(problem, location=loc) from None
    except yaml.YAMLError as exc:
        raise AssetpipeError(f"invalid YAML: {exc}", location=Location(display_name)) from None
