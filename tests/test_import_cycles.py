"""The package's shape: no import cycle inside ``assetpipe``, no oversized module.

The import graph is read from the source (``ast``), not from ``sys.modules``: every ``import``
and ``from ... import`` counts, at module level, inside functions (a lazy import that hides a
cycle is still a cycle) and under ``if TYPE_CHECKING:`` (a type-only import is still a dependency:
break such a cycle by moving the shared type down or with a ``Protocol``), relative and absolute
alike. ``from pkg import name`` counts as an edge
to ``pkg.name`` when that is a module, else to ``pkg``. A package's ``__init__`` importing its own
submodules is not a cycle by itself (submodule → package edges are not added for the implicit
parent import Python performs), so only imports written in the code make edges.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "assetpipe"
#: a module may not grow past this many lines (the target is ~400; formatted source)
MAX_LINES = 450


def module_files(root: Path = PACKAGE) -> dict[str, Path]:
    """Dotted module name → file, for every ``.py`` under the package."""
    out: dict[str, Path] = {}
    for path in sorted(root.rglob("*.py")):
        folders = path.relative_to(root).parents
        if any(not (root / f / "__init__.py").is_file() for f in folders):
            continue  # not importable as a module of the package (e.g. under assetpipe/_node)
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _resolve_from(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The absolute module a ``from X import ...`` names."""
    if node.level == 0:
        return node.module or ""
    base = module.split(".")
    # a package's own __init__ is at its package level; a module's level 1 is its parent
    drop = node.level - 1 if is_package else node.level
    if drop:
        base = base[:-drop]
    return ".".join([*base, node.module] if node.module else base)


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package modules ``module`` imports anywhere in its source."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.add(_nearest(alias.name, modules))
        elif isinstance(node, ast.ImportFrom):
            target = _resolve_from(node, module, is_package)
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in modules else _nearest(target, modules))
    found.discard("")
    found.discard(module)
    return found


def _nearest(name: str, modules: dict[str, Path]) -> str:
    """``name`` or its closest enclosing package module (``""`` if outside the package)."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return ""


def import_graph() -> dict[str, set[str]]:
    modules = module_files()
    return {m: imports_of(m, p, modules) for m, p in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected component with more than one module (Tarjan): the sets of
    modules that import each other, directly or not; sorted for a stable message."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    comps: list[list[str]] = []
    counter = 0

    def strongconnect(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                strongconnect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp: list[str] = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            strongconnect(v)
    return sorted(comps)


def _one_cycle(graph: dict[str, set[str]], comp: list[str]) -> list[str]:
    """A shortest cycle through the component's first member, ``[a, b, ..., a]``."""
    members = set(comp)
    start = comp[0]
    paths: dict[str, list[str]] = {start: [start]}
    frontier = [start]
    while frontier:
        nxt: list[str] = []
        for v in frontier:
            for w in sorted(graph[v] & members):
                if w == start:
                    return [*paths[v], start]
                if w not in paths:
                    paths[w] = [*paths[v], w]
                    nxt.append(w)
        frontier = nxt
    return comp  # unreachable for a strongly connected component


def oversized(limit: int = MAX_LINES) -> Iterator[tuple[str, int]]:
    for name, path in module_files().items():
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > limit:
            yield name, n


def describe_cycles(graph: dict[str, set[str]], found: list[list[str]]) -> str:
    """One line per strongly connected component: a shortest cycle, then every member."""
    return "\n".join(
        " -> ".join(_one_cycle(graph, c)) + f"   (all of: {', '.join(c)})" for c in found
    )


def test_the_cycle_finder_sees_lazy_relative_and_package_imports(tmp_path: Path) -> None:
    """The finder itself, on a throwaway package: a function-level relative import closing a
    cycle is found; ``from . import b`` in ``__init__`` is an edge to ``pkg.b``."""
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("from . import b\n")
    (pkg / "a.py").write_text("def f():\n    from .sub import c\n    return c\n")
    (pkg / "b.py").write_text("import os\n")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "c.py").write_text("from ..a import f\n")
    modules = module_files(pkg)
    graph = {m: imports_of(m, p, modules) for m, p in modules.items()}
    assert graph["pkg"] == {"pkg.b"}
    assert graph["pkg.a"] == {"pkg.sub.c"}
    assert graph["pkg.sub.c"] == {"pkg.a"}
    assert cycles(graph) == [["pkg.a", "pkg.sub.c"]]
    assert describe_cycles(graph, cycles(graph)).startswith("pkg.a -> pkg.sub.c -> pkg.a")


def test_no_import_cycle_inside_the_package() -> None:
    graph = import_graph()
    found = cycles(graph)
    assert not found, "import cycles inside assetpipe:\n" + describe_cycles(graph, found)


def test_no_module_is_oversized() -> None:
    big = sorted(oversized())
    assert not big, f"modules over {MAX_LINES} lines: " + ", ".join(f"{m} ({n})" for m, n in big)
